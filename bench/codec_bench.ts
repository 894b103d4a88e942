/**
 * Record batch benchmarks: Brook beside KafkaJS 2.2.4 and @platformatic/kafka 1.35, on identical inputs
 * in one run. One batch of 1000 records with ~10-byte keys and 100-byte random values, no headers, no
 * compression.
 *
 * Run: deno bench -A bench/codec_bench.ts
 *
 * Every library runs in this one process, so the later ones pay for the garbage and JIT state of
 * the earlier ones: use it to profile one library; `deno task bench:compare` compares them.
 *
 * @module
 */

import { Buffer } from "node:buffer";
import { crc32c as nativeCrc32c } from "@node-rs/crc32";
import {
  createRecordsBatch,
  jsCRC32C as platformaticJsCrc32c,
  Reader as PlatformaticReader,
  readRecordsBatches,
} from "@platformatic/kafka";
import kafkajsBatchDecoder from "kafkajs/src/protocol/recordBatch/v0/decoder.js";
import KafkajsDecoder from "kafkajs/src/protocol/decoder.js";
import kafkajsCrc32c from "kafkajs/src/protocol/recordBatch/crc32C/index.js";
import { crc32c, decodeRecordBatches, encodeRecordBatch } from "../codec/mod.ts";
import {
  batchBuffer,
  batchBytes,
  brookInput,
  kafkajsEncode,
  platformaticInput,
  RECORDS,
} from "./codec_inputs.ts";

function platformaticEncode(): Buffer {
  return createRecordsBatch(platformaticInput as never).buffer;
}

// Sanity: every library reads the same 1000 records back.
{
  const brook = decodeRecordBatches(batchBytes)[0].records;
  const kjs = await kafkajsBatchDecoder(new KafkajsDecoder(batchBuffer));
  const pf = readRecordsBatches(PlatformaticReader.from(batchBuffer))[0].records;
  if (brook.length !== RECORDS || kjs.records.length !== RECORDS || pf.length !== RECORDS) {
    throw new Error("the libraries do not decode the same batch");
  }
  const last = RECORDS - 1;
  if (
    !Buffer.from(brook[last].value!).equals(kjs.records[last].value) ||
    !Buffer.from(brook[last].value!).equals(pf[last].value!)
  ) {
    throw new Error("the libraries disagree on record values");
  }
  const encoded = [(await kafkajsEncode()).length, platformaticEncode().length, batchBytes.length];
  if (new Set(encoded).size !== 1) throw new Error(`encoded sizes differ: ${encoded}`);
}

Deno.bench("brook encode", { group: "encode", baseline: true }, () => {
  encodeRecordBatch({ records: brookInput });
});

Deno.bench("kafkajs encode", { group: "encode" }, async () => {
  await kafkajsEncode();
});

Deno.bench("platformatic encode", { group: "encode" }, () => {
  platformaticEncode();
});

Deno.bench("brook decode", { group: "decode", baseline: true }, () => {
  decodeRecordBatches(batchBytes, { verifyCrc: false });
});

Deno.bench("brook decode + crc", { group: "decode" }, () => {
  decodeRecordBatches(batchBytes);
});

Deno.bench("kafkajs decode", { group: "decode" }, async () => {
  await kafkajsBatchDecoder(new KafkajsDecoder(batchBuffer));
});

Deno.bench("platformatic decode", { group: "decode" }, () => {
  readRecordsBatches(PlatformaticReader.from(batchBuffer));
});

const MIB = Buffer.from(crypto.getRandomValues(new Uint8Array(65536)));
const oneMiB = Buffer.concat(Array.from({ length: 16 }, () => MIB));

Deno.bench("brook crc32c 1 MiB", { group: "crc32c", baseline: true }, () => {
  crc32c(oneMiB);
});

Deno.bench("kafkajs crc32c 1 MiB", { group: "crc32c" }, () => {
  kafkajsCrc32c(oneMiB);
});

Deno.bench("platformatic crc32c (js) 1 MiB", { group: "crc32c" }, () => {
  platformaticJsCrc32c(oneMiB);
});

Deno.bench("native @node-rs/crc32 crc32c 1 MiB", { group: "crc32c" }, () => {
  nativeCrc32c(oneMiB);
});
