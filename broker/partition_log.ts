/**
 * One partition's log, in memory: the record batches as the broker stored them (offsets assigned),
 * with the offsets Kafka exposes (log start, high watermark, last stable, log end).
 *
 * @module
 */

import { crc32c } from "../codec/mod.ts";

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

/** The fixed offsets of the RecordBatch v2 header. */
export const BATCH = {
  baseOffset: 0,
  batchLength: 8,
  partitionLeaderEpoch: 12,
  magic: 16,
  crc: 17,
  attributes: 21,
  lastOffsetDelta: 23,
  baseTimestamp: 27,
  maxTimestamp: 35,
  producerId: 43,
  producerEpoch: 51,
  baseSequence: 53,
  recordsCount: 57,
  headerSize: 61,
} as const;

/** Options of {@linkcode PartitionLog.read}. */
export interface ReadOptions {
  /** Stop adding batches once this many bytes are collected. */
  maxBytes: number;
  /** Return the first batch even when it is larger than maxBytes (KIP-74), as Fetch v3+ does. */
  minOneBatch: boolean;
  /** Read only below this offset (the high watermark, or the last stable offset for read_committed). */
  upperBound: bigint;
}

/** A partition's log in memory. */
export class PartitionLog {
  #batches: StoredBatch[] = [];
  #sizeBytes = 0;
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
  append(bytes: Uint8Array, leaderEpoch: number, logAppendTime?: bigint): StoredBatch {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const baseOffset = this.logEndOffset;
    const lastOffsetDelta = view.getInt32(BATCH.lastOffsetDelta);
    view.setBigInt64(BATCH.baseOffset, baseOffset);
    view.setInt32(BATCH.partitionLeaderEpoch, leaderEpoch);
    if (logAppendTime !== undefined) {
      // message.timestamp.type=LogAppendTime: the broker's clock stamps the batch, and the CRC changes.
      view.setInt16(BATCH.attributes, view.getInt16(BATCH.attributes) | 0x08);
      view.setBigInt64(BATCH.maxTimestamp, logAppendTime);
      view.setUint32(BATCH.crc, crc32c(bytes.subarray(BATCH.attributes)));
    }
    const attributes = view.getInt16(BATCH.attributes);
    const batch: StoredBatch = {
      baseOffset,
      lastOffset: baseOffset + BigInt(lastOffsetDelta),
      bytes,
      maxTimestamp: view.getBigInt64(BATCH.maxTimestamp),
      producerId: view.getBigInt64(BATCH.producerId),
      producerEpoch: view.getInt16(BATCH.producerEpoch),
      baseSequence: view.getInt32(BATCH.baseSequence),
      isTransactional: (attributes & 0x10) !== 0,
      isControl: (attributes & 0x20) !== 0,
      leaderEpoch,
    };
    this.#batches.push(batch);
    this.#sizeBytes += bytes.length;
    this.logEndOffset = batch.lastOffset + 1n;
    return batch;
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
   * offset, as Kafka serves them (clients skip the records before the offset they asked for).
   */
  read(offset: bigint, options: ReadOptions): StoredBatch[] {
    const out: StoredBatch[] = [];
    let bytes = 0;
    for (let i = this.indexOf(offset); i < this.#batches.length; i++) {
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
    while (drop < this.#batches.length && this.#batches[drop].lastOffset < offset) {
      this.#sizeBytes -= this.#batches[drop].bytes.length;
      drop++;
    }
    this.#batches.splice(0, drop);
    this.logStartOffset = offset;
  }

  /** Replaces the stored batches (log compaction keeps offsets; it only removes records). */
  replaceBatches(batches: StoredBatch[]): void {
    this.#batches = batches;
    this.#sizeBytes = batches.reduce((n, b) => n + b.bytes.length, 0);
  }
}
