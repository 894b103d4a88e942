/**
 * Producer throughput to Brook's broker over loopback: Brook's producer beside KafkaJS 2.2.4 and
 * @platformatic/kafka 1.35, same records (100-byte values, no keys), acks=1, in one run. The broker runs
 * in its own process (the CLI), so that it does not share the benchmark's event loop.
 *
 * Run: deno bench -A bench/client_bench.ts
 *
 * For profiling one library: `deno task bench:compare` compares them, one process each.
 *
 * @module
 */

import { Kafka, logLevel } from "kafkajs";
import { startCliBroker } from "./cli_broker.ts";
import { Producer as PlatformaticProducer } from "@platformatic/kafka";
import { Buffer } from "node:buffer";
import { Producer } from "../client/mod.ts";

const RECORDS = 20_000;
const value = new Uint8Array(100).map((_, i) => i);
const valueBuffer = Buffer.from(value);

const { bootstrap, process: broker } = await startCliBroker(["--topic", "bench:1:1"]);
globalThis.addEventListener("unload", () => broker.kill());

const brook = new Producer({
  bootstrapServers: bootstrap,
  acks: 1,
  idempotent: false,
  lingerMs: 2,
  batchSize: 64 * 1024,
});
const kafkajs = new Kafka({ brokers: [bootstrap], logLevel: logLevel.NOTHING }).producer();
await kafkajs.connect();
const platformatic = new PlatformaticProducer({
  clientId: "bench",
  bootstrapBrokers: [bootstrap],
  acks: 1,
});

Deno.bench(`brook produce ${RECORDS} records`, { group: "produce", baseline: true }, async () => {
  const sends = [];
  for (let i = 0; i < RECORDS; i++) sends.push(brook.send({ topic: "bench", value }));
  await Promise.all(sends);
});

Deno.bench(`brook produce ${RECORDS} records, 1000 per send`, { group: "produce" }, async () => {
  const sends = [];
  for (let i = 0; i < RECORDS; i += 1000) {
    sends.push(brook.send(Array.from({ length: 1000 }, () => ({ topic: "bench", value }))));
  }
  await Promise.all(sends);
});

Deno.bench(`kafkajs produce ${RECORDS} records`, { group: "produce" }, async () => {
  // KafkaJS batches per send call; 1000 records per call is its idiomatic fast path.
  const sends = [];
  for (let i = 0; i < RECORDS; i += 1000) {
    sends.push(
      kafkajs.send({
        topic: "bench",
        acks: 1,
        messages: Array.from({ length: 1000 }, () => ({ value: valueBuffer })),
      }),
    );
  }
  await Promise.all(sends);
});

Deno.bench(`platformatic produce ${RECORDS} records`, { group: "produce" }, async () => {
  const sends = [];
  for (let i = 0; i < RECORDS; i += 1000) {
    sends.push(
      platformatic.send({
        messages: Array.from({ length: 1000 }, () => ({ topic: "bench", value: valueBuffer })),
      }),
    );
  }
  await Promise.all(sends);
});
