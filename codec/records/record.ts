/**
 * The shapes of decoded records and batches.
 *
 * @module
 */

/** A record header. Kafka requires the key; the value may be null. */
export interface RecordHeader {
  /** The header's key. */
  key: string;
  /** The header's value; null is allowed. */
  value: Uint8Array | null;
}

/** The header fields of a record batch (magic 2; legacy message sets are described in the same terms). */
export interface BatchHeader {
  /** The offset of the batch's first record. */
  baseOffset: bigint;
  /** Bytes after the length field (the batch is batchLength + 12 bytes). */
  batchLength: number;
  /** The leader epoch the batch was written in (-1 when unknown). */
  partitionLeaderEpoch: number;
  /** The format version: 2 for record batches, 0 or 1 for legacy message sets. */
  magic: number;
  /** The CRC-32C of the bytes from the attributes on. */
  crc: number;
  /** Compression, timestamp type, transactional and control bits ({@linkcode BatchAttributes}). */
  attributes: number;
  /** The last record's offset less the base offset. */
  lastOffsetDelta: number;
  /** The first record's timestamp (Kafka's baseTimestamp, firstTimestamp before). */
  baseTimestamp: bigint;
  /** The greatest timestamp in the batch, or the append time for LogAppendTime. */
  maxTimestamp: bigint;
  /** The idempotent or transactional producer's id; -1 for none. */
  producerId: bigint;
  /** The producer's epoch; -1 for none. */
  producerEpoch: number;
  /** The first record's sequence number; -1 for none. */
  baseSequence: number;
  /** How many records the batch holds. */
  recordsCount: number;
}

/** Attribute bits of a record batch. */
export const BatchAttributes = {
  compressionMask: 0x07,
  timestampType: 0x08,
  transactional: 0x10,
  control: 0x20,
  deleteHorizon: 0x40,
} as const;

/**
 * Where each field of the RecordBatch v2 header starts, in bytes from the batch's start, and the
 * header's size. The CRC covers the bytes from `attributes` to the batch's end; `batchLength` counts
 * the bytes after `logOverhead` (the base offset and the length itself).
 *
 * @example
 * ```ts
 * import { BatchLayout, encodeRecordBatch } from "@brook/kafka/codec";
 * const bytes = encodeRecordBatch({ records: [{ value: null }] });
 * new DataView(bytes.buffer).getInt32(BatchLayout.recordsCount); // 1
 * ```
 */
export const BatchLayout = {
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
  logOverhead: 12,
} as const;

/** Control record types (the key of a control batch's record). */
export const ControlType = { Abort: 0, Commit: 1 } as const;

/**
 * A decoded batch.
 *
 * @example
 * ```ts
 * import { decodeRecordBatches, encodeRecordBatch } from "@brook/kafka/codec";
 * const bytes = encodeRecordBatch({ records: [{ value: new TextEncoder().encode("v") }] });
 * const [batch] = decodeRecordBatches(bytes);
 * console.log(batch.baseOffset, batch.records.length); // 0n 1
 * ```
 */
export class RecordBatch {
  /** The header as read. */
  readonly header: BatchHeader;
  /** The records; keys, values and header values are views into the (decompressed) bytes. */
  readonly records: KafkaRecord[] = [];

  /** Creates an empty batch with this header; the decoder adds its records. */
  constructor(header: BatchHeader) {
    this.header = header;
  }

  /** The first offset. */
  get baseOffset(): bigint {
    return this.header.baseOffset;
  }

  /** The last offset (records may have been removed by compaction, but the batch keeps its range). */
  get lastOffset(): bigint {
    return this.header.baseOffset + BigInt(this.header.lastOffsetDelta);
  }

  /** The compression codec id (attributes bits 0-2). */
  get compression(): number {
    return this.header.attributes & BatchAttributes.compressionMask;
  }

  /** 0 for CreateTime, 1 for LogAppendTime. */
  get timestampType(): 0 | 1 {
    return this.header.attributes & BatchAttributes.timestampType ? 1 : 0;
  }

  /** True for a batch of a transactional producer. */
  get isTransactional(): boolean {
    return (this.header.attributes & BatchAttributes.transactional) !== 0;
  }

  /** True for a control batch (transaction markers). */
  get isControl(): boolean {
    return (this.header.attributes & BatchAttributes.control) !== 0;
  }

  /** For a control batch, its record's type (ControlType), else -1. */
  get controlType(): number {
    const key = this.isControl ? this.records[0]?.key : null;
    if (!key || key.length < 4) return -1;
    return (key[2] << 8) | key[3];
  }
}

/**
 * A decoded record. Offsets and timestamps are computed on demand from the batch, as bigints.
 *
 * @example
 * ```ts
 * import { decodeRecordBatches, encodeRecordBatch } from "@brook/kafka/codec";
 * const bytes = encodeRecordBatch({ baseOffset: 5n, records: [{ value: new TextEncoder().encode("v") }] });
 * const [record] = decodeRecordBatches(bytes)[0].records;
 * console.log(record.offset, new TextDecoder().decode(record.value!)); // 5n "v"
 * ```
 */
export class KafkaRecord {
  /** The batch the record belongs to. */
  readonly batch: RecordBatch;
  /** The record's offset less its batch's base offset. */
  readonly offsetDelta: number;
  /** The record's timestamp less its batch's base timestamp. */
  readonly timestampDelta: number;
  /** The key, or null. */
  readonly key: Uint8Array | null;
  /** The value, or null (a tombstone on a compacted topic). */
  readonly value: Uint8Array | null;
  /** The record's headers, in order. */
  readonly headers: readonly RecordHeader[];

  /** Creates a record of `batch` from its decoded fields. */
  constructor(
    batch: RecordBatch,
    offsetDelta: number,
    timestampDelta: number,
    key: Uint8Array | null,
    value: Uint8Array | null,
    headers: readonly RecordHeader[],
  ) {
    this.batch = batch;
    this.offsetDelta = offsetDelta;
    this.timestampDelta = timestampDelta;
    this.key = key;
    this.value = value;
    this.headers = headers;
  }

  /** The record's offset. */
  get offset(): bigint {
    return this.batch.header.baseOffset + BigInt(this.offsetDelta);
  }

  /** The record's timestamp: its own for CreateTime batches, the batch's for LogAppendTime ones. */
  get timestamp(): bigint {
    const h = this.batch.header;
    if (h.attributes & BatchAttributes.timestampType) return h.maxTimestamp;
    return h.baseTimestamp + BigInt(this.timestampDelta);
  }
}

/** Options of `decodeRecordBatches` (decode.ts). */
export interface DecodeOptions {
  /** Check each batch's CRC-32C (Kafka's check.crcs). Default true. */
  verifyCrc?: boolean;
  /** Largest decompressed size of one batch's records. Default 64 MiB (the compression module's). */
  maxDecompressedBytes?: number;
}
