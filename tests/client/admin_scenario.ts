// One admin scenario run against Brook's broker (tests/client/admin_groups_test.ts) and a real
// Kafka 4.1.1 (tests/interop/admin_kafka_test.ts): configs, groups and their offsets, offsets and
// records of partitions. The same assertions hold on both.
import { assertEquals, assertOk, assertRejects } from "../assert.ts";
import { ErrorCode, KafkaProtocolError } from "../../codec/mod.ts";
import { Admin, Consumer, Producer } from "../../client/mod.ts";

/** Runs the scenario against `bootstrapServers` (topics and groups are prefixed by `prefix`). */
export async function adminScenario(bootstrapServers: string, prefix: string): Promise<void> {
  await using admin = new Admin({ bootstrapServers });
  const topic = `${prefix}-adm`;
  await admin.createTopics([{
    name: topic,
    partitions: 2,
    replicationFactor: 1,
    configs: { "retention.ms": "123456" },
  }]);
  const resource = { type: "topic" as const, name: topic };
  const value = async (name: string) => {
    const [d] = await admin.describeConfigs([resource]);
    return d.entries.find((e) => e.name === name);
  };

  // Configs: a topic override, a default, a change, a deletion back to the default.
  assertEquals((await value("retention.ms"))?.value, "123456");
  assertEquals((await value("retention.ms"))?.source, "DYNAMIC_TOPIC_CONFIG");
  assertEquals((await value("cleanup.policy"))?.value, "delete");
  assertEquals((await value("cleanup.policy"))?.source, "DEFAULT_CONFIG");
  await admin.incrementalAlterConfigs([{
    resource,
    ops: [{ name: "retention.ms", op: "set", value: "999" }],
  }]);
  assertEquals((await value("retention.ms"))?.value, "999");
  await admin.incrementalAlterConfigs([{
    resource,
    ops: [{ name: "retention.ms", op: "delete" }],
  }]);
  assertEquals((await value("retention.ms"))?.value, "604800000");
  assertEquals((await value("retention.ms"))?.source, "DEFAULT_CONFIG");
  const bad = await assertRejects(
    () =>
      admin.incrementalAlterConfigs([{
        resource,
        ops: [{ name: "retention.ms", op: "set", value: "soon" }],
      }], { validateOnly: true }),
    KafkaProtocolError,
  );
  assertEquals((bad as KafkaProtocolError).code, ErrorCode.INVALID_CONFIG);
  const cluster = await admin.describeCluster();
  const [broker] = await admin.describeConfigs([{
    type: "broker",
    name: String(cluster.brokers[0].nodeId),
  }]);
  assertOk(broker.entries.some((e) => e.name === "message.max.bytes" && e.value !== null));

  // The metadata quorum: a leader among the voters, all caught up, the log growing.
  const quorum = await admin.describeMetadataQuorum();
  const voterIds = quorum.voters.map((v) => v.replicaId);
  assertOk(voterIds.includes(quorum.leaderId), `leader ${quorum.leaderId} among ${voterIds}`);
  assertOk(quorum.leaderEpoch >= 1 && quorum.highWatermark > 0n);
  for (const v of quorum.voters) {
    assertOk(v.directoryId !== null && v.logEndOffset === quorum.highWatermark);
    assertOk(v.lastFetchTimestamp > 0n && v.lastCaughtUpTimestamp > 0n);
  }
  assertEquals(quorum.nodes.map((n) => n.nodeId), voterIds);
  await admin.createTopics([{ name: `${topic}-q`, partitions: 1, replicationFactor: 1 }]);
  assertOk((await admin.describeMetadataQuorum()).highWatermark > quorum.highWatermark);

  // Offsets and records of partitions.
  const base = Date.now() - 60_000;
  {
    await using producer = new Producer({ bootstrapServers, lingerMs: 1 });
    for (let i = 0; i < 10; i++) {
      await producer.send({ topic, partition: 0, value: `v${i}`, timestamp: base + i * 10 });
    }
  }
  const spec = (s: "earliest" | "latest" | "max-timestamp" | { timestamp: number }) => ({
    topic,
    partition: 0,
    spec: s,
  });
  const listed = await admin.listOffsets([
    spec("earliest"),
    spec("latest"),
    spec("max-timestamp"),
    spec({ timestamp: base + 45 }),
    spec({ timestamp: base + 1000 }),
  ]);
  assertEquals(listed.map((o) => o.offset), [0n, 10n, 9n, 5n, -1n]);
  assertEquals(listed[2].timestamp, BigInt(base + 90));
  assertEquals(
    await admin.deleteRecords([{ topic, partition: 0, offset: 4n }]),
    [{ topic, partition: 0, lowWatermark: 4n }],
  );
  assertEquals((await admin.listOffsets([spec("earliest")]))[0].offset, 4n);

  // A group without members: offsets set, listed, deleted; the group deleted.
  const group = `${prefix}-adm-g`;
  await admin.alterConsumerGroupOffsets(group, [
    { topic, partition: 0, offset: 5n },
    { topic, partition: 1, offset: 0n },
  ]);
  const committed = await admin.listConsumerGroupOffsets(group);
  assertEquals(
    committed.map((o) => [o.partition, o.offset]).sort(),
    [[0, 5n], [1, 0n]],
  );
  const listing = (await admin.listGroups()).find((g) => g.groupId === group);
  assertEquals(listing?.state, "Empty");
  const [empty] = await admin.describeGroups([group]);
  assertEquals([empty.state, empty.members.length], ["Empty", 0]);
  await admin.deleteConsumerGroupOffsets(group, [{ topic, partition: 1 }]);
  assertEquals((await admin.listConsumerGroupOffsets(group)).map((o) => o.partition), [0]);
  await admin.deleteGroups([group]);
  assertOk(!(await admin.listGroups()).some((g) => g.groupId === group));

  // A live consumer group: described with its member's partitions; its offsets are not reset.
  const live = `${prefix}-adm-live`;
  await using consumer = new Consumer({
    bootstrapServers,
    groupId: live,
    autoOffsetReset: "earliest",
    assignors: ["range"],
  });
  consumer.subscribe([topic]);
  const deadline = Date.now() + 30_000;
  while (consumer.assignment().length < 2 && Date.now() < deadline) {
    await consumer.poll({ timeoutMs: 100 });
  }
  const [described] = await admin.describeGroups([live]);
  assertEquals([described.state, described.protocolType, described.protocol], [
    "Stable",
    "consumer",
    "range",
  ]);
  assertEquals(
    described.members[0].assignment.map((a) => a.partition).sort(),
    [0, 1],
  );
  const busy = await assertRejects(
    () => admin.alterConsumerGroupOffsets(live, [{ topic, partition: 0, offset: 0n }]),
    KafkaProtocolError,
  );
  assertEquals((busy as KafkaProtocolError).code, ErrorCode.UNKNOWN_MEMBER_ID);
  const notEmpty = await assertRejects(() => admin.deleteGroups([live]), KafkaProtocolError);
  assertEquals((notEmpty as KafkaProtocolError).code, ErrorCode.NON_EMPTY_GROUP);
}
