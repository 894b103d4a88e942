// Brook's share consumer speaks ShareFetch and ShareAcknowledge v2 where the broker offers them: the
// record-limit acquire mode (KIP-1206) and renewed acquisition locks (KIP-1222), against Brook's
// broker and a real Kafka 4.4.0; with a Kafka 4.1.1 it speaks v1, and asking for the record limit
// there fails (interop parts with BROOK_INTEROP=1; part of deno task test:interop).
import { assertEquals, assertOk, assertRejects } from "../assert.ts";
import { ApiKey, UnsupportedVersionError } from "../../codec/mod.ts";
import { Broker } from "../../broker/mod.ts";
import { Admin, KafkaClient, Producer, ShareConsumer } from "../../client/mod.ts";
import { startKafka } from "../interop/kafka_server.ts";

const interop = Deno.env.get("BROOK_INTEROP") === "1";
const RECORDS = 10;

/** Share groups on where they are not yet (Kafka 4.4 has them on from the start). */
async function shareGroupsOn(client: KafkaClient): Promise<void> {
  const versions = await client.requestAny(ApiKey.ApiVersions, {
    clientSoftwareName: "brook-test",
    clientSoftwareVersion: "1",
  });
  const level = versions.finalizedFeatures.find((f) => f.name === "share.version")
    ?.maxVersionLevel ?? 0;
  if (level >= 1) return;
  const res = await client.requestAny(ApiKey.UpdateFeatures, {
    timeoutMs: 5000,
    featureUpdates: [{ feature: "share.version", maxVersionLevel: 1, upgradeType: 1 }],
    validateOnly: false,
  });
  assertEquals(res.errorCode, 0, `UpdateFeatures: ${res.errorMessage}`);
}

/** A one-partition topic with RECORDS records in one batch, its share group reading from the start. */
async function prepare(bootstrapServers: string, topic: string): Promise<void> {
  {
    await using client = new KafkaClient({ bootstrapServers });
    await shareGroupsOn(client);
  }
  await using admin = new Admin({ bootstrapServers });
  await admin.createTopics([{ name: topic, partitions: 1, replicationFactor: 1 }]);
  await admin.incrementalAlterConfigs([{
    resource: { type: "group", name: `${topic}-group` },
    ops: [{ name: "share.auto.offset.reset", op: "set", value: "earliest" }],
  }]);
  await using producer = new Producer({ bootstrapServers, lingerMs: 50 });
  await producer.send(
    Array.from({ length: RECORDS }, (_, i) => ({ topic, partition: 0, value: `v${i}` })),
  );
}

/**
 * Three records a poll at most (the batch holds ten), the first renewed before it is accepted;
 * every record delivered once. Returns what was seen.
 */
async function recordLimitAndRenew(bootstrapServers: string) {
  const topic = `share-v2-${Date.now() % 100000}`;
  await prepare(bootstrapServers, topic);
  await using consumer = new ShareConsumer({
    bootstrapServers,
    groupId: `${topic}-group`,
    acknowledgementMode: "explicit",
    acquireMode: "record_limit",
    maxPollRecords: 3,
  });
  consumer.subscribe([topic]);
  const polls: number[] = [];
  const values: string[] = [];
  let renewed = false;
  const deadline = Date.now() + 60_000;
  while (values.length < RECORDS) {
    assertOk(Date.now() < deadline, "records were not all delivered within a minute");
    const records = await consumer.poll({ timeoutMs: 200 });
    if (records.length === 0) continue;
    polls.push(records.length);
    if (!renewed) {
      // Renewed, then still to be acknowledged: the broker keeps it acquired by this member.
      consumer.acknowledge(records[0], "renew");
      await consumer.commit();
      renewed = true;
    }
    for (const r of records) {
      values.push(new TextDecoder().decode(r.value!));
      consumer.acknowledge(r, "accept");
    }
    await consumer.commit();
  }
  const meta = await consumer.client.metadata([topic]);
  const connection = await consumer.client.connection([...meta.brokers.keys()][0]);
  return {
    versions: [ApiKey.ShareFetch, ApiKey.ShareAcknowledge].map((k) =>
      connection.negotiatedVersion(k)
    ),
    firstPoll: polls[0],
    largestPoll: Math.max(...polls),
    values: values.sort(),
  };
}

const want = {
  versions: [2, 2],
  firstPoll: 3,
  largestPoll: 3,
  values: Array.from({ length: RECORDS }, (_, i) => `v${i}`).sort(),
};

Deno.test({
  name: "share consumer: record limit and renewals (v2) on Brook's broker",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using brook = await Broker.start();
    assertEquals(await recordLimitAndRenew(brook.bootstrapServers), want);
  },
});

Deno.test({
  name: "share consumer: record limit and renewals (v2) on a real Kafka 4.4.0",
  ignore: !interop,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using kafka = await startKafka({ version: "4.4.0" });
    assertEquals(await recordLimitAndRenew(kafka.bootstrapServers), want);
  },
});

Deno.test({
  name: "share consumer: v1 with a real Kafka 4.1.1, where the record limit is refused",
  ignore: !interop,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using kafka = await startKafka();
    await assertRejects(
      () => recordLimitAndRenew(kafka.bootstrapServers),
      UnsupportedVersionError,
    );
  },
});
