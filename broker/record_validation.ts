/**
 * The checks a Kafka broker makes on a produced partition's records before it appends them
 * (ProduceRequest.validateRecords and LogValidator): exactly one magic-2 batch, lengths that agree,
 * a size under max.message.bytes.
 *
 * @module
 */

import {
  decodeRecordBatches,
  ErrorCode,
  KafkaCodecError,
  readBatchHeader,
  verifyBatchCrc,
} from "../codec/mod.ts";
import { BATCH } from "./partition_log.ts";

/** A batch that passed, or the error Kafka answers with. */
export type ValidationResult =
  | { ok: true }
  | { ok: false; errorCode: number; message: string };

function fail(errorCode: number, message: string): ValidationResult {
  return { ok: false, errorCode, message };
}

/** Validates one partition's produced records (Produce v3+). */
export function validateProducedRecords(
  records: Uint8Array | null,
  apiVersion: number,
  maxMessageBytes: number,
): ValidationResult {
  if (records === null || records.length < BATCH.headerSize) {
    return fail(
      ErrorCode.INVALID_RECORD,
      `Produce requests with version ${apiVersion} must have at least one record batch per partition`,
    );
  }
  const view = new DataView(records.buffer, records.byteOffset, records.byteLength);
  const magic = view.getInt8(BATCH.magic);
  if (magic !== 2) {
    return fail(
      ErrorCode.INVALID_RECORD,
      `Produce requests with version ${apiVersion} are only allowed to contain record batches with magic version 2`,
    );
  }
  const batchLength = view.getInt32(BATCH.batchLength);
  if (batchLength + 12 < BATCH.headerSize || batchLength + 12 > records.length) {
    return fail(
      ErrorCode.CORRUPT_MESSAGE,
      `Record batch length ${batchLength} does not match the bytes sent`,
    );
  }
  if (batchLength + 12 < records.length) {
    return fail(
      ErrorCode.INVALID_RECORD,
      `Produce requests with version ${apiVersion} are only allowed to contain exactly one record batch per partition`,
    );
  }
  const compression = view.getInt16(BATCH.attributes) & 7;
  if (compression > 4) {
    return fail(ErrorCode.CORRUPT_MESSAGE, `Unknown compression type id ${compression}`);
  }
  if (apiVersion < 7 && compression === 4) {
    return fail(
      ErrorCode.UNSUPPORTED_COMPRESSION_TYPE,
      "Produce requests to version below 7 cannot use zstd",
    );
  }
  const header = readBatchHeader(records, 0);
  if (header === undefined || !verifyBatchCrc(records, 0, header)) {
    return fail(ErrorCode.CORRUPT_MESSAGE, "Record batch is corrupt (CRC mismatch)");
  }
  if (header.recordsCount <= 0 || header.lastOffsetDelta !== header.recordsCount - 1) {
    return fail(
      ErrorCode.INVALID_RECORD,
      `Record batch declares ${header.recordsCount} records and last offset delta ${header.lastOffsetDelta}`,
    );
  }
  if (records.length > maxMessageBytes) {
    return fail(
      ErrorCode.MESSAGE_TOO_LARGE,
      `The record batch size ${records.length} exceeds the maximum configured value of ${maxMessageBytes}`,
    );
  }
  return { ok: true };
}

/** A compacted topic needs a key on every record (Kafka's LogValidator refuses the batch otherwise). */
export function validateCompactedKeys(
  records: Uint8Array,
  topicPartition: string,
): ValidationResult {
  try {
    for (const batch of decodeRecordBatches(records, { verifyCrc: false })) {
      if (batch.records.some((r) => r.key === null)) {
        return fail(
          ErrorCode.INVALID_RECORD,
          `Compacted topic cannot accept message without key in topic partition ${topicPartition}.`,
        );
      }
    }
  } catch (e) {
    if (e instanceof KafkaCodecError) return fail(ErrorCode.CORRUPT_MESSAGE, e.message);
    throw e;
  }
  return { ok: true };
}
