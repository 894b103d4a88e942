/**
 * Encoding record batches (magic 2): the records are sized first, so that the batch is written in one
 * pass into one exactly sized buffer, then the CRC-32C is filled in.
 *
 * @module
 */

import { compress } from "../compression/mod.ts";
import { KafkaCodecError } from "../errors.ts";
import { crc32c } from "./crc32c.ts";
import { BATCH_HEADER_SIZE } from "./decode.ts";
import { BatchAttributes, BatchLayout as L, ControlType } from "./record.ts";
import { varintSize, varlongSize, writeVarint, writeVarlong } from "./varint.ts";

/** A record to write. */
export interface RecordInit {
  /** The key; default null. */
  key?: Uint8Array | null;
  /** The value; default null. */
  value?: Uint8Array | null;
  /** The headers; default none. */
  headers?: readonly { key: string; value: Uint8Array | null }[];
  /** Milliseconds since the epoch; default the batch's base timestamp. */
  timestamp?: number | bigint;
  /** The record's offset delta in the batch; default its index (compaction keeps the original ones). */
  offsetDelta?: number;
}

/** A batch to write. */
export interface RecordBatchInit {
  /** The records, in offset order. */
  records: readonly RecordInit[];
  /** Default 0 (producers write 0; the broker assigns offsets). */
  baseOffset?: bigint;
  /** Default -1. */
  partitionLeaderEpoch?: number;
  /** Compression codec id (CompressionCodec). Default 0, none. */
  compression?: number;
  /** Compression level, when the codec has levels. */
  compressionLevel?: number;
  /** 0 CreateTime (default) or 1 LogAppendTime. */
  timestampType?: 0 | 1;
  /** True for a transactional producer's batch; default false. */
  isTransactional?: boolean;
  /** True for a control batch (a transaction marker); default false. */
  isControl?: boolean;
  /** Default -1 (no idempotence). */
  producerId?: bigint;
  /** The producer's epoch; default -1. */
  producerEpoch?: number;
  /** The first record's sequence number; default -1. */
  baseSequence?: number;
  /** The timestamp records without one get; default Date.now(). */
  baseTimestamp?: number | bigint;
  /** The batch's last offset delta; default that of its last record (compaction keeps the original). */
  lastOffsetDelta?: number;
}

const textEncoder = new TextEncoder();
let sizes = new Int32Array(1024);

function headerKeyBytes(key: string): Uint8Array {
  return textEncoder.encode(key);
}

/**
 * Encodes one record batch (magic 2) with offset deltas 0..n-1 and its CRC-32C.
 *
 * @example
 * ```ts
 * import { encodeRecordBatch } from "@brook/kafka/codec";
 * const bytes = encodeRecordBatch({
 *   records: [{ key: new TextEncoder().encode("k"), value: new TextEncoder().encode("v"), headers: [] }],
 * });
 * ```
 */
