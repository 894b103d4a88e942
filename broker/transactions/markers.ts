/**
 * Transaction markers: the COMMIT or ABORT control batch a transaction ends with on each of its
 * partitions, and the group offsets it committed made visible (or dropped).
 *
 * @module
 */

import { ControlType, encodeControlBatch, ErrorCode } from "../../codec/mod.ts";
import type { Cluster } from "../metadata/cluster.ts";
import { OFFSETS_TOPIC } from "../groups/coordinator.ts";

/** What one transaction's end writes. */
export interface MarkerSpec {
  producerId: bigint;
  producerEpoch: number;
  commit: boolean;
  partitions: { topic: string; partition: number }[];
  groups?: string[];
  /** The coordinator epoch the markers carry; Brook's coordinators never move epochs, so 0. */
  coordinatorEpoch?: number;
}

/**
 * Appends a marker to each partition (whichever node leads it: replicas of in-memory partitions share
 * one log) and completes the groups' transactional offsets. Returns an error code per
 * "topic\0partition": UNKNOWN_TOPIC_OR_PARTITION for a partition that no longer exists,
 * INVALID_PRODUCER_EPOCH when the partition has seen a newer epoch of the producer.
 */
export function writeMarkers(cluster: Cluster, spec: MarkerSpec): Map<string, number> {
  const results = new Map<string, number>();
  for (const { topic, partition: index } of spec.partitions) {
    const key = `${topic}\u0000${index}`;
    const partition = cluster.partition(topic, index);
    if (!partition) {
      results.set(key, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
      continue;
    }
    if (!partition.producers.acceptMarker(spec.producerId, spec.producerEpoch)) {
      results.set(key, ErrorCode.INVALID_PRODUCER_EPOCH);
      continue;
    }
    const timestamp = Date.now();
    const coordinatorEpoch = spec.coordinatorEpoch ?? 0;
    const bytes = encodeControlBatch({
      type: spec.commit ? ControlType.Commit : ControlType.Abort,
      producerId: spec.producerId,
      producerEpoch: spec.producerEpoch,
      coordinatorEpoch,
      timestamp,
    });
    const stored = partition.log.append(bytes, partition.leaderEpoch);
    partition.producers.markerWritten(spec.producerId, coordinatorEpoch, BigInt(timestamp));
    partition.txns.markerAppended(spec.producerId, spec.commit, stored.baseOffset);
    if (topic === OFFSETS_TOPIC) {
      cluster.groups.completeTransactionOn(index, spec.producerId, spec.commit);
    }
    results.set(key, ErrorCode.NONE);
  }
  for (const groupId of spec.groups ?? []) {
    cluster.groups.completeTransaction(groupId, spec.producerId, spec.commit);
  }
  cluster.appended.notify();
  return results;
}
