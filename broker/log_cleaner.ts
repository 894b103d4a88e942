/**
 * Retention and compaction of Brook's in-memory logs. Each stored batch plays the part of one of
 * Kafka's log segments, and the newest batch is the active segment, which neither retention nor the
 * cleaner touches (as in Kafka).
 *
 * - cleanup.policy=delete: batches whose newest timestamp is older than retention.ms, and the oldest
 *   batches while the log is larger than retention.bytes, are deleted; the log start offset moves.
 * - cleanup.policy=compact: only the latest record of each key is kept (offsets never change); a
 *   tombstone (null value) is kept for delete.retention.ms after it was written, then removed too.
 *
 * @module
 */

import { decodeRecordBatches, encodeRecordBatch, type RecordInit } from "../codec/mod.ts";
import type { Cluster, Partition } from "./cluster.ts";
import type { StoredBatch } from "./partition_log.ts";

/** Applies retention and compaction to every partition of the cluster. */
export function cleanLogs(cluster: Cluster, now = Date.now()): void {
  for (const topic of cluster.topics.values()) {
    for (const p of topic.partitions) {
      // Each partition follows the broker configs of the node that leads it.
      const config = (name: string) => cluster.topicConfig(topic, name, p.leader);
      const policy = config("cleanup.policy").split(",").map((s) => s.trim());
      if (policy.includes("compact")) {
        compact(p, Number(config("delete.retention.ms")), now);
      }
      if (policy.includes("delete")) {
        applyRetention(
          p,
          Number(config("retention.ms")),
          Number(config("retention.bytes")),
          now,
        );
      }
    }
  }
}

/** Deletes closed batches past retention.ms or beyond retention.bytes (-1 turns either off). */
export function applyRetention(
  p: Partition,
  retentionMs: number,
  retentionBytes: number,
  now: number,
): void {
  const batches = p.log.batches;
  let drop = 0;
  let size = p.log.sizeBytes;
  // Never the last batch: it is the active segment.
  while (drop < batches.length - 1) {
    const b = batches[drop];
    const expired = retentionMs >= 0 && Number(b.maxTimestamp) < now - retentionMs;
    const tooBig = retentionBytes >= 0 && size - b.bytes.length >= retentionBytes &&
      size > retentionBytes;
    if (!expired && !tooBig) break;
    size -= b.bytes.length;
    drop++;
  }
  if (drop > 0) {
    p.log.truncateBefore(batches[drop].baseOffset);
    p.txns.truncateBefore(p.log.logStartOffset);
  }
}

/** Keeps the latest record per key in the closed batches, rewriting them with their offsets. */
export function compact(p: Partition, deleteRetentionMs: number, now: number): void {
  const batches = p.log.batches;
  if (batches.length < 2) return;
  const latest = new Map<string, bigint>();
  const decoded = batches.map((
    b,
  ) => (b.isControl ? undefined : decodeRecordBatches(b.bytes, { verifyCrc: false })[0]));
  for (const batch of decoded) {
    for (const r of batch?.records ?? []) if (r.key !== null) latest.set(keyOf(r.key), r.offset);
  }
  const out: StoredBatch[] = [];
  let changed = false;
  batches.forEach((stored, i) => {
    const batch = decoded[i];
    if (i === batches.length - 1 || batch === undefined) {
      out.push(stored);
      return;
    }
    const expiredTombstones = Number(stored.maxTimestamp) < now - deleteRetentionMs;
    const keep: RecordInit[] = [];
    for (const r of batch.records) {
      if (r.key === null || latest.get(keyOf(r.key)) !== r.offset) continue;
      if (r.value === null && expiredTombstones) continue;
      keep.push({
        key: r.key,
        value: r.value,
        headers: r.headers,
        timestamp: r.timestamp,
        offsetDelta: r.offsetDelta,
      });
    }
    if (keep.length === batch.records.length) {
      out.push(stored);
      return;
    }
    changed = true;
    if (keep.length === 0) return;
    const h = batch.header;
    const bytes = encodeRecordBatch({
      records: keep,
      baseOffset: h.baseOffset,
      partitionLeaderEpoch: h.partitionLeaderEpoch,
      compression: batch.compression,
      timestampType: batch.timestampType,
      isTransactional: batch.isTransactional,
      producerId: h.producerId,
      producerEpoch: h.producerEpoch,
      baseSequence: h.baseSequence,
      baseTimestamp: h.baseTimestamp,
      lastOffsetDelta: h.lastOffsetDelta,
    });
    out.push({ ...stored, bytes });
  });
  if (changed) p.log.replaceBatches(out);
}

function keyOf(key: Uint8Array): string {
  let s = "";
  for (let i = 0; i < key.length; i++) s += String.fromCharCode(key[i]);
  return s;
}
