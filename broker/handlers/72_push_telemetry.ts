/**
 * PushTelemetry (key 72, KIP-714): a client's metrics as OTLP, checked in Kafka's order (a
 * reserved instance id, a push after the terminating one, one before its interval, an unknown
 * subscription id, an unknown compression, a payload over telemetry.max.bytes) and, with client
 * telemetry on, decoded and kept as the client instance's latest report.
 *
 * @module
 */

import { ApiKey } from "../../codec/mod.ts";
import { defineHandler } from "../server/handler.ts";
import { telemetryClient } from "./71_get_telemetry_subscriptions.ts";

export default defineHandler({
  apiKey: ApiKey.PushTelemetry,
  minVersion: 0,
  maxVersion: 0,
  handle: (request, ctx) => ctx.telemetry.push(request, telemetryClient(ctx)),
});
