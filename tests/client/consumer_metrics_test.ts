import { assertEquals, assertOk } from "../assert.ts";
import { Broker } from "../../broker/mod.ts";
import {
  type CommitEvent,
  Consumer,
  type FetchEvent,
  Producer,
  type RebalanceEvent,
} from "../../client/mod.ts";

async function produce(broker: Broker, topic: string, count: number): Promise<void> {
  await using producer = new Producer({ bootstrapServers: broker.bootstrapServers });
  // One batch per record: awaited one by one.
  for (let i = 0; i < count; i++) await producer.send({ topic, partition: 0, value: `v${i}` });
}

Deno.test("consumer: fetch metrics and per-partition records-lag as Java's consumer names them", async () => {
  await using broker = await Broker.start({ topics: { lag: { partitions: 1 } } });
  await produce(broker, "lag", 10);
  await using consumer = new Consumer({
    bootstrapServers: broker.bootstrapServers,
    clientId: "lagging",
    maxPartitionFetchBytes: 1,
  });
  const fetches: FetchEvent[] = [];
  consumer.on("fetch", (e) => fetches.push(e));
  consumer.assign([{ topic: "lag", partition: 0, offset: 0n }]);
  let records = 0;
  for (let i = 0; i < 50 && records === 0; i++) records += (await consumer.poll()).length;
  // A partition limit of one byte still returns the first batch, as Kafka does: one record.
  assertEquals(records, 1);
  const m = consumer.client.instrumentation.metrics;
  assertEquals(m.value("records-lag", { topic: "lag", partition: "0" }), 9);
  assertEquals(m.value("records-lag-max"), 9);
  assertEquals(m.value("records-consumed-total"), 1);
  assertOk(m.value("bytes-consumed-total") > 0);
  assertOk(m.value("fetch-latency-max") >= m.value("fetch-latency-avg"));
  assertOk(m.value("fetch-total") >= 1);
  assertOk(m.value("last-poll-seconds-ago") >= 0);
  const last = fetches.at(-1)!;
  assertEquals(last.partitions.map((p) => [p.topic, p.partition, p.records, p.lag]), [
    ["lag", 0, 1, 9n],
  ]);
  assertEquals(last.partitions[0].highWatermark, 10n);
  const snapshot = consumer.metrics();
  assertOk(
    snapshot.metrics.some((x) =>
      x.group === "consumer-fetch-manager-metrics" && x.name === "records-consumed-rate" &&
      x.tags["client-id"] === "lagging"
    ),
  );
  assertOk(snapshot.metrics.some((x) => x.group === "consumer-node-metrics"));
  const lag = snapshot.metrics.filter((x) => x.name === "records-lag");
  assertEquals(lag.map((x) => x.tags), [{ "client-id": "lagging", topic: "lag", partition: "0" }]);
  // Unassigned, a partition's records-lag goes.
  consumer.assign([]);
  assertOk(Number.isNaN(m.value("records-lag", { topic: "lag" })));
});

Deno.test("consumer: commit and rebalance latencies, with their events", async () => {
  await using broker = await Broker.start({ topics: { g: { partitions: 2 } } });
  await produce(broker, "g", 4);
  await using consumer = new Consumer({
    bootstrapServers: broker.bootstrapServers,
    groupId: "metrics-group",
    autoOffsetReset: "earliest",
    autoCommit: false,
  });
  const rebalances: RebalanceEvent[] = [];
  const commits: CommitEvent[] = [];
  consumer.on("rebalance", (e) => rebalances.push(e));
  consumer.on("commit", (e) => commits.push(e));
  consumer.subscribe(["g"]);
  let records = 0;
  for (let i = 0; i < 100 && records < 4; i++) records += (await consumer.poll()).length;
  assertEquals(records, 4);
  await consumer.commit();
  const m = consumer.client.instrumentation.metrics;
  assertEquals(m.value("commit-total"), 1);
  assertOk(m.value("commit-latency-avg") > 0);
  assertEquals(m.value("rebalance-total"), 1);
  assertOk(m.value("rebalance-latency-avg") > 0);
  assertEquals(commits.map((c) => [c.groupId, c.partitions, c.error]), [
    ["metrics-group", 2, undefined],
  ]);
  assertEquals(rebalances.map((r) => [r.groupId, r.kind, r.partitions.length]), [
    ["metrics-group", "assigned", 2],
  ]);
});
