// Brook's client riding out what a cluster does under it: leaders that move, nodes that crash and come
// back, and a group coordinator that moves with its node.
import { clusterOf } from "../../broker/broker_internals.ts";
import { assertEquals, assertOk } from "../assert.ts";
import { decodeRecordBatches } from "../../codec/mod.ts";
import { Broker } from "../../broker/mod.ts";
import { Consumer, Producer } from "../../client/mod.ts";

const td = new TextDecoder();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function storedValues(broker: Broker, topic: string, partitions: number): string[] {
  const values: string[] = [];
  for (let p = 0; p < partitions; p++) {
    for (const b of clusterOf(broker).partition(topic, p)!.log.batches) {
      for (const batch of decodeRecordBatches(b.bytes)) {
        for (const r of batch.records) values.push(td.decode(r.value!));
      }
    }
  }
  return values;
}

Deno.test("recovery: the producer follows moved leaders and crashed nodes, writing each record once", async () => {
  await using broker = await Broker.start({ nodes: 3, topics: { t: { partitions: 3 } } });
  await using producer = new Producer({
    bootstrapServers: broker.bootstrapServers,
    lingerMs: 1,
    retryBackoffMs: 10,
    reconnectBackoffMs: 10,
  });
  const sends: Promise<unknown>[] = [];
  let n = 0;
  const burst = () => {
    const records = Array.from(
      { length: 50 },
      () => ({ topic: "t", key: `k${n}`, value: `v${n++}` }),
    );
    sends.push(producer.send(records));
  };
  burst();
  await sends[0];
  broker.moveLeader("t", 0, clusterOf(broker).partition("t", 0)!.leader % 3 + 1);
  burst();
  const crashed = clusterOf(broker).partition("t", 1)!.leader;
  await broker.stopNode(crashed);
  burst();
  await sleep(20);
  burst();
  await broker.restartNode(crashed);
  broker.moveLeader("t", 1, crashed);
  burst();
  await Promise.all(sends);
  const values = storedValues(broker, "t", 3);
  assertEquals(values.length, n, "every record stored once");
  assertEquals(new Set(values).size, n);
});

Deno.test("recovery: a group consumer keeps reading and committing when its coordinator's node crashes", async () => {
  await using broker = await Broker.start({ nodes: 3, topics: { orders: { partitions: 3 } } });
  await using producer = new Producer({ bootstrapServers: broker.bootstrapServers, lingerMs: 1 });
  await using consumer = new Consumer({
    bootstrapServers: broker.bootstrapServers,
    groupId: "billing",
    autoOffsetReset: "earliest",
    autoCommit: false,
    heartbeatIntervalMs: 100,
    retryBackoffMs: 10,
    reconnectBackoffMs: 10,
  });
  consumer.subscribe(["orders"]);
  const seen = new Set<string>();
  const readUntil = async (count: number) => {
    const deadline = Date.now() + 20_000;
    while (seen.size < count && Date.now() < deadline) {
      for (const r of await consumer.poll({ timeoutMs: 100 })) seen.add(td.decode(r.value!));
    }
    assertEquals(seen.size, count);
  };
  await producer.send(Array.from({ length: 30 }, (_, i) => ({ topic: "orders", value: `a${i}` })));
  await readUntil(30);
  await consumer.commit();

  const coordinator = clusterOf(broker).groups.coordinatorFor("billing");
  await broker.stopNode(coordinator);
  assertOk(
    clusterOf(broker).groups.coordinatorFor("billing") !== coordinator,
    "the coordinator moved",
  );
  await producer.send(Array.from({ length: 30 }, (_, i) => ({ topic: "orders", value: `b${i}` })));
  await readUntil(60);
  await consumer.commit();
  const committed = await consumer.committed([{ topic: "orders", partitions: [0, 1, 2] }]);
  let total = 0n;
  for (const offset of committed.get("orders")?.values() ?? []) total += offset;
  assertEquals(total, 60n, "commits reach the new coordinator");
  await broker.restartNode(coordinator);
});

Deno.test("recovery: a manually assigned consumer follows a partition's leader", async () => {
  await using broker = await Broker.start({ nodes: 3, topics: { t: { partitions: 1 } } });
  await using producer = new Producer({ bootstrapServers: broker.bootstrapServers, lingerMs: 1 });
  await using consumer = new Consumer({
    bootstrapServers: broker.bootstrapServers,
    autoOffsetReset: "earliest",
    retryBackoffMs: 10,
    reconnectBackoffMs: 10,
  });
  consumer.assign([{ topic: "t", partition: 0 }]);
  const seen: string[] = [];
  const readUntil = async (count: number) => {
    const deadline = Date.now() + 20_000;
    while (seen.length < count && Date.now() < deadline) {
      for (const r of await consumer.poll({ timeoutMs: 100 })) seen.push(td.decode(r.value!));
    }
    assertEquals(seen.length, count);
  };
  await producer.send(Array.from({ length: 10 }, (_, i) => ({ topic: "t", value: `a${i}` })));
  await readUntil(10);
  const leader = clusterOf(broker).partition("t", 0)!.leader;
  broker.moveLeader("t", 0, leader % 3 + 1);
  await producer.send(Array.from({ length: 10 }, (_, i) => ({ topic: "t", value: `b${i}` })));
  await readUntil(20);
  await broker.stopNode(clusterOf(broker).partition("t", 0)!.leader);
  await producer.send(Array.from({ length: 10 }, (_, i) => ({ topic: "t", value: `c${i}` })));
  await readUntil(30);
  assertEquals(seen, [
    ...Array.from({ length: 10 }, (_, i) => `a${i}`),
    ...Array.from({ length: 10 }, (_, i) => `b${i}`),
    ...Array.from({ length: 10 }, (_, i) => `c${i}`),
  ]);
});
