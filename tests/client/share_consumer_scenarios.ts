// What Brook's share consumer (KIP-932) is checked on, on Brook's broker and on a real Kafka 4.1.1:
// two consumers of one share group read every record once between them, and the admin client sees
// the group; in explicit mode a released record comes back with delivery count 2, and a rejected
// one never does.
import { assertEquals, assertOk } from "../assert.ts";
import { ApiKey } from "../../codec/mod.ts";
import {
  Admin,
  KafkaClient,
  Producer,
  ShareConsumer,
  type ShareConsumerRecord,
} from "../../client/mod.ts";

/** Records each scenario produces. */
export const RECORDS = 100;

/** Turns share groups on: Kafka 4.1 ships with share.version 0 (UpdateFeatures to level 1). */
export async function enableShareGroups(client: KafkaClient): Promise<void> {
  const res = await client.requestAny(ApiKey.UpdateFeatures, {
    timeoutMs: 5000,
    featureUpdates: [{ feature: "share.version", maxVersionLevel: 1, upgradeType: 1 }],
    validateOnly: false,
  });
  assertEquals(res.errorCode, 0, `UpdateFeatures: ${res.errorMessage}`);
}

/** Share groups on, a topic of three partitions with RECORDS records, read from the earliest. */
export async function prepare(bootstrapServers: string, name: string): Promise<void> {
  {
    await using client = new KafkaClient({ bootstrapServers });
    await enableShareGroups(client);
  }
  await using admin = new Admin({ bootstrapServers });
  await admin.createTopics([{ name, partitions: 3, replicationFactor: 1 }]);
  await admin.incrementalAlterConfigs([{
    resource: { type: "group", name: `${name}-group` },
    ops: [{ name: "share.auto.offset.reset", op: "set", value: "earliest" }],
  }]);
  await using producer = new Producer({ bootstrapServers, lingerMs: 1 });
  await producer.send(
    Array.from({ length: RECORDS }, (_, i) => ({ topic: name, value: `v${i}` })),
  );
}

/** Polls every consumer until `done` holds (at most a minute), handing each record to `seen`. */
async function pollUntil(
  consumers: ShareConsumer[],
  seen: (c: ShareConsumer, r: ShareConsumerRecord) => void,
  done: () => boolean,
): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!done()) {
    assertOk(Date.now() < deadline, "records were not all delivered within a minute");
    await Promise.all(consumers.map(async (c) => {
      for (const r of await c.poll({ timeoutMs: 200 })) seen(c, r);
      await c.commit();
    }));
  }
}

/** Two consumers with implicit acknowledgement read every record once between them. */
export async function implicitPair(bootstrapServers: string): Promise<void> {
  const topic = `share-implicit-${Date.now() % 100000}`;
  await prepare(bootstrapServers, topic);
  const consumers = [0, 1].map(() =>
    new ShareConsumer({ bootstrapServers, groupId: `${topic}-group` })
  );
  try {
    const values: string[] = [];
    for (const c of consumers) c.subscribe([topic]);
    await pollUntil(
      consumers,
      (_, r) => values.push(new TextDecoder().decode(r.value!)),
      () => values.length >= RECORDS,
    );
    assertEquals(new Set(values).size, RECORDS, "every record delivered");
    assertEquals(values.length, RECORDS, "no record delivered twice");
    // The admin client sees the group, its members and where it is in each partition.
    await using admin = new Admin({ bootstrapServers });
    // A member shows its new assignment once its next heartbeat has taken it: until both have,
    // the two may cover fewer partitions between them.
    const coverage = async () => {
      const [described] = await admin.describeShareGroups([`${topic}-group`]);
      const parts = described.members.flatMap((m) => m.assignment.map((a) => a.partition));
      return { described, covered: new Set(parts).size };
    };
    let { described, covered } = await coverage();
    for (const deadline = Date.now() + 20_000; covered < 3 && Date.now() < deadline;) {
      await new Promise((r) => setTimeout(r, 100));
      ({ described, covered } = await coverage());
    }
    assertEquals([described.state, described.assignor, described.members.length], [
      "Stable",
      "simple",
      2,
    ]);
    assertEquals(covered, 3);
    const offsets = await admin.listShareGroupOffsets(`${topic}-group`);
    assertEquals(offsets.map((o) => o.partition).sort(), [0, 1, 2]);
    for (const c of consumers) await c.close();
    await admin.deleteShareGroupOffsets(`${topic}-group`, [topic]);
    assertEquals(await admin.listShareGroupOffsets(`${topic}-group`), []);
  } finally {
    for (const c of consumers) await c.close();
  }
}

