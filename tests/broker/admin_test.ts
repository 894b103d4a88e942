import { clusterOf } from "../../broker/broker_internals.ts";
import { assertEquals, assertOk } from "../assert.ts";
import { ApiKey, ErrorCode } from "../../codec/mod.ts";
import { Broker } from "../../broker/mod.ts";
import { Kafka, logLevel } from "kafkajs";
import { RawClient } from "./raw_client.ts";

Deno.test("admin: CreateTopics, CreatePartitions, DeleteTopics and their errors", async () => {
  await using broker = await Broker.start({ nodes: 3 });
  await using c = await RawClient.connect(broker.bootstrapServers);
  const created = await c.request(ApiKey.CreateTopics, 7, {
    topics: [
      {
        name: "a",
        numPartitions: 3,
        replicationFactor: 2,
        configs: [{ name: "cleanup.policy", value: "compact" }],
      },
      { name: "b", numPartitions: -1, replicationFactor: 4 },
      {
        name: "c",
        numPartitions: 1,
        replicationFactor: 1,
        configs: [{ name: "no.such.config", value: "1" }],
      },
      { name: "bad name!", numPartitions: 1, replicationFactor: 1 },
      {
        name: "d",
        numPartitions: -1,
        replicationFactor: -1,
        assignments: [{ partitionIndex: 0, brokerIds: [3, 1] }],
      },
    ],
    timeoutMs: 1000,
  });
  const byName = new Map(created.topics.map((t) => [t.name, t]));
  assertEquals(byName.get("a")!.errorCode, ErrorCode.NONE);
  assertEquals([byName.get("a")!.numPartitions, byName.get("a")!.replicationFactor], [3, 2]);
  assertEquals(
    byName.get("a")!.configs!.find((x) => x.name === "cleanup.policy")!.value,
    "compact",
  );
  assertEquals(byName.get("b")!.errorCode, ErrorCode.INVALID_REPLICATION_FACTOR);
  assertEquals(byName.get("c")!.errorCode, ErrorCode.INVALID_CONFIG);
  assertEquals(byName.get("bad name!")!.errorCode, ErrorCode.INVALID_TOPIC_EXCEPTION);
  assertEquals(byName.get("d")!.errorCode, ErrorCode.NONE);
  assertEquals(clusterOf(broker).partition("d", 0)!.leader, 3);
  const again = await c.request(ApiKey.CreateTopics, 2, {
    topics: [{ name: "a", numPartitions: 1, replicationFactor: 1 }],
    timeoutMs: 1000,
  });
  assertEquals(again.topics[0].errorCode, ErrorCode.TOPIC_ALREADY_EXISTS);
  const grown = await c.request(ApiKey.CreatePartitions, 3, {
    topics: [{ name: "a", count: 5, assignments: null }, {
      name: "a2",
      count: 2,
      assignments: null,
    }],
    timeoutMs: 1000,
    validateOnly: false,
  });
  assertEquals(grown.results.map((r) => r.errorCode), [
    ErrorCode.NONE,
    ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
  ]);
  assertEquals(clusterOf(broker).topics.get("a")!.partitions.length, 5);
  const deleted = await c.request(ApiKey.DeleteTopics, 6, {
    topics: [{ name: "a" }, { name: null, topicId: clusterOf(broker).topics.get("d")!.id }, {
      name: "zz",
    }],
    timeoutMs: 1000,
  });
  assertEquals(deleted.responses.map((r) => r.errorCode), [
    ErrorCode.NONE,
    ErrorCode.NONE,
    ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
  ]);
  assertEquals([...clusterOf(broker).topics.keys()].filter((t) => !t.startsWith("__")), []);
});

