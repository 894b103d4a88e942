/**
 * One partition's log, in memory: the record batches as the broker stored them (offsets assigned),
 * in segments as Kafka's are (the active one rolls at segment.bytes, or once a batch's timestamp is
 * segment.ms past its first batch's), with the offsets Kafka exposes (log start, high watermark,
 * last stable, log end). A fetch reads from one segment; retention deletes whole segments.
 *
 * @module
 */

import { BatchAttributes, BatchLayout, crc32c } from "../../codec/mod.ts";

/** The fields of a stored batch the broker needs without decoding its records. */
export interface StoredBatch {
  /** The first offset of the batch. */
  readonly baseOffset: bigint;
  /** The last offset of the batch (base offset + last offset delta). */
  readonly lastOffset: bigint;
  /** The batch's bytes, as a client receives them. */
  readonly bytes: Uint8Array;
  /** The largest timestamp in the batch (or the append time for LogAppendTime). */
  readonly maxTimestamp: bigint;
  readonly producerId: bigint;
  readonly producerEpoch: number;
  readonly baseSequence: number;
  readonly isTransactional: boolean;
  readonly isControl: boolean;
  /** The leader epoch when it was appended. */
  readonly leaderEpoch: number;
}

/** The bytes of stored batches, one after the other, as a fetch answers them. */
export function concatBatches(batches: readonly StoredBatch[]): Uint8Array {
  if (batches.length === 1) return batches[0].bytes;
  let n = 0;
  for (const b of batches) n += b.bytes.length;
  const out = new Uint8Array(n);
  let off = 0;
  for (const b of batches) {
    out.set(b.bytes, off);
    off += b.bytes.length;
  }
  return out;
}

/** Options of {@linkcode PartitionLog.read}. */
export interface ReadOptions {
  /** Stop adding batches once this many bytes are collected. */
  maxBytes: number;
  /** Return the first batch even when it is larger than maxBytes (KIP-74), as Fetch v3+ does. */
  minOneBatch: boolean;
  /** Read only below this offset (the high watermark, or the last stable offset for read_committed). */
  upperBound: bigint;
}

/** When a partition's active segment rolls: its topic's segment.bytes, segment.ms, segment.jitter.ms. */
export interface RollPolicy {
  segmentBytes: number;
  segmentMs: number;
  jitterMs: number;
}

/** Kafka's defaults: 1 GiB, 7 days, no jitter. */
const DEFAULT_ROLL: RollPolicy = { segmentBytes: 1 << 30, segmentMs: 604_800_000, jitterMs: 0 };

/** One segment: a run of consecutive batches. */
export interface Segment {
  /** The offset the segment starts at (kept when its first batches are deleted or compacted). */
  readonly baseOffset: bigint;
  batchCount: number;
  sizeBytes: number;
  /** The largest timestamp of its first batch, which time-based rolling counts from; -1 for none. */
  firstTimestamp: bigint;
  /** The largest timestamp in it (retention.ms counts from it); -1 for none. */
  largestTimestamp: bigint;
  /** When it was created, for segments whose batches carry no timestamps. */
  readonly createdMs: number;
}

function newSegment(baseOffset: bigint, now: number): Segment {
  return {
    baseOffset,
    batchCount: 0,
    sizeBytes: 0,
    firstTimestamp: -1n,
    largestTimestamp: -1n,
    createdMs: now,
  };
}

/** A partition's log in memory. */
export class PartitionLog {
  #batches: StoredBatch[] = [];
  #sizeBytes = 0;
  #segments: Segment[] = [newSegment(0n, Date.now())];
  readonly #rollPolicy: () => RollPolicy;

  /** `rollPolicy` reads the topic's segment configs when a segment may roll. */
  constructor(rollPolicy: () => RollPolicy = () => DEFAULT_ROLL) {
    this.#rollPolicy = rollPolicy;
  }
  /** The first offset still in the log (DeleteRecords and retention move it). */
  logStartOffset = 0n;
  /** The offset the next appended record gets. */
  logEndOffset = 0n;

  /** The stored batches, oldest first. */
  get batches(): readonly StoredBatch[] {
    return this.#batches;
  }

