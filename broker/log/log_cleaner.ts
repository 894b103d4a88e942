/**
 * Retention and compaction of Brook's in-memory logs, segment by segment as Kafka's:
 *
 * - cleanup.policy=delete: while the log is at least retention.bytes, the oldest segments go as
 *   long as what is left still holds retention.bytes; then the oldest segments whose newest
 *   timestamp is more than retention.ms old go, the active one included (a new, empty one takes
 *   its place). The log start offset moves to the first offset left.
 * - cleanup.policy=compact: in the closed segments (not the active one), only the latest record of
 *   each key is kept (offsets never change); a tombstone (null value) is kept for
 *   delete.retention.ms after it was written, then removed too.
 *
 * @module
 */

import { decodeRecordBatches, encodeRecordBatch, type RecordInit } from "../../codec/mod.ts";
import type { Cluster, Partition } from "../metadata/cluster.ts";
import type { PartitionLog, StoredBatch } from "./partition_log.ts";

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
        applyRetention(p, {
          retentionMs: Number(config("retention.ms")),
          retentionBytes: Number(config("retention.bytes")),
          now,
        });
      }
    }
  }
}

/** Deletes the segments past retention.bytes, then those past retention.ms (-1 turns either off). */
export function applyRetention(
  p: Partition,
  options: { retentionMs: number; retentionBytes: number; now: number },
): void {
  const { retentionMs, retentionBytes, now } = options;
  const log = p.log;
  // An empty active segment is never deleted.
  const deletable = (i: number) =>
    i < log.segments.length && !(i === log.segments.length - 1 && log.segments[i].sizeBytes === 0);
  const before = log.logStartOffset;
  if (retentionBytes >= 0 && log.sizeBytes >= retentionBytes) {
    let diff = log.sizeBytes - retentionBytes, n = 0;
    while (deletable(n) && diff - log.segments[n].sizeBytes >= 0) {
      diff -= log.segments[n++].sizeBytes;
    }
    log.deleteSegments(n, now);
  }
  if (retentionMs >= 0) {
    let n = 0;
    while (deletable(n) && now - newestTime(log.segments[n]) > retentionMs) n++;
    log.deleteSegments(n, now);
  }
  if (log.logStartOffset > before) p.txns.truncateBefore(log.logStartOffset);
}

/** A segment's newest timestamp; its creation time when its batches carry none. */
function newestTime(segment: PartitionLog["segments"][number]): number {
  return segment.largestTimestamp >= 0n ? Number(segment.largestTimestamp) : segment.createdMs;
}

/** Keeps the latest record per key in the closed segments, rewriting them with their offsets. */
export function compact(p: Partition, deleteRetentionMs: number, now: number): void {
  const batches = p.log.batches;
  const active = p.log.segments[p.log.segments.length - 1];
  // The batches of the closed segments: the active one's are not cleaned, nor do they count.
  const closed = batches.length - active.batchCount;
  if (closed <= 0) return;
  const latest = new Map<string, bigint>();
  const decoded = batches.map((b, i) =>
    i >= closed || b.isControl ? undefined : decodeRecordBatches(b.bytes, { verifyCrc: false })[0]
  );
  for (const batch of decoded) {
    for (const r of batch?.records ?? []) if (r.key !== null) latest.set(keyOf(r.key), r.offset);
  }
  const out: StoredBatch[] = [];
  let changed = false;
  batches.forEach((stored, i) => {
    const batch = decoded[i];
    if (i >= closed || batch === undefined) {
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
