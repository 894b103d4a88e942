/**
 * UnregisterBroker (key 64): removes a broker's registration, as Kafka's controller does for a
 * broker that is gone. A running node registers again at once (as Kafka's live brokers do), so
 * only a stopped node is forgotten; an unknown id is BROKER_ID_NOT_REGISTERED.
 *
 * @module
 */

import { AclOperation, ApiKey, ErrorCode } from "../../codec/mod.ts";
import { defineHandler } from "../server/handler.ts";
import { canOnCluster, CLUSTER_REFUSED } from "../security/access.ts";

export default defineHandler({
  apiKey: ApiKey.UnregisterBroker,
  minVersion: 0,
  maxVersion: 0,
  handle(request, ctx) {
    const answer = (errorCode: number, errorMessage: string | null = null) => ({
      errorCode,
      errorMessage,
    });
    if (!canOnCluster(ctx, AclOperation.ALTER)) {
      return answer(ErrorCode.CLUSTER_AUTHORIZATION_FAILED, CLUSTER_REFUSED);
    }
    if (!ctx.metadata.registeredNodeIds.has(request.brokerId)) {
      return answer(
        ErrorCode.BROKER_ID_NOT_REGISTERED,
        `Broker ID ${request.brokerId} is not currently registered`,
      );
    }
    if (ctx.metadata.node(request.brokerId) === undefined) {
      ctx.metadata.registeredNodeIds.delete(request.brokerId);
    }
    return answer(ErrorCode.NONE);
  },
});
