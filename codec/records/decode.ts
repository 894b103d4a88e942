/**
 * Decoding what a Fetch partition's records hold: record batches (magic 2) and legacy message sets
 * (magic 0 and 1), back to back, where a trailing partial batch is normal and skipped.
 *
 * @module
 */

import { decompress } from "../compression/mod.ts";
import { KafkaCodecError } from "../errors.ts";
import { crc32c } from "./crc32c.ts";
import { decodeLegacyMessage } from "./legacy.ts";
import type { DecodeOptions } from "./record.ts";

export type { DecodeOptions } from "./record.ts";
import {
  BatchAttributes,
  type BatchHeader,
  BatchLayout as L,
  KafkaRecord,
  RecordBatch,
  type RecordHeader,
} from "./record.ts";
import { type Cursor, overrun, readVarint, readVarlong } from "./varint.ts";

/** Bytes of the RecordBatch v2 header ({@linkcode BatchLayout}.headerSize). */
export const BATCH_HEADER_SIZE: number = L.headerSize;
const NO_HEADERS: readonly RecordHeader[] = Object.freeze([]);
const textDecoder = new TextDecoder("utf-8", { fatal: true });

function fail(reason: string, offset: number): never {
  throw new KafkaCodecError(`Cannot decode record batch: ${reason}`, { offset });
}

/**
 * Reads the header of the batch at `offset`, or returns undefined when fewer bytes than a whole batch
 * remain (a fetch may end in a partial batch). Magic 0 and 1 message sets give a header with their
 * offset, size and magic only.
 *
 * @example
 * ```ts
 * import { encodeRecordBatch, readBatchHeader } from "@brook/kafka/codec";
 * const bytes = encodeRecordBatch({ records: [{ value: new Uint8Array([1]) }] });
 * readBatchHeader(bytes, 0)?.recordsCount; // 1
 * ```
 */
export function readBatchHeader(bytes: Uint8Array, offset = 0): BatchHeader | undefined {
  // Legacy message sets share the offset, length and magic positions (the CRC is where v2 keeps
  // its leader epoch).
  if (bytes.length - offset < L.crc) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset, bytes.length - offset);
  const batchLength = view.getInt32(L.batchLength);
  const magic = view.getInt8(L.magic);
  if (batchLength < 0) fail(`negative batch length ${batchLength}`, offset + L.batchLength);
  if (batchLength + L.logOverhead > bytes.length - offset) return undefined;
  if (magic < 2) {
    return {
      baseOffset: view.getBigInt64(L.baseOffset),
      batchLength,
      partitionLeaderEpoch: -1,
      magic,
      crc: view.getUint32(L.partitionLeaderEpoch),
      attributes: 0,
      lastOffsetDelta: 0,
      baseTimestamp: -1n,
      maxTimestamp: -1n,
      producerId: -1n,
      producerEpoch: -1,
      baseSequence: -1,
      recordsCount: 1,
    };
  }
  if (magic !== 2) fail(`unknown magic ${magic}`, offset + L.magic);
  if (batchLength + L.logOverhead < L.headerSize) {
    fail(`batch length ${batchLength} is shorter than a batch header`, offset + L.batchLength);
  }
  return {
    baseOffset: view.getBigInt64(L.baseOffset),
    batchLength,
    partitionLeaderEpoch: view.getInt32(L.partitionLeaderEpoch),
    magic,
    crc: view.getUint32(L.crc),
    attributes: view.getInt16(L.attributes),
    lastOffsetDelta: view.getInt32(L.lastOffsetDelta),
    baseTimestamp: view.getBigInt64(L.baseTimestamp),
    maxTimestamp: view.getBigInt64(L.maxTimestamp),
    producerId: view.getBigInt64(L.producerId),
    producerEpoch: view.getInt16(L.producerEpoch),
    baseSequence: view.getInt32(L.baseSequence),
    recordsCount: view.getInt32(L.recordsCount),
  };
}

/**
 * Checks the CRC-32C of the magic-2 batch at `offset` (its header already read).
 *
 * @example
 * ```ts
 * import { encodeRecordBatch, readBatchHeader, verifyBatchCrc } from "@brook/kafka/codec";
 * const bytes = encodeRecordBatch({ records: [{ value: null }] });
 * verifyBatchCrc(bytes, 0, readBatchHeader(bytes)!); // true
 * ```
 */
export function verifyBatchCrc(bytes: Uint8Array, offset: number, header: BatchHeader): boolean {
  const end = offset + header.batchLength + L.logOverhead;
  return crc32c(bytes.subarray(offset + L.attributes, end)) === header.crc;
}

/**
 * Decodes every whole batch in `bytes` (a Fetch partition's records): magic 2 batches and magic 0/1
 * message sets, decompressing where needed. A trailing partial batch is skipped, as Kafka's clients do.
 *
 * @example
 * ```ts
 * import { decodeRecordBatches, encodeRecordBatch } from "@brook/kafka/codec";
 * const bytes = encodeRecordBatch({ records: [{ key: null, value: new TextEncoder().encode("hi") }] });
 * const [batch] = decodeRecordBatches(bytes);
 * console.log(batch.records[0].offset, new TextDecoder().decode(batch.records[0].value!)); // 0n "hi"
 * ```
 */
