/**
 * Produce latency at a fixed, moderate rate: each library sends one 100-byte record at a time,
 * 1000 records/s for 5 s (acks=1, no linger), to Brook's broker in its own process; the time from
 * `send` to its acknowledgement is recorded per record and summarised as p50, p99 and max.
 *
 * Run: deno run -A bench/latency.ts [RATE] [SECONDS]
 *
 * @module
 */

import { Kafka, logLevel } from "kafkajs";
import { startCliBroker } from "./cli_broker.ts";
import { Producer as PlatformaticProducer } from "@platformatic/kafka";
import { Buffer } from "node:buffer";
import { Producer } from "../client/mod.ts";

const rate = Number(Deno.args[0] ?? 1000);
const seconds = Number(Deno.args[1] ?? 5);
const value = new Uint8Array(100).map((_, i) => i);

const { bootstrap, process: broker } = await startCliBroker(
  ["brook", "kafkajs", "platformatic"].flatMap((l) => ["--topic", `latency-${l}:1:1`]),
);

/** Sends at `rate` per second for `seconds` (bounded in count), returning sorted latencies in ms. */
async function measure(send: () => Promise<unknown>): Promise<number[]> {
  // Warm up: connections, metadata, the first batches.
  for (let i = 0; i < 200; i++) await send();
  const total = Math.min(rate * seconds, 100_000);
  const latencies: number[] = [];
  const pending: Promise<void>[] = [];
  const start = performance.now();
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const sent = performance.now();
    pending.push(send().then(() => void latencies.push(performance.now() - sent)));
  }
  await Promise.all(pending);
  return latencies.sort((a, b) => a - b);
}

function summary(name: string, l: number[]): string {
  const at = (q: number) => l[Math.min(l.length - 1, Math.floor(q * l.length))].toFixed(2);
  return `| ${name} | ${l.length} | ${at(0.5)} | ${at(0.99)} | ${l[l.length - 1].toFixed(2)} |`;
}

const rows: string[] = [];
{
  await using brook = new Producer({ bootstrapServers: bootstrap, acks: 1, lingerMs: 0 });
  rows.push(summary("brook", await measure(() => brook.send({ topic: "latency-brook", value }))));
}
{
  const kafkajs = new Kafka({ brokers: [bootstrap], logLevel: logLevel.NOTHING }).producer();
  await kafkajs.connect();
  const buf = Buffer.from(value);
  rows.push(summary(
    "kafkajs",
    await measure(() =>
      kafkajs.send({ topic: "latency-kafkajs", acks: 1, messages: [{ value: buf }] })
    ),
  ));
  await kafkajs.disconnect();
}
{
  const platformatic = new PlatformaticProducer({
    clientId: "latency",
    bootstrapBrokers: [bootstrap],
    acks: 1,
  });
  const buf = Buffer.from(value);
  rows.push(summary(
    "platformatic",
    await measure(() =>
      platformatic.send({ messages: [{ topic: "latency-platformatic", value: buf }] })
    ),
  ));
  await platformatic.close();
}
console.log(`${rate} records/s for ${seconds} s, acks=1, one record per send:\n`);
console.log("| library | records | p50 ms | p99 ms | max ms |");
console.log("| --- | ---: | ---: | ---: | ---: |");
for (const r of rows) console.log(r);
broker.kill();
await broker.status;
