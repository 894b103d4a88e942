/**
 * DescribeProducers (key 61): the idempotent producers writing to partitions, with their epochs and
 * last sequence numbers.
 *
 * @module
 */

import { AclOperation, AclResourceType, ApiKey, ErrorCode, errorInfo } from "../../codec/mod.ts";
import { defineHandler } from "../server/handler.ts";
import { can } from "../security/access.ts";

export default defineHandler({
  apiKey: ApiKey.DescribeProducers,
  minVersion: 0,
  maxVersion: 0,
  handle(request, ctx) {
    const { node } = ctx;
    return {
      topics: request.topics.map((t) => {
        // Errors of the whole topic carry Kafka's default message; those of a partition none.
        const topicError = !can(ctx, AclOperation.READ, AclResourceType.TOPIC, t.name)
          ? ErrorCode.TOPIC_AUTHORIZATION_FAILED
          : !ctx.topics.byName.has(t.name)
          ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION
          : ErrorCode.NONE;
        return {
          name: t.name,
          partitions: t.partitionIndexes.map((i) => {
            const p = ctx.topics.partition(t.name, i);
            const answer = (errorCode: number, errorMessage: string | null = null) => ({
              partitionIndex: i,
              errorCode,
              errorMessage,
              activeProducers: [],
            });
            if (topicError !== ErrorCode.NONE) {
              return answer(topicError, errorInfo(topicError).message);
            }
            if (!p) return answer(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
            if (p.leader !== node.nodeId) return answer(ErrorCode.NOT_LEADER_OR_FOLLOWER);
            return {
              ...answer(ErrorCode.NONE),
              activeProducers: p.producers.active.map((s) => ({
                producerId: s.producerId,
                producerEpoch: s.epoch,
                lastSequence: s.lastSequence,
                lastTimestamp: s.lastTimestamp,
                coordinatorEpoch: s.coordinatorEpoch,
                currentTxnStartOffset: p.txns.open.get(s.producerId) ?? -1n,
              })),
            };
          }),
        };
      }),
    };
  },
});
