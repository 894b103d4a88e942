// Transactions end to end against Brook's broker: Brook's transactional producer and its
// read_committed consumer, under transaction version 2 (the default, as Kafka 4.1) and version 1.
import { clusterOf } from "../../broker/broker_internals.ts";
import { assertEquals, assertOk, assertRejects } from "../assert.ts";
import { ApiKey, ErrorCode, KafkaProtocolError } from "../../codec/mod.ts";
import { Broker } from "../../broker/mod.ts";
import { Consumer, Producer, TransactionStateError } from "../../client/mod.ts";
import { RawClient } from "../broker/raw_client.ts";

const td = new TextDecoder();

async function readAll(
  bootstrapServers: string,
  topic: string,
  partitions: number[],
  isolationLevel: "read_committed" | "read_uncommitted",
  expected?: number,
): Promise<string[]> {
  await using consumer = new Consumer({
    bootstrapServers,
    autoOffsetReset: "earliest",
    isolationLevel,
    fetchMaxWaitMs: 20,
  });
  consumer.assign(partitions.map((partition) => ({ topic, partition })));
  const values: string[] = [];
  // Read until `expected` records, or until a few empty polls show there is nothing more.
  for (let empty = 0, i = 0; i < 200 && empty < 5; i++) {
    const records = await consumer.poll({ timeoutMs: 50 });
    if (records.length === 0) empty++;
    for (const r of records) values.push(td.decode(r.value!));
    if (expected !== undefined && values.length >= expected) break;
  }
  return values;
}

/** Hides transaction.version from ApiVersions, so that clients use transaction version 1. */
function transactionVersion1(broker: Broker) {
  broker.intercept(async (request, next) => {
    const answer = await next();
    if (request.apiKey === ApiKey.ApiVersions && answer && typeof answer === "object") {
      const body = answer as { finalizedFeatures?: { name: string }[] };
      body.finalizedFeatures = body.finalizedFeatures?.filter((f) =>
        f.name !== "transaction.version"
      );
    }
    return answer;
  });
}

for (const version of [2, 1]) {
  Deno.test(`transactions v${version}: committed records are read, aborted ones only read_uncommitted`, async () => {
    await using broker = await Broker.start({ topics: { t: { partitions: 2 } } });
    if (version === 1) transactionVersion1(broker);
    await using producer = new Producer({
      bootstrapServers: broker.bootstrapServers,
      transactionalId: "tx-1",
      lingerMs: 1,
    });
    await producer.initTransactions();
    producer.beginTransaction();
    await producer.send(Array.from({ length: 6 }, (_, i) => ({ topic: "t", value: `c${i}` })));
    await producer.commitTransaction();
    producer.beginTransaction();
    await producer.send(Array.from({ length: 4 }, (_, i) => ({ topic: "t", value: `a${i}` })));
    await producer.abortTransaction();
    producer.beginTransaction();
    await producer.send({ topic: "t", partition: 1, value: "c6" });
    await producer.commitTransaction();

    const committed = await readAll(broker.bootstrapServers, "t", [0, 1], "read_committed");
    assertEquals(committed.sort(), ["c0", "c1", "c2", "c3", "c4", "c5", "c6"]);
    const all = await readAll(broker.bootstrapServers, "t", [0, 1], "read_uncommitted");
    assertEquals(all.length, 11);
    // Each partition's log ends with a marker per transaction that touched it.
    const p1 = clusterOf(broker).partition("t", 1)!.log.batches;
    assertOk(p1[p1.length - 1].isControl);
    // Version 2 bumps the epoch at every end; version 1 keeps it.
    const txn = clusterOf(broker).transactions.transactions.get("tx-1")!;
    assertEquals(txn.producerEpoch, version === 2 ? 3 : 0);
    assertEquals(txn.state, "CompleteCommit");
  });
}

