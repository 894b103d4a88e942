import { clusterOf } from "../../broker/broker_internals.ts";
import { assertEquals, assertOk, assertRejects } from "../assert.ts";
import { AclOperation, AclPermission, AclResourceType } from "../../codec/mod.ts";
import { Broker } from "../../broker/mod.ts";
import { WaitTimeoutError } from "../../broker/control/wait.ts";
import { Admin, Consumer, Producer, ShareConsumer } from "../../client/mod.ts";

Deno.test("reset: topics, groups, offsets, transactions, ACLs, SCRAM users and faults go; starting topics come back empty", async () => {
  await using broker = await Broker.start({
    topics: { orders: { partitions: 2 } },
    authorizer: { allowEveryoneIfNoAclFound: true },
  });
  const bootstrapServers = broker.bootstrapServers;
  const ordersId = clusterOf(broker).topics.get("orders")!.id;
  {
    await using producer = new Producer({ bootstrapServers, transactionalId: "tx", lingerMs: 1 });
    await producer.initTransactions();
    producer.beginTransaction();
    await producer.send({ topic: "orders", partition: 0, value: "open" });
    await using plain = new Producer({ bootstrapServers, lingerMs: 1 });
    await plain.send({ topic: "scratch", value: "x" });
    await using admin = new Admin({ bootstrapServers });
    await admin.alterConsumerGroupOffsets("g", [{ topic: "orders", partition: 1, offset: 5n }]);
    await admin.createAcls([{
      resourceType: AclResourceType.TOPIC,
      resourceName: "orders",
      principal: "User:bob",
      operation: AclOperation.READ,
      permission: AclPermission.DENY,
    }]);
    await admin.alterUserScramCredentials([{
      op: "upsert",
      user: "carol",
      mechanism: "SCRAM-SHA-256",
      password: "pw",
    }]);
    broker.failNext("Produce", "NOT_LEADER_OR_FOLLOWER", { count: "unlimited" });
    await broker.stopNode(1).catch(() => {});
  }
  assertEquals(clusterOf(broker).transactions.transactions.get("tx")?.state, "Ongoing");
  await broker.reset();
  assertEquals([...clusterOf(broker).topics.keys()], ["orders"]);
  const orders = clusterOf(broker).topics.get("orders")!;
  assertOk(orders.id !== ordersId);
  assertEquals(orders.partitions.map((p) => p.log.highWatermark), [0n, 0n]);
  assertEquals(clusterOf(broker).groups.groups.size, 0);
  assertEquals(clusterOf(broker).transactions.transactions.size, 0);
  assertEquals(broker.authorizer!.size, 0);
  assertEquals(clusterOf(broker).credentials.scramUsers(), []);
  assertOk(broker.isRunning(1));
  // The Produce fault is gone: a new record is stored at offset 0.
  await using producer = new Producer({ bootstrapServers, lingerMs: 1, deliveryTimeoutMs: 5000 });
  const meta = await producer.send({ topic: "orders", partition: 0, value: "after" });
  assertEquals(meta.offset, 0n);
});

Deno.test("waitFor: a partition offset, a committed transaction, a Stable group and a client id", async () => {
  await using broker = await Broker.start({ topics: { t: { partitions: 1 } } });
  const bootstrapServers = broker.bootstrapServers;
  const reached = broker.waitFor({ kind: "offset", topic: "t", partition: 0, offset: 3 });
  await using producer = new Producer({ bootstrapServers, transactionalId: "tx", lingerMs: 1 });
  await producer.initTransactions();
  producer.beginTransaction();
  await producer.send([1, 2, 3].map((i) => ({ topic: "t", value: `v${i}` })));
  const seen = await reached;
  assertOk(seen.met);
  const committed = broker.waitFor({ kind: "transaction", transactionalId: "tx" });
  await producer.commitTransaction();
  assertEquals((await committed).observed, { state: "CompleteCommit" });
  await assertRejects(
    () =>
      broker.waitFor({ kind: "transaction", transactionalId: "tx", outcome: "abort" }, {
        timeoutMs: 20,
      }),
    WaitTimeoutError,
    /CompleteCommit/,
  );

  await using consumer = new Consumer({ bootstrapServers, groupId: "g", clientId: "reader" });
  consumer.subscribe(["t"]);
  const stable = broker.waitFor({ kind: "group", groupId: "g", members: 1 }, { timeoutMs: 20_000 });
  let done = false;
  stable.finally(() => done = true);
  for (let i = 0; i < 200 && !done; i++) await consumer.poll({ timeoutMs: 50 });
  assertEquals((await stable).observed, { state: "Stable", members: 1 });
  const client = await broker.waitFor({ kind: "client", clientId: "reader" }, { timeoutMs: 1000 });
  assertOk(client.met);
  const error = await assertRejects(
    () => broker.waitFor({ kind: "client", clientId: "nobody" }, { timeoutMs: 10 }),
    WaitTimeoutError,
  );
  assertEquals(error.observed, { connections: 0 });
});

Deno.test("waitFor and reset: a share group is waited for and then removed with its state", async () => {
  await using broker = await Broker.start({
    features: { "share.version": 1 },
    topics: { jobs: { partitions: 1 } },
  });
  await using worker = new ShareConsumer({
    bootstrapServers: broker.bootstrapServers,
    groupId: "w",
  });
  worker.subscribe(["jobs"]);
  const stable = broker.waitFor({ kind: "group", groupId: "w", members: 1 }, { timeoutMs: 20_000 });
  let done = false;
  stable.finally(() => done = true);
  for (let i = 0; i < 200 && !done; i++) await worker.poll({ timeoutMs: 50 });
  assertEquals((await stable).observed, { state: "Stable", members: 1 });
  await broker.reset();
  assertEquals(clusterOf(broker).groups.shareGroups.size, 0);
  assertEquals([...clusterOf(broker).topics.keys()], ["jobs"]);
});
