/**
 * AlterClientQuotas (key 49): sets and removes quotas of users, client ids and IP addresses, with
 * Kafka's checks of entities, keys and values; validate-only requests change nothing.
 *
 * @module
 */

import { AclOperation, ApiKey, ErrorCode } from "../../codec/mod.ts";
import { defineHandler } from "../server/handler.ts";
import { canOnCluster, CLUSTER_REFUSED } from "../security/access.ts";

export default defineHandler({
  apiKey: ApiKey.AlterClientQuotas,
  minVersion: 0,
  maxVersion: 1,
  handle(request, ctx) {
    if (!canOnCluster(ctx, AclOperation.ALTER_CONFIGS)) {
      return {
        entries: request.entries.map((e) => ({
          errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
          errorMessage: CLUSTER_REFUSED,
          entity: e.entity,
        })),
      };
    }
    return {
      entries: ctx.quotas.alter(request.entries, request.validateOnly),
    };
  },
});
