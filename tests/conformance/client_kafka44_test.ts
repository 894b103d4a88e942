// Brook's client speaks Kafka 4.4's new versions of ApiVersions (v5), ListOffsets (v11),
// DeleteGroups (v3), DescribeLogDirs (v5), ShareFetch and ShareAcknowledge (v2), and names topics by
// id in OffsetCommit and OffsetFetch (v10, consumer and admin) and TxnOffsetCommit (v6): against a real Kafka 4.4.0 and
// against Brook's broker it negotiates them, and listing offsets, deleting groups, committing and
// reading a group's offsets, and committing them in a transaction work in them (BROOK_INTEROP=1;
// part of deno task test:interop).
import { assertEquals, assertRejects } from "../assert.ts";
import { ApiKey, ErrorCode, KafkaProtocolError } from "../../codec/mod.ts";
import { Broker } from "../../broker/mod.ts";
import { Admin, Consumer, Producer } from "../../client/mod.ts";
import { startKafka } from "../interop/kafka_server.ts";

const interop = Deno.env.get("BROOK_INTEROP") === "1";

const EXPECTED = [
  [ApiKey.ApiVersions, 5],
  [ApiKey.ListOffsets, 11],
  [ApiKey.DeleteGroups, 3],
  [ApiKey.DescribeLogDirs, 5],
  [ApiKey.TxnOffsetCommit, 6],
  [ApiKey.OffsetCommit, 10],
  [ApiKey.OffsetFetch, 10],
  [ApiKey.ShareFetch, 2],
  [ApiKey.ShareAcknowledge, 2],
] as const;

/** The versions of `keys` a client's requests were sent in. */
function sentVersions(client: { on: Consumer["on"] }, keys: number[]) {
  const sent = new Map<number, Set<number>>();
  client.on("request", (e) => {
    if (keys.includes(e.apiKey)) {
      sent.set(e.apiKey, (sent.get(e.apiKey) ?? new Set()).add(e.apiVersion));
    }
  });
  return () => keys.map((k) => [k, [...sent.get(k) ?? []]]);
}

async function exercise(bootstrapServers: string) {
  const run = `c${Date.now() % 100000}`;
  await using admin = new Admin({ bootstrapServers });
  await admin.createTopics([{ name: run, partitions: 1, replicationFactor: 1 }]);
  const meta = await admin.client.metadata([run]);
  const connection = await admin.client.connection([...meta.brokers.keys()][0]);
  const versions = EXPECTED.map(([k]) => [k, connection.negotiatedVersion(k)]);
  {
    await using producer = new Producer({ bootstrapServers });
    await producer.send([{ topic: run, value: "a" }, { topic: run, value: "b" }]);
  }
  const offsets = await admin.listOffsets([
    { topic: run, partition: 0, spec: "earliest" },
    { topic: run, partition: 0, spec: "latest" },
  ]);
  // A group's offsets committed and read back by the consumer (by topic id), and committed in a
  // transaction (by topic id).
  let committed;
  let consumerSent;
  {
    await using consumer = new Consumer({ bootstrapServers, groupId: `${run}-c` });
    const sent = sentVersions(consumer, [ApiKey.OffsetCommit, ApiKey.OffsetFetch]);
    await consumer.commit([{ topic: run, partition: 0, offset: 1n }]);
    committed = (await consumer.committed([{ topic: run, partitions: [0] }])).get(run)?.get(0);
    consumerSent = sent();
  }
  let producerSent;
  {
    await using producer = new Producer({ bootstrapServers, transactionalId: `${run}-x` });
    const sent = sentVersions(producer, [ApiKey.TxnOffsetCommit]);
    await producer.initTransactions();
    producer.beginTransaction();
    await producer.send([{ topic: run, value: "c" }]);
    await producer.sendOffsetsToTransaction([{ topic: run, partition: 0, offset: 2n }], {
      groupId: `${run}-x`,
    });
    await producer.commitTransaction();
    producerSent = sent();
  }
  // The admin client lists every topic's offsets, and one partition's, and alters them (by id).
  const adminSent = sentVersions(admin.client, [ApiKey.OffsetCommit, ApiKey.OffsetFetch]);
  // Kafka writes the commit's markers after EndTxn is answered: until then the transaction's
  // offsets are not the group's yet, so wait (at most 10 s) for them to show.
  let inTransaction: unknown[] = [];
  for (const deadline = Date.now() + 10_000; inTransaction.length === 0 && Date.now() < deadline;) {
    inTransaction = (await admin.listConsumerGroupOffsets(`${run}-x`))
      .map((o) => [o.topic, o.partition, o.offset]);
    if (inTransaction.length === 0) await new Promise((r) => setTimeout(r, 100));
  }
  await admin.alterConsumerGroupOffsets(`${run}-g`, [{ topic: run, partition: 0, offset: 1n }]);
  const altered = (await admin.listConsumerGroupOffsets(`${run}-g`, {
    partitions: [{ topic: run, partition: 0 }],
  })).map((o) => [o.topic, o.partition, o.offset]);
  const adminVersions = adminSent();
  await admin.deleteGroups([`${run}-g`]);
  const gone = await assertRejects(() => admin.deleteGroups([`${run}-g`]), KafkaProtocolError);
  return {
    run,
    versions,
    offsets: offsets.map((o) => o.offset),
    deletedAgain: (gone as KafkaProtocolError).code,
    committed,
    consumerSent,
    inTransaction,
    producerSent,
    altered,
    adminVersions,
  };
}

const want = (run: string) => ({
  run,
  versions: EXPECTED.map(([k, v]) => [k, v]),
  offsets: [0n, 2n],
  deletedAgain: ErrorCode.GROUP_ID_NOT_FOUND,
  committed: 1n,
  consumerSent: [[ApiKey.OffsetCommit, [10]], [ApiKey.OffsetFetch, [10]]],
  inTransaction: [[run, 0, 2n]],
  producerSent: [[ApiKey.TxnOffsetCommit, [6]]],
  altered: [[run, 0, 1n]],
  adminVersions: [[ApiKey.OffsetCommit, [10]], [ApiKey.OffsetFetch, [10]]],
});

Deno.test({
  name: "client: Kafka 4.4's versions against a real Kafka 4.4.0",
  ignore: !interop,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using kafka = await startKafka({ version: "4.4.0" });
    const got = await exercise(kafka.bootstrapServers);
    assertEquals(got, want(got.run));
  },
});

Deno.test({
  name: "client: Kafka 4.4's versions against Brook's broker",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using brook = await Broker.start();
    const got = await exercise(brook.bootstrapServers);
    assertEquals(got, want(got.run));
  },
});
