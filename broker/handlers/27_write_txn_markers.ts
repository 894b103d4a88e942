/**
 * WriteTxnMarkers (key 27): writes COMMIT or ABORT markers to the partitions this node leads, as a
 * transaction coordinator asks partition leaders to. Brook's own coordinator writes its markers
 * directly; this serves tools and tests that send the request themselves. v2 (Kafka 4.4) names each
 * marker's transaction version, which changes nothing for a marker Kafka accepts at v1.
 *
 * @module
 */

import { AclOperation, ApiKey, ErrorCode } from "../../codec/mod.ts";
import { defineHandler } from "../handler.ts";
import { canOnCluster } from "../security/access.ts";
import { writeMarkers } from "../transactions/markers.ts";

export default defineHandler({
  apiKey: ApiKey.WriteTxnMarkers,
  minVersion: 1,
  maxVersion: 2,
  handle(request, ctx) {
    const { cluster, node } = ctx;
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
            const p = cluster.partition(t.name, index);
            const key = `${t.name}\u0000${index}`;
            if (!p) codes.set(key, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
            else if (p.leader !== node.nodeId) codes.set(key, ErrorCode.NOT_LEADER_OR_FOLLOWER);
            else led.push({ topic: t.name, partition: index });
          }
        }
        const written = writeMarkers(cluster, {
          producerId: m.producerId,
          producerEpoch: m.producerEpoch,
          commit: m.transactionResult,
          partitions: led,
          coordinatorEpoch: m.coordinatorEpoch,
        });
        return {
          producerId: m.producerId,
          topics: m.topics.map((t) => ({
            name: t.name,
            // As Kafka: partitions refused before writing (unknown, led elsewhere) come first.
            partitions: [
              ...t.partitionIndexes.filter((i) => codes.has(`${t.name}\u0000${i}`)),
              ...t.partitionIndexes.filter((i) => !codes.has(`${t.name}\u0000${i}`)),
            ].map((index) => {
              const key = `${t.name}\u0000${index}`;
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
