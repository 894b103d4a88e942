/**
 * Consumer throughput from Brook's broker over loopback: Brook's consumer beside KafkaJS 2.2.4 and
 * @platformatic/kafka 1.35, each reading the same 200,000 records (100-byte values, no keys) of one
 * partition from offset 0, in one run. The broker runs in its own process (the CLI).
 *
 * Run: deno bench -A bench/consumer_bench.ts
 *
 * For profiling one library: `deno task bench:compare` compares them, one process each.
 *
 * Brook assigns the partition by hand; KafkaJS and @platformatic/kafka have no manual assignment,
 * so each of their iterations joins a fresh group (Brook's broker rebalances at once: its initial
 * rebalance delay is 0) and reads from the earliest offset.
 *
 * @module
 */

import { Kafka, logLevel } from "kafkajs";
import { Consumer as PlatformaticConsumer, MessagesStreamModes } from "@platformatic/kafka";
import { startCliBroker } from "./cli_broker.ts";
import { Consumer, Producer } from "../client/mod.ts";

const RECORDS = 200_000;
const TOPIC = "consume";

const { bootstrap, process: broker } = await startCliBroker(["--topic", `${TOPIC}:1:1`]);
globalThis.addEventListener("unload", () => broker.kill());

// Fill the partition once, outside the timed part.
{
  const value = new Uint8Array(100).map((_, i) => i);
  await using producer = new Producer({ bootstrapServers: bootstrap, acks: 1, lingerMs: 2 });
  const sends = [];
  for (let i = 0; i < RECORDS; i += 1000) {
    sends.push(producer.send(Array.from({ length: 1000 }, () => ({ topic: TOPIC, value }))));
  }
  await Promise.all(sends);
}

let run = 0;

Deno.bench(`brook consume ${RECORDS} records`, { group: "consume", baseline: true }, async () => {
  await using consumer = new Consumer({ bootstrapServers: bootstrap, autoOffsetReset: "earliest" });
  consumer.assign([{ topic: TOPIC, partition: 0 }]);
  let count = 0;
  while (count < RECORDS) {
    count += (await consumer.poll({ timeoutMs: 1000, maxRecords: 100_000 })).length;
  }
});

Deno.bench(`kafkajs consume ${RECORDS} records`, { group: "consume" }, async () => {
  const consumer = new Kafka({ brokers: [bootstrap], logLevel: logLevel.NOTHING })
    .consumer({ groupId: `kafkajs-${run++}`, maxBytes: 50 * 1024 * 1024 });
  await consumer.connect();
  await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
  const done = Promise.withResolvers<void>();
  let count = 0;
  await consumer.run({
    autoCommit: false,
    eachBatch: ({ batch }) => {
      count += batch.messages.length;
      if (count >= RECORDS) done.resolve();
      return Promise.resolve();
    },
  });
  await done.promise;
  await consumer.disconnect();
});

Deno.bench(`platformatic consume ${RECORDS} records`, { group: "consume" }, async () => {
  const consumer = new PlatformaticConsumer({
    clientId: "bench",
    groupId: `platformatic-${run++}`,
    bootstrapBrokers: [bootstrap],
    autocommit: false,
  });
  const stream = await consumer.consume({ topics: [TOPIC], mode: MessagesStreamModes.EARLIEST });
  let count = 0;
  for await (const _ of stream) {
    if (++count >= RECORDS) break;
  }
  await stream.close();
  await consumer.close(true);
});
