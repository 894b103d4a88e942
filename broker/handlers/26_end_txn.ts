/**
 * EndTxn (key 26): commits or aborts a producer's transaction, writing markers to its partitions
 * and completing its group offsets. From v5 (transaction version 2, KIP-890) every end bumps the
 * producer epoch, which the answer carries.
 *
 * @module
 */

import { AclOperation, AclResourceType, ApiKey, ErrorCode } from "../../codec/mod.ts";
import { defineHandler } from "../server/handler.ts";
import { can } from "../security/access.ts";

export default defineHandler({
  apiKey: ApiKey.EndTxn,
  minVersion: 0,
  maxVersion: 5,
  handle(request, ctx) {
    const { apiVersion, node } = ctx;
    const failed = (errorCode: number) => ({
      errorCode,
      producerId: -1n,
      producerEpoch: -1,
    });
    if (!can(ctx, AclOperation.WRITE, AclResourceType.TRANSACTIONAL_ID, request.transactionalId)) {
      return failed(ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
    }
    const check = ctx.transactions.check(request.transactionalId, node.nodeId);
    if (check !== ErrorCode.NONE) return failed(check);
    const answer = ctx.transactions.end(
      request.transactionalId,
      request.producerId,
      request.producerEpoch,
      request.committed,
      apiVersion >= 5,
    );
    if (answer.errorCode === ErrorCode.PRODUCER_FENCED && apiVersion < 2) {
      return failed(ErrorCode.INVALID_PRODUCER_EPOCH);
    }
    return { ...answer };
  },
});
