import { assertEquals } from "../assert.ts";
import { ApiKey, decodeRecordBatches, encodeRecordBatch, ErrorCode } from "../../codec/mod.ts";
import { Broker } from "../../broker/mod.ts";
import { Producer } from "../../client/mod.ts";
import { RawClient } from "./raw_client.ts";

const td = new TextDecoder();

function records(broker: Broker, topic: string) {
  return broker.cluster.partition(topic, 0)!.log.batches.flatMap((b) =>
    decodeRecordBatches(b.bytes)[0].records
  );
}

Deno.test("log cleaner: compaction keeps the latest value per key at its offset", async () => {
  await using broker = await Broker.start({
    logCleanerIntervalMs: 0,
    topics: { state: { configs: { "cleanup.policy": "compact", "delete.retention.ms": "1000" } } },
  });
  await using producer = new Producer({ bootstrapServers: broker.bootstrapServers, lingerMs: 0 });
  for (let round = 0; round < 3; round++) {
    await producer.send(
      ["a", "b", "c"].map((k) => ({ topic: "state", key: k, value: `${k}${round}` })),
    );
  }
  await producer.send({ topic: "state", key: "b", value: null }); // a tombstone for b
  await producer.send({ topic: "state", key: "d", value: "d0" }); // the active batch
  broker.cleanLogs();
  const kept = records(broker, "state").map((
    r,
  ) => [r.offset, td.decode(r.key!), r.value && td.decode(r.value)]);
  assertEquals(kept, [[6n, "a", "a2"], [8n, "c", "c2"], [9n, "b", null], [10n, "d", "d0"]]);
  // Once delete.retention.ms has passed, the tombstone goes too (it is no longer in the active batch).
  broker.cleanLogs(Date.now() + 5000);
  assertEquals(records(broker, "state").map((r) => Number(r.offset)), [6, 8, 10]);
  // Batches keep their CRCs valid and their offset ranges.
  assertEquals(broker.cluster.partition("state", 0)!.log.logEndOffset, 11n);
  // A compacted topic refuses records without a key.
  await using c = await RawClient.connect(broker.bootstrapServers);
  const res = await c.request(ApiKey.Produce, 9, {
    acks: 1,
    timeoutMs: 1000,
    topicData: [{
      name: "state",
      partitionData: [{
        index: 0,
        records: encodeRecordBatch({ records: [{ key: null, value: new Uint8Array([1]) }] }),
      }],
    }],
  });
  assertEquals(res.responses[0].partitionResponses[0].errorCode, ErrorCode.INVALID_RECORD);
});

Deno.test("log cleaner: retention by time and by size moves the log start offset", async () => {
  await using broker = await Broker.start({
    logCleanerIntervalMs: 0,
    topics: {
      timed: { configs: { "retention.ms": "60000" } },
      sized: { configs: { "retention.bytes": "300" } },
    },
  });
  await using producer = new Producer({ bootstrapServers: broker.bootstrapServers, lingerMs: 0 });
  const old = Date.now() - 120000;
  for (let i = 0; i < 5; i++) {
    await producer.send({ topic: "timed", value: `old ${i}`, timestamp: old });
    await producer.send({ topic: "sized", value: "x".repeat(100) });
  }
  await producer.send({ topic: "timed", value: "new" });
  broker.cleanLogs();
  const timed = broker.cluster.partition("timed", 0)!.log;
  assertEquals([timed.logStartOffset, timed.logEndOffset], [5n, 6n]);
  const sized = broker.cluster.partition("sized", 0)!.log;
  // Kafka deletes the oldest segment while the log without it would still hold retention.bytes.
  assertEquals(sized.sizeBytes - sized.batches[0].bytes.length < 300, true);
  assertEquals(sized.batches.length < 5, true);
  assertEquals(sized.logStartOffset > 0n, true);
});
