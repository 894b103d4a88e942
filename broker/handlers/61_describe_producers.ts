/**
 * DescribeProducers (key 61): the idempotent producers writing to partitions, with their epochs and
 * last sequence numbers.
 *
 * @module
 */

import { ApiKey, ErrorCode } from "../../codec/mod.ts";
import { defineHandler } from "../handler.ts";

export default defineHandler({
  apiKey: ApiKey.DescribeProducers,
  minVersion: 0,
  maxVersion: 0,
  handle(request, ctx) {
    const { cluster, node } = ctx;
    return {
      throttleTimeMs: 0,
      topics: request.topics.map((t) => ({
        name: t.name,
        partitions: t.partitionIndexes.map((i) => {
          const p = cluster.partition(t.name, i);
          const answer = (errorCode: number) => ({
            partitionIndex: i,
            errorCode,
            errorMessage: null,
            activeProducers: [],
          });
          if (!p) return answer(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
          if (p.leader !== node.nodeId) return answer(ErrorCode.NOT_LEADER_OR_FOLLOWER);
          return {
            ...answer(ErrorCode.NONE),
            activeProducers: p.producers.active.map((s) => {
              const batch = p.log.batches.find((b) =>
                b.producerId === s.producerId && b.baseOffset === s.lastOffset
              );
              return {
                producerId: s.producerId,
                producerEpoch: s.epoch,
                lastSequence: s.lastSequence,
                lastTimestamp: batch?.maxTimestamp ?? -1n,
                coordinatorEpoch: -1,
                currentTxnStartOffset: p.txns.open.get(s.producerId) ?? -1n,
              };
            }),
          };
        }),
      })),
    };
  },
});
