/**
 * OffsetForLeaderEpoch (key 23): the end offset of a leader epoch in a partition's log, so that
 * clients can detect log truncation after a leader change.
 *
 * @module
 */

import { AclOperation, AclResourceType, ApiKey, ErrorCode } from "../../codec/mod.ts";
import type { Partition } from "../metadata/cluster.ts";
import { defineHandler } from "../server/handler.ts";
import { can, canOnCluster } from "../security/access.ts";

/** The largest epoch <= `epoch` in the log, and the offset where the next epoch starts (or the end). */
function endOffsetFor(p: Partition, epoch: number): { leaderEpoch: number; endOffset: bigint } {
  if (epoch > p.leaderEpoch) return { leaderEpoch: -1, endOffset: -1n };
  if (epoch === p.leaderEpoch) return { leaderEpoch: epoch, endOffset: p.log.logEndOffset };
  let found = -1;
  for (const b of p.log.batches) {
    if (b.leaderEpoch > epoch) {
      return { leaderEpoch: found < 0 ? -1 : found, endOffset: found < 0 ? -1n : b.baseOffset };
    }
    found = b.leaderEpoch;
  }
  return { leaderEpoch: found, endOffset: found < 0 ? -1n : p.log.logEndOffset };
}

export default defineHandler({
  apiKey: ApiKey.OffsetForLeaderEpoch,
  minVersion: 2,
  maxVersion: 4,
  handle(request, ctx) {
    const { node } = ctx;
    // As Kafka: CLUSTER_ACTION (a follower) or DESCRIBE on each topic (a consumer, KIP-320);
    // refused topics are answered after the others.
    const all = canOnCluster(ctx, AclOperation.CLUSTER_ACTION);
    const describable = (name: string) =>
      all || can(ctx, AclOperation.DESCRIBE, AclResourceType.TOPIC, name);
    const refused = request.topics.filter((t) => !describable(t.topic)).map((t) => ({
      topic: t.topic,
      partitions: t.partitions.map((q) => ({
        partition: q.partition,
        errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED,
        leaderEpoch: -1,
        endOffset: -1n,
      })),
    }));
    return {
      topics: [
        ...request.topics.filter((t) => describable(t.topic)).map((t) => ({
          topic: t.topic,
          partitions: t.partitions.map((q) => {
            const base = { partition: q.partition, leaderEpoch: -1, endOffset: -1n };
            const p = ctx.topics.partition(t.topic, q.partition);
            if (!p) return { ...base, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION };
            if (p.leader !== node.nodeId) {
              return { ...base, errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER };
            }
            if (q.currentLeaderEpoch >= 0 && q.currentLeaderEpoch < p.leaderEpoch) {
              return { ...base, errorCode: ErrorCode.FENCED_LEADER_EPOCH };
            }
            if (q.currentLeaderEpoch > p.leaderEpoch) {
              return { ...base, errorCode: ErrorCode.UNKNOWN_LEADER_EPOCH };
            }
            return { ...base, ...endOffsetFor(p, q.leaderEpoch), errorCode: ErrorCode.NONE };
          }),
        })),
        ...refused,
      ],
    };
  },
});
