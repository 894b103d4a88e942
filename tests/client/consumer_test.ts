import { assertEquals, assertOk, assertRejects } from "../assert.ts";
import { Broker } from "../../broker/mod.ts";
import { Producer } from "../../client/producer/producer.ts";
import { Consumer } from "../../client/consumer/consumer.ts";

const td = new TextDecoder();

Deno.test("consumer: manual assignment reads from earliest, seeks, pauses and resumes", async () => {
  await using broker = await Broker.start({ topics: { logs: { partitions: 2 } } });
  await using producer = new Producer({
    bootstrapServers: broker.bootstrapServers,
    compression: "snappy",
  });
  await producer.send(
    Array.from({ length: 30 }, (_, i) => ({ topic: "logs", partition: i % 2, value: `line ${i}` })),
  );
  await using consumer = new Consumer({
    bootstrapServers: broker.bootstrapServers,
    autoOffsetReset: "earliest",
    fetchMaxWaitMs: 50,
  });
  consumer.assign([{ topic: "logs", partition: 0 }, { topic: "logs", partition: 1 }]);
  const seen: string[] = [];
  for (let i = 0; i < 20 && seen.length < 30; i++) {
    for (const r of await consumer.poll()) seen.push(td.decode(r.value!));
  }
  assertEquals(seen.length, 30);
  assertEquals(new Set(seen).size, 30);
  assertEquals(consumer.position("logs", 0), 15n);
  // Seek back and read partition 1 only.
  consumer.seek("logs", 1, 10n);
  consumer.pause([{ topic: "logs", partition: 0 }]);
  const again = await consumer.poll({ timeoutMs: 500 });
  assertEquals(again.map((r) => [r.partition, r.offset]), [[1, 10n], [1, 11n], [1, 12n], [1, 13n], [
    1,
    14n,
  ]]);
  consumer.resume([{ topic: "logs", partition: 0 }]);
  // New records arrive through a long poll.
  const waiting = consumer.poll({ timeoutMs: 2000 });
  await producer.send({ topic: "logs", partition: 0, value: "late" });
  const late = await waiting;
  assertOk(late.some((r) => td.decode(r.value!) === "late"));
});

Deno.test("consumer: latest reset skips what was there, and for await yields records", async () => {
  await using broker = await Broker.start({ topics: { t: { partitions: 1 } } });
  await using producer = new Producer({ bootstrapServers: broker.bootstrapServers });
  await producer.send({ topic: "t", value: "old" });
  await using consumer = new Consumer({
    bootstrapServers: broker.bootstrapServers,
    fetchMaxWaitMs: 50,
  });
  consumer.assign([{ topic: "t", partition: 0 }]);
  await consumer.poll({ timeoutMs: 100 });
  await producer.send({ topic: "t", value: "new" });
  for await (const r of consumer) {
    assertEquals([td.decode(r.value!), r.offset], ["new", 1n]);
    break;
  }
});

Deno.test("consumer: a poll returns by its timeout while a long fetch goes on; a seek drops its answer", async () => {
  await using broker = await Broker.start({ topics: { t: { partitions: 1 } } });
  await using producer = new Producer({ bootstrapServers: broker.bootstrapServers });
  await producer.send([{ topic: "t", value: "a" }, { topic: "t", value: "b" }]);
  await using consumer = new Consumer({
    bootstrapServers: broker.bootstrapServers,
    autoOffsetReset: "latest",
    // The broker holds each empty fetch for up to a minute.
    fetchMaxWaitMs: 60_000,
  });
  consumer.assign([{ topic: "t", partition: 0 }]);
  const started = Date.now();
  assertEquals(await consumer.poll({ timeoutMs: 50 }), []);
  assertEquals(await consumer.poll({ timeoutMs: 50 }), []);
  // Far below the fetch's wait: the polls did not wait for it.
  assertOk(Date.now() - started < 30_000, `two polls took ${Date.now() - started} ms`);
  // The fetch still waiting from offset 2 is answered by this record...
  await producer.send({ topic: "t", value: "c" });
  const next = await consumer.poll({ timeoutMs: 10_000 });
  assertEquals(next.map((r) => [td.decode(r.value!), r.offset]), [["c", 2n]]);
  // ...and one sent before a seek is dropped: the records come from the new position.
  assertEquals(await consumer.poll({ timeoutMs: 50 }), []);
  consumer.seek("t", 0, 0n);
  await producer.send({ topic: "t", value: "d" });
  const fromStart = await consumer.poll({ timeoutMs: 10_000 });
  assertEquals(fromStart.map((r) => td.decode(r.value!)).slice(0, 1), ["a"]);
  assertEquals(consumer.position("t", 0)! <= 4n, true);
});

Deno.test("consumer: an aborted signal ends a poll's wait; nothing fetched is lost", async () => {
  await using broker = await Broker.start({ topics: { t: { partitions: 1 } } });
  await using consumer = new Consumer({
    bootstrapServers: broker.bootstrapServers,
    autoOffsetReset: "earliest",
    fetchMaxWaitMs: 60_000,
  });
  consumer.assign([{ topic: "t", partition: 0 }]);
  const controller = new AbortController();
  const waiting = consumer.poll({ timeoutMs: 60_000, signal: controller.signal });
  setTimeout(() => controller.abort(new Error("shutting down")), 50);
  await assertRejects(() => waiting, Error, /shutting down/);
  await assertRejects(
    () => consumer.poll({ signal: AbortSignal.abort(new Error("already")) }),
    Error,
    /already/,
  );
  await using producer = new Producer({ bootstrapServers: broker.bootstrapServers });
  await producer.send({ topic: "t", value: "kept" });
  const records = await consumer.poll({ timeoutMs: 10_000 });
  assertEquals(records.map((r) => td.decode(r.value!)), ["kept"]);
});

Deno.test("consumer: records say whether their timestamp is the producer's or the broker's", async () => {
  await using broker = await Broker.start({
    topics: {
      created: { partitions: 1 },
      appended: { partitions: 1, configs: { "message.timestamp.type": "LogAppendTime" } },
    },
  });
  await using producer = new Producer({ bootstrapServers: broker.bootstrapServers });
  await producer.send([
    { topic: "created", value: "a", timestamp: 1000n },
    { topic: "appended", value: "b", timestamp: 1000n },
  ]);
  await using consumer = new Consumer({
    bootstrapServers: broker.bootstrapServers,
    autoOffsetReset: "earliest",
  });
  consumer.assign([{ topic: "created", partition: 0 }, { topic: "appended", partition: 0 }]);
  const seen = new Map<string, [string, boolean]>();
  for (let i = 0; i < 20 && seen.size < 2; i++) {
    for (const r of await consumer.poll({ timeoutMs: 200 })) {
      seen.set(r.topic, [r.timestampType, r.timestamp === 1000n]);
    }
  }
  assertEquals(seen.get("created"), ["CreateTime", true]);
  assertEquals(seen.get("appended"), ["LogAppendTime", false]);
});
