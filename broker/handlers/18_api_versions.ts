/**
 * ApiVersions (key 18): the versions of every API this broker serves, derived from the registered
 * handlers, and the cluster's features. KIP-511: the client's software name and version are recorded
 * on the connection. GetTelemetrySubscriptions and PushTelemetry are listed only with client
 * telemetry on, as Kafka lists them only with a telemetry receiver. KIP-1242 (v5): a client names
 * the cluster and node it means to reach; a different one is REBOOTSTRAP_REQUIRED, naming only one
 * of the two is INVALID_REQUEST.
 *
 * @module
 */

import { ApiKey, ErrorCode } from "../../codec/mod.ts";
import { defineHandler } from "../server/handler.ts";
import { HANDLERS } from "./registry.ts";

const TELEMETRY_KEYS: ReadonlySet<number> = new Set([
  ApiKey.GetTelemetrySubscriptions,
  ApiKey.PushTelemetry,
]);

export default defineHandler({
  apiKey: ApiKey.ApiVersions,
  minVersion: 0,
  maxVersion: 5,
  handle(request, ctx) {
    if (ctx.apiVersion >= 3) {
      // Kafka checks the software name and version (KIP-511) and refuses malformed ones.
      const valid = /^[a-zA-Z0-9](?:[a-zA-Z0-9\-.]*[a-zA-Z0-9])?$/;
      if (!valid.test(request.clientSoftwareName) || !valid.test(request.clientSoftwareVersion)) {
        return { errorCode: ErrorCode.INVALID_REQUEST, apiKeys: [] };
      }
      ctx.connection.clientSoftwareName = request.clientSoftwareName;
      ctx.connection.clientSoftwareVersion = request.clientSoftwareVersion;
    }
    if (ctx.apiVersion >= 5 && (request.clusterId !== null || request.nodeId !== -1)) {
      // As Kafka 4.4: both or neither; an empty cluster id counts as given.
      if (request.clusterId === null || request.nodeId === -1) {
        return { errorCode: ErrorCode.INVALID_REQUEST, apiKeys: [], finalizedFeaturesEpoch: -1n };
      }
      if (request.clusterId !== ctx.metadata.clusterId || request.nodeId !== ctx.node.nodeId) {
        return {
          errorCode: ErrorCode.REBOOTSTRAP_REQUIRED,
          apiKeys: [],
          finalizedFeaturesEpoch: -1n,
        };
      }
    }
    const apiKeys = [];
    for (const h of HANDLERS) {
      if (h === undefined) continue;
      // As Kafka: without a telemetry receiver, keys 71 and 72 are served but not advertised.
      if (TELEMETRY_KEYS.has(h.apiKey) && !ctx.telemetry.enabled) continue;
      apiKeys.push({
        apiKey: h.apiKey,
        minVersion: h.advertisedMinVersion ?? h.minVersion,
        maxVersion: h.maxVersion,
      });
    }
    return {
      errorCode: ErrorCode.NONE,
      apiKeys,
      supportedFeatures: ctx.features.supported(),
      finalizedFeaturesEpoch: ctx.features.epoch,
      // As a new Kafka 4.1 cluster: transaction version 2 (KIP-890), so clients use Produce v12+,
      // TxnOffsetCommit v5+ and EndTxn v5+ with an epoch bump per transaction; group.version 1.
      finalizedFeatures: ctx.features.finalized(),
      zkMigrationReady: false,
    };
  },
});
