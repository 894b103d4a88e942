/**
 * DescribeClientQuotas (key 48): the quotas of the entities a filter matches (exact names,
 * defaults, or any name of a type; strict or not), as Kafka's metadata answers it.
 *
 * @module
 */

import { AclOperation, ApiKey, ErrorCode } from "../../codec/mod.ts";
import { defineHandler } from "../server/handler.ts";
import { canOnCluster } from "../security/access.ts";

export default defineHandler({
  apiKey: ApiKey.DescribeClientQuotas,
  minVersion: 0,
  maxVersion: 1,
  handle(request, ctx) {
    if (!canOnCluster(ctx, AclOperation.DESCRIBE_CONFIGS)) {
      return {
        errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
        errorMessage: null,
        entries: null,
      };
    }
    const described = ctx.quotas.describe(request.components, request.strict);
    if ("errorCode" in described) return { ...described, entries: null };
    // Kafka answers success with an empty message.
    return {
      errorCode: ErrorCode.NONE,
      errorMessage: "",
      entries: described.entries,
    };
  },
});