Deno.test("admin: KafkaJS admin creates, describes, grows and deletes topics", async () => {
  await using broker = await Broker.start({ nodes: 3 });
  const kafka = new Kafka({
    brokers: broker.bootstrapServers.split(","),
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  try {
    assertOk(
      await admin.createTopics({
        topics: [{ topic: "events", numPartitions: 4, replicationFactor: 3 }],
      }),
    );
    const md = await admin.fetchTopicMetadata({ topics: ["events"] });
    assertEquals(md.topics[0].partitions.length, 4);
    assertOk(md.topics[0].partitions.every((p) => p.replicas.length === 3));
    await admin.createPartitions({ topicPartitions: [{ topic: "events", count: 6 }] });
    assertEquals(
      (await admin.fetchTopicMetadata({ topics: ["events"] })).topics[0].partitions.length,
      6,
    );
    const cluster = await admin.describeCluster();
    assertEquals([cluster.brokers.length, cluster.clusterId], [3, clusterOf(broker).clusterId]);
    await admin.deleteTopics({ topics: ["events"] });
    assertEquals((await admin.listTopics()).filter((t) => t === "events"), []);
  } finally {
    await admin.disconnect();
  }
});

Deno.test("admin: configs, DeleteRecords and OffsetForLeaderEpoch, with KafkaJS", async () => {
  await using broker = await Broker.start({ topics: { cfg: { partitions: 1 } } });
  const kafka = new Kafka({ brokers: [broker.bootstrapServers], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const producer = kafka.producer();
  await producer.connect();
  try {
    // ConfigResourceTypes.TOPIC = 2
    await admin.alterConfigs({
      validateOnly: false,
      resources: [{
        type: 2,
        name: "cfg",
        configEntries: [{ name: "retention.ms", value: "1000" }],
      }],
    });
    const described = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: 2, name: "cfg", configNames: ["retention.ms", "cleanup.policy"] }],
    });
    const entries = new Map(described.resources[0].configEntries.map((e) => [e.configName, e]));
    assertEquals(entries.get("retention.ms")!.configValue, "1000");
    assertEquals(entries.get("cleanup.policy")!.configValue, "delete");
    assertEquals(entries.get("cleanup.policy")!.isDefault, true);
    await producer.send({
      topic: "cfg",
      messages: Array.from({ length: 10 }, (_, i) => ({ value: `m${i}` })),
    });
    await admin.deleteTopicRecords({ topic: "cfg", partitions: [{ partition: 0, offset: "4" }] });
    const offsets = await admin.fetchTopicOffsets("cfg");
    assertEquals([offsets[0].low, offsets[0].high], ["4", "10"]);
  } finally {
    await producer.disconnect();
    await admin.disconnect();
  }
  await using c = await RawClient.connect(broker.bootstrapServers);
  const bad = await c.request(ApiKey.IncrementalAlterConfigs, 1, {
    resources: [{
      resourceType: 2,
      resourceName: "cfg",
      configs: [{ name: "cleanup.policy", configOperation: 0, value: "shred" }],
    }],
  });
  assertEquals(bad.responses[0].errorCode, ErrorCode.INVALID_CONFIG);
  const appended = await c.request(ApiKey.IncrementalAlterConfigs, 1, {
    resources: [{
      resourceType: 2,
      resourceName: "cfg",
      configs: [{ name: "cleanup.policy", configOperation: 2, value: "compact" }],
    }],
  });
  assertEquals(appended.responses[0].errorCode, ErrorCode.NONE);
  assertEquals(
    clusterOf(broker).topics.get("cfg")!.configs.get("cleanup.policy"),
    "delete,compact",
  );
  const epochs = await c.request(ApiKey.OffsetForLeaderEpoch, 4, {
    replicaId: -1,
    topics: [{
      topic: "cfg",
      partitions: [{ partition: 0, currentLeaderEpoch: 0, leaderEpoch: 0 }, {
        partition: 0,
        currentLeaderEpoch: 5,
        leaderEpoch: 0,
      }],
    }],
  });
  assertEquals(epochs.topics[0].partitions.map((p) => [p.errorCode, p.leaderEpoch, p.endOffset]), [
    [ErrorCode.NONE, 0, 10n],
    [ErrorCode.UNKNOWN_LEADER_EPOCH, -1, -1n],
  ]);
});
