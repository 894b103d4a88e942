/**
 * The checks a Kafka broker makes on a produced partition's records before it appends them
 * (ProduceRequest.validateRecords and LogValidator): exactly one magic-2 batch, lengths that agree,
 * a size under max.message.bytes.
 *
 * @module
 */

import {
  BatchAttributes,
  BatchLayout,
  decodeRecordBatches,
  ErrorCode,
  KafkaCodecError,
  readBatchHeader,
  verifyBatchCrc,
} from "../../codec/mod.ts";

/** A batch that passed, or the error Kafka answers with. */
export type ValidationResult =
  | { ok: true }
  | { ok: false; errorCode: number; message: string };

function fail(errorCode: number, message: string): ValidationResult {
  return { ok: false, errorCode, message };
}

/**
 * What Kafka checks of one partition's produced records while reading the request (Produce v3+):
 * exactly one magic-2 batch whose length agrees with the bytes sent, a known compression.
 */
export function validateProducedRecords(
  records: Uint8Array | null,
  apiVersion: number,
): ValidationResult {
  if (records === null || records.length < BatchLayout.headerSize) {
    return fail(
      ErrorCode.INVALID_RECORD,
      `Produce requests with version ${apiVersion} must have at least one record batch per partition`,
    );
  }
  const view = new DataView(records.buffer, records.byteOffset, records.byteLength);
  const magic = view.getInt8(BatchLayout.magic);
  if (magic !== 2) {
    return fail(
      ErrorCode.INVALID_RECORD,
      `Produce requests with version ${apiVersion} are only allowed to contain record batches with magic version 2`,
    );
  }
  const batchLength = view.getInt32(BatchLayout.batchLength);
  // Kafka reads a batch cut short as no batch at all.
  if (
    batchLength + BatchLayout.logOverhead < BatchLayout.headerSize ||
    batchLength + BatchLayout.logOverhead > records.length
  ) {
    return fail(
      ErrorCode.INVALID_RECORD,
      `Record batch length ${batchLength} does not match the bytes sent`,
    );
  }
  if (batchLength + 12 < records.length) {
    return fail(
      ErrorCode.INVALID_RECORD,
      `Produce requests with version ${apiVersion} are only allowed to contain exactly one record batch per partition`,
    );
  }
  const compression = view.getInt16(BatchLayout.attributes) & BatchAttributes.compressionMask;
  if (compression > 4) {
    return fail(ErrorCode.CORRUPT_MESSAGE, `Unknown compression type id ${compression}`);
  }
  if (apiVersion < 7 && compression === 4) {
    return fail(
      ErrorCode.UNSUPPORTED_COMPRESSION_TYPE,
      "Produce requests to version below 7 cannot use zstd",
    );
  }
  return { ok: true };
}

/**
 * What the log checks of a batch a client appends, in Kafka's order: a base offset of 0, a size
 * under max.message.bytes, a valid CRC, a record count that agrees with its offsets.
 */
export function validateAppendedBatch(
  records: Uint8Array,
  maxMessageBytes: number,
): ValidationResult {
  const view = new DataView(records.buffer, records.byteOffset, records.byteLength);
  const baseOffset = view.getBigInt64(BatchLayout.baseOffset);
  if (baseOffset !== 0n) {
    return fail(
      ErrorCode.INVALID_RECORD,
      `The baseOffset of the record batch should be 0, but it is ${baseOffset}`,
    );
  }
  if (records.length > maxMessageBytes) {
    return fail(
      ErrorCode.MESSAGE_TOO_LARGE,
      `The record batch size ${records.length} exceeds the maximum configured value of ${maxMessageBytes}`,
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
  return { ok: true };
}

/** One refused record, as a Produce response lists it. */
export interface RecordError {
  batchIndex: number;
  batchIndexErrorMessage: string;
}

/** Records refused by LogValidator, or nothing to say. */
export type RecordsVerdict =
  | { ok: true }
  | { ok: false; errorCode: number; message: string; recordErrors: RecordError[] };

/** What LogValidator checks on each record of a partition's batch. */
export interface RecordRules {
  /** cleanup.policy includes compact: every record needs a key. */
  compacted: boolean;
  /** message.timestamp.type is CreateTime: timestamps must fall in the window below. */
  createTime: boolean;
  /** message.timestamp.before.max.ms and message.timestamp.after.max.ms. */
  beforeMaxMs: bigint;
  afterMaxMs: bigint;
  now: bigint;
}

/**
 * Kafka's record-level checks (LogValidator): a key on every record of a compacted topic, and
 * CreateTime timestamps no further from now than the topic allows. Records are decoded only when
 * one of those can fail: a compacted topic, or a batch whose timestamp range (from its header)
 * leaves the window.
 */
export function validateRecords(
  records: Uint8Array,
  topicPartition: string,
  rules: RecordRules,
): RecordsVerdict {
  const view = new DataView(records.buffer, records.byteOffset, records.byteLength);
  const { now, beforeMaxMs, afterMaxMs } = rules;
  const outside = (t: bigint) => now - t > beforeMaxMs || t - now > afterMaxMs;
  const checkTimes = rules.createTime &&
    (outside(view.getBigInt64(BatchLayout.baseTimestamp)) ||
      outside(view.getBigInt64(BatchLayout.maxTimestamp)));
  if (!rules.compacted && !checkTimes) return { ok: true };
  const errors: RecordError[] = [];
  let timestamps = false;
  try {
    for (const batch of decodeRecordBatches(records, { verifyCrc: false })) {
      batch.records.forEach((r, batchIndex) => {
        if (rules.compacted && r.key === null) {
          errors.push({
            batchIndex,
            batchIndexErrorMessage:
              `Compacted topic cannot accept message without key in topic partition ${topicPartition}`,
          });
        } else if (rules.createTime && r.timestamp !== -1n && outside(r.timestamp)) {
          timestamps = true;
          errors.push({
            batchIndex,
            batchIndexErrorMessage: `Timestamp ${r.timestamp} of message with offset ${r.offset} ` +
              `is out of range. The timestamp should be within [${now - beforeMaxMs}, ${
                now + afterMaxMs
              }]`,
          });
        }
      });
    }
  } catch (e) {
    if (e instanceof KafkaCodecError) {
      return {
        ok: false,
        errorCode: ErrorCode.CORRUPT_MESSAGE,
        message: e.message,
        recordErrors: [],
      };
    }
    throw e;
  }
  if (errors.length === 0) return { ok: true };
  if (timestamps) {
    return {
      ok: false,
      errorCode: ErrorCode.INVALID_TIMESTAMP,
      message: "One or more records have been rejected due to invalid timestamp",
      recordErrors: errors,
    };
  }
  const shown = errors.slice(0, 3).map((e) =>
    `RecordError(batchIndex=${e.batchIndex}, message='${e.batchIndexErrorMessage}')`
  );
  return {
    ok: false,
    errorCode: ErrorCode.INVALID_RECORD,
    message: `One or more records have been rejected due to ${errors.length} record errors in ` +
      `total, and only showing the first three errors at most: [${shown.join(", ")}]`,
    recordErrors: errors,
  };
}
