// What a producer reports when records cannot be delivered: flush() and close() reject with the
// undelivered records counted per partition and the last error; a delivery timeout is a
// KafkaTimeoutError.
import { assertEquals, assertOk, assertRejects } from "../assert.ts";
import { Broker } from "../../broker/mod.ts";
import {
  type AckEvent,
  KafkaDeliveryError,
  KafkaTimeoutError,
  Producer,
  type SendEvent,
} from "../../client/mod.ts";

Deno.test("producer failures: a broker that stops answering makes flush reject with per-partition counts", async () => {
  await using broker = await Broker.start({ topics: { t: { partitions: 2 } } });
  await using producer = new Producer({
    bootstrapServers: broker.bootstrapServers,
    requestTimeoutMs: 300,
    deliveryTimeoutMs: 1000,
    retryBackoffMs: 50,
    lingerMs: 1,
  });
  await producer.send({ topic: "t", partition: 0, value: "before" });
  // Produce requests are held far longer than the request timeout: no answer comes.
  const hold = broker.inject({ kind: "latency", apiKey: "Produce", ms: 60_000 });
  const sends = [
    ...Array.from(
      { length: 5 },
      (_, i) => producer.send({ topic: "t", partition: 0, value: `a${i}` }),
    ),
    ...Array.from(
      { length: 3 },
      (_, i) => producer.send({ topic: "t", partition: 1, value: `b${i}` }),
    ),
  ];
  const error = await assertRejects(() => producer.flush(), KafkaDeliveryError);
  assertEquals(error.count, 8);
  assertEquals([...error.undelivered.get("t")!].sort(), [[0, 5], [1, 3]]);
  assertOk(error.lastError instanceof KafkaTimeoutError, String(error.lastError));
  assertOk(error.message.startsWith("8 records not delivered (t-"), error.message);
  for (const s of await Promise.allSettled(sends)) {
    assertEquals(s.status, "rejected");
    assertOk((s as PromiseRejectedResult).reason instanceof KafkaTimeoutError);
  }
  // Reported once: the next flush has nothing to report.
  await producer.flush();
  const m = producer.client.instrumentation.metrics;
  assertEquals(m.value("record-error-total"), 8);
  assertOk(m.value("record-retry-total") > 0);
  hold.cancel();
});

Deno.test("producer failures: close gives up at its timeout and reports what it could not deliver", async () => {
  await using broker = await Broker.start({ topics: { t: { partitions: 1 } } });
  const producer = new Producer({
    bootstrapServers: broker.bootstrapServers,
    lingerMs: 1,
  });
  await producer.send({ topic: "t", value: "before" });
  broker.inject({ kind: "latency", apiKey: "Produce", ms: 60_000 });
  const sends = Array.from({ length: 4 }, (_, i) => producer.send({ topic: "t", value: `${i}` }));
  const error = await assertRejects(() => producer.close({ timeoutMs: 300 }), KafkaDeliveryError);
  assertEquals(error.count, 4);
  assertEquals([...error.undelivered.get("t")!], [[0, 4]]);
  assertOk(error.lastError instanceof KafkaTimeoutError);
  for (const s of await Promise.allSettled(sends)) assertEquals(s.status, "rejected");
});

Deno.test("producer metrics and events: sends, acknowledgements, batch sizes, buffer", async () => {
  await using broker = await Broker.start({ topics: { t: { partitions: 2 } } });
  await using producer = new Producer({
    bootstrapServers: broker.bootstrapServers,
    clientId: "p1",
    compression: "gzip",
    bufferMemory: 1 << 20,
  });
  const sends: SendEvent[] = [];
  const acks: AckEvent[] = [];
  producer.on("send", (e) => sends.push(e));
  producer.on("ack", (e) => acks.push(e));
  await producer.send(
    Array.from(
      { length: 20 },
      (_, i) => ({ topic: "t", partition: i % 2, value: "x".repeat(100) }),
    ),
  );
  assertEquals(sends.reduce((n, e) => n + e.records, 0), 20);
  assertEquals(acks.reduce((n, e) => n + e.records, 0), 20);
  assertOk(acks.every((e) => e.error === undefined && e.baseOffset === 0n && e.durationMs >= 0));
  assertEquals(acks.map((e) => e.partition).sort(), [0, 1]);
  const m = producer.client.instrumentation.metrics;
  assertEquals(m.value("record-send-total", { "client-id": "p1" }), 20);
  assertEquals(m.value("record-error-total"), 0);
  assertOk(m.value("record-send-rate") > 0);
  assertOk(m.value("batch-size-avg") > 0);
  // gzip shrinks repeated bytes: compressed over uncompressed is well below 1.
  assertOk(m.value("compression-rate-avg") < 0.5, String(m.value("compression-rate-avg")));
  assertEquals(m.value("buffer-available-bytes"), 1 << 20);
  assertEquals(m.value("produce-throttle-time-avg"), 0);
  assertOk(m.value("request-latency-avg", { "client-id": "p1" }) > 0);
  const snapshot = producer.metrics();
  assertOk(snapshot.metrics.some((x) => x.group === "producer-node-metrics"));
  assertOk(snapshot.requestLatency.Produce.count >= 1);
});
