/**
 * The peer conformance scenarios with KafkaJS (npm), run in this process.
 *
 * @module
 */

import { CompressionTypes, Kafka, logLevel } from "kafkajs";
import { duplicates, type ScenarioResults } from "./scenarios.ts";

const CODECS = {
  none: CompressionTypes.None,
  gzip: CompressionTypes.GZIP,
  snappy: CompressionTypes.Snappy,
  lz4: CompressionTypes.LZ4,
  zstd: CompressionTypes.ZSTD,
};

/** Runs every scenario against `bootstrap`, naming topics and groups after `prefix`. */
export async function kafkajsScenarios(
  bootstrap: string,
  prefix: string,
): Promise<ScenarioResults> {
  const kafka = new Kafka({
    clientId: `${prefix}-kafkajs`,
    brokers: bootstrap.split(","),
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  const create = (topic: string, numPartitions: number) =>
    admin.createTopics({
      topics: [{ topic, numPartitions, replicationFactor: 1 }],
      waitForLeaders: true,
    });
  const out = {} as ScenarioResults;
  try {
    const topic = `${prefix}-admin`;
    await create(topic, 3);
    const meta = await admin.fetchTopicMetadata({ topics: [topic] });
    await admin.deleteTopics({ topics: [topic] });
    let deleted = false;
    for (let i = 0; i < 50 && !deleted; i++) {
      deleted = !(await admin.listTopics()).includes(topic);
      if (!deleted) await new Promise((r) => setTimeout(r, 100));
    }
    out.admin = { partitions: meta.topics[0].partitions.length, deleted };
    out.metadata = { brokers: (await admin.describeCluster()).brokers.length };

    out.compression = {};
    for (const [name, codec] of Object.entries(CODECS)) {
      const t = `${prefix}-c-${name}`;
      await create(t, 1);
      const want = Array.from({ length: 5 }, (_, i) => `${name}-${i}`);
      const producer = kafka.producer();
      await producer.connect();
      try {
        await producer.send({
          topic: t,
          compression: codec,
          messages: want.map((value) => ({ value })),
        });
        const got = await readAll(kafka, t, 5, prefix);
        out.compression[name] = got.join() === want.join() ? 5 : got.length;
      } catch (e) {
        // KafkaJS implements only gzip itself; the other codecs need plugins.
        out.compression[name] = `unsupported: ${(e as Error).message}`;
      } finally {
        await producer.disconnect();
      }
    }

    const idem = `${prefix}-idem`;
    await create(idem, 1);
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    await producer.send({
      topic: idem,
      acks: -1,
      messages: Array.from({ length: 20 }, (_, i) => ({ value: `idem-${i}` })),
    });
    await producer.disconnect();
    const got = await readAll(kafka, idem, 20, prefix);
    out.idempotent = { read: got.length, duplicates: duplicates(got) };

    out.group = await group(kafka, admin, prefix);
  } finally {
    await admin.disconnect();
  }
  return out;
}

/** Reads partition 0 of `topic` from the start (KafkaJS consumes through a group only). */
async function readAll(
  kafka: Kafka,
  topic: string,
  count: number,
  prefix: string,
): Promise<string[]> {
  const consumer = kafka.consumer({ groupId: `${prefix}-reader-${topic}` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const got: string[] = [];
  const done = new Promise<void>((resolve) => {
    consumer.run({
      eachMessage: ({ message }) => {
        got.push(message.value!.toString());
        if (got.length >= count) resolve();
        return Promise.resolve();
      },
    });
  });
  await Promise.race([done, new Promise((r) => setTimeout(r, 20000))]);
  await consumer.disconnect();
  return got;
}

async function group(
  kafka: Kafka,
  admin: ReturnType<Kafka["admin"]>,
  prefix: string,
): Promise<ScenarioResults["group"]> {
  const topic = `${prefix}-group`, groupId = `${prefix}-g`;
  await admin.createTopics({
    topics: [{ topic, numPartitions: 4, replicationFactor: 1 }],
    waitForLeaders: true,
  });
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({
    topic,
    messages: Array.from({ length: 40 }, (_, i) => ({ value: `g-${i}`, partition: i % 4 })),
  });
  await producer.disconnect();
  const seen: string[] = [];
  const member = async () => {
    const consumer = kafka.consumer({ groupId, rebalanceTimeout: 10000, sessionTimeout: 10000 });
    const state = { consumer, assigned: 0 };
    consumer.on(consumer.events.GROUP_JOIN, (e) => {
      state.assigned = Object.values(e.payload.memberAssignment).flat().length;
    });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ partition, message }) => {
        seen.push(message.value!.toString());
        await consumer.commitOffsets([
          { topic, partition, offset: String(BigInt(message.offset) + 1n) },
        ]);
      },
    });
    return state;
  };
  const deadline = Date.now() + 30000;
  const waitFor = async (condition: () => boolean) => {
    while (!condition() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  };
  const a = await member();
  await waitFor(() => a.assigned > 0);
  const before = a.assigned;
  const b = await member();
  await waitFor(() => b.assigned > 0 && a.assigned + b.assigned === 4 && seen.length >= 40);
  const split = [a.assigned, b.assigned].sort();
  await a.consumer.disconnect();
  await b.consumer.disconnect();
  const offsets = await admin.fetchOffsets({ groupId, topics: [topic] });
  const committed = offsets[0].partitions.reduce(
    (sum, p) => sum + Math.max(0, Number(p.offset)),
    0,
  );
  return { before, split, read: seen.length, duplicates: duplicates(seen), committed };
}
