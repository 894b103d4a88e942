// Mixed consumer groups (BROOK_INTEROP=1): a Brook consumer and a foreign consumer (Java kafka-clients
// 4.1.1, librdkafka through confluent-kafka, franz-go) in one group, on Brook's broker and on a real Kafka 4.1.1.
// Each side must read the other's subscription and assignment bytes: whichever member leads, the
// partitions are split without overlap, every record is read exactly once, and commits hold.
import { assertEquals, assertOk } from "../assert.ts";
import { Broker } from "../../broker/mod.ts";
import { Admin, Consumer, Producer } from "../../client/mod.ts";
import { startKafka } from "../interop/kafka_server.ts";
import { installJavaLibs, PeerMember, type PeerName, until } from "./group_peer.ts";

const enabled = Deno.env.get("BROOK_INTEROP") === "1";
const PARTITIONS = 6;
const RECORDS = 300;

type AssignorName = "range" | "roundrobin" | "cooperative-sticky";

/**
 * One scenario: the member named first joins first and leads the group; the other joins, the group
 * rebalances, then records are produced and both read until every partition's offset is committed.
 */
async function mixedGroup(
  bootstrapServers: string,
  peer: PeerName,
  assignor: AssignorName,
  leader: "brook" | "peer",
): Promise<void> {
  const topic = `mixed-${peer}-${assignor}-${leader}`;
  const group = `${topic}-group`;
  {
    await using admin = new Admin({ bootstrapServers });
    await admin.createTopics([{ name: topic, partitions: PARTITIONS, replicationFactor: 1 }]);
  }
  const brookRecords: string[] = [];
  await using consumer = new Consumer({
    bootstrapServers,
    groupId: group,
    assignors: [assignor],
    autoOffsetReset: "earliest",
    autoCommit: false,
    sessionTimeoutMs: 10_000,
    heartbeatIntervalMs: 500,
  });
  const poll = async () => {
    const records = await consumer.poll({ timeoutMs: 100 });
    for (const r of records) {
      brookRecords.push(`${r.partition}:${r.offset}:${new TextDecoder().decode(r.value!)}`);
    }
    if (records.length > 0) await consumer.commit();
  };
  consumer.subscribe([topic]);
  let member: PeerMember | undefined;
  try {
    if (leader === "brook") {
      await until("Brook's consumer owns every partition", () => {
        return consumer.assignment().length === PARTITIONS;
      }, poll);
      member = new PeerMember(peer, [bootstrapServers, topic, group, assignor]);
    } else {
      member = new PeerMember(peer, [bootstrapServers, topic, group, assignor]);
      const m = member;
      await until(
        "the peer owns every partition",
        () => m.assigned.length === PARTITIONS,
        () => new Promise((r) => setTimeout(r, 100)),
      );
    }
    const peerMember = member;
    const owned = () => {
      const mine = consumer.assignment().map((a) => a.partition);
      return [...mine, ...peerMember.assigned].sort((a, b) => a - b);
    };
    await until(
      "the partitions are split between both members",
      () =>
        consumer.assignment().length > 0 && peerMember.assigned.length > 0 &&
        owned().join() === [...Array(PARTITIONS).keys()].join(),
      poll,
    );
    const split = {
      brook: consumer.assignment().map((a) => a.partition),
      peer: peerMember.assigned,
    };
    {
      await using producer = new Producer({ bootstrapServers, lingerMs: 1 });
      await producer.send(
        Array.from({ length: RECORDS }, (_, i) => ({ topic, key: `k${i}`, value: `v${i}` })),
      );
    }
    const committedTotal = async () => {
      const committed = await consumer.committed([
        { topic, partitions: [...Array(PARTITIONS).keys()] },
      ]);
      let total = 0n;
      for (const offset of committed.get(topic)?.values() ?? []) {
        if (offset > 0n) total += offset;
      }
      return total === BigInt(RECORDS);
    };
    let polls = 0;
    await until(
      "every record is committed",
      () => polls % 10 === 0 ? committedTotal() : false,
      () => {
        polls++;
        return poll();
      },
    );
    const peerRecords = await member.stop();
    member = undefined;
    const values = (list: string[]) => list.map((r) => r.split(":")[2]);
    const all = [...values(brookRecords), ...values(peerRecords)];
    assertEquals(new Set(all).size, RECORDS, "every record read");
    assertEquals(all.length, RECORDS, "no record read twice");
    const partitionsOf = (list: string[]) => new Set(list.map((r) => Number(r.split(":")[0])));
    assertOk([...partitionsOf(brookRecords)].every((p) => split.brook.includes(p)));
    assertOk([...partitionsOf(peerRecords)].every((p) => split.peer.includes(p)));
    assertOk(brookRecords.length > 0 && peerRecords.length > 0, "both members read records");
  } finally {
    await member?.stop();
  }
}

const scenarios: [PeerName, AssignorName, "brook" | "peer"][] = [
  ["java", "range", "peer"],
  ["java", "cooperative-sticky", "brook"],
  ["java", "roundrobin", "brook"],
  ["librdkafka", "range", "brook"],
  ["librdkafka", "cooperative-sticky", "peer"],
  ["franz-go", "range", "brook"],
  ["franz-go", "cooperative-sticky", "peer"],
];

Deno.test({
  name: "mixed groups: Brook and foreign consumers share a group on Brook's broker",
  ignore: !enabled,
  async fn(t) {
    await installJavaLibs();
    await using broker = await Broker.start();
    for (const [peer, assignor, leader] of scenarios) {
      await t.step(
        `${peer}, ${assignor}, ${leader} leads`,
        () => mixedGroup(broker.bootstrapServers, peer, assignor, leader),
      );
    }
  },
});

Deno.test({
  name: "mixed groups: Brook and foreign consumers share a group on a real Kafka 4.1.1",
  ignore: !enabled,
  async fn(t) {
    await installJavaLibs();
    await using kafka = await startKafka();
    for (const [peer, assignor, leader] of scenarios) {
      await t.step(
        `${peer}, ${assignor}, ${leader} leads`,
        () => mixedGroup(kafka.bootstrapServers, peer, assignor, leader),
      );
    }
  },
});
