/**
 * ListPartitionReassignments (key 46): reassignments in progress. Brook's in-memory replicas move at
 * once, so none is ever in progress; unknown topics are simply not listed, as Kafka does.
 *
 * @module
 */

import { AclOperation, ApiKey, ErrorCode } from "../../codec/mod.ts";
import { defineHandler } from "../server/handler.ts";
import { canOnCluster, CLUSTER_REFUSED } from "../security/access.ts";

export default defineHandler({
  apiKey: ApiKey.ListPartitionReassignments,
  minVersion: 0,
  maxVersion: 0,
  handle(_request, ctx) {
    if (!canOnCluster(ctx, AclOperation.DESCRIBE)) {
      return {
        errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
        errorMessage: CLUSTER_REFUSED,
        topics: [],
      };
    }
    return { errorCode: ErrorCode.NONE, errorMessage: null, topics: [] };
  },
});
