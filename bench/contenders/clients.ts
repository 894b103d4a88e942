/**
 * One client contender in its own process, run by bench/run.ts: a producer, a consumer or a
 * produce-latency probe of Brook, KafkaJS 2.2.4 or @platformatic/kafka 1.35 against a broker at
 * BOOTSTRAP. Prints one JSON line, `{"value": ..., "unit": ..., "verified": ...}`, where verified
 * counts the records acknowledged or read, so that a contender that loses records cannot win.
 *
 * Run:
 * - `deno run -A bench/contenders/clients.ts produce LIB BOOTSTRAP TOPIC RECORDS WARMUP`, LIB one of
 *   brook-arrays, brook-send, kafkajs, platformatic (100-byte values, no keys, acks=1)
 * - `deno run -A bench/contenders/clients.ts consume LIB BOOTSTRAP TOPIC RECORDS`, LIB one of brook,
 *   kafkajs, platformatic (partition 0 from offset 0)
 * - `deno run -A bench/contenders/clients.ts latency brook BOOTSTRAP TOPIC RATE SECONDS` (one record
 *   per send, acks=1, no linger; value is p50 in ms, with p99 and max beside it)
 *
 * @module
 */

import { Buffer } from "node:buffer";
import { Kafka, logLevel } from "kafkajs";
import {
  Consumer as PlatformaticConsumer,
  MessagesStreamModes,
  Producer as PlatformaticProducer,
} from "@platformatic/kafka";
import { Consumer, Producer } from "../../client/mod.ts";

const [command, library, bootstrap, topic, a, b] = Deno.args;
const value = new Uint8Array(100).map((_, i) => i);
const valueBuffer = Buffer.from(value);
const CHUNK = 1000;

/** Sends `count` records as `sendChunk` calls of up to CHUNK, at most `window` chunks in flight. */
async function pipeline(
  count: number,
  window: number,
  sendChunk: (n: number) => Promise<number>,
): Promise<number> {
  let acknowledged = 0;
  const inFlight: Promise<void>[] = [];
  for (let sent = 0; sent < count; sent += CHUNK) {
    if (inFlight.length >= window) await inFlight.shift();
    const n = Math.min(CHUNK, count - sent);
    inFlight.push(sendChunk(n).then((acked) => void (acknowledged += acked)));
  }
  await Promise.all(inFlight);
  return acknowledged;
}

async function produce(records: number, warmup: number): Promise<void> {
  let sendChunk: (n: number) => Promise<number>;
  let close: () => Promise<void>;
  if (library === "brook-arrays" || library === "brook-send") {
    const producer = new Producer({
      bootstrapServers: bootstrap,
      acks: 1,
      idempotent: false,
      lingerMs: 2,
      batchSize: 64 * 1024,
    });
    sendChunk = library === "brook-arrays"
      ? async (n) =>
        (await producer.send(Array.from({ length: n }, () => ({ topic, value })))).length
      : async (n) => {
        const sends = [];
        for (let i = 0; i < n; i++) sends.push(producer.send({ topic, value }));
        return (await Promise.all(sends)).length;
      };
    close = () => producer.close();
  } else if (library === "kafkajs") {
    const producer = new Kafka({ brokers: [bootstrap], logLevel: logLevel.NOTHING }).producer();
    await producer.connect();
    // KafkaJS batches per send call: CHUNK messages per call is its fast path.
    sendChunk = async (n) => {
      await producer.send({
        topic,
        acks: 1,
        messages: Array.from({ length: n }, () => ({ value: valueBuffer })),
      });
      return n;
    };
    close = () => producer.disconnect();
  } else if (library === "platformatic") {
    const producer = new PlatformaticProducer({
      clientId: "bench",
      bootstrapBrokers: [bootstrap],
      acks: 1,
    });
    sendChunk = async (n) => {
      await producer.send({
        messages: Array.from({ length: n }, () => ({ topic, value: valueBuffer })),
      });
      return n;
    };
    close = () => producer.close();
  } else {
    throw new Error(`unknown producer ${library}`);
  }
  const window = 64;
  await pipeline(warmup, window, sendChunk);
  const start = performance.now();
  const acknowledged = await pipeline(records, window, sendChunk);
  const elapsed = (performance.now() - start) / 1000;
  await close();
  console.log(JSON.stringify({ value: records / elapsed, unit: "rec/s", verified: acknowledged }));
}

