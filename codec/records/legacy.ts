/**
 * Reading Kafka's legacy message sets (magic 0 and 1), so that old data and old clients' records are
 * readable: each message is offset int64, size int32, crc int32 (CRC-32 IEEE over the rest), magic int8,
 * attributes int8, timestamp int64 (magic 1 only), key bytes, value bytes. A compressed message wraps a
 * whole inner message set in its value; in magic 1 the inner offsets are relative to the wrapper, whose
 * own offset is that of the last inner message.
 *
 * @module
 */

import { decompress } from "../compression/mod.ts";
import { KafkaCodecError } from "../errors.ts";
import { crc32 } from "./crc32.ts";
import { type BatchHeader, type DecodeOptions, KafkaRecord, RecordBatch } from "./record.ts";

const NO_HEADERS = Object.freeze([]);

interface Message {
  offset: bigint;
  magic: number;
  attributes: number;
  timestamp: bigint;
  key: Uint8Array | null;
  value: Uint8Array | null;
}

function fail(reason: string, offset: number): never {
  throw new KafkaCodecError(`Cannot decode message set: ${reason}`, { offset });
}

/** Reads one message at `offset` (its size already checked against the bytes). */
function readMessage(
  bytes: Uint8Array,
  offset: number,
  verifyCrc: boolean,
): { message: Message; end: number } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const size = view.getInt32(offset + 8);
  const end = offset + 12 + size;
  const magic = view.getInt8(offset + 16);
  const minimum = magic === 0 ? 14 : 22;
  if (size < minimum || end > bytes.length) {
    fail(`message size ${size} is not possible`, offset + 8);
  }
  if (magic !== 0 && magic !== 1) fail(`unknown magic ${magic}`, offset + 16);
  if (verifyCrc && crc32(bytes.subarray(offset + 16, end)) !== view.getUint32(offset + 12)) {
    fail("CRC mismatch", offset + 12);
  }
  const attributes = view.getInt8(offset + 17);
  let pos = offset + 18;
  let timestamp = -1n;
  if (magic === 1) {
    timestamp = view.getBigInt64(pos);
    pos += 8;
  }
  const field = (): Uint8Array | null => {
    if (pos + 4 > end) fail("field runs past the message", pos);
    const n = view.getInt32(pos);
    pos += 4;
    if (n === -1) return null;
    if (n < 0 || pos + n > end) fail(`field length ${n} is not possible`, pos - 4);
    return bytes.subarray(pos, pos += n);
  };
  const key = field();
  const value = field();
  if (pos !== end) fail("message has bytes after its value", pos);
  return {
    message: { offset: view.getBigInt64(offset), magic, attributes, timestamp, key, value },
    end,
  };
}

/** Reads every whole message of an (inner) message set. */
function readMessages(bytes: Uint8Array, verifyCrc: boolean): Message[] {
  const out: Message[] = [];
  let offset = 0;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  while (bytes.length - offset >= 12) {
    const size = view.getInt32(offset + 8);
    if (size < 0) fail(`negative message size ${size}`, offset + 8);
    if (offset + 12 + size > bytes.length) break;
    const { message, end } = readMessage(bytes, offset, verifyCrc);
    out.push(message);
    offset = end;
  }
  return out;
}

/**
 * Decodes the magic 0/1 message at `offset` into Brook's batch shape: one record, or the inner records
 * of a compressed wrapper with their absolute offsets.
 */
export function decodeLegacyMessage(
  bytes: Uint8Array,
  offset: number,
  header: BatchHeader,
  options: DecodeOptions,
): RecordBatch {
  const verifyCrc = options.verifyCrc !== false;
  const { message: wrapper } = readMessage(bytes, offset, verifyCrc);
  const codec = wrapper.attributes & 0x07;
  let messages: Message[] = [wrapper];
  if (codec !== 0) {
    if (wrapper.value === null) fail("compressed message without a value", offset);
    let inner: Uint8Array;
    try {
      inner = decompress(codec as 1, wrapper.value, {
        maxOutputBytes: options.maxDecompressedBytes,
      });
    } catch (e) {
      throw new KafkaCodecError(`Cannot decode message set: ${(e as Error).message}`, {
        offset,
        cause: e,
      });
    }
    messages = readMessages(inner, verifyCrc);
    if (messages.length === 0) fail("compressed message holds no messages", offset);
    if (wrapper.magic === 1) {
      // Inner offsets are relative; the wrapper carries the last one's absolute offset.
      const last = messages[messages.length - 1].offset;
      for (const m of messages) m.offset = wrapper.offset - last + m.offset;
    }
    if (wrapper.magic === 1 && wrapper.attributes & 0x08) {
      for (const m of messages) m.timestamp = wrapper.timestamp;
    }
  }
  const base = messages[0].offset;
  let maxTimestamp = -1n;
  for (const m of messages) if (m.timestamp > maxTimestamp) maxTimestamp = m.timestamp;
  const batch = new RecordBatch({
    ...header,
    baseOffset: base,
    magic: wrapper.magic,
    attributes: wrapper.attributes & 0x0f,
    lastOffsetDelta: Number(messages[messages.length - 1].offset - base),
    baseTimestamp: messages[0].timestamp,
    maxTimestamp,
    recordsCount: messages.length,
  });
  for (const m of messages) {
    batch.records.push(
      new KafkaRecord(
        batch,
        Number(m.offset - base),
        Number(m.timestamp - messages[0].timestamp),
        m.key,
        m.value,
        NO_HEADERS,
      ),
    );
  }
  return batch;
}
