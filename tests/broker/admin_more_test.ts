import { clusterOf } from "../../broker/broker_internals.ts";
import { assertEquals, assertOk } from "../assert.ts";
import { ApiKey, encodeRecordBatch, ErrorCode } from "../../codec/mod.ts";
import { Broker } from "../../broker/mod.ts";
import { Producer } from "../../client/mod.ts";
import { expireProducers } from "../../broker/log/producer_state.ts";
import { RawClient } from "./raw_client.ts";

Deno.test("admin: DescribeProducers, ElectLeaders, DescribeLogDirs, DescribeTopicPartitions paging", async () => {
  await using broker = await Broker.start({
    nodes: 3,
    topics: { a: { partitions: 3, replicationFactor: 3 }, b: { partitions: 2 } },
  });
  await using producer = new Producer({ bootstrapServers: broker.bootstrapServers });
  await producer.send(
    Array.from({ length: 4 }, (_, i) => ({ topic: "a", partition: 0, value: `v${i}` })),
  );
  const leader0 = clusterOf(broker).partition("a", 0)!.leader;
  const node = clusterOf(broker).node(leader0)!;
  await using c = await RawClient.connect(`${node.host}:${node.port}`);
  const producers = await c.request(ApiKey.DescribeProducers, 0, {
    topics: [{ name: "a", partitionIndexes: [0] }],
  });
  const active = producers.topics[0].partitions[0].activeProducers;
  assertEquals(active.length, 1);
  assertEquals(active[0].lastSequence, 3);
  assertOk(active[0].producerId >= 0n);
  // Move partition a-0's leadership away, then a preferred election brings it back.
  const other = clusterOf(broker).partition("a", 0)!.replicas.find((r) => r !== leader0)!;
  broker.moveLeader("a", 0, other);
  const epoch = clusterOf(broker).partition("a", 0)!.leaderEpoch;
  const elected = await c.request(ApiKey.ElectLeaders, 2, {
    electionType: 0,
    topicPartitions: [{ topic: "a", partitions: [0, 1] }],
    timeoutMs: 1000,
  });
  assertEquals(elected.replicaElectionResults[0].partitionResult.map((p) => p.errorCode), [
    ErrorCode.NONE,
    ErrorCode.ELECTION_NOT_NEEDED,
  ]);
  assertEquals([
    clusterOf(broker).partition("a", 0)!.leader,
    clusterOf(broker).partition("a", 0)!.leaderEpoch,
  ], [leader0, epoch + 1]);
  const dirs = await c.request(ApiKey.DescribeLogDirs, 4, { topics: null });
  const a0 = dirs.results[0].topics.find((t) => t.name === "a")!.partitions.find((p) =>
    p.partitionIndex === 0
  )!;
  assertOk(a0.partitionSize > 0n);
  // Five partitions in name order, two per page.
  const pages: string[] = [];
  let cursor: { topicName: string; partitionIndex: number } | null = null;
  for (let i = 0; i < 5; i++) {
    const res: Awaited<ReturnType<typeof c.request<typeof ApiKey.DescribeTopicPartitions>>> =
      await c.request(
        ApiKey.DescribeTopicPartitions,
        0,
        { topics: [], responsePartitionLimit: 2, cursor },
      );
    for (const t of res.topics) {
      for (const p of t.partitions) pages.push(`${t.name}-${p.partitionIndex}`);
    }
    cursor = res.nextCursor;
    if (!cursor) break;
  }
  assertEquals(pages.filter((p) => !p.startsWith("__")), ["a-0", "a-1", "a-2", "b-0", "b-1"]);
  const reassignments = await c.request(ApiKey.ListPartitionReassignments, 0, {
    timeoutMs: 1000,
    topics: null,
  });
  assertEquals(reassignments.topics, []);
});