export function decodeRecordBatches(bytes: Uint8Array, options: DecodeOptions = {}): RecordBatch[] {
  const out: RecordBatch[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    const header = readBatchHeader(bytes, offset);
    if (header === undefined) break;
    const end = offset + header.batchLength + L.logOverhead;
    if (header.magic < 2) {
      out.push(decodeLegacyMessage(bytes, offset, header, options));
    } else {
      if (options.verifyCrc !== false && !verifyBatchCrc(bytes, offset, header)) {
        fail(
          `CRC mismatch in the batch at offset ${header.baseOffset} (stored ${header.crc})`,
          offset + 17,
        );
      }
      out.push(decodeBatchRecords(bytes, offset + BATCH_HEADER_SIZE, end, header, options));
    }
    offset = end;
  }
  return out;
}

/** Decodes the records of one magic-2 batch whose records occupy bytes [start, end). */
function decodeBatchRecords(
  bytes: Uint8Array,
  start: number,
  end: number,
  header: BatchHeader,
  options: DecodeOptions,
): RecordBatch {
  const batch = new RecordBatch(header);
  const count = header.recordsCount;
  if (count < 0) fail(`negative record count ${count}`, start - 4);
  const codec = header.attributes & BatchAttributes.compressionMask;
  const c: Cursor = { buf: bytes, pos: start, end };
  if (codec !== 0) {
    let data: Uint8Array;
    try {
      data = decompress(codec as 1, bytes.subarray(start, end), {
        maxOutputBytes: options.maxDecompressedBytes,
      });
    } catch (e) {
      throw new KafkaCodecError(`Cannot decode record batch: ${(e as Error).message}`, {
        offset: start,
        cause: e,
      });
    }
    c.buf = data;
    c.pos = 0;
    c.end = data.length;
  }
  // Each record takes at least 7 bytes, so a count the bytes cannot hold is a lie caught before looping.
  if (count > (c.end - c.pos) / 7 + 1) {
    fail(`record count ${count} cannot fit in ${c.end - c.pos} bytes`, start - 4);
  }
  const records = batch.records;
  const buf = c.buf;
  for (let i = 0; i < count; i++) {
    if (c.pos >= c.end) fail(`batch declares ${count} records but holds ${i}`, c.pos);
    const length = readVarint(c);
    const recordEnd = c.pos + length;
    if (length < 0 || recordEnd > c.end) fail(`record length ${length} overruns the batch`, c.pos);
    const outer = c.end;
    c.end = recordEnd;
    c.pos++; // attributes, unused
    const timestampDelta = readVarlong(c);
    const offsetDelta = readVarint(c);
    const keyLength = readVarint(c);
    let key: Uint8Array | null = null;
    if (keyLength >= 0) {
      if (c.pos + keyLength > recordEnd) overrun(c, "key");
      key = buf.subarray(c.pos, c.pos += keyLength);
    } else if (keyLength !== -1) fail(`negative key length ${keyLength}`, c.pos);
    const valueLength = readVarint(c);
    let value: Uint8Array | null = null;
    if (valueLength >= 0) {
      if (c.pos + valueLength > recordEnd) overrun(c, "value");
      value = buf.subarray(c.pos, c.pos += valueLength);
    } else if (valueLength !== -1) fail(`negative value length ${valueLength}`, c.pos);
    const headerCount = readVarint(c);
    const headers = headerCount === 0 ? NO_HEADERS : readHeaders(c, headerCount);
    if (c.pos !== recordEnd) {
      fail(`record is ${length} bytes but its fields take ${length - recordEnd + c.pos}`, c.pos);
    }
    c.end = outer;
    records.push(new KafkaRecord(batch, offsetDelta, timestampDelta, key, value, headers));
  }
  if (c.pos !== c.end) fail(`batch declares ${count} records but holds more bytes`, c.pos);
  return batch;
}

function readHeaders(c: Cursor, count: number): RecordHeader[] {
  if (count < 0 || count > c.end - c.pos) fail(`header count ${count} is not possible here`, c.pos);
  const headers: RecordHeader[] = [];
  const buf = c.buf;
  for (let h = 0; h < count; h++) {
    const keyLength = readVarint(c);
    if (keyLength < 0 || c.pos + keyLength > c.end) {
      fail(`header key length ${keyLength} is not possible here`, c.pos);
    }
    const key = text(buf, c.pos, keyLength);
    c.pos += keyLength;
    const valueLength = readVarint(c);
    let value: Uint8Array | null = null;
    if (valueLength >= 0) {
      if (c.pos + valueLength > c.end) overrun(c, "header value");
      value = buf.subarray(c.pos, c.pos += valueLength);
    } else if (valueLength !== -1) fail(`negative header value length ${valueLength}`, c.pos);
    headers.push({ key, value });
  }
  return headers;
}

function text(buf: Uint8Array, start: number, n: number): string {
  if (n < 32) {
    let s = "";
    for (let i = start; i < start + n; i++) {
      const b = buf[i];
      if (b >= 0x80) return utf8(buf, start, n);
      s += String.fromCharCode(b);
    }
    return s;
  }
  return utf8(buf, start, n);
}

function utf8(buf: Uint8Array, start: number, n: number): string {
  try {
    return textDecoder.decode(buf.subarray(start, start + n));
  } catch {
    fail("header key is not valid UTF-8", start);
  }
}
