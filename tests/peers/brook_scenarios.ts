/**
 * The peer conformance scenarios with Brook's own client, so that it can be run against a real
 * Kafka exactly as the peers are run against Brook's broker.
 *
 * @module
 */

import { Admin, Consumer, Producer } from "../../client/mod.ts";
import { duplicates, type ScenarioResults } from "./scenarios.ts";

const CODECS = ["none", "gzip", "snappy", "lz4", "zstd"] as const;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const text = (b: Uint8Array | null) => new TextDecoder().decode(b!);

/** Runs every scenario against `bootstrap`, naming topics and groups after `prefix`. */
export async function brookScenarios(bootstrap: string, prefix: string): Promise<ScenarioResults> {
  const base = { bootstrapServers: bootstrap };
  await using admin = new Admin(base);
  const out = {} as ScenarioResults;
  const topic = `${prefix}-admin`;
  await admin.createTopics([{ name: topic, partitions: 3, replicationFactor: 1 }]);
  const [described] = await admin.describeTopics([topic]);
  await admin.deleteTopics([topic]);
  let deleted = false;
  for (let i = 0; i < 50 && !deleted; i++) {
    deleted = !(await admin.listTopics()).includes(topic);
    if (!deleted) await sleep(100);
  }
  out.admin = { partitions: described.partitions.length, deleted };
  out.metadata = { brokers: (await admin.describeCluster()).brokers.length };

  const readAll = async (t: string, count: number) => {
    await using consumer = new Consumer({ ...base, autoOffsetReset: "earliest" });
    consumer.assign([{ topic: t, partition: 0 }]);
    const got: string[] = [];
    const deadline = Date.now() + 20000;
    while (got.length < count && Date.now() < deadline) {
      for (const r of await consumer.poll({ timeoutMs: 200 })) got.push(text(r.value));
    }
    return got;
  };
  out.compression = {};
  for (const codec of CODECS) {
    const t = `${prefix}-c-${codec}`;
    await admin.createTopics([{ name: t, partitions: 1, replicationFactor: 1 }]);
    const want = Array.from({ length: 5 }, (_, i) => `${codec}-${i}`);
    {
      await using producer = new Producer({ ...base, compression: codec, lingerMs: 5 });
      await producer.send(want.map((value) => ({ topic: t, partition: 0, value })));
    }
    const got = await readAll(t, 5);
    out.compression[codec] = got.join() === want.join() ? 5 : got.length;
  }

  const idem = `${prefix}-idem`;
  await admin.createTopics([{ name: idem, partitions: 1, replicationFactor: 1 }]);
  {
    await using producer = new Producer({ ...base, idempotent: true, acks: "all" });
    await producer.send(
      Array.from({ length: 20 }, (_, i) => ({ topic: idem, value: `idem-${i}` })),
    );
  }
  const got = await readAll(idem, 20);
  out.idempotent = { read: got.length, duplicates: duplicates(got) };

  out.group = await group(admin, base, prefix);
  return out;
}

async function group(
  admin: Admin,
  base: { bootstrapServers: string },
  prefix: string,
): Promise<ScenarioResults["group"]> {
  const topic = `${prefix}-group`, groupId = `${prefix}-g`;
  await admin.createTopics([{ name: topic, partitions: 4, replicationFactor: 1 }]);
  {
    await using producer = new Producer(base);
    await producer.send(
      Array.from({ length: 40 }, (_, i) => ({ topic, partition: i % 4, value: `g-${i}` })),
    );
  }
  const seen: string[] = [];
  const options = { ...base, groupId, autoOffsetReset: "earliest" as const, autoCommit: false };
  const pollInto = async (c: Consumer) => {
    const records = await c.poll({ timeoutMs: 50 });
    for (const r of records) seen.push(text(r.value));
    if (records.length > 0) await c.commit();
  };
  await using a = new Consumer(options);
  a.subscribe([topic]);
  const deadline = Date.now() + 30000;
  while (a.assignment().length === 0 && Date.now() < deadline) await pollInto(a);
  const before = a.assignment().length;
  await using b = new Consumer(options);
  b.subscribe([topic]);
  while (Date.now() < deadline) {
    await Promise.all([pollInto(a), pollInto(b)]);
    const [na, nb] = [a.assignment().length, b.assignment().length];
    if (na > 0 && nb > 0 && na + nb === 4 && seen.length >= 40) break;
  }
  const split = [a.assignment().length, b.assignment().length].sort();
  const offsets = await admin.listConsumerGroupOffsets(groupId);
  const committed = offsets.reduce((sum, o) => sum + Number(o.offset), 0);
  return { before, split, read: seen.length, duplicates: duplicates(seen), committed };
}
