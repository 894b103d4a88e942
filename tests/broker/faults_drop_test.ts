// Dropped responses: the request takes effect and its answer is lost as a network fault loses it,
// so the connection closes in the answer's place (or closeAfterMs later) and no later answer can
// arrive in its stead; clients see a closed connection, retry, and idempotence keeps every record
// stored once.
import { clusterOf } from "../../broker/broker_internals.ts";
import { assertEquals, assertOk, assertThrows } from "../assert.ts";
import {
  ApiKey,
  decodeRecordBatches,
  encodeRecordBatch,
  encodeRequestFrame,
  Writer,
} from "../../codec/mod.ts";
import { Broker, FaultSpecError, parseFaultPlan } from "../../broker/mod.ts";
import { KafkaConnection, KafkaConnectionError, Producer } from "../../client/mod.ts";
import { RawClient } from "./raw_client.ts";

/** The values stored in a partition's log, in offset order. */
function stored(broker: Broker, topic: string, partition: number): string[] {
  const out: string[] = [];
  for (const b of clusterOf(broker).partition(topic, partition)!.log.batches) {
    for (const decoded of decodeRecordBatches(b.bytes)) {
      for (const r of decoded.records) out.push(new TextDecoder().decode(r.value!));
    }
  }
  return out;
}

function produceBody(topic: string, value: string) {
  const records = encodeRecordBatch({ records: [{ value: new TextEncoder().encode(value) }] });
  return {
    acks: -1,
    timeoutMs: 1000,
    topicData: [{ name: topic, partitionData: [{ index: 0, records }] }],
  };
}

/** A Produce and a Metadata request written back to back, as a pipelining client sends them. */
function pipelined(topic: string, value: string): Uint8Array {
  const w = new Writer();
  encodeRequestFrame(w, {
    apiKey: ApiKey.Produce,
    apiVersion: 9,
    correlationId: 100,
    clientId: "c",
    body: produceBody(topic, value),
  });
  encodeRequestFrame(w, {
    apiKey: ApiKey.Metadata,
    apiVersion: 12,
    correlationId: 101,
    clientId: "c",
    body: { topics: null },
  });
  return w.bytes().slice();
}

Deno.test("faults/drop: the connection closes in the lost answer's place; nothing after it is answered", async () => {
  await using broker = await Broker.start({ topics: { t: {} } });
  await using client = await RawClient.connect(broker.bootstrapServers);
  const fault = broker.dropResponses({ apiKey: "Produce" });
  await client.send(pipelined("t", "dropped"));
  // Neither the Produce's answer nor the Metadata's (which would carry correlation id 101).
  assertEquals(await client.readFrame(), null);
  assertEquals(fault.hits, 1);
  assertEquals(stored(broker, "t", 0), ["dropped"]);
});

Deno.test("faults/drop: closeAfterMs holds the connection silent, then closes it", async () => {
  await using broker = await Broker.start({ topics: { t: {} } });
  await using client = await RawClient.connect(broker.bootstrapServers);
  const fault = broker.dropResponses({ apiKey: "Produce", closeAfterMs: 200 });
  await client.send(pipelined("t", "late close"));
  assertEquals(await client.readFrame(), null);
  assertEquals(fault.hits, 1);
  assertEquals(stored(broker, "t", 0), ["late close"]);
});

Deno.test("faults/drop: a dropped acks=0 Produce has no answer to lose; the connection stays", async () => {
  await using broker = await Broker.start({ topics: { t: {} } });
  await using client = await RawClient.connect(broker.bootstrapServers);
  broker.dropResponses({ apiKey: "Produce" });
  const w = new Writer();
  await client.send(encodeRequestFrame(w, {
    apiKey: ApiKey.Produce,
    apiVersion: 9,
    correlationId: 1,
    clientId: "c",
    body: { ...produceBody("t", "fire and forget"), acks: 0 },
  }));
  const metadata = await client.request(ApiKey.Metadata, 12, { topics: null });
  assertEquals(metadata.topics.map((t) => t.name), ["t"]);
  assertEquals(stored(broker, "t", 0), ["fire and forget"]);
});

Deno.test("faults/drop: Brook's connection reports the close, not a later correlation id", async () => {
  await using broker = await Broker.start({ topics: { t: {} } });
  const [host, port] = broker.bootstrapServers.split(":");
  const conn = await KafkaConnection.connect(host, Number(port));
  broker.dropResponses({ apiKey: "Produce" });
  const results = await Promise.allSettled([
    conn.request(ApiKey.Produce, produceBody("t", "dropped"), { version: 9 }),
    conn.request(ApiKey.Metadata, { topics: null }, { version: 12 }),
  ]);
  conn.close();
  for (const r of results) {
    assertEquals(r.status, "rejected");
    const e = (r as PromiseRejectedResult).reason as Error;
    assertOk(e instanceof KafkaConnectionError, `${e}`);
    assertOk(/closed the connection/.test(e.message), e.message);
  }
});

Deno.test("faults/drop: Brook's producer retries a lost answer and stores each record once", async () => {
  await using broker = await Broker.start({ topics: { t: {} } });
  await using producer = new Producer({
    bootstrapServers: broker.bootstrapServers,
    retryBackoffMs: 10,
    deliveryTimeoutMs: 20000,
  });
  await producer.send([{ topic: "t", partition: 0, value: "before" }]);
  const drop = broker.dropResponses({ apiKey: "Produce", count: 2 });
  const values = Array.from({ length: 20 }, (_, i) => `r${i}`);
  await Promise.all(values.map((value) => producer.send([{ topic: "t", partition: 0, value }])));
  assertEquals(drop.hits, 2);
  assertEquals(stored(broker, "t", 0), ["before", ...values]);
});

Deno.test("faults/drop: closeAfterMs is checked in fault specs and plans", async () => {
  await using broker = await Broker.start();
  assertThrows(() => broker.dropResponses({ closeAfterMs: -1 }), FaultSpecError);
  assertThrows(
    () => parseFaultPlan([{ kind: "drop", closeAfterMs: "soon" }]),
    FaultSpecError,
    /closeAfterMs must be a number/,
  );
  assertEquals(parseFaultPlan([{ kind: "drop", apiKey: "Fetch", closeAfterMs: 100 }]).length, 1);
});
