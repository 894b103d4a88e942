// KafkaJS against a 3-node Brook broker: a real client recovering from each injected fault.

import { clusterOf } from "../../broker/broker_internals.ts";
import { Kafka, logLevel } from "kafkajs";
import { assertEquals, assertOk } from "../assert.ts";
import { ApiKey, decodeRecordBatches } from "../../codec/mod.ts";
import { Broker } from "../../broker/mod.ts";
import { HANDLERS } from "../../broker/handlers/mod.ts";

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

const KAFKAJS = { sanitizeOps: false, sanitizeResources: false };

function kafkajs(broker: Broker): Kafka {
  return new Kafka({
    clientId: "brook-faults",
    brokers: broker.bootstrapServers.split(","),
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1000,
    requestTimeout: 2000,
    retry: { initialRetryTime: 20, maxRetryTime: 200, retries: 10 },
  });
}

const messages = (...values: string[]) => values.map((value) => ({ value, partition: 0 }));

Deno.test({
  name: "faults/kafkajs: NOT_LEADER_OR_FOLLOWER on produce: metadata refresh, then success",
  ...KAFKAJS,
  async fn() {
    await using broker = await Broker.start({ nodes: 3, topics: { t: { partitions: 3 } } });
    const producer = kafkajs(broker).producer();
    await producer.connect();
    try {
      await producer.send({ topic: "t", messages: messages("a") });
      const metadataBefore = broker.metrics().apis.Metadata!.requests;
      const fault = broker.failNext("Produce", "NOT_LEADER_OR_FOLLOWER", {
        topic: "t",
        partition: 0,
        count: 2,
      });
      const [result] = await producer.send({ topic: "t", messages: messages("b", "c") });
      assertEquals(result.errorCode, 0);
      assertEquals(fault.hits, 2);
      assertOk(broker.metrics().apis.Metadata!.requests > metadataBefore, "no metadata refresh");
      assertEquals(stored(broker, "t", 0), ["a", "b", "c"]);
    } finally {
      await producer.disconnect();
    }
  },
});

Deno.test({
  name: "faults/kafkajs: a stopped leader: the producer continues on the new leader",
  ...KAFKAJS,
  async fn() {
    await using broker = await Broker.start({ nodes: 3, topics: { t: { partitions: 3 } } });
    const producer = kafkajs(broker).producer();
    await producer.connect();
    try {
      await producer.send({ topic: "t", messages: messages("1", "2") });
      const leader = clusterOf(broker).partition("t", 0)!.leader;
      await broker.stopNode(leader);
      assertOk(clusterOf(broker).partition("t", 0)!.leader !== leader);
      await producer.send({ topic: "t", messages: messages("3") });
      await broker.restartNode(leader);
      await producer.send({ topic: "t", messages: messages("4") });
      assertEquals(stored(broker, "t", 0), ["1", "2", "3", "4"]);
    } finally {
      await producer.disconnect();
    }
  },
});

Deno.test({
  name: "faults/kafkajs: a closed connection: the client reconnects and retries",
  ...KAFKAJS,
  async fn() {
    await using broker = await Broker.start({ nodes: 3, topics: { t: { partitions: 1 } } });
    const producer = kafkajs(broker).producer();
    await producer.connect();
    try {
      await producer.send({ topic: "t", messages: messages("x") });
      const accepted = () =>
        Object.values(broker.metrics().connections).reduce((n, c) => n + c.accepted, 0);
      const before = accepted();
      const fault = broker.closeConnections({ apiKey: "Produce", when: "before" });
      await producer.send({ topic: "t", messages: messages("y") });
      assertEquals(fault.hits, 1);
      assertOk(accepted() > before, "the client did not reconnect");
      assertEquals(stored(broker, "t", 0), ["x", "y"]);
    } finally {
      await producer.disconnect();
    }
  },
});

Deno.test({
  name: "faults/kafkajs: latency, and a dropped response retried once: each record stored once",
  ...KAFKAJS,
  async fn() {
    await using broker = await Broker.start({ nodes: 3, topics: { t: { partitions: 1 } } });
    const latency = broker.addLatency(5, { jitterMs: 20 });
    const producer = kafkajs(broker).producer({ idempotent: true });
    await producer.connect();
    try {
      for (const v of ["1", "2", "3"]) await producer.send({ topic: "t", messages: messages(v) });
      assertOk(latency.hits >= 5, `latency hit ${latency.hits} requests`);
      latency.cancel();
      // A lost answer closes the connection: the client reconnects and sends again, and the
      // broker knows the idempotent batch, so the record is stored once.
      const drop = broker.dropResponses({ apiKey: "Produce" });
      await producer.send({ topic: "t", messages: messages("4") });
      assertEquals(drop.hits, 1);
      assertEquals(stored(broker, "t", 0), ["1", "2", "3", "4"]);
    } finally {
      await producer.disconnect();
    }
  },
});

/** Waits until `done()` holds, checking every 20 ms, for at most `ms`. */
async function until(done: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const GROUP_APIS = [
  ApiKey.FindCoordinator,
  ApiKey.JoinGroup,
  ApiKey.SyncGroup,
  ApiKey.Heartbeat,
  ApiKey.OffsetFetch,
  ApiKey.OffsetCommit,
];

Deno.test({
  name: "faults/kafkajs: a consumer rides through fetch errors, latency and a stopped leader",
  // KafkaJS consumers need the group APIs; this runs once the broker serves them.
  ignore: !GROUP_APIS.every((k) => HANDLERS[k] !== undefined),
  ...KAFKAJS,
  async fn() {
    await using broker = await Broker.start({ nodes: 3, topics: { t: { partitions: 1 } } });
    const kafka = kafkajs(broker);
    const producer = kafka.producer();
    const consumer = kafka.consumer({
      groupId: "brook-faults",
      sessionTimeout: 6000,
      heartbeatInterval: 500,
      maxWaitTimeInMs: 100,
      retry: { initialRetryTime: 20, maxRetryTime: 200, retries: 20 },
    });
    await producer.connect();
    await consumer.connect();
    try {
      const first = Array.from({ length: 10 }, (_, i) => `m${i}`);
      await producer.send({ topic: "t", messages: messages(...first) });
      const fetchError = broker.failNext("Fetch", "NOT_LEADER_OR_FOLLOWER", {
        topic: "t",
        partition: 0,
        count: 2,
      });
      const latency = broker.addLatency(5, { apiKey: "Fetch", jitterMs: 10 });
      const seen = new Set<string>();
      await consumer.subscribe({ topic: "t", fromBeginning: true });
      await consumer.run({
        eachMessage: ({ message }) => {
          seen.add(message.value!.toString());
          return Promise.resolve();
        },
      });
      await until(() => first.every((v) => seen.has(v)), 30000, "the first messages");
      assertEquals(fetchError.hits, 2);
      assertOk(latency.hits > 0);
      latency.cancel();

      await broker.stopNode(clusterOf(broker).partition("t", 0)!.leader);
      const second = Array.from({ length: 5 }, (_, i) => `n${i}`);
      await producer.send({ topic: "t", messages: messages(...second) });
      await until(() => second.every((v) => seen.has(v)), 30000, "the messages after failover");
      assertEquals(seen.size, 15);
    } finally {
      await consumer.disconnect();
      await producer.disconnect();
    }
  },
});
