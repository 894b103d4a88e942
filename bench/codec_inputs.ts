/**
 * The inputs every codec contender gets (bench/codec_bench.ts in one process, bench/contenders/codec.ts
 * one process each): a batch of 1000 records with ~10-byte keys and 100-byte random values, in each
 * library's form, and the bytes Brook writes of it, which every decoder reads.
 *
 * @module
 */

import { Buffer } from "node:buffer";
import kafkajsBatchModule from "kafkajs/src/protocol/recordBatch/v0/index.js";
import kafkajsRecord from "kafkajs/src/protocol/recordBatch/record/v0/index.js";
import { encodeRecordBatch } from "../codec/mod.ts";

/** Records in the batch. */
export const RECORDS = 1000;
/** Every record's timestamp. */
export const TIMESTAMP = 1_700_000_000_000;

/** The records' keys. */
export const keys: Buffer[] = Array.from(
  { length: RECORDS },
  (_, i) => Buffer.from(`key-${String(i).padStart(6, "0")}`),
);
/** The records' values. */
export const values: Buffer[] = Array.from(
  { length: RECORDS },
  () => Buffer.from(crypto.getRandomValues(new Uint8Array(100))),
);
/** The records as Brook's encoder takes them. */
export const brookInput: { key: Buffer; value: Buffer; timestamp: number }[] = keys.map((
  key,
  i,
) => ({ key, value: values[i], timestamp: TIMESTAMP }));
/** The records as @platformatic/kafka's encoder takes them. */
export const platformaticInput: { key: Buffer; value: Buffer; topic: string; timestamp: bigint }[] =
  keys.map((key, i) => ({ key, value: values[i], topic: "t", timestamp: BigInt(TIMESTAMP) }));
/** The batch Brook writes, which every decoder reads. */
export const batchBytes: Uint8Array = encodeRecordBatch({ records: brookInput });
/** The same bytes as a Buffer. */
export const batchBuffer: Buffer = Buffer.from(batchBytes);

/**
 * The batch encoded by KafkaJS.
 *
 * @example
 * ```ts
 * const bytes = await kafkajsEncode();
 * ```
 */
export async function kafkajsEncode(): Promise<Buffer> {
  const records = keys.map((key, i) =>
    kafkajsRecord({ offsetDelta: i, timestampDelta: 0, key, value: values[i] })
  );
  const encoder = await kafkajsBatchModule.RecordBatch({
    firstTimestamp: TIMESTAMP,
    maxTimestamp: TIMESTAMP,
    lastOffsetDelta: RECORDS - 1,
    records: records as never, // typed never[] from the default ([]) in kafkajs's JS
  });
  return encoder.buffer;
}
