import { clusterOf } from "../../broker/broker_internals.ts";
import { assertEquals, assertOk } from "../assert.ts";
import { ApiKey, decodeRecordBatches } from "../../codec/mod.ts";
import { Broker } from "../../broker/mod.ts";
import { Consumer, Producer } from "../../client/mod.ts";
import { RawClient } from "./raw_client.ts";

Deno.test("timestamps: LogAppendTime topics are stamped by the broker with a valid CRC", async () => {
  await using broker = await Broker.start({
    topics: { lat: { configs: { "message.timestamp.type": "LogAppendTime" } } },
  });
  await using producer = new Producer({ bootstrapServers: broker.bootstrapServers });
  const before = Date.now();
  const meta = await producer.send({ topic: "lat", value: "x", timestamp: 1000 });
  assertOk(meta.timestamp >= BigInt(before), `append time ${meta.timestamp}`);
  const [batch] = decodeRecordBatches(clusterOf(broker).partition("lat", 0)!.log.batches[0].bytes); // checks the CRC
  assertEquals([batch.timestampType, batch.records[0].timestamp], [1, meta.timestamp]);
  await using consumer = new Consumer({
    bootstrapServers: broker.bootstrapServers,
    autoOffsetReset: "earliest",
  });
  consumer.assign([{ topic: "lat", partition: 0 }]);
  const [r] = await consumer.poll({ timeoutMs: 1000 });
  assertEquals(r.timestamp, meta.timestamp);
});

Deno.test("timestamps: ListOffsets finds the first record at or after a time, and the max timestamp", async () => {
  await using broker = await Broker.start({ topics: { ts: {} } });
  await using producer = new Producer({ bootstrapServers: broker.bootstrapServers, lingerMs: 20 });
  // One batch whose records have times 100, 300, 200, 400.
  await producer.send(
    [100, 300, 200, 400].map((t) => ({
      topic: "ts",
      partition: 0,
      value: String(t),
      timestamp: t,
    })),
  );
  await using c = await RawClient.connect(broker.bootstrapServers);
  const ask = async (timestamp: bigint) => {
    const res = await c.request(ApiKey.ListOffsets, 9, {
      replicaId: -1,
      topics: [{ name: "ts", partitions: [{ partitionIndex: 0, timestamp }] }],
    });
    const p = res.topics[0].partitions[0];
    return [p.offset, p.timestamp];
  };
  assertEquals(await ask(150n), [1n, 300n]);
  assertEquals(await ask(400n), [3n, 400n]);
  assertEquals(await ask(500n), [-1n, -1n]);
  assertEquals(await ask(-3n), [3n, 400n]);
  assertEquals(await ask(-2n), [0n, -1n]);
  assertEquals(await ask(-1n), [4n, -1n]);
});

Deno.test("timestamps: a partition named twice in ListOffsets is answered once with INVALID_REQUEST", async () => {
  // Real Kafka 4.1.1 answers so (checked with a raw request).
  await using broker = await Broker.start({ topics: { ts: { partitions: 2 } } });
  await using c = await RawClient.connect(broker.bootstrapServers);
  const res = await c.request(ApiKey.ListOffsets, 10, {
    replicaId: -1,
    topics: [{
      name: "ts",
      partitions: [
        { partitionIndex: 0, timestamp: -1n },
        { partitionIndex: 1, timestamp: -1n },
        { partitionIndex: 0, timestamp: -2n },
      ],
    }],
  });
  assertEquals(
    res.topics[0].partitions.map((p) => [p.partitionIndex, p.errorCode]),
    [[0, 42], [1, 0]],
  );
});