Deno.test("admin: client quotas are set, described by filter and removed, with Kafka's refusals", async () => {
  await using broker = await Broker.start();
  await using client = await RawClient.connect(broker.bootstrapServers);
  const alter = (
    entity: { entityType: string; entityName: string | null }[],
    key: string,
    value: number,
    remove = false,
  ) =>
    client.request(ApiKey.AlterClientQuotas, 1, {
      entries: [{ entity, ops: [{ key, value, remove }] }],
      validateOnly: false,
    });
  const alice = [{ entityType: "user", entityName: "alice" }];
  assertEquals((await alter(alice, "producer_byte_rate", 1024)).entries[0].errorCode, 0);
  assertEquals(
    (await alter([{ entityType: "user", entityName: null }], "request_percentage", 5)).entries[0]
      .errorCode,
    0,
  );
  const fractional = await alter(alice, "consumer_byte_rate", 1.5);
  assertEquals(
    fractional.entries[0].errorMessage,
    "consumer_byte_rate cannot be a fractional value.",
  );
  const described = await client.request(ApiKey.DescribeClientQuotas, 1, {
    components: [{ entityType: "user", matchType: 0, match: "alice" }],
    strict: true,
  });
  assertEquals(described.entries?.map((e) => e.values), [[{
    key: "producer_byte_rate",
    value: 1024,
  }]]);
  const any = await client.request(ApiKey.DescribeClientQuotas, 1, {
    components: [{ entityType: "user", matchType: 2, match: null }],
    strict: false,
  });
  assertEquals(any.entries?.length, 2);
  await alter(alice, "producer_byte_rate", 0, true);
  const gone = await client.request(ApiKey.DescribeClientQuotas, 1, {
    components: [{ entityType: "user", matchType: 0, match: "alice" }],
    strict: false,
  });
  assertEquals(gone.entries, []);
});

Deno.test("admin: a partition reassignment completes at once; a removed leader hands over", async () => {
  await using broker = await Broker.start({
    nodes: 3,
    topics: { t: { assignments: [[1, 2]] } },
  });
  await using client = await RawClient.connect(broker.bootstrapServers);
  const p = clusterOf(broker).partition("t", 0)!;
  assertEquals([p.leader, p.leaderEpoch], [1, 0]);
  const res = await client.request(ApiKey.AlterPartitionReassignments, 1, {
    timeoutMs: 1000,
    allowReplicationFactorChange: true,
    topics: [{ name: "t", partitions: [{ partitionIndex: 0, replicas: [3, 2] }] }],
  });
  assertEquals(res.responses[0].partitions[0].errorCode, ErrorCode.NONE);
  assertEquals([p.replicas, p.isr, p.leader, p.leaderEpoch], [[3, 2], [3, 2], 3, 1]);
  const kept = await client.request(ApiKey.AlterPartitionReassignments, 1, {
    timeoutMs: 1000,
    allowReplicationFactorChange: false,
    topics: [{ name: "t", partitions: [{ partitionIndex: 0, replicas: [2, 1, 3] }] }],
  });
  assertEquals(
    kept.responses[0].partitions[0].errorMessage,
    "The replication factor is changed from 2 to 3",
  );
  const listed = await client.request(ApiKey.ListPartitionReassignments, 0, {
    timeoutMs: 1000,
    topics: null,
  });
  assertEquals(listed.topics, []);
});