/** Even records released once then accepted, odd ones rejected: delivery counts as Kafka keeps them. */
export async function explicitAcknowledgements(bootstrapServers: string): Promise<void> {
  const topic = `share-explicit-${Date.now() % 100000}`;
  await prepare(bootstrapServers, topic);
  const consumer = new ShareConsumer({
    bootstrapServers,
    groupId: `${topic}-group`,
    acknowledgementMode: "explicit",
  });
  try {
    consumer.subscribe([topic]);
    const deliveries = new Map<string, number[]>();
    let accepted = 0;
    await pollUntil([consumer], (c, r) => {
      const value = new TextDecoder().decode(r.value!);
      deliveries.set(value, [...deliveries.get(value) ?? [], r.deliveryCount]);
      const n = Number(value.slice(1));
      if (n % 2 === 1) return c.acknowledge(r, "reject");
      if (r.deliveryCount === 1) return c.acknowledge(r, "release");
      c.acknowledge(r, "accept");
      accepted++;
    }, () => accepted >= RECORDS / 2);
    for (const [value, counts] of deliveries) {
      const odd = Number(value.slice(1)) % 2 === 1;
      assertEquals(counts, odd ? [1] : [1, 2], `deliveries of ${value}`);
    }
    assertEquals(deliveries.size, RECORDS);
  } finally {
    await consumer.close();
  }
}

/**
 * A group with share.isolation.level=read_committed: records of an aborted transaction between two
 * committed ones are never delivered; the committed ones all are, once.
 */
export async function readCommitted(bootstrapServers: string): Promise<void> {
  const topic = `share-txn-${Date.now() % 100000}`;
  const group = `${topic}-group`;
  await prepare(bootstrapServers, topic);
  await using admin = new Admin({ bootstrapServers });
  await admin.incrementalAlterConfigs([{
    resource: { type: "group", name: group },
    ops: [{ name: "share.isolation.level", op: "set", value: "read_committed" }],
  }]);
  {
    await using producer = new Producer({
      bootstrapServers,
      transactionalId: `${topic}-txn`,
      lingerMs: 1,
    });
    await producer.initTransactions();
    for (const [prefix, commit] of [["c", true], ["a", false], ["d", true]] as const) {
      producer.beginTransaction();
      await producer.send(
        Array.from({ length: 10 }, (_, i) => ({ topic, partition: 0, value: `${prefix}${i}` })),
      );
      if (commit) await producer.commitTransaction();
      else await producer.abortTransaction();
    }
  }
  const consumer = new ShareConsumer({ bootstrapServers, groupId: group });
  try {
    consumer.subscribe([topic]);
    const values: string[] = [];
    // RECORDS plain records from prepare(), then the two committed transactions.
    await pollUntil(
      [consumer],
      (_, r) => values.push(new TextDecoder().decode(r.value!)),
      () => values.length >= RECORDS + 20,
    );
    // A last poll: nothing else (an aborted record) is left to deliver.
    for (const r of await consumer.poll({ timeoutMs: 500 })) {
      values.push(new TextDecoder().decode(r.value!));
    }
    assertEquals(values.filter((v) => v.startsWith("a")), [], "no aborted record delivered");
    assertEquals(values.length, RECORDS + 20);
    assertEquals(
      values.filter((v) => /^[cd]/.test(v)),
      [..."cd"].flatMap((p) => Array.from({ length: 10 }, (_, i) => `${p}${i}`)),
    );
  } finally {
    await consumer.close();
  }
}