  /** The bytes held by the log. */
  get sizeBytes(): number {
    return this.#sizeBytes;
  }

  /** The segments, oldest first; the last is the active one. */
  get segments(): readonly Readonly<Segment>[] {
    return this.#segments;
  }

  /**
   * The high watermark. Every replica of Brook's in-memory partitions is always in sync, so it is the
   * log end offset.
   */
  get highWatermark(): bigint {
    return this.logEndOffset;
  }

  /**
   * Appends one batch whose bytes the log may keep (the caller passes its own copy): rewrites its base
   * offset and partition leader epoch, both outside the CRC, and returns the stored batch.
   */
  append(
    bytes: Uint8Array,
    leaderEpoch: number,
    logAppendTime?: bigint,
    now: number = Date.now(),
  ): StoredBatch {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const baseOffset = this.logEndOffset;
    this.#maybeRoll(bytes.length, logAppendTime ?? view.getBigInt64(BatchLayout.maxTimestamp), now);
    const lastOffsetDelta = view.getInt32(BatchLayout.lastOffsetDelta);
    view.setBigInt64(BatchLayout.baseOffset, baseOffset);
    view.setInt32(BatchLayout.partitionLeaderEpoch, leaderEpoch);
    if (logAppendTime !== undefined) {
      // message.timestamp.type=LogAppendTime: the broker's clock stamps the batch, and the CRC changes.
      view.setInt16(
        BatchLayout.attributes,
        view.getInt16(BatchLayout.attributes) | BatchAttributes.timestampType,
      );
      view.setBigInt64(BatchLayout.maxTimestamp, logAppendTime);
      view.setUint32(BatchLayout.crc, crc32c(bytes.subarray(BatchLayout.attributes)));
    }
    const attributes = view.getInt16(BatchLayout.attributes);
    const batch: StoredBatch = {
      baseOffset,
      lastOffset: baseOffset + BigInt(lastOffsetDelta),
      bytes,
      maxTimestamp: view.getBigInt64(BatchLayout.maxTimestamp),
      producerId: view.getBigInt64(BatchLayout.producerId),
      producerEpoch: view.getInt16(BatchLayout.producerEpoch),
      baseSequence: view.getInt32(BatchLayout.baseSequence),
      isTransactional: (attributes & BatchAttributes.transactional) !== 0,
      isControl: (attributes & BatchAttributes.control) !== 0,
      leaderEpoch,
    };
    this.#batches.push(batch);
    this.#sizeBytes += bytes.length;
    this.logEndOffset = batch.lastOffset + 1n;
    const active = this.#segments[this.#segments.length - 1];
    if (active.batchCount === 0) active.firstTimestamp = batch.maxTimestamp;
    active.batchCount++;
    active.sizeBytes += bytes.length;
    if (batch.maxTimestamp > active.largestTimestamp) active.largestTimestamp = batch.maxTimestamp;
    return batch;
  }