Deno.test("admin: config resources are listed; a replica stays in its node's one log directory", async () => {
  await using broker = await Broker.start({ nodes: 2, topics: { t: { replicationFactor: 2 } } });
  await using client = await RawClient.connect(broker.bootstrapServers);
  const listed = await client.request(ApiKey.ListConfigResources, 1, { resourceTypes: [] });
  assertEquals(listed.configResources.map((c) => `${c.resourceType}:${c.resourceName}`), [
    "8:1",
    "8:2",
    "4:1",
    "4:2",
    "2:t",
  ]);
  const moved = await client.request(ApiKey.AlterReplicaLogDirs, 2, {
    dirs: [
      { path: "/brook/node-1", topics: [{ name: "t", partitions: [0, 3] }] },
      { path: "/elsewhere", topics: [{ name: "t", partitions: [0] }] },
    ],
  });
  assertEquals(moved.results.map((t) => t.partitions.map((p) => p.errorCode)), [
    [ErrorCode.NONE, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
    [ErrorCode.LOG_DIR_NOT_FOUND],
  ]);
});

Deno.test("quotas: a client past its byte rate is told to wait, and its connection waits", async () => {
  await using broker = await Broker.start({
    topics: { t: {} },
    configs: { "quota.window.num": "2", "quota.window.size.seconds": "1" },
  });
  await using client = await RawClient.connect(broker.bootstrapServers);
  const quota = (key: string, value: number) =>
    client.request(ApiKey.AlterClientQuotas, 1, {
      entries: [{
        entity: [{ entityType: "client-id", entityName: "brook-test" }],
        ops: [{ key, value, remove: false }],
      }],
      validateOnly: false,
    });
  await quota("producer_byte_rate", 40_000);
  const produce = () =>
    client.request(ApiKey.Produce, 9, {
      acks: 1,
      timeoutMs: 1000,
      topicData: [{
        name: "t",
        partitionData: [{
          index: 0,
          records: encodeRecordBatch({ records: [{ value: new Uint8Array(50_000) }] }),
        }],
      }],
    });
  // 50 kB in a young one-second window against 40 kB/s: a quarter over, a quarter of the window.
  const throttled = await produce();
  const waited = throttled.throttleTimeMs;
  assertOk(waited > 200 && waited < 300, `throttle ${waited}`);
  const before = Date.now();
  await client.request(ApiKey.Metadata, 12, { topics: [], allowAutoTopicCreation: false });
  assertOk(Date.now() - before >= waited - 20, "the connection waited");

  await quota("consumer_byte_rate", 10_000);
  const fetch = await client.request(ApiKey.Fetch, 12, {
    maxWaitMs: 0,
    minBytes: 1,
    maxBytes: 1 << 20,
    topics: [{
      topic: "t",
      partitions: [{ partition: 0, fetchOffset: 0n, partitionMaxBytes: 1 << 20 }],
    }],
  });
  assertOk(fetch.throttleTimeMs > 0);
  assertEquals(fetch.responses, [], "a throttled fetch carries no data");
});

Deno.test("quotas: a controller mutation quota refuses topics once its bucket is empty", async () => {
  await using broker = await Broker.start();
  await using client = await RawClient.connect(broker.bootstrapServers);
  await client.request(ApiKey.AlterClientQuotas, 1, {
    entries: [{
      entity: [{ entityType: "client-id", entityName: null }],
      ops: [{ key: "controller_mutation_rate", value: 1, remove: false }],
    }],
    validateOnly: false,
  });
  // A burst of 11 partitions: two topics of 10 go (the second overdraws), the third is refused.
  const created = await client.request(ApiKey.CreateTopics, 7, {
    topics: ["a", "b", "c"].map((name) => ({ name, numPartitions: 10, replicationFactor: 1 })),
    timeoutMs: 1000,
  });
  assertEquals(created.topics.map((t) => t.errorCode), [0, 0, ErrorCode.THROTTLING_QUOTA_EXCEEDED]);
  assertOk(created.throttleTimeMs > 8000 && created.throttleTimeMs <= 9000);
  // An older version is throttled, never refused.
  await using other = await RawClient.connect(broker.bootstrapServers);
  const old = await other.request(ApiKey.CreateTopics, 5, {
    topics: [{ name: "d", numPartitions: 1, replicationFactor: 1 }],
    timeoutMs: 1000,
  });
  assertEquals(old.topics[0].errorCode, 0);
  assertOk(old.throttleTimeMs > 0);
});

Deno.test("admin: idempotent producers expire after producer.id.expiration.ms", async () => {
  await using broker = await Broker.start({
    topics: { t: {} },
    configs: { "producer.id.expiration.ms": "60000" },
  });
  await using producer = new Producer({ bootstrapServers: broker.bootstrapServers });
  await producer.send({ topic: "t", value: "old", timestamp: Date.now() - 120_000 });
  await using client = await RawClient.connect(broker.bootstrapServers);
  const describe = async () =>
    (await client.request(ApiKey.DescribeProducers, 0, {
      topics: [{ name: "t", partitionIndexes: [0] }],
    })).topics[0].partitions[0].activeProducers.length;
  assertEquals(await describe(), 1);
  expireProducers(clusterOf(broker));
  assertEquals(await describe(), 0);
});
