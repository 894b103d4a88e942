// What Brook's consumer speaking the consumer rebalance protocol (KIP-848, groupProtocol
// "consumer") is checked on, on Brook's broker (tests/client/kip848_consumer_test.ts) and on a real
// Kafka 4.1.1 (tests/interop/kip848_consumer_kafka_test.ts): two members share four partitions as
// the coordinator assigns them, every record is read once, offsets are committed with the member
// epoch, and when one member leaves the other takes every partition.
import { assertEquals, assertOk } from "../assert.ts";
import { Admin, Consumer, type ConsumerRecord, Producer } from "../../client/mod.ts";

const RECORDS = 200;

/** Polls the consumers in turn until `done` holds (at most two minutes). */
async function pollUntil(
  consumers: Consumer[],
  seen: (c: number, r: ConsumerRecord) => void,
  done: () => boolean,
): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (!done()) {
    assertOk(Date.now() < deadline, "the group did not get there within two minutes");
    await Promise.all(consumers.map(async (c, i) => {
      for (const r of await c.poll({ timeoutMs: 200 })) seen(i, r);
    }));
  }
}

const owned = (c: Consumer) => c.assignment().length;

/** Two consumer-protocol members read a topic of four partitions; then one leaves. */
export async function twoMembers(bootstrapServers: string): Promise<void> {
  const topic = `kip848-${Date.now() % 100000}`;
  const groupId = `${topic}-group`;
  await using admin = new Admin({ bootstrapServers });
  await admin.createTopics([{ name: topic, partitions: 4, replicationFactor: 1 }]);
  {
    await using producer = new Producer({ bootstrapServers, lingerMs: 1 });
    await producer.send(
      Array.from({ length: RECORDS }, (_, i) => ({ topic, partition: i % 4, value: `v${i}` })),
    );
  }
  const member = () =>
    new Consumer({
      bootstrapServers,
      groupId,
      groupProtocol: "consumer",
      autoOffsetReset: "earliest",
      fetchMaxWaitMs: 100,
    });
  const a = member();
  const b = member();
  const values: string[] = [];
  const seen = (_: number, r: ConsumerRecord) => values.push(new TextDecoder().decode(r.value!));
  try {
    a.subscribe([topic]);
    // The first member gets every partition, and reads.
    await pollUntil([a], seen, () => owned(a) === 4 && values.length > 0);
    b.subscribe([topic]);
    // The coordinator moves two partitions: the first gives them up, then the second takes them.
    await pollUntil([a, b], seen, () => owned(a) === 2 && owned(b) === 2);
    await pollUntil([a, b], seen, () => new Set(values).size >= RECORDS);
    assertEquals(new Set(values).size, RECORDS, "every record read");
    await a.commit();
    await b.commit();
    const described = (await admin.describeGroups([groupId]))[0];
    assertEquals(described.members.length, 2);
    const offsets = await admin.listConsumerGroupOffsets(groupId);
    assertEquals(offsets.reduce((n, o) => n + Number(o.offset), 0), RECORDS);
    // The first member leaves: the second takes its partitions.
    await a.close();
    await pollUntil([b], seen, () => owned(b) === 4);
    const listed = (await admin.listGroups()).find((g) => g.groupId === groupId);
    assertEquals(listed?.type, "consumer");
  } finally {
    await a.close();
    await b.close();
  }
  // Records read twice are those of partitions that moved before their offsets were committed.
  assertOk(values.length >= RECORDS);
}