export function encodeRecordBatch(batch: RecordBatchInit): Uint8Array {
  const records = batch.records;
  const n = records.length;
  if (n === 0) throw new KafkaCodecError("Cannot encode: a record batch needs at least one record");
  const now = batch.baseTimestamp === undefined ? Date.now() : Number(batch.baseTimestamp);
  const first = records[0].timestamp;
  const baseTimestamp = first === undefined ? now : Number(first);
  let maxTimestamp = baseTimestamp;
  if (sizes.length < n) sizes = new Int32Array(n * 2);
  let headerKeys: (Uint8Array[] | undefined)[] | undefined;

  // Pass 1: the size of each record.
  let total = 0;
  for (let i = 0; i < n; i++) {
    const r = records[i];
    const ts = r.timestamp === undefined ? baseTimestamp : Number(r.timestamp);
    if (ts > maxTimestamp) maxTimestamp = ts;
    const key = r.key ?? null;
    const value = r.value ?? null;
    let body = 1 + varlongSize(ts - baseTimestamp) + varintSize(r.offsetDelta ?? i) +
      (key === null ? 1 : varintSize(key.length) + key.length) +
      (value === null ? 1 : varintSize(value.length) + value.length);
    const headers = r.headers;
    if (headers === undefined || headers.length === 0) body += 1;
    else {
      const keys = headers.map((h) => headerKeyBytes(h.key));
      (headerKeys ??= [])[i] = keys;
      body += varintSize(headers.length);
      for (let h = 0; h < headers.length; h++) {
        const v = headers[h].value;
        body += varintSize(keys[h].length) + keys[h].length +
          (v === null ? 1 : varintSize(v.length) + v.length);
      }
    }
    sizes[i] = body;
    total += varintSize(body) + body;
  }

  // Pass 2: write the records right after the header.
  const codec = batch.compression ?? 0;
  let out = new Uint8Array(BATCH_HEADER_SIZE + total);
  let pos = BATCH_HEADER_SIZE;
  for (let i = 0; i < n; i++) {
    const r = records[i];
    const ts = r.timestamp === undefined ? baseTimestamp : Number(r.timestamp);
    pos = writeVarint(out, pos, sizes[i]);
    out[pos++] = 0;
    pos = writeVarlong(out, pos, ts - baseTimestamp);
    pos = writeVarint(out, pos, r.offsetDelta ?? i);
    const key = r.key ?? null;
    if (key === null) out[pos++] = 1;
    else {
      pos = writeVarint(out, pos, key.length);
      out.set(key, pos);
      pos += key.length;
    }
    const value = r.value ?? null;
    if (value === null) out[pos++] = 1;
    else {
      pos = writeVarint(out, pos, value.length);
      out.set(value, pos);
      pos += value.length;
    }
    const headers = r.headers;
    if (headers === undefined || headers.length === 0) out[pos++] = 0;
    else {
      const keys = headerKeys![i]!;
      pos = writeVarint(out, pos, headers.length);
      for (let h = 0; h < headers.length; h++) {
        pos = writeVarint(out, pos, keys[h].length);
        out.set(keys[h], pos);
        pos += keys[h].length;
        const v = headers[h].value;
        if (v === null) out[pos++] = 1;
        else {
          pos = writeVarint(out, pos, v.length);
          out.set(v, pos);
          pos += v.length;
        }
      }
    }
  }
  if (codec !== 0) {
    const compressed = compress(codec as 1, out.subarray(BATCH_HEADER_SIZE), {
      level: batch.compressionLevel,
    });
    const next = new Uint8Array(BATCH_HEADER_SIZE + compressed.length);
    next.set(compressed, BATCH_HEADER_SIZE);
    out = next;
  }

  const view = new DataView(out.buffer);
  let attributes = codec & BatchAttributes.compressionMask;
  if (batch.timestampType === 1) attributes |= BatchAttributes.timestampType;
  if (batch.isTransactional) attributes |= BatchAttributes.transactional;
  if (batch.isControl) attributes |= BatchAttributes.control;
  view.setBigInt64(L.baseOffset, batch.baseOffset ?? 0n);
  view.setInt32(L.batchLength, out.length - L.logOverhead);
  view.setInt32(L.partitionLeaderEpoch, batch.partitionLeaderEpoch ?? -1);
  view.setInt8(L.magic, 2);
  view.setInt16(L.attributes, attributes);
  view.setInt32(L.lastOffsetDelta, batch.lastOffsetDelta ?? records[n - 1].offsetDelta ?? n - 1);
  view.setBigInt64(L.baseTimestamp, BigInt(baseTimestamp));
  view.setBigInt64(L.maxTimestamp, BigInt(maxTimestamp));
  view.setBigInt64(L.producerId, batch.producerId ?? -1n);
  view.setInt16(L.producerEpoch, batch.producerEpoch ?? -1);
  view.setInt32(L.baseSequence, batch.baseSequence ?? -1);
  view.setInt32(L.recordsCount, n);
  view.setUint32(L.crc, crc32c(out.subarray(L.attributes)));
  return out;
}

/** What a transaction marker batch holds. */
export interface ControlBatchInit {
  /** ControlType.Commit or ControlType.Abort. */
  type: number;
  /** The transactional producer's id. */
  producerId: bigint;
  /** The transactional producer's epoch. */
  producerEpoch: number;
  /** The epoch of the transaction coordinator that wrote the marker. */
  coordinatorEpoch: number;
  /** The marker's offset; default 0. */
  baseOffset?: bigint;
  /** The leader epoch; default -1. */
  partitionLeaderEpoch?: number;
  /** The marker's timestamp in milliseconds since the epoch; default Date.now(). */
  timestamp?: number;
}

/**
 * Encodes a transaction marker: a transactional control batch with one COMMIT or ABORT record.
 *
 * @example
 * ```ts
 * import { ControlType, encodeControlBatch } from "@brook/kafka/codec";
 * const marker = encodeControlBatch({ type: ControlType.Commit, producerId: 7n, producerEpoch: 0, coordinatorEpoch: 0 });
 * ```
 */
export function encodeControlBatch(init: ControlBatchInit): Uint8Array {
  if (init.type !== ControlType.Abort && init.type !== ControlType.Commit) {
    throw new KafkaCodecError(
      `Cannot encode: control type ${init.type} is not a transaction marker`,
    );
  }
  const key = new Uint8Array(4);
  new DataView(key.buffer).setInt16(2, init.type);
  const value = new Uint8Array(6);
  new DataView(value.buffer).setInt32(2, init.coordinatorEpoch);
  return encodeRecordBatch({
    records: [{ key, value }],
    baseOffset: init.baseOffset,
    partitionLeaderEpoch: init.partitionLeaderEpoch,
    isTransactional: true,
    isControl: true,
    producerId: init.producerId,
    producerEpoch: init.producerEpoch,
    baseSequence: -1,
    baseTimestamp: init.timestamp,
  });
}