Deno.test("transactions: an open transaction holds read_committed consumers at the last stable offset", async () => {
  await using broker = await Broker.start({ topics: { t: { partitions: 1 } } });
  await using txProducer = new Producer({
    bootstrapServers: broker.bootstrapServers,
    transactionalId: "tx-lso",
    lingerMs: 1,
  });
  await using plain = new Producer({ bootstrapServers: broker.bootstrapServers, lingerMs: 1 });
  await plain.send({ topic: "t", value: "before" });
  await txProducer.initTransactions();
  txProducer.beginTransaction();
  await txProducer.send({ topic: "t", value: "inside" });
  await plain.send({ topic: "t", value: "after" });
  const p = clusterOf(broker).partition("t", 0)!;
  assertEquals(p.txns.lastStableOffset(p.log.highWatermark), 1n);
  assertEquals(await readAll(broker.bootstrapServers, "t", [0], "read_committed"), ["before"]);
  await txProducer.commitTransaction();
  assertEquals(
    await readAll(broker.bootstrapServers, "t", [0], "read_committed", 3),
    ["before", "inside", "after"],
  );
});

Deno.test("transactions: a second producer with the same id fences the first and aborts its transaction", async () => {
  await using broker = await Broker.start({ topics: { t: { partitions: 1 } } });
  await using zombie = new Producer({
    bootstrapServers: broker.bootstrapServers,
    transactionalId: "tx-fence",
    lingerMs: 1,
  });
  await zombie.initTransactions();
  zombie.beginTransaction();
  await zombie.send({ topic: "t", value: "zombie" });
  await using fencer = new Producer({
    bootstrapServers: broker.bootstrapServers,
    transactionalId: "tx-fence",
    retryBackoffMs: 10,
  });
  await fencer.initTransactions();
  const error = await assertRejects(() => zombie.commitTransaction(), KafkaProtocolError);
  assertEquals((error as KafkaProtocolError).code, ErrorCode.PRODUCER_FENCED);
  await assertRejects(() => zombie.send({ topic: "t", value: "again" }), TransactionStateError);
  fencer.beginTransaction();
  await fencer.send({ topic: "t", value: "fencer" });
  await fencer.commitTransaction();
  assertEquals(await readAll(broker.bootstrapServers, "t", [0], "read_committed", 1), ["fencer"]);
});

Deno.test("transactions: the broker aborts a transaction open past its timeout", async () => {
  await using broker = await Broker.start({
    topics: { t: { partitions: 1 } },
    transactionAbortIntervalMs: 20,
  });
  await using producer = new Producer({
    bootstrapServers: broker.bootstrapServers,
    transactionalId: "tx-slow",
    transactionTimeoutMs: 100,
    lingerMs: 1,
  });
  await producer.initTransactions();
  producer.beginTransaction();
  await producer.send({ topic: "t", value: "too slow" });
  await new Promise((r) => setTimeout(r, 300));
  assertEquals(clusterOf(broker).transactions.transactions.get("tx-slow")!.state, "CompleteAbort");
  await assertRejects(() => producer.commitTransaction(), KafkaProtocolError);
  assertEquals(await readAll(broker.bootstrapServers, "t", [0], "read_committed"), []);
  assertEquals((await readAll(broker.bootstrapServers, "t", [0], "read_uncommitted")).length, 1);
});

for (const version of [2, 1]) {
  Deno.test(`transactions v${version}: consume-transform-produce commits the group's offsets with the output`, async () => {
    await using broker = await Broker.start({
      topics: { input: { partitions: 1 }, output: { partitions: 1 } },
    });
    if (version === 1) transactionVersion1(broker);
    await using source = new Producer({ bootstrapServers: broker.bootstrapServers, lingerMs: 1 });
    await source.send(Array.from({ length: 5 }, (_, i) => ({ topic: "input", value: `in${i}` })));
    await using consumer = new Consumer({
      bootstrapServers: broker.bootstrapServers,
      groupId: "transformers",
      autoOffsetReset: "earliest",
      autoCommit: false,
      isolationLevel: "read_committed",
    });
    consumer.subscribe(["input"]);
    await using producer = new Producer({
      bootstrapServers: broker.bootstrapServers,
      transactionalId: "tx-ctp",
      lingerMs: 1,
    });
    await producer.initTransactions();
    const read = [];
    for (let i = 0; i < 100 && read.length < 5; i++) {
      read.push(...await consumer.poll({ timeoutMs: 50 }));
    }
    assertEquals(read.length, 5);

    const offsets = async () =>
      (await consumer.committed([{ topic: "input", partitions: [0] }])).get("input")?.get(0) ?? -1n;
    producer.beginTransaction();
    await producer.send(
      read.map((r) => ({ topic: "output", value: `out-${td.decode(r.value!)}` })),
    );
    await producer.sendOffsetsToTransaction(
      [{ topic: "input", partition: 0, offset: read[4].offset + 1n }],
      consumer.groupMetadata(),
    );
    // Staged, not committed: a consumer asking for stable offsets would wait.
    assertEquals(clusterOf(broker).groups.offsets("transformers").get("input\u00000"), undefined);
    assertOk(clusterOf(broker).groups.hasPendingOffset("transformers", "input\u00000"));
    await producer.commitTransaction();
    assertEquals(await offsets(), 5n);

    // An aborted round leaves the group's offsets where they were.
    producer.beginTransaction();
    await producer.send({ topic: "output", value: "lost" });
    await producer.sendOffsetsToTransaction(
      [{ topic: "input", partition: 0, offset: 99n }],
      consumer.groupMetadata(),
    );
    await producer.abortTransaction();
    assertEquals(await offsets(), 5n);
    const out = await readAll(broker.bootstrapServers, "output", [0], "read_committed", 5);
    assertEquals(out, ["out-in0", "out-in1", "out-in2", "out-in3", "out-in4"]);
  });
}