  /** Kafka's roll check before an append: the size it would reach, the time its batches span. */
  #maybeRoll(incomingBytes: number, incomingTimestamp: bigint, now: number): void {
    const active = this.#segments[this.#segments.length - 1];
    if (active.sizeBytes === 0) return;
    const policy = this.#rollPolicy();
    const waited = active.firstTimestamp >= 0n
      ? Number(incomingTimestamp - active.firstTimestamp)
      : now - active.createdMs;
    if (
      active.sizeBytes > policy.segmentBytes - incomingBytes ||
      waited > policy.segmentMs - policy.jitterMs
    ) {
      this.#segments.push(newSegment(this.logEndOffset, now));
    }
  }

  /** The index after the last batch of the segment that holds batch `index`. */
  #segmentEnd(index: number): number {
    let end = 0;
    for (const segment of this.#segments) {
      end += segment.batchCount;
      if (index < end) return end;
    }
    return this.#batches.length;
  }

  /** The index of the first batch whose last offset is at or after `offset`, or the batch count. */
  indexOf(offset: bigint): number {
    const batches = this.#batches;
    let lo = 0;
    let hi = batches.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (batches[mid].lastOffset < offset) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /**
   * The batches to serve for a fetch at `offset`: whole batches, starting with the one that holds the
   * offset, from that one segment only, as Kafka serves them (clients skip the records before the
   * offset they asked for).
   */
  read(offset: bigint, options: ReadOptions): StoredBatch[] {
    const out: StoredBatch[] = [];
    let bytes = 0;
    const start = this.indexOf(offset);
    const end = this.#segmentEnd(start);
    for (let i = start; i < end; i++) {
      const batch = this.#batches[i];
      if (batch.lastOffset >= options.upperBound) break;
      if (
        bytes + batch.bytes.length > options.maxBytes && !(out.length === 0 && options.minOneBatch)
      ) {
        break;
      }
      out.push(batch);
      bytes += batch.bytes.length;
      if (bytes >= options.maxBytes) break;
    }
    return out;
  }

  /** Bytes available from `offset` below `upperBound`, counting no further than `limit`. */
  bytesAvailable(offset: bigint, upperBound: bigint, limit: number): number {
    let bytes = 0;
    for (let i = this.indexOf(offset); i < this.#batches.length && bytes < limit; i++) {
      const batch = this.#batches[i];
      if (batch.lastOffset >= upperBound) break;
      bytes += batch.bytes.length;
    }
    return bytes;
  }

  /**
   * Drops whole batches that end before `offset` and moves the log start offset to it (DeleteRecords,
   * retention). Batches that straddle the new start stay, as in Kafka's segment-based logs.
   */
  truncateBefore(offset: bigint): void {
    if (offset <= this.logStartOffset) return;
    let drop = 0;
    while (drop < this.#batches.length && this.#batches[drop].lastOffset < offset) drop++;
    this.#dropBatches(drop);
    this.logStartOffset = offset;
  }

  /**
   * Deletes the oldest `count` segments, as retention does; deleting them all rolls a new, empty
   * active segment first. The log start offset moves to the first offset left.
   */
  deleteSegments(count: number, now: number = Date.now()): void {
    if (count <= 0) return;
    const all = count >= this.#segments.length;
    if (all) this.#segments.push(newSegment(this.logEndOffset, now));
    let batches = 0;
    for (let i = 0; i < count; i++) batches += this.#segments[i].batchCount;
    // Every segment but the active one holds a batch, so this drops exactly those segments.
    this.#dropBatches(batches);
    const start = this.#segments[0].baseOffset;
    if (start > this.logStartOffset) this.logStartOffset = start;
  }

  /** Drops the oldest `count` batches, and the segments they empty (never the active one). */
  #dropBatches(count: number): void {
    for (let i = 0; i < count; i++) this.#sizeBytes -= this.#batches[i].bytes.length;
    this.#batches.splice(0, count);
    let left = count;
    while (left > 0) {
      const first = this.#segments[0];
      const taken = Math.min(left, first.batchCount);
      first.batchCount -= taken;
      left -= taken;
      if (first.batchCount === 0 && this.#segments.length > 1) this.#segments.shift();
      else if (taken === 0) break;
    }
    this.#resizeSegments();
  }

  /**
   * Replaces the stored batches (log compaction keeps offsets; it only removes records). Each batch
   * stays in the segment whose offsets hold it.
   */
  replaceBatches(batches: StoredBatch[]): void {
    this.#batches = batches;
    this.#sizeBytes = batches.reduce((n, b) => n + b.bytes.length, 0);
    const segments = this.#segments;
    for (const segment of segments) segment.batchCount = 0;
    let k = 0;
    for (const b of batches) {
      while (k + 1 < segments.length && b.baseOffset >= segments[k + 1].baseOffset) k++;
      segments[k].batchCount++;
    }
    this.#resizeSegments();
  }

  /** Recounts each segment's bytes from its batches. */
  #resizeSegments(): void {
    let i = 0;
    for (const segment of this.#segments) {
      let size = 0;
      for (let j = 0; j < segment.batchCount; j++) size += this.#batches[i + j].bytes.length;
      segment.sizeBytes = size;
      i += segment.batchCount;
    }
  }
}
