// Share groups (KIP-932) with Java kafka-clients 4.1.1's KafkaShareConsumer, on Brook's broker and
// on a real Kafka 4.1.1 (BROOK_INTEROP=1): two members of one share group read the same partitions
// together; each record is accepted once. Records released on their first delivery come back with
// delivery count 2; rejected records never come back.
import { assertEquals, assertOk } from "../assert.ts";
import { Broker } from "../../broker/mod.ts";
import { Admin, KafkaClient, Producer } from "../../client/mod.ts";
import { startKafka } from "../interop/kafka_server.ts";
import { enableShareGroups } from "../client/share_consumer_scenarios.ts";
import { installJavaLibs, PeerMember, until } from "./group_peer.ts";

const enabled = Deno.env.get("BROOK_INTEROP") === "1";
const RECORDS = 200;

/** How the members acknowledge (see ShareMember.java). */
type Mode = "accept" | "release-first" | "reject-odd";

/** Share groups are off in Kafka 4.1 until share.version 1 is finalized. */
async function turnOnShareGroups(bootstrapServers: string): Promise<void> {
  await using client = new KafkaClient({ bootstrapServers });
  await enableShareGroups(client);
}

async function sharedReading(bootstrapServers: string, mode: Mode): Promise<void> {
  const topic = `share-${mode}-${Date.now() % 100000}`;
  const group = `${topic}-group`;
  await using admin = new Admin({ bootstrapServers });
  await admin.createTopics([{ name: topic, partitions: 3, replicationFactor: 1 }]);
  await admin.incrementalAlterConfigs([{
    resource: { type: "group", name: group },
    ops: [{ name: "share.auto.offset.reset", op: "set", value: "earliest" }],
  }]);
  {
    await using producer = new Producer({ bootstrapServers, lingerMs: 1 });
    await producer.send(
      Array.from({ length: RECORDS }, (_, i) => ({ topic, key: `k${i}`, value: `v${i}` })),
    );
  }
  const members = [0, 1].map(() =>
    new PeerMember("java-share", [bootstrapServers, topic, group, mode])
  );
  const accepting = mode === "reject-odd" ? RECORDS / 2 : RECORDS;
  let delivered: string[] = [];
  try {
    await until(
      "the members have accepted every record",
      () => members.reduce((n, m) => n + m.received, 0) >= accepting,
      () => new Promise((r) => setTimeout(r, 200)),
    );
    const described = await admin.listGroups();
    assertEquals(described.find((g) => g.groupId === group)?.type, "share");
  } finally {
    for (const m of members) delivered = delivered.concat(await m.stop());
  }
  // "P:OFFSET:VALUE:DELIVERY_COUNT"
  const deliveries = new Map<string, number[]>();
  for (const d of delivered) {
    const [, , value, count] = d.split(":");
    deliveries.set(value, [...deliveries.get(value) ?? [], Number(count)]);
  }
  assertEquals(deliveries.size, RECORDS, "every record delivered");
  for (const [value, counts] of deliveries) {
    const expected = mode === "release-first" ? [1, 2] : [1];
    assertEquals(counts.sort(), expected, `deliveries of ${value}`);
  }
  const busy = members.filter((m) => m.received > 0).length;
  assertOk(busy >= 1, "a member accepted records");
}

const MODES: Mode[] = ["accept", "release-first", "reject-odd"];

Deno.test({
  name: "share groups: Java share consumers (KIP-932) read together on Brook's broker",
  ignore: !enabled,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    await installJavaLibs();
    await using broker = await Broker.start({ nodes: 3 });
    await turnOnShareGroups(broker.bootstrapServers);
    for (const mode of MODES) {
      await t.step(mode, () => sharedReading(broker.bootstrapServers, mode));
    }
  },
});

Deno.test({
  name: "share groups: Java share consumers (KIP-932) read together on a real Kafka 4.1.1",
  ignore: !enabled,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    await installJavaLibs();
    await using kafka = await startKafka();
    await turnOnShareGroups(kafka.bootstrapServers);
    for (const mode of MODES) {
      await t.step(mode, () => sharedReading(kafka.bootstrapServers, mode));
    }
  },
});
