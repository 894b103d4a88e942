/**
 * Transaction markers: the COMMIT or ABORT control batch a transaction ends with on each of its
 * partitions, and the group offsets it committed made visible (or dropped).
 *
 * @module
 */

import { ControlType, encodeControlBatch, ErrorCode } from "../../codec/mod.ts";
import { OFFSETS_TOPIC, type TopicCatalog } from "../metadata/topic_catalog.ts";
import type { OnTransactionCompleted } from "./transaction_completed.ts";
import type { Clock } from "../metadata/clock.ts";

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

/** Where markers are written, and who hears that they were. */
export interface MarkerTarget {
  /** The partitions markers are appended to. */
  readonly topics: Pick<TopicCatalog, "partition">;
  /** The group coordinator's part: the transaction's staged offsets. */
  readonly onTransactionCompleted: OnTransactionCompleted;
  /** Wakes the fetches waiting for data: a marker is a new batch. */
  readonly onAppended: () => void;
  /** The time the markers carry. */
  readonly clock: Clock;
}

/**
 * Appends a marker to each partition (whichever node leads it: replicas of in-memory partitions share
 * one log) and completes the groups' transactional offsets. Returns an error code per
 * "topic\0partition": UNKNOWN_TOPIC_OR_PARTITION for a partition that no longer exists,
 * INVALID_PRODUCER_EPOCH when the partition has seen a newer epoch of the producer.
 *
 * @example
 * ```ts
 * import { writeMarkers } from "./markers.ts";
 * const results = writeMarkers({
 *   topics: { partition: () => undefined },
 *   onTransactionCompleted: () => {},
 *   onAppended: () => {},
 *   clock: { now: () => Date.now() },
 * }, { producerId: 1n, producerEpoch: 0, commit: true, partitions: [{ topic: "t", partition: 0 }] });
 * console.log(results.get("t\u00000")); // 3 (UNKNOWN_TOPIC_OR_PARTITION)
 * ```
 */
export function writeMarkers(target: MarkerTarget, spec: MarkerSpec): Map<string, number> {
  const results = new Map<string, number>();
  const offsetsPartitions: number[] = [];
  for (const { topic, partition: index } of spec.partitions) {
    const key = `${topic}\u0000${index}`;
    const partition = target.topics.partition(topic, index);
    if (!partition) {
      results.set(key, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
      continue;
    }
    if (!partition.producers.acceptMarker(spec.producerId, spec.producerEpoch)) {
      results.set(key, ErrorCode.INVALID_PRODUCER_EPOCH);
      continue;
    }
    const timestamp = target.clock.now();
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
    if (topic === OFFSETS_TOPIC) offsetsPartitions.push(index);
    results.set(key, ErrorCode.NONE);
  }
  target.onTransactionCompleted({
    producerId: spec.producerId,
    commit: spec.commit,
    offsetsPartitions,
    groups: spec.groups ?? [],
  });
  target.onAppended();
  return results;
}
