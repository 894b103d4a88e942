/**
 * GetTelemetrySubscriptions (key 71, KIP-714): the client instance id (assigned for the zero id),
 * the metrics its matching CLIENT_METRICS subscriptions ask for, their push interval, and the
 * compressions the broker accepts. Answered as Kafka answers it with or without a telemetry
 * receiver; ApiVersions advertises it only when the broker runs with client telemetry on.
 *
 * @module
 */

import { ApiKey } from "../../codec/mod.ts";
import { defineHandler, type RequestContext } from "../server/handler.ts";
import type { TelemetryClient } from "../telemetry/client_telemetry.ts";

/** What subscriptions match a request's client on (Kafka says "unknown" for no software name). */
export function telemetryClient(ctx: RequestContext): TelemetryClient {
  const { connection } = ctx;
  return {
    nodeId: ctx.node.nodeId,
    connectionId: connection.id,
    clientId: ctx.header.clientId,
    softwareName: connection.clientSoftwareName || "unknown",
    softwareVersion: connection.clientSoftwareVersion || "unknown",
    address: connection.remoteAddress,
    port: connection.remotePort,
  };
}

export default defineHandler({
  apiKey: ApiKey.GetTelemetrySubscriptions,
  minVersion: 0,
  maxVersion: 0,
  handle: (request, ctx) => ctx.telemetry.getSubscriptions(request, telemetryClient(ctx)),
});
