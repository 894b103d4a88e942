// Brook's share consumer (KIP-932) on Brook's broker, and on a real Kafka 4.1.1 (BROOK_INTEROP=1):
// two consumers of one share group read every record once between them; in explicit mode a
// released record comes back with delivery count 2, and a rejected one never does.
import { assertEquals, assertOk } from "../assert.ts";
import { ApiKey } from "../../codec/mod.ts";
import { Broker } from "../../broker/mod.ts";
import {
  Admin,
  KafkaClient,
  Producer,
  ShareConsumer,
  type ShareConsumerRecord,
} from "../../client/mod.ts";
import { startKafka } from "../interop/kafka_server.ts";

const interop = Deno.env.get("BROOK_INTEROP") === "1";
const RECORDS = 100;

async function prepare(bootstrapServers: string, name: string): Promise<void> {
  await using client = new KafkaClient({ bootstrapServers });
  const res = await client.requestAny(ApiKey.UpdateFeatures, {
    timeoutMs: 5000,
    featureUpdates: [{ feature: "share.version", maxVersionLevel: 1, upgradeType: 1 }],
    validateOnly: false,
  });
  assertEquals(res.errorCode, 0);
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
      for (const r of await c.poll(200)) seen(c, r);
      await c.commit();
    }));
  }
}

async function implicitPair(bootstrapServers: string): Promise<void> {
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
    const [described] = await admin.describeShareGroups([`${topic}-group`]);
    assertEquals([described.state, described.assignor, described.members.length], [
      "Stable",
      "simple",
      2,
    ]);
    const covered = new Set(described.members.flatMap((m) => m.assignment.map((a) => a.partition)));
    assertEquals(covered.size, 3);
    const offsets = await admin.listShareGroupOffsets(`${topic}-group`);
    assertEquals(offsets.map((o) => o.partition).sort(), [0, 1, 2]);
    for (const c of consumers) await c.close();
    await admin.deleteShareGroupOffsets(`${topic}-group`, [topic]);
    assertEquals(await admin.listShareGroupOffsets(`${topic}-group`), []);
  } finally {
    for (const c of consumers) await c.close();
  }
}

async function explicitAcknowledgements(bootstrapServers: string): Promise<void> {
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

Deno.test("share consumer: for await hands out every record once", async () => {
  await using broker = await Broker.start({
    features: { "share.version": 1 },
    configs: {
      "group.share.min.heartbeat.interval.ms": "200",
      "group.share.heartbeat.interval.ms": "200",
    },
  });
  const topic = "loop";
  await prepare(broker.bootstrapServers, topic);
  await using consumer = new ShareConsumer({
    bootstrapServers: broker.bootstrapServers,
    groupId: `${topic}-group`,
  });
  consumer.subscribe([topic]);
  const seen = new Set<string>();
  for await (const record of consumer) {
    seen.add(new TextDecoder().decode(record.value!));
    if (seen.size === RECORDS) break;
  }
  assertEquals(seen.size, RECORDS);
});

Deno.test({
  name: "share consumer: reads a share group on Brook's broker",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    await using broker = await Broker.start({
      nodes: 3,
      configs: {
        "group.share.min.heartbeat.interval.ms": "200",
        "group.share.heartbeat.interval.ms": "200",
      },
    });
    await t.step(
      "two consumers, implicit acknowledgement",
      () => implicitPair(broker.bootstrapServers),
    );
    await t.step(
      "explicit acknowledgement: release and reject",
      () => explicitAcknowledgements(broker.bootstrapServers),
    );
  },
});

Deno.test({
  name: "share consumer: reads a share group on a real Kafka 4.1.1",
  ignore: !interop,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    await using kafka = await startKafka();
    await t.step(
      "two consumers, implicit acknowledgement",
      () => implicitPair(kafka.bootstrapServers),
    );
    await t.step(
      "explicit acknowledgement: release and reject",
      () => explicitAcknowledgements(kafka.bootstrapServers),
    );
  },
});
