/**
 * The peer conformance scenarios with @platformatic/kafka (npm), run in this process.
 *
 * @module
 */

import {
  Admin,
  Consumer,
  MessagesStreamModes,
  Producer,
  stringDeserializers,
  stringSerializers,
} from "@platformatic/kafka";
import { duplicates, type ScenarioResults } from "./scenarios.ts";

const CODECS = ["none", "gzip", "snappy", "lz4", "zstd"] as const;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs every scenario against `bootstrap`, naming topics and groups after `prefix`. */
export async function platformaticScenarios(
  bootstrap: string,
  prefix: string,
): Promise<ScenarioResults> {
  const bootstrapBrokers = bootstrap.split(",");
  const base = { clientId: `${prefix}-pf`, bootstrapBrokers };
  const admin = new Admin(base);
  const create = (topic: string, partitions: number) =>
    admin.createTopics({ topics: [topic], partitions, replicas: 1 });
  const out = {} as ScenarioResults;
  try {
    const topic = `${prefix}-admin`;
    await create(topic, 3);
    const meta = await admin.metadata({ topics: [topic] });
    await admin.deleteTopics({ topics: [topic] });
    let deleted = false;
    for (let i = 0; i < 50 && !deleted; i++) {
      deleted = !(await admin.listTopics()).includes(topic);
      if (!deleted) await sleep(100);
    }
    out.admin = { partitions: meta.topics.get(topic)!.partitionsCount, deleted };
    out.metadata = { brokers: (await admin.metadata({ topics: [] })).brokers.size };

    out.compression = {};
    for (const codec of CODECS) {
      const t = `${prefix}-c-${codec}`;
      await create(t, 1);
      const want = Array.from({ length: 5 }, (_, i) => `${codec}-${i}`);
      const producer = new Producer({ ...base, serializers: stringSerializers });
      await producer.send({
        messages: want.map((value) => ({ topic: t, value, partition: 0 })),
        compression: codec,
      });
      await producer.close();
      const got = await readAll(base, t, 5, prefix);
      out.compression[codec] = got.join() === want.join() ? 5 : got.length;
    }

    const idem = `${prefix}-idem`;
    await create(idem, 1);
    const producer = new Producer({ ...base, serializers: stringSerializers, idempotent: true });
    await producer.send({
      messages: Array.from(
        { length: 20 },
        (_, i) => ({ topic: idem, value: `idem-${i}`, partition: 0 }),
      ),
      acks: -1,
    });
    await producer.close();
    const got = await readAll(base, idem, 20, prefix);
    out.idempotent = { read: got.length, duplicates: duplicates(got) };

    out.group = await group(base, admin, prefix);
  } finally {
    await admin.close();
  }
  return out;
}

type Base = { clientId: string; bootstrapBrokers: string[] };

async function readAll(
  base: Base,
  topic: string,
  count: number,
  prefix: string,
): Promise<string[]> {
  const consumer = new Consumer({
    ...base,
    groupId: `${prefix}-reader-${topic}`,
    deserializers: stringDeserializers,
  });
  const stream = await consumer.consume({ topics: [topic], mode: MessagesStreamModes.EARLIEST });
  const got: string[] = [];
  const done = new Promise<void>((resolve) => {
    stream.on("data", (m: { value: string }) => {
      got.push(m.value);
      if (got.length >= count) resolve();
    });
  });
  await Promise.race([done, sleep(20000)]);
  await stream.close();
  await consumer.close();
  return got;
}

async function group(base: Base, admin: Admin, prefix: string): Promise<ScenarioResults["group"]> {
  const topic = `${prefix}-group`, groupId = `${prefix}-g`;
  await admin.createTopics({ topics: [topic], partitions: 4, replicas: 1 });
  const producer = new Producer({ ...base, serializers: stringSerializers });
  await producer.send({
    messages: Array.from({ length: 40 }, (_, i) => ({ topic, value: `g-${i}`, partition: i % 4 })),
  });
  await producer.close();
  const seen: string[] = [];
  const member = async () => {
    const consumer = new Consumer({
      ...base,
      groupId,
      deserializers: stringDeserializers,
      sessionTimeout: 10000,
      rebalanceTimeout: 10000,
      heartbeatInterval: 500,
    });
    const stream = await consumer.consume({
      topics: [topic],
      mode: MessagesStreamModes.EARLIEST,
      autocommit: false,
    });
    stream.on("data", async (m: { value: string; commit: () => unknown }) => {
      seen.push(m.value);
      await m.commit();
    });
    const assigned = () =>
      (consumer.assignments ?? []).reduce((n, a) => n + a.partitions.length, 0);
    return { consumer, stream, assigned };
  };
  const deadline = Date.now() + 30000;
  const waitFor = async (condition: () => boolean) => {
    while (!condition() && Date.now() < deadline) await sleep(50);
  };
  const a = await member();
  await waitFor(() => a.assigned() > 0);
  const before = a.assigned();
  const b = await member();
  await waitFor(() => b.assigned() > 0 && a.assigned() + b.assigned() === 4 && seen.length >= 40);
  const split = [a.assigned(), b.assigned()].sort();
  await sleep(200);
  for (const m of [a, b]) {
    await m.stream.close();
    await m.consumer.close();
  }
  const [offsets] = await admin.listConsumerGroupOffsets({ groups: [groupId] });
  const committed = offsets.topics.flatMap((t) => t.partitions)
    .reduce((sum, p) => sum + Math.max(0, Number(p.committedOffset)), 0);
  return { before, split, read: seen.length, duplicates: duplicates(seen), committed };
}
