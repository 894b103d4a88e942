// The consumer rebalance protocol (KIP-848) with Java kafka-clients 4.1.1, librdkafka (through
// confluent-kafka), franz-go and Brook's consumer, group.protocol=consumer (franz-go: its server-side balancer), on Brook's broker and on a real Kafka 4.1.1
// (BROOK_INTEROP=1): two members split the partitions
// with the broker's assignor, read every record once and commit; when the second leaves, the first
// takes over its partitions and carries on from the committed offsets. With a classic member first,
// the second one's join upgrades the group to a consumer group online, and its leaving turns the
// group back into a classic one (KIP-848's migration).
import { assertEquals, assertOk } from "../assert.ts";
import { Broker } from "../../broker/mod.ts";
import { Admin, Producer } from "../../client/mod.ts";
import { startKafka } from "../interop/kafka_server.ts";
import { installJavaLibs, PeerMember, type PeerName, until } from "./group_peer.ts";

const enabled = Deno.env.get("BROOK_INTEROP") === "1";
const PARTITIONS = 6;
const RECORDS = 200;
const ALL = [...Array(PARTITIONS).keys()].join();
const PAIRS: [Joiner, Joiner][] = [
  [["java", "uniform"], ["java", "uniform"]],
  [["java", "server-range"], ["java", "server-range"]],
  [["java", "range"], ["java", "uniform"]],
  [["java", "cooperative-sticky"], ["java", "uniform"]],
  [["librdkafka", "uniform"], ["java", "uniform"]],
  [["java", "uniform"], ["librdkafka", "uniform"]],
  [["librdkafka", "cooperative-sticky"], ["librdkafka", "uniform"]],
  [["franz-go", "uniform"], ["java", "uniform"]],
  [["franz-go", "range"], ["franz-go", "server-range"]],
  [["brook", "uniform"], ["java", "uniform"]],
  [["java", "server-range"], ["brook", "server-range"]],
  [["brook", "range"], ["brook", "uniform"]],
];
const named = ([peer, joins]: Joiner) => `${peer} ${joins}`;

async function produce(bootstrapServers: string, topic: string, from: number): Promise<void> {
  await using producer = new Producer({ bootstrapServers, lingerMs: 1 });
  await producer.send(
    Array.from(
      { length: RECORDS },
      (_, i) => ({ topic, key: `k${from + i}`, value: `v${from + i}` }),
    ),
  );
}

/** How each member joins: a server assignor (consumer protocol) or a classic assignor. */
type Joining = "uniform" | "server-range" | "range" | "cooperative-sticky";

/** A member: which client, and how it joins. */
type Joiner = [PeerName, Joining];

async function sharedGroup(
  bootstrapServers: string,
  [firstPeer, firstJoins]: Joiner,
  [secondPeer, secondJoins]: Joiner,
): Promise<void> {
  const topic = `kip848-${firstPeer}-${firstJoins}-${secondPeer}-${secondJoins}-${
    Date.now() % 100000
  }`;
  const group = `${topic}-group`;
  await using admin = new Admin({ bootstrapServers });
  await admin.createTopics([{ name: topic, partitions: PARTITIONS, replicationFactor: 1 }]);
  const committed = async () => {
    const offsets = await admin.listConsumerGroupOffsets(group);
    return offsets.filter((o) => o.topic === topic).reduce((n, o) => n + Number(o.offset), 0);
  };
  const pause = () => new Promise((r) => setTimeout(r, 200));
  const first = new PeerMember(firstPeer, [bootstrapServers, topic, group, firstJoins]);
  let second: PeerMember | undefined;
  try {
    await until(
      "the first member owns every partition",
      () => first.assigned.join() === ALL,
      pause,
    );
    second = new PeerMember(secondPeer, [bootstrapServers, topic, group, secondJoins]);
    const both = second;
    await until(
      "the partitions are split between both members, without overlap",
      () =>
        first.assigned.length > 0 && both.assigned.length > 0 &&
        [...first.assigned, ...both.assigned].sort((a, b) => a - b).join() === ALL,
      pause,
    );
    const listed = await admin.listGroups({ types: ["consumer"] });
    assertEquals(listed.find((g) => g.groupId === group)?.state, "Stable");
    const [described] = await admin.describeGroups([group]);
    assertEquals(
      [described.type, described.state, described.protocol, described.members.length],
      ["consumer", "Stable", secondJoins === "server-range" ? "range" : "uniform", 2],
    );
    const partitions = described.members.flatMap((m) => m.assignment.map((a) => a.partition));
    assertEquals(partitions.sort((a, b) => a - b).join(), ALL);
    await produce(bootstrapServers, topic, 0);
    await until("every record is committed", async () => await committed() === RECORDS, pause);
    // The second member leaves; the first takes over. A group the second upgraded becomes a
    // classic group again.
    const secondRecords = await both.stop();
    second = undefined;
    await until(
      "the first member owns every partition",
      () => first.assigned.join() === ALL,
      pause,
    );
    const classicFirst = firstJoins === "range" || firstJoins === "cooperative-sticky";
    const type = async () => (await admin.listGroups()).find((g) => g.groupId === group)?.type;
    assertEquals(await type(), classicFirst ? "classic" : "consumer");
    await produce(bootstrapServers, topic, RECORDS);
    await until(
      "the new records are committed",
      async () => await committed() === 2 * RECORDS,
      pause,
    );
    const firstRecords = await first.stop();
    const values = [...firstRecords, ...secondRecords].map((r) => r.split(":")[2]);
    assertEquals(new Set(values).size, 2 * RECORDS, "every record read");
    assertEquals(values.length, 2 * RECORDS, "no record read twice");
    assertOk(secondRecords.length > 0, "the second member read records before it left");
  } finally {
    await first.stop();
    await second?.stop();
  }
}

Deno.test({
  name:
    "consumer protocol: Java, librdkafka, franz-go and Brook consumers (KIP-848) share a group on Brook's broker",
  ignore: !enabled,
  async fn(t) {
    await installJavaLibs();
    // Kafka's minimum heartbeat interval is 5 s; a test broker may make it shorter.
    await using broker = await Broker.start({
      configs: {
        "group.consumer.min.heartbeat.interval.ms": "500",
        "group.consumer.heartbeat.interval.ms": "500",
      },
    });
    for (const [first, second] of PAIRS) {
      await t.step(
        `${named(first)}, then ${named(second)}`,
        () => sharedGroup(broker.bootstrapServers, first, second),
      );
    }
  },
});

Deno.test({
  name:
    "consumer protocol: Java, librdkafka, franz-go and Brook consumers (KIP-848) share a group on a real Kafka 4.1.1",
  ignore: !enabled,
  async fn(t) {
    await installJavaLibs();
    await using kafka = await startKafka();
    for (const [first, second] of PAIRS) {
      await t.step(
        `${named(first)}, then ${named(second)}`,
        () => sharedGroup(kafka.bootstrapServers, first, second),
      );
    }
  },
});
