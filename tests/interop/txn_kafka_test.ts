// Brook's transactional producer and read_committed consumer against a real Apache Kafka 4.1.1
// (BROOK_INTEROP=1), which runs transaction version 2: commit, abort, fencing, and offsets sent
// to the transaction.
import { assertEquals, assertRejects } from "../assert.ts";
import { ErrorCode, KafkaProtocolError } from "../../codec/mod.ts";
import { Admin, Consumer, Producer } from "../../client/mod.ts";
import { startKafka } from "./kafka_server.ts";

const enabled = Deno.env.get("BROOK_INTEROP") === "1";
const td = new TextDecoder();

async function readAll(
  bootstrapServers: string,
  topic: string,
  isolationLevel: "read_committed" | "read_uncommitted",
  expected: number,
): Promise<string[]> {
  await using consumer = new Consumer({
    bootstrapServers,
    autoOffsetReset: "earliest",
    isolationLevel,
  });
  consumer.assign([{ topic, partition: 0 }, { topic, partition: 1 }]);
  const values: string[] = [];
  const deadline = Date.now() + 15_000;
  while (values.length < expected && Date.now() < deadline) {
    for (const r of await consumer.poll({ timeoutMs: 200 })) values.push(td.decode(r.value!));
  }
  // A little longer, to see records that should not be there.
  for (const r of await consumer.poll({ timeoutMs: 500 })) values.push(td.decode(r.value!));
  return values.sort();
}

Deno.test({
  name: "interop: Brook's transactions against a real Kafka 4.1.1",
  ignore: !enabled,
  async fn(t) {
    await using kafka = await startKafka();
    const bootstrapServers = kafka.bootstrapServers;
    {
      await using admin = new Admin({ bootstrapServers });
      await admin.createTopics([
        { name: "txn-in", partitions: 1, replicationFactor: 1 },
        { name: "txn-out", partitions: 2, replicationFactor: 1 },
      ]);
    }

    await t.step("commit is read, abort only read_uncommitted", async () => {
      await using producer = new Producer({ bootstrapServers, transactionalId: "brook-tx-1" });
      await producer.initTransactions();
      producer.beginTransaction();
      await producer.send(
        Array.from({ length: 6 }, (_, i) => ({ topic: "txn-out", value: `c${i}` })),
      );
      await producer.commitTransaction();
      producer.beginTransaction();
      await producer.send(
        Array.from({ length: 4 }, (_, i) => ({ topic: "txn-out", value: `a${i}` })),
      );
      await producer.abortTransaction();
      producer.beginTransaction();
      await producer.send({ topic: "txn-out", value: "c6" });
      await producer.commitTransaction();
      assertEquals(
        await readAll(bootstrapServers, "txn-out", "read_committed", 7),
        ["c0", "c1", "c2", "c3", "c4", "c5", "c6"],
      );
      assertEquals((await readAll(bootstrapServers, "txn-out", "read_uncommitted", 11)).length, 11);
    });

    await t.step("a new producer with the same id fences the old one", async () => {
      await using zombie = new Producer({ bootstrapServers, transactionalId: "brook-tx-fence" });
      await zombie.initTransactions();
      zombie.beginTransaction();
      await zombie.send({ topic: "txn-in", value: "zombie" });
      await using fencer = new Producer({ bootstrapServers, transactionalId: "brook-tx-fence" });
      await fencer.initTransactions();
      const error = await assertRejects(() => zombie.commitTransaction(), KafkaProtocolError);
      assertEquals((error as KafkaProtocolError).code, ErrorCode.PRODUCER_FENCED);
    });

    await t.step("offsets sent to a transaction commit with it", async () => {
      await using plain = new Producer({ bootstrapServers });
      await plain.send(Array.from({ length: 3 }, (_, i) => ({ topic: "txn-in", value: `in${i}` })));
      await using consumer = new Consumer({
        bootstrapServers,
        groupId: "brook-txn-group",
        autoOffsetReset: "earliest",
        autoCommit: false,
        isolationLevel: "read_committed",
      });
      consumer.subscribe(["txn-in"]);
      const read = [];
      const deadline = Date.now() + 20_000;
      while (read.length < 3 && Date.now() < deadline) {
        read.push(...await consumer.poll({ timeoutMs: 200 }));
      }
      assertEquals(read.map((r) => td.decode(r.value!)), ["in0", "in1", "in2"]);
      await using producer = new Producer({ bootstrapServers, transactionalId: "brook-tx-ctp" });
      await producer.initTransactions();
      producer.beginTransaction();
      await producer.send({ topic: "txn-out", value: "transformed" });
      const next = read[read.length - 1].offset + 1n;
      await producer.sendOffsetsToTransaction(
        [{ topic: "txn-in", partition: 0, offset: next }],
        consumer.groupMetadata(),
      );
      await producer.commitTransaction();
      const committed = await consumer.committed([{ topic: "txn-in", partitions: [0] }]);
      assertEquals(committed.get("txn-in")?.get(0), next);
    });
  },
});
