/**
 * Share-group consumption (KIP-932) from Brook's broker over loopback: Brook's ShareConsumer
 * reading 200,000 records (100-byte values) of one partition, each record acquired, delivered and
 * accepted, beside Brook's classic consumer reading the same records by offset, in one run. The
 * ratio is the price of share groups' per-record state (acquisition locks, acknowledgements) over
 * plain offset reads. No other Deno or Node client speaks share groups yet.
 *
 * Run: deno bench -A bench/share_bench.ts
 *
 * Each share iteration is a new share group starting at the earliest offset, so it includes joining
 * the group: two heartbeats, as the partition is assigned once its share state is initialized (the
 * broker's share heartbeat interval is lowered to 100 ms, from Kafka's default 5 s).
 *
 * @module
 */

import { startCliBroker } from "./cli_broker.ts";
import { Admin, Consumer, Producer, ShareConsumer } from "../client/mod.ts";

const RECORDS = 200_000;
const TOPIC = "share";

const { bootstrap, process: broker } = await startCliBroker([
  "--topic",
  `${TOPIC}:1:1`,
  "--feature",
  "share.version=1",
  "--config",
  "group.share.min.heartbeat.interval.ms=100",
  "--config",
  "group.share.heartbeat.interval.ms=100",
]);
globalThis.addEventListener("unload", () => broker.kill());

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

Deno.bench(`brook share consume ${RECORDS} records`, { group: "share" }, async () => {
  const groupId = `share-bench-${run++}`;
  {
    await using admin = new Admin({ bootstrapServers: bootstrap });
    await admin.incrementalAlterConfigs([{
      resource: { type: "group", name: groupId },
      ops: [{ name: "share.auto.offset.reset", op: "set", value: "earliest" }],
    }]);
  }
  await using consumer = new ShareConsumer({
    bootstrapServers: bootstrap,
    groupId,
    maxPollRecords: 10_000,
  });
  consumer.subscribe([TOPIC]);
  let count = 0;
  while (count < RECORDS) count += (await consumer.poll(1000)).length;
});

Deno.bench(
  `brook classic consume ${RECORDS} records`,
  { group: "share", baseline: true },
  async () => {
    await using consumer = new Consumer({
      bootstrapServers: bootstrap,
      autoOffsetReset: "earliest",
    });
    consumer.assign([{ topic: TOPIC, partition: 0 }]);
    let count = 0;
    while (count < RECORDS) {
      count += (await consumer.poll({ timeoutMs: 1000, maxRecords: 100_000 })).length;
    }
  },
);
