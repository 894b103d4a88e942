/**
 * AddOffsetsToTxn (key 25): adds a consumer group's offsets to a producer's transaction, so that
 * TxnOffsetCommit may stage offsets that the transaction's end commits or drops.
 *
 * @module
 */

import { AclOperation, AclResourceType, ApiKey, ErrorCode } from "../../codec/mod.ts";
import { defineHandler } from "../server/handler.ts";
import { can } from "../security/access.ts";

export default defineHandler({
  apiKey: ApiKey.AddOffsetsToTxn,
  minVersion: 0,
  maxVersion: 4,
  handle(request, ctx) {
    const { apiVersion, node } = ctx;
    if (!can(ctx, AclOperation.WRITE, AclResourceType.TRANSACTIONAL_ID, request.transactionalId)) {
      return { errorCode: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED };
    }
    if (!can(ctx, AclOperation.READ, AclResourceType.GROUP, request.groupId)) {
      return { errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED };
    }
    const check = ctx.transactions.check(request.transactionalId, node.nodeId);
    if (check !== ErrorCode.NONE) return { errorCode: check };
    if (request.groupId === "") return { errorCode: ErrorCode.INVALID_GROUP_ID };
    // The group's __consumer_offsets partition joins the transaction, as Kafka adds it.
    ctx.groups.coordinatorFor(request.groupId);
    const code = ctx.transactions.addGroup(
      request.transactionalId,
      request.producerId,
      request.producerEpoch,
      request.groupId,
    );
    return {
      errorCode: code === ErrorCode.PRODUCER_FENCED && apiVersion < 2
        ? ErrorCode.INVALID_PRODUCER_EPOCH
        : code,
    };
  },
});
