/**
 * Kafka's record format: RecordBatch v2 encode and decode, legacy message sets (magic 0 and 1) decode,
 * transaction markers, CRC-32C and CRC-32.
 *
 * @example
 * ```ts
 * import { decodeRecordBatches, encodeRecordBatch } from "@brook/kafka/codec";
 * const bytes = encodeRecordBatch({ records: [{ value: new TextEncoder().encode("hello") }] });
 * for (const batch of decodeRecordBatches(bytes)) for (const r of batch.records) console.log(r.offset);
 * ```
 *
 * @module
 */

export { crc32c } from "./crc32c.ts";
export { crc32 } from "./crc32.ts";
export {
  BatchAttributes,
  type BatchHeader,
  BatchLayout,
  ControlType,
  KafkaRecord,
  RecordBatch,
  type RecordHeader,
} from "./record.ts";
export {
  BATCH_HEADER_SIZE,
  type DecodeOptions,
  decodeRecordBatches,
  readBatchHeader,
  verifyBatchCrc,
} from "./decode.ts";
export {
  type ControlBatchInit,
  encodeControlBatch,
  encodeRecordBatch,
  type RecordBatchInit,
  type RecordInit,
} from "./encode.ts";
