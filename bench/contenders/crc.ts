/**
 * One CRC-32C contender in its own process, run by bench/run.ts: checksums 1 MiB of random bytes
 * with one implementation for about two seconds after one second of warm-up, and prints one JSON
 * line: `{"value": bytes per second, "unit": "B/s", "verified": 1}` once its checksum of a known
 * input matched Brook's.
 *
 * Run: deno run -A bench/contenders/crc.ts brook|kafkajs|platformatic|native
 *
 * @module
 */

import { Buffer } from "node:buffer";
import { crc32c as nativeCrc32c } from "@node-rs/crc32";
import { jsCRC32C as platformaticJsCrc32c } from "@platformatic/kafka";
import kafkajsCrc32c from "kafkajs/src/protocol/recordBatch/crc32C/index.js";
import { crc32c } from "../../codec/mod.ts";

const implementations: Record<string, (data: Buffer) => number> = {
  brook: (data) => crc32c(data),
  kafkajs: (data) => kafkajsCrc32c(data),
  platformatic: (data) => platformaticJsCrc32c(data),
  native: (data) => nativeCrc32c(data),
};
const run = implementations[Deno.args[0]];
if (!run) throw new Error(`unknown contender: ${Deno.args[0]}`);

const chunk = Buffer.from(crypto.getRandomValues(new Uint8Array(65536)));
const data = Buffer.concat(Array.from({ length: 16 }, () => chunk));
// The check: RFC 3720's test vector, 32 bytes of zeros, and the benchmark input as Brook sums it.
const zeros = Buffer.alloc(32);
const verified = (run(zeros) >>> 0) === 0x8a9136aa && (run(data) >>> 0) === (crc32c(data) >>> 0)
  ? 1
  : 0;

function loop(ms: number): { iterations: number; elapsed: number } {
  const start = performance.now();
  let iterations = 0;
  let elapsed = 0;
  while (elapsed < ms && iterations < 1_000_000) {
    for (let i = 0; i < 10; i++) run(data);
    iterations += 10;
    elapsed = performance.now() - start;
  }
  return { iterations, elapsed };
}

loop(1000);
const { iterations, elapsed } = loop(2000);
console.log(JSON.stringify({
  value: (iterations * data.length) / (elapsed / 1000),
  unit: "B/s",
  verified,
}));
