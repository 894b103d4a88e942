/**
 * One codec contender in its own process, run by bench/run.ts: encodes or decodes a batch of 1000
 * records (~10-byte keys, 100-byte random values, no headers, no compression) with one library for
 * about two seconds after one second of warm-up, and prints one JSON line:
 * `{"value": records per second, "unit": "rec/s", "verified": records checked}`.
 *
 * Run: deno run -A bench/contenders/codec.ts brook|brook-crc|kafkajs|platformatic encode|decode
 *
 * @module
 */

import { Buffer } from "node:buffer";
import {
  createRecordsBatch,
  Reader as PlatformaticReader,
  readRecordsBatches,
} from "@platformatic/kafka";
import kafkajsBatchDecoder from "kafkajs/src/protocol/recordBatch/v0/decoder.js";
import KafkajsDecoder from "kafkajs/src/protocol/decoder.js";
import { decodeRecordBatches, encodeRecordBatch } from "../../codec/mod.ts";
import {
  batchBuffer,
  batchBytes,
  brookInput,
  kafkajsEncode,
  platformaticInput,
  RECORDS,
  values,
} from "../codec_inputs.ts";

const [library, operation] = Deno.args;

/** Each operation returns what it made, so that the check below can count its records. */
const operations: Record<string, () => unknown> = {
  "brook encode": () => encodeRecordBatch({ records: brookInput }),
  "kafkajs encode": kafkajsEncode,
  "platformatic encode": () => createRecordsBatch(platformaticInput as never).buffer,
  // Neither peer checks CRCs when decoding; brook-crc does (Kafka's check.crcs, on by default).
  "brook decode": () => decodeRecordBatches(batchBytes, { verifyCrc: false })[0].records,
  "brook-crc decode": () => decodeRecordBatches(batchBytes)[0].records,
  "kafkajs decode": async () =>
    (await kafkajsBatchDecoder(new KafkajsDecoder(batchBuffer))).records,
  "platformatic decode": () => readRecordsBatches(PlatformaticReader.from(batchBuffer))[0].records,
};
const run = operations[`${library} ${operation}`];
if (!run) throw new Error(`unknown contender: ${library} ${operation}`);

/** Counts the records of what `run` made: an encoded batch is decoded back by Brook. */
function countRecords(made: unknown): number {
  if (Array.isArray(made)) {
    const last = made[made.length - 1] as { value: Uint8Array };
    return Buffer.from(last.value).equals(values[RECORDS - 1]) ? made.length : 0;
  }
  const records = decodeRecordBatches(made as Uint8Array)[0].records;
  return Buffer.from(records[RECORDS - 1].value!).equals(values[RECORDS - 1]) ? records.length : 0;
}

async function loop(ms: number): Promise<{ iterations: number; elapsed: number }> {
  const start = performance.now();
  let iterations = 0;
  let elapsed = 0;
  // Bounded in time and in count.
  while (elapsed < ms && iterations < 10_000_000) {
    for (let i = 0; i < 50; i++) await run();
    iterations += 50;
    elapsed = performance.now() - start;
  }
  return { iterations, elapsed };
}

const verified = countRecords(await run());
await loop(1000);
const { iterations, elapsed } = await loop(2000);
console.log(JSON.stringify({
  value: (iterations * RECORDS) / (elapsed / 1000),
  unit: "rec/s",
  verified,
}));
