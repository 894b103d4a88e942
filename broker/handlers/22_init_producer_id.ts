/**
 * InitProducerId (key 22): hands an idempotent producer a new id at epoch 0. With a transactional id
 * the transaction coordinator answers: epoch bumps (KIP-360 lets a producer name its current id and
 * epoch), fencing of older producers, aborting their open transaction.
 *
 * @module
 */

import { AclOperation, AclResourceType, ApiKey, ErrorCode } from "../../codec/mod.ts";
import { defineHandler } from "../server/handler.ts";
import { can, canOnAny, canOnCluster } from "../security/access.ts";

export default defineHandler({
  apiKey: ApiKey.InitProducerId,
  minVersion: 0,
  maxVersion: 5,
  handle(request, ctx) {
    const { apiVersion } = ctx;
    const failed = (errorCode: number) => ({
      errorCode,
      producerId: -1n,
      producerEpoch: -1,
    });
    const givenId = request.producerId >= 0n;
    const givenEpoch = request.producerEpoch >= 0;
    if (givenId !== givenEpoch) return failed(ErrorCode.INVALID_REQUEST);
    // As Kafka: WRITE on the transactional id; without one, IDEMPOTENT_WRITE on the cluster or
    // WRITE on some topic.
    if (
      request.transactionalId !== null &&
      !can(ctx, AclOperation.WRITE, AclResourceType.TRANSACTIONAL_ID, request.transactionalId)
    ) return failed(ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
    if (
      request.transactionalId === null && !canOnCluster(ctx, AclOperation.IDEMPOTENT_WRITE) &&
      !canOnAny(ctx, AclOperation.WRITE, AclResourceType.TOPIC)
    ) return failed(ErrorCode.CLUSTER_AUTHORIZATION_FAILED);
    if (request.transactionalId !== null) {
      const check = ctx.transactions.check(request.transactionalId, ctx.node.nodeId);
      if (check !== ErrorCode.NONE) return failed(check);
      const answer = ctx.transactions.initProducerId(
        request.transactionalId,
        request.transactionTimeoutMs,
        givenId
          ? { producerId: request.producerId, producerEpoch: request.producerEpoch }
          : undefined,
      );
      // PRODUCER_FENCED is known to clients from v4; older ones understand INVALID_PRODUCER_EPOCH.
      if (answer.errorCode === ErrorCode.PRODUCER_FENCED && apiVersion < 4) {
        return failed(ErrorCode.INVALID_PRODUCER_EPOCH);
      }
      return { ...answer };
    }
    // Without a transactional id Kafka always hands out a new producer id at epoch 0, even to a
    // producer that names its current one.
    return {
      errorCode: ErrorCode.NONE,
      producerId: ctx.producerIds.allocate(),
      producerEpoch: 0,
    };
  },
});
