/**
 * Finding records by timestamp, as Kafka's time index does: ListOffsets, and share partitions that
 * start `by_duration`.
 *
 * @module
 */

import { decodeRecordBatches } from "../../codec/mod.ts";
import type { PartitionLog, StoredBatch } from "./partition_log.ts";

/** The first record whose timestamp is at least `timestamp`, or offset -1 when there is none. */
export function offsetForTimestamp(
  log: PartitionLog,
  timestamp: bigint,
): { offset: bigint; timestamp: bigint } {
  for (const b of log.batches) {
    if (!b.isControl && b.maxTimestamp >= timestamp) return firstRecordAtOrAfter(b, timestamp);
  }
  return { offset: -1n, timestamp: -1n };
}

/** The first record of a batch whose timestamp is at least `timestamp`, as Kafka's time index finds it. */
export function firstRecordAtOrAfter(
  b: StoredBatch,
  timestamp: bigint,
): { offset: bigint; timestamp: bigint } {
  for (const batch of decodeRecordBatches(b.bytes, { verifyCrc: false })) {
    for (const r of batch.records) {
      const ts = r.timestamp;
      if (ts >= timestamp) return { offset: r.offset, timestamp: ts };
    }
  }
  return { offset: b.baseOffset, timestamp: b.maxTimestamp };
}
