/**
 * Test support for producer integrity: records that carry their index, sending them the ways a
 * caller would, reading a topic back partition by partition with raw Fetch requests, and checking
 * that every record is stored exactly once and, per partition, in the order it was sent. Used
 * against Brook's broker and a real Kafka alike.
 *
 * @module
 */

import { ApiKey, decodeRecordBatches, ErrorCode } from "../../codec/mod.ts";
import { KafkaClient } from "../../client/mod.ts";
import { Producer, type ProducerOptions } from "../../client/producer/producer.ts";

const te = new TextEncoder();
const td = new TextDecoder();

/** A record value of `size` bytes that starts with its index. */
export function indexedValue(index: number, size = 100): Uint8Array {
  const bytes = new Uint8Array(size).fill(46);
  bytes.set(te.encode(`${index};`).subarray(0, size));
  return bytes;
}

/** The index a value starts with. */
export function indexOf(value: Uint8Array): number {
  return parseInt(td.decode(value.subarray(0, 12)), 10);
}

/**
 * Creates a topic and waits until every partition has a leader.
 *
 * @example
 * ```ts
 * await createTopic("127.0.0.1:9092", "orders", 6);
 * ```
 */
export async function createTopic(bootstrapServers: string, name: string, partitions: number) {
  await using client = new KafkaClient({ bootstrapServers });
  const md = await client.metadata(null);
  const res = await client.requestNode(md.controllerId, ApiKey.CreateTopics, {
    topics: [{ name, numPartitions: partitions, replicationFactor: 1 }],
    timeoutMs: 30000,
  });
  const code = res.topics[0].errorCode;
  if (code !== ErrorCode.NONE) throw new Error(`creating ${name}: error ${code}`);
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const t = (await client.metadata([name], { force: true })).topics.get(name);
    if (t?.partitions.length === partitions && t.partitions.every((p) => p.leader >= 0)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${name} has no leaders after 60 s`);
}

/**
 * Reads every record of a topic; returns the indices each partition holds, in offset order.
 *
 * @example
 * ```ts
 * const stored = await readIndices("127.0.0.1:9092", "orders");
 * console.log(stored.map((p) => p.length));
 * ```
 */
export async function readIndices(bootstrapServers: string, topic: string): Promise<number[][]> {
  await using client = new KafkaClient({ bootstrapServers });
  const t = (await client.metadata([topic], { force: true })).topics.get(topic);
  if (!t) throw new Error(`no topic ${topic}`);
  const out: number[][] = [];
  for (const p of t.partitions) {
    const indices: number[] = [];
    let offset = 0n;
    for (let round = 0; round < 100_000; round++) {
      const res = await client.requestNode(p.leader, ApiKey.Fetch, {
        replicaId: -1,
        maxWaitMs: 0,
        minBytes: 1,
        maxBytes: 16 << 20,
        isolationLevel: 0,
        topics: [{
          topic,
          topicId: t.topicId,
          partitions: [{
            partition: p.partition,
            fetchOffset: offset,
            partitionMaxBytes: 16 << 20,
            currentLeaderEpoch: -1,
            logStartOffset: -1n,
          }],
        }],
      });
      const part = res.responses[0].partitions[0];
      if (part.errorCode !== ErrorCode.NONE) {
        throw new Error(`fetching ${topic}-${p.partition}: error ${part.errorCode}`);
      }
      let progressed = false;
      for (const batch of decodeRecordBatches(part.records ?? new Uint8Array(0))) {
        for (let i = 0; i < batch.records.length; i++) {
          const at = batch.header.baseOffset + BigInt(batch.records[i].offsetDelta ?? i);
          if (at < offset) continue;
          indices.push(indexOf(batch.records[i].value!));
          offset = at + 1n;
          progressed = true;
        }
      }
      if (!progressed && offset >= part.highWatermark) break;
      if (!progressed) throw new Error(`no progress reading ${topic}-${p.partition} at ${offset}`);
    }
    out.push(indices);
  }
  return out;
}

/** What a topic holds compared with what was sent. */
export interface Integrity {
  stored: number;
  distinct: number;
  missing: number;
  duplicates: number;
  /** Records stored after a record sent later, in the same partition. */
  inversions: number;
}

/**
 * Compares the stored indices with `0..sent-1`; indices were given in send order, so each
 * partition must hold them increasing.
 *
 * @example
 * ```ts
 * const result = integrity([[0, 2], [1]], 3);
 * console.log(result); // { stored: 3, distinct: 3, missing: 0, duplicates: 0, inversions: 0 }
 * ```
 */
export function integrity(partitions: number[][], sent: number): Integrity {
  const seen = new Uint8Array(sent);
  let stored = 0;
  let duplicates = 0;
  let inversions = 0;
  for (const list of partitions) {
    for (let i = 0; i < list.length; i++) {
      stored++;
      const x = list[i];
      if (x >= 0 && x < sent) {
        if (seen[x]) duplicates++;
        seen[x] = 1;
      }
      if (i > 0 && x <= list[i - 1]) inversions++;
    }
  }
  const distinct = seen.reduce((a, b) => a + b, 0);
  return { stored, distinct, missing: sent - distinct, duplicates, inversions };
}

/** How the records are handed to the producer. */
export type SendShape = "arrays" | "singles";

/**
 * Sends records `0..count-1` (values of `size` bytes, keyed or not) as arrays of `arraySize` or as
 * single sends, at most `window` sends outstanding; resolves with the number of failed records.
 *
 * @example
 * ```ts
 * const failed = await sendIndexed(producer, "orders", { count: 1000, shape: "singles" });
 * ```
 */
export async function sendIndexed(
  producer: Producer,
  topic: string,
  options: {
    count: number;
    shape: SendShape;
    keyed?: boolean;
    first?: number;
    arraySize?: number;
    window?: number;
    size?: number;
  },
): Promise<{ failed: number; errors: Set<string> }> {
  const { count, shape, keyed = false, first = 0, arraySize = 1000, size = 100 } = options;
  const window = options.window ?? (shape === "arrays" ? 10 : 10_000);
  const errors = new Set<string>();
  let failed = 0;
  const record = (i: number) => ({
    topic,
    key: keyed ? `k${i % 97}` : null,
    value: indexedValue(i, size),
  });
  const outstanding = new Set<Promise<unknown>>();
  const step = shape === "arrays" ? arraySize : 1;
  for (let i = first; i < first + count; i += step) {
    const n = Math.min(step, first + count - i);
    const sent: Promise<unknown> = shape === "arrays"
      ? producer.send(Array.from({ length: n }, (_, j) => record(i + j)))
      : producer.send(record(i));
    const tracked = sent.then(
      () => {},
      (e) => {
        failed += n;
        errors.add((e as Error).message);
      },
    ).finally(() => outstanding.delete(tracked));
    outstanding.add(tracked);
    if (outstanding.size >= window) await Promise.race(outstanding);
  }
  await Promise.all(outstanding);
  return { failed, errors };
}

/**
 * Sends record 0 alone, then records 1-10000 as 10 concurrent arrays of 1000 (many batches of one
 * partition waiting at once), and checks what the topic holds.
 *
 * @example
 * ```ts
 * const result = await tenThousandAndOne("127.0.0.1:9092", "t", { acks: 1, idempotent: false });
 * console.log(result.missing, result.duplicates, result.inversions);
 * ```
 */
export async function tenThousandAndOne(
  bootstrapServers: string,
  topic: string,
  options: Partial<ProducerOptions>,
) {
  await using producer = new Producer({ ...options, bootstrapServers });
  await producer.send({ topic, value: indexedValue(0) });
  const { failed, errors } = await sendIndexed(producer, topic, {
    count: 10_000,
    first: 1,
    shape: "arrays",
    arraySize: 1000,
  });
  const result = integrity(await readIndices(bootstrapServers, topic), 10_001);
  return { failed, errors: [...errors], ...result };
}
