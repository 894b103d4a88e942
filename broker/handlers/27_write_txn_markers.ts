/**
 * WriteTxnMarkers (key 27): writes COMMIT or ABORT markers to the partitions this node leads, as a
 * transaction coordinator asks partition leaders to. Brook's own coordinator writes its markers
 * directly; this serves tools and tests that send the request themselves. v2 (Kafka 4.4) names each
 * marker's transaction version, which changes nothing for a marker Kafka accepts at v1.
 *
 * @module
 */

import { AclOperation, ApiKey, ErrorCode } from "../../codec/mod.ts";
import { defineHandler } from "../server/handler.ts";
import { canOnCluster } from "../security/access.ts";
import { javaHash } from "../metadata/java_hash.ts";

export default defineHandler({
  apiKey: ApiKey.WriteTxnMarkers,
  minVersion: 1,
  maxVersion: 2,
  handle(request, ctx) {
    const { node } = ctx;
    // As Kafka: ALTER on the cluster, or else CLUSTER_ACTION; refused, every partition says so.
    if (
      !canOnCluster(ctx, AclOperation.ALTER) && !canOnCluster(ctx, AclOperation.CLUSTER_ACTION)
    ) {
      return {
        markers: request.markers.map((m) => ({
          producerId: m.producerId,
          topics: m.topics.map((t) => ({
            name: t.name,
            partitions: t.partitionIndexes.map((partitionIndex) => ({
              partitionIndex,
              errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
            })),
          })),
        })),
      };
    }
    return {
      markers: request.markers.map((m) => {
        const led: { topic: string; partition: number }[] = [];
        const codes = new Map<string, number>();
        for (const t of m.topics) {
          for (const index of t.partitionIndexes) {
            const p = ctx.topics.partition(t.name, index);
            const key = `${t.name}\u0000${index}`;
            if (!p) codes.set(key, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
            else if (p.leader !== node.nodeId) codes.set(key, ErrorCode.NOT_LEADER_OR_FOLLOWER);
            else led.push({ topic: t.name, partition: index });
          }
        }
        const written = ctx.transactions.writeMarkers({
          producerId: m.producerId,
          producerEpoch: m.producerEpoch,
          commit: m.transactionResult,
          partitions: led,
          coordinatorEpoch: m.coordinatorEpoch,
        });
        return {
          producerId: m.producerId,
          // Kafka answers from a hash map of the marker's partitions: its iteration order.
          topics: byTopic(hashMapOrder(m.topics)).map(([name, partitions]) => ({
            name,
            partitions: partitions.map((index) => {
              const key = `${name}\u0000${index}`;
              return {
                partitionIndex: index,
                errorCode: codes.get(key) ?? written.get(key) ?? ErrorCode.NONE,
              };
            }),
          })),
        };
      }),
    };
  },
});

/**
 * A marker's partitions in the order a Java HashMap keyed by Kafka's TopicPartition iterates them:
 * by bucket of the spread hash (31 * (31 + partition) + the topic's String hash) in the smallest
 * power-of-two table (at least 16) under the 0.75 load factor, then in insertion order.
 */
function hashMapOrder(topics: { name: string; partitionIndexes: number[] }[]) {
  const entries = topics.flatMap((t) => t.partitionIndexes.map((p) => ({ topic: t.name, p })));
  let capacity = 16;
  while (entries.length > capacity * 0.75) capacity *= 2;
  const bucket = (topic: string, p: number) => {
    const h = (Math.imul(31, 31 + p) + javaHash(topic)) | 0;
    return (h ^ (h >>> 16)) & (capacity - 1);
  };
  return entries.map((e, i) => ({ ...e, i, b: bucket(e.topic, e.p) }))
    .sort((x, y) => x.b - y.b || x.i - y.i);
}

/** Entries grouped by topic, topics in the order they first appear. */
function byTopic(entries: { topic: string; p: number }[]): [string, number[]][] {
  const out = new Map<string, number[]>();
  for (const e of entries) out.set(e.topic, [...out.get(e.topic) ?? [], e.p]);
  return [...out];
}