Deno.test("transactions: calls outside their phase fail clearly", async () => {
  await using broker = await Broker.start({ topics: { t: { partitions: 1 } } });
  await using producer = new Producer({
    bootstrapServers: broker.bootstrapServers,
    transactionalId: "tx-phases",
  });
  await assertRejects(
    () => producer.send({ topic: "t", value: "x" }),
    TransactionStateError,
    /initTransactions/,
  );
  await producer.initTransactions();
  await assertRejects(
    () => producer.send({ topic: "t", value: "x" }),
    TransactionStateError,
    /beginTransaction/,
  );
  await assertRejects(() => producer.commitTransaction(), TransactionStateError);
  producer.beginTransaction();
  await producer.commitTransaction(); // an empty transaction commits without the coordinator
  await using plain = new Producer({ bootstrapServers: broker.bootstrapServers });
  await assertRejects(() => plain.commitTransaction(), TypeError, /transactional/);
});

Deno.test("transactions: an idle transactional id expires after transactional.id.expiration.ms", async () => {
  await using broker = await Broker.start({ configs: { "transactional.id.expiration.ms": "1" } });
  await using client = await RawClient.connect(broker.bootstrapServers);
  const init = () =>
    client.request(ApiKey.InitProducerId, 5, {
      transactionalId: "expiring",
      transactionTimeoutMs: 60_000,
      producerId: -1n,
      producerEpoch: -1,
    });
  const first = await init();
  const again = await init();
  assertEquals([again.producerId, again.producerEpoch], [
    first.producerId,
    first.producerEpoch + 1,
  ]);
  await new Promise((r) => setTimeout(r, 5));
  clusterOf(broker).transactions.expireTransactionalIds();
  const described = await client.request(ApiKey.DescribeTransactions, 0, {
    transactionalIds: ["expiring"],
  });
  assertEquals(described.transactionStates[0].errorCode, ErrorCode.TRANSACTIONAL_ID_NOT_FOUND);
  const fresh = await init();
  assertOk(fresh.producerId !== first.producerId && fresh.producerEpoch === 0);
});

Deno.test("transactions: offsets sent to a transaction survive a lost connection to the group coordinator", async () => {
  await using broker = await Broker.start({
    topics: { in: { partitions: 1 }, out: { partitions: 1 } },
  });
  await using producer = new Producer({
    bootstrapServers: broker.bootstrapServers,
    transactionalId: "lost-connection",
  });
  await producer.initTransactions();
  producer.beginTransaction();
  const sent = producer.send({ topic: "out", value: "v" });
  // The coordinator's node goes away as a crash would: the client must find it again and retry.
  broker.closeConnections({ apiKey: "TxnOffsetCommit" });
  await producer.sendOffsetsToTransaction([{ topic: "in", partition: 0, offset: 5n }], {
    groupId: "copier",
    generationId: -1,
    memberId: "",
    groupInstanceId: null,
  });
  await producer.commitTransaction();
  await sent;
  await using consumer = new Consumer({
    bootstrapServers: broker.bootstrapServers,
    groupId: "copier",
  });
  const committed = await consumer.committed([{ topic: "in", partitions: [0] }]);
  assertEquals(committed.get("in")?.get(0), 5n);
});
