import { clusterOf } from "../../broker/broker_internals.ts";
import { assertEquals, assertOk, assertRejects } from "../assert.ts";
import { ApiKey, decodeRecordBatches } from "../../codec/mod.ts";
import { Broker } from "../../broker/mod.ts";
import { Producer } from "../../client/producer/producer.ts";
import { partitionForKey } from "../../client/producer/partitioner.ts";

const te = new TextEncoder();
const td = new TextDecoder();

function stored(broker: Broker, topic: string, partition: number) {
  return clusterOf(broker).partition(topic, partition)!.log.batches.flatMap((b) =>
    decodeRecordBatches(b.bytes)
  );
}

Deno.test("producer: keyed records go to murmur2 partitions with consecutive offsets", async () => {
  await using broker = await Broker.start({ topics: { orders: { partitions: 4 } } });
  await using producer = new Producer({ bootstrapServers: broker.bootstrapServers, lingerMs: 1 });
  const metas = await producer.send(
    Array.from(
      { length: 40 },
      (_, i) => ({
        topic: "orders",
        key: `user-${i % 8}`,
        value: `order ${i}`,
        headers: { n: String(i) },
      }),
    ),
  );
  const next = new Map<number, bigint>();
  metas.forEach((m, i) => {
    assertEquals(m.partition, partitionForKey(te.encode(`user-${i % 8}`), 4));
    assertEquals(m.offset, next.get(m.partition) ?? 0n);
    next.set(m.partition, m.offset + 1n);
  });
  const all = [0, 1, 2, 3].flatMap((p) => stored(broker, "orders", p).flatMap((b) => b.records));
  assertEquals(all.length, 40);
  assertOk(all.every((r) => td.decode(r.value!).startsWith("order ") && r.headers[0].key === "n"));
  // Idempotence is on by default: batches carry a producer id and sequences.
  assertOk(
    stored(broker, "orders", 0).every((b) =>
      b.header.producerId >= 0n && b.header.baseSequence >= 0
    ),
  );
});

Deno.test("producer: every compression codec", async () => {
  await using broker = await Broker.start({ topics: { c: { partitions: 1 } } });
  for (const [name, id] of [["gzip", 1], ["snappy", 2], ["lz4", 3], ["zstd", 4]] as const) {
    await using producer = new Producer({
      bootstrapServers: broker.bootstrapServers,
      compression: name,
    });
    await producer.send(
      Array.from(
        { length: 20 },
        (_, i) => ({ topic: "c", value: `${name} ${i} ${"x".repeat(50)}` }),
      ),
    );
    const batches = stored(broker, "c", 0);
    const last = batches[batches.length - 1];
    assertEquals(last.compression, id, name);
    assertEquals(
      td.decode(last.records[last.records.length - 1].value!),
      `${name} 19 ${"x".repeat(50)}`,
    );
  }
});

Deno.test("producer: acks=0 sends without waiting for answers", async () => {
  await using broker = await Broker.start({ topics: { z: { partitions: 1 } } });
  await using producer = new Producer({
    bootstrapServers: broker.bootstrapServers,
    acks: 0,
    idempotent: false,
  });
  const meta = await producer.send({ topic: "z", value: "fire and forget" });
  assertEquals(meta.offset, -1n);
  await producer.flush();
  for (let i = 0; i < 50 && clusterOf(broker).partition("z", 0)!.log.logEndOffset === 0n; i++) {
    await new Promise((r) => setTimeout(r, 10));
  }
  assertEquals(clusterOf(broker).partition("z", 0)!.log.logEndOffset, 1n);
});

Deno.test("producer: a retried batch is written once (idempotence), after the connection drops", async () => {
  await using broker = await Broker.start({ topics: { i: { partitions: 1 } } });
  let dropped = 0;
  broker.intercept(async (request, next) => {
    const answer = await next();
    // The first Produce is appended, but its answer is lost with the connection.
    if (request.apiKey === ApiKey.Produce && dropped++ === 0) return "close";
    return answer;
  });
  await using producer = new Producer({
    bootstrapServers: broker.bootstrapServers,
    retryBackoffMs: 10,
  });
  const metas = await producer.send(
    Array.from({ length: 5 }, (_, i) => ({ topic: "i", value: `v${i}` })),
  );
  assertEquals(metas.map((m) => m.offset), [0n, 1n, 2n, 3n, 4n]);
  assertOk(dropped >= 2, "the batch was sent again");
  assertEquals(clusterOf(broker).partition("i", 0)!.log.logEndOffset, 5n);
});

Deno.test("producer: an unreachable cluster fails with a clear error, not a hang", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  await using producer = new Producer({
    bootstrapServers: `127.0.0.1:${port}`,
    maxBlockMs: 500,
    reconnectBackoffMs: 10,
  });
  await assertRejects(
    () => producer.send({ topic: "t", value: "x" }),
    Error,
    /No broker is reachable|connection refused/,
  );
});

Deno.test("producer: with one request in flight per partition, slow answers still drain every batch", async () => {
  await using broker = await Broker.start({ topics: { s: { partitions: 1 } } });
  broker.inject({ kind: "latency", apiKey: ApiKey.Produce, ms: 20 });
  await using producer = new Producer({
    bootstrapServers: broker.bootstrapServers,
    maxInFlightPerPartition: 1,
    batchSize: 1024,
    lingerMs: 0,
  });
  // ~10 batches queue behind one in-flight request; the sender must wait for answers, not spin.
  const metas = await producer.send(
    Array.from({ length: 100 }, (_, i) => ({ topic: "s", value: `${i}`.padEnd(80, ".") })),
  );
  assertEquals(metas.map((m) => m.offset), Array.from({ length: 100 }, (_, i) => BigInt(i)));
  assertOk(clusterOf(broker).partition("s", 0)!.log.batches.length >= 8, "many batches were sent");
});

Deno.test("producer: buffer memory back-pressure, and a bad partition fails only its own send", async () => {
  await using broker = await Broker.start({ topics: { b: { partitions: 2 } } });
  await using producer = new Producer({
    bootstrapServers: broker.bootstrapServers,
    bufferMemory: 4096,
    batchSize: 1024,
  });
  const big = Array.from({ length: 200 }, (_, i) => ({ topic: "b", partition: i % 2, value: "v" }));
  const [metas] = await Promise.all([
    producer.send(big),
    assertRejects(
      () => producer.send([{ topic: "b", value: "ok" }, { topic: "b", partition: 7, value: "x" }]),
      RangeError,
      /no partition 7/,
    ),
  ]);
  assertEquals(metas.length, 200);
  // Order within a partition is kept (the other send's keyless record may sit between them).
  for (const p of [0, 1]) {
    const offsets = metas.filter((m) => m.partition === p).map((m) => m.offset);
    assertEquals(offsets.length, 100);
    assertOk(offsets.every((o, i) => i === 0 || o > offsets[i - 1]), `partition ${p} in order`);
  }
  // The memory the failed record had reserved was given back: the producer still sends.
  assertEquals((await producer.send({ topic: "b", partition: 1, value: "after" })).partition, 1);
});
