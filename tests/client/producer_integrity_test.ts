// The producer keeps every record exactly once and in send order per partition: at volume (several
// batches of a partition waiting at once), while metadata is missing, and when an earlier batch must
// be retried while later ones are in flight.
import { clusterOf } from "../../broker/broker_internals.ts";
import { assertEquals, assertOk } from "../assert.ts";
import { decodeRecordBatches } from "../../codec/mod.ts";
import { Broker } from "../../broker/mod.ts";
import { Producer, type ProducerOptions } from "../../client/producer/producer.ts";
import {
  indexedValue,
  integrity,
  readIndices,
  sendIndexed,
  tenThousandAndOne,
} from "./integrity.ts";

const CLEAN = { missing: 0, duplicates: 0, inversions: 0 };

for (
  const [name, options] of [
    ["idempotent (default)", {}],
    ["acks=1, not idempotent", { acks: 1, idempotent: false }],
    ["one request in flight", { maxInFlightPerPartition: 1 }],
  ] as [string, Partial<ProducerOptions>][]
) {
  Deno.test(`producer integrity: 10,001 records to one partition, ${name}`, async () => {
    await using broker = await Broker.start({ topics: { t: { partitions: 1 } } });
    const result = await tenThousandAndOne(broker.bootstrapServers, "t", options);
    assertEquals(result, {
      failed: 0,
      errors: [],
      stored: 10_001,
      distinct: 10_001,
      ...CLEAN,
    });
  });
}

Deno.test("producer integrity: sends made while metadata is missing are stored in send order", async () => {
  await using broker = await Broker.start({ topics: { m: { partitions: 1 } } });
  broker.inject({
    kind: "error",
    apiKey: "Metadata",
    errorCode: "LEADER_NOT_AVAILABLE",
    topic: "m",
  });
  await using producer = new Producer({
    bootstrapServers: broker.bootstrapServers,
    retryBackoffMs: 10,
  });
  await Promise.all(
    Array.from({ length: 200 }, (_, i) => producer.send({ topic: "m", value: indexedValue(i) })),
  );
  const stored = await readIndices(broker.bootstrapServers, "m");
  assertEquals(stored[0], Array.from({ length: 200 }, (_, i) => i));
});

for (
  const [name, fault] of [
    ["NOT_LEADER_OR_FOLLOWER", {
      kind: "error",
      apiKey: "Produce",
      errorCode: "NOT_LEADER_OR_FOLLOWER",
    }],
    ["NOT_LEADER_OR_FOLLOWER mid-stream", {
      kind: "error",
      apiKey: "Produce",
      errorCode: "NOT_LEADER_OR_FOLLOWER",
      skip: 5,
      count: 3,
    }],
    ["a connection closed after the append", { kind: "close", apiKey: "Produce", when: "after" }],
    ["a connection closed before the append", {
      kind: "close",
      apiKey: "Produce",
      when: "before",
      skip: 2,
    }],
  ] as [string, Parameters<Broker["inject"]>[0]][]
) {
  Deno.test(`producer integrity: an earlier batch retried while later ones are in flight (${name})`, async () => {
    await using broker = await Broker.start({ topics: { r: { partitions: 1 } } });
    // Slow answers keep several batches of the partition in flight when the fault strikes.
    broker.inject({ kind: "latency", apiKey: "Produce", ms: 5 });
    broker.inject(fault);
    await using producer = new Producer({
      bootstrapServers: broker.bootstrapServers,
      batchSize: 2048,
      lingerMs: 0,
      retryBackoffMs: 10,
      reconnectBackoffMs: 10,
    });
    const { failed, errors } = await sendIndexed(producer, "r", { count: 2000, shape: "singles" });
    const result = integrity(await readIndices(broker.bootstrapServers, "r"), 2000);
    assertEquals({ failed, errors: [...errors], ...result }, {
      failed: 0,
      errors: [],
      stored: 2000,
      distinct: 2000,
      ...CLEAN,
    });
  });
}

for (const code of ["OUT_OF_ORDER_SEQUENCE_NUMBER", "UNKNOWN_PRODUCER_ID"] as const) {
  Deno.test(`producer integrity: a sequence gap (${code}) takes a new epoch and restarts the partition's sequences`, async () => {
    await using broker = await Broker.start({ topics: { g: { partitions: 1 } } });
    broker.inject({ kind: "latency", apiKey: "Produce", ms: 5 });
    // The broker refuses one batch mid-stream as if it had lost the sequences before it.
    broker.inject({ kind: "error", apiKey: "Produce", errorCode: code, skip: 4 });
    await using producer = new Producer({
      bootstrapServers: broker.bootstrapServers,
      batchSize: 2048,
      lingerMs: 0,
      retryBackoffMs: 10,
    });
    const { failed, errors } = await sendIndexed(producer, "g", { count: 2000, shape: "singles" });
    const result = integrity(await readIndices(broker.bootstrapServers, "g"), 2000);
    assertEquals({ failed, errors: [...errors], ...result }, {
      failed: 0,
      errors: [],
      stored: 2000,
      distinct: 2000,
      ...CLEAN,
    });
    // The batches after the gap carry the new producer id (or epoch), from sequence 0.
    const headers = clusterOf(broker).partition("g", 0)!.log.batches.flatMap((b) =>
      decodeRecordBatches(b.bytes).map((x) => x.header)
    );
    const first = headers[0];
    const switched = headers.findIndex((h) =>
      h.producerId !== first.producerId || h.producerEpoch !== first.producerEpoch
    );
    assertOk(switched > 0, "a new producer id or epoch was taken");
    assertEquals(headers[switched].baseSequence, 0);
  });
}

Deno.test("producer integrity: a batch that fails for good fails only its own records; later ones follow in order", async () => {
  await using broker = await Broker.start({ topics: { x: { partitions: 1 } } });
  broker.inject({ kind: "latency", apiKey: "Produce", ms: 5 });
  // One batch mid-stream is refused for good while later ones are in flight: they see a gap.
  broker.inject({ kind: "error", apiKey: "Produce", errorCode: "MESSAGE_TOO_LARGE", skip: 4 });
  await using producer = new Producer({
    bootstrapServers: broker.bootstrapServers,
    batchSize: 2048,
    lingerMs: 0,
    retryBackoffMs: 10,
  });
  const { failed, errors } = await sendIndexed(producer, "x", { count: 2000, shape: "singles" });
  const result = integrity(await readIndices(broker.bootstrapServers, "x"), 2000);
  assertOk(failed > 0 && failed < 100, `one batch failed (${failed} records)`);
  assertEquals([...errors].map((e) => e.includes("MESSAGE_TOO_LARGE")), [true]);
  assertEquals(result, {
    stored: 2000 - failed,
    distinct: 2000 - failed,
    missing: failed,
    duplicates: 0,
    inversions: 0,
  });
});
