// Brook's client speaks Kafka 4.4's new versions of ApiVersions (v5), ListOffsets (v11),
// DeleteGroups (v3) and DescribeLogDirs (v5): against a real Kafka 4.4.0 and against Brook's broker it
// negotiates them, and listing offsets and deleting groups work in them (BROOK_INTEROP=1; part of
// deno task test:interop).
import { assertEquals, assertRejects } from "../assert.ts";
import { ApiKey, ErrorCode, KafkaProtocolError } from "../../codec/mod.ts";
import { Broker } from "../../broker/mod.ts";
import { Admin, Producer } from "../../client/mod.ts";
import { startKafka } from "../interop/kafka_server.ts";

const interop = Deno.env.get("BROOK_INTEROP") === "1";

const EXPECTED = [
  [ApiKey.ApiVersions, 5],
  [ApiKey.ListOffsets, 11],
  [ApiKey.DeleteGroups, 3],
  [ApiKey.DescribeLogDirs, 5],
  // Topic ids in TxnOffsetCommit v6 are not implemented in the client yet.
  [ApiKey.TxnOffsetCommit, 5],
] as const;

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
  await admin.alterConsumerGroupOffsets(`${run}-g`, [{ topic: run, partition: 0, offset: 1n }]);
  await admin.deleteGroups([`${run}-g`]);
  const gone = await assertRejects(() => admin.deleteGroups([`${run}-g`]), KafkaProtocolError);
  return {
    versions,
    offsets: offsets.map((o) => o.offset),
    deletedAgain: (gone as KafkaProtocolError).code,
  };
}

const want = {
  versions: EXPECTED.map(([k, v]) => [k, v]),
  offsets: [0n, 2n],
  deletedAgain: ErrorCode.GROUP_ID_NOT_FOUND,
};

Deno.test({
  name: "client: Kafka 4.4's versions against a real Kafka 4.4.0",
  ignore: !interop,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using kafka = await startKafka({ version: "4.4.0" });
    assertEquals(await exercise(kafka.bootstrapServers), want);
  },
});

Deno.test({
  name: "client: Kafka 4.4's versions against Brook's broker",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using brook = await Broker.start();
    assertEquals(await exercise(brook.bootstrapServers), want);
  },
});
