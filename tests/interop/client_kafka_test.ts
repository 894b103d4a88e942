// Brook's client against a real Apache Kafka 4.1.1 (BROOK_INTEROP=1): produce with every compression,
// consume back, and consumer groups of two members with each assignor, with commits.
import { assertEquals, assertOk } from "../assert.ts";
import { ApiKey, ErrorCode } from "../../codec/mod.ts";
import { Consumer, KafkaClient, Producer } from "../../client/mod.ts";
import { startKafka } from "./kafka_server.ts";

const enabled = Deno.env.get("BROOK_INTEROP") === "1";
const td = new TextDecoder();

async function createTopic(
  bootstrapServers: string,
  name: string,
  partitions: number,
): Promise<void> {
  await using client = new KafkaClient({ bootstrapServers });
  const md = await client.metadata(null);
  const res = await client.requestNode(md.controllerId, ApiKey.CreateTopics, {
    topics: [{ name, numPartitions: partitions, replicationFactor: 1 }],
    timeoutMs: 10000,
  });
  assertEquals(res.topics[0].errorCode, ErrorCode.NONE);
}

Deno.test({
  name: "interop: Brook's client against Apache Kafka 4.1.1",
  ignore: !enabled,
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    await using kafka = await startKafka();
    const bootstrapServers = kafka.bootstrapServers;
    await createTopic(bootstrapServers, "orders", 4);

    await t.step("produce with every compression and read back", async () => {
      for (const compression of ["none", "gzip", "snappy", "lz4", "zstd"] as const) {
        await using producer = new Producer({ bootstrapServers, compression });
        const metas = await producer.send(
          Array.from(
            { length: 25 },
            (_, i) => ({ topic: "orders", key: `k${i}`, value: `${compression} ${i}` }),
          ),
        );
        assertOk(metas.every((m) => m.offset >= 0n));
      }
      await using consumer = new Consumer({
        bootstrapServers,
        autoOffsetReset: "earliest",
        fetchMaxWaitMs: 100,
      });
      consumer.assign([0, 1, 2, 3].map((partition) => ({ topic: "orders", partition })));
      const values: string[] = [];
      const end = Date.now() + 20000;
      while (values.length < 125 && Date.now() < end) {
        for (const r of await consumer.poll()) values.push(td.decode(r.value!));
      }
      assertEquals(values.length, 125);
      for (const c of ["none", "gzip", "snappy", "lz4", "zstd"]) {
        assertEquals(values.filter((v) => v.startsWith(`${c} `)).length, 25);
      }
    });

    for (const assignor of ["range", "roundrobin", "cooperative-sticky"] as const) {
      await t.step(
        `a group of two with ${assignor}: each partition read once, offsets committed`,
        async () => {
          const groupId = `group-${assignor}`;
          const make = () =>
            new Consumer({
              bootstrapServers,
              groupId,
              autoOffsetReset: "earliest",
              assignors: [assignor],
              heartbeatIntervalMs: 300,
              sessionTimeoutMs: 6000,
              fetchMaxWaitMs: 100,
            });
          const first = make();
          first.subscribe(["orders"]);
          const seen = new Map<string, number>();
          const count = (rs: { partition: number; offset: bigint }[]) =>
            rs.forEach((r) =>
              seen.set(
                `${r.partition}:${r.offset}`,
                (seen.get(`${r.partition}:${r.offset}`) ?? 0) + 1,
              )
            );
          count(await first.poll({ timeoutMs: 3000, maxRecords: 20 }));
          await first.commit();
          const second = make();
          second.subscribe(["orders"]);
          const loop = async (c: Consumer) => {
            const end = Date.now() + 15000;
            while (Date.now() < end && (seen.size < 125 || c.assignment().length !== 2)) {
              count(await c.poll({ timeoutMs: 200 }));
              await c.commit().catch(() => {});
            }
          };
          await Promise.all([loop(first), loop(second)]);
          assertEquals(seen.size, 125, "every record was read");
          assertEquals(
            [...seen.values()].filter((n) => n > 1).length,
            0,
            "no record was read twice",
          );
          const parts = [...first.assignment(), ...second.assignment()].map((p) => p.partition)
            .sort();
          assertEquals(parts, [0, 1, 2, 3]);
          const committed = await first.committed([{ topic: "orders", partitions: [0, 1, 2, 3] }]);
          assertEquals(
            [...committed.get("orders")?.values() ?? []].reduce((a, b) => a + b, 0n),
            125n,
          );
          await first.close();
          await second.close();
        },
      );
    }
  },
});