async function consume(records: number): Promise<void> {
  const start = performance.now();
  let read = 0;
  let lastLength = 0;
  if (library === "brook") {
    await using consumer = new Consumer({
      bootstrapServers: bootstrap,
      autoOffsetReset: "earliest",
    });
    consumer.assign([{ topic, partition: 0 }]);
    const deadline = Date.now() + 300_000;
    while (read < records && Date.now() < deadline) {
      const polled = await consumer.poll({ timeoutMs: 1000, maxRecords: 100_000 });
      read += polled.length;
      if (polled.length) lastLength = polled[polled.length - 1].value?.length ?? 0;
    }
  } else if (library === "kafkajs") {
    // No manual assignment in KafkaJS: a fresh group, from the earliest offset.
    const consumer = new Kafka({ brokers: [bootstrap], logLevel: logLevel.NOTHING })
      .consumer({ groupId: `bench-kafkajs-${crypto.randomUUID()}`, maxBytes: 50 * 1024 * 1024 });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const done = Promise.withResolvers<void>();
    const timer = setTimeout(() => done.resolve(), 300_000);
    await consumer.run({
      autoCommit: false,
      eachBatch: ({ batch }) => {
        read += batch.messages.length;
        lastLength = batch.messages.at(-1)?.value?.length ?? lastLength;
        if (read >= records) done.resolve();
        return Promise.resolve();
      },
    });
    await done.promise;
    clearTimeout(timer);
    await consumer.disconnect();
  } else if (library === "platformatic") {
    const consumer = new PlatformaticConsumer({
      clientId: "bench",
      groupId: `bench-platformatic-${crypto.randomUUID()}`,
      bootstrapBrokers: [bootstrap],
      autocommit: false,
    });
    const stream = await consumer.consume({ topics: [topic], mode: MessagesStreamModes.EARLIEST });
    const timer = setTimeout(() => stream.close(), 300_000);
    for await (const message of stream) {
      lastLength = message.value?.length ?? 0;
      if (++read >= records) break;
    }
    clearTimeout(timer);
    await stream.close();
    await consumer.close(true);
  } else {
    throw new Error(`unknown consumer ${library}`);
  }
  const elapsed = (performance.now() - start) / 1000;
  if (lastLength !== value.length) throw new Error(`the last record read has ${lastLength} bytes`);
  console.log(JSON.stringify({ value: records / elapsed, unit: "rec/s", verified: read }));
}

async function latency(rate: number, seconds: number): Promise<void> {
  if (library !== "brook") throw new Error(`no latency contender ${library}`);
  await using producer = new Producer({ bootstrapServers: bootstrap, acks: 1, lingerMs: 0 });
  // Warm up: connections, metadata, the first batches.
  for (let i = 0; i < 200; i++) await producer.send({ topic, value });
  const total = Math.min(rate * seconds, 100_000);
  const latencies: number[] = [];
  const pending: Promise<void>[] = [];
  const start = performance.now();
  for (let i = 0; i < total; i++) {
    const wait = start + (i * 1000) / rate - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const sent = performance.now();
    pending.push(
      producer.send({ topic, value }).then(() => {
        latencies.push(performance.now() - sent);
      }),
    );
  }
  await Promise.all(pending);
  latencies.sort((x, y) => x - y);
  const at = (q: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
  console.log(JSON.stringify({
    value: at(0.5),
    unit: "ms",
    verified: latencies.length,
    p50: at(0.5),
    p99: at(0.99),
    max: latencies[latencies.length - 1],
  }));
}

if (command === "produce") await produce(Number(a), Number(b));
else if (command === "consume") await consume(Number(a));
else if (command === "latency") await latency(Number(a), Number(b));
else throw new Error(`unknown command ${command}`);
