import { clusterOf } from "../../broker/broker_internals.ts";
import { assertEquals } from "../assert.ts";
import { ApiKey, decodeRecordBatches, encodeRecordBatch, ErrorCode } from "../../codec/mod.ts";
import { Broker } from "../../broker/mod.ts";
import { Producer } from "../../client/mod.ts";
import { RawClient } from "./raw_client.ts";

const td = new TextDecoder();

function records(broker: Broker, topic: string) {
  return clusterOf(broker).partition(topic, 0)!.log.batches.flatMap((b) =>
    decodeRecordBatches(b.bytes)[0].records
  );
}

Deno.test("log cleaner: compaction keeps the latest value per key at its offset", async () => {
  await using broker = await Broker.start({
    logCleanerIntervalMs: 0,
    topics: {
      state: {
        // Each send lands a second after the one before, so each starts a segment.
        configs: {
          "cleanup.policy": "compact",
          "delete.retention.ms": "1000",
          "segment.ms": "100",
        },
      },
    },
  });
  await using producer = new Producer({ bootstrapServers: broker.bootstrapServers, lingerMs: 0 });
  const at = (i: number) => Date.now() - 3500 + i * 1000;
  for (let round = 0; round < 3; round++) {
    await producer.send(
      ["a", "b", "c"].map((k) => ({
        topic: "state",
        key: k,
        value: `${k}${round}`,
        timestamp: at(round),
      })),
    );
  }
  // A tombstone for b, then the active segment.
  await producer.send({ topic: "state", key: "b", value: null, timestamp: at(3) });
  await producer.send({ topic: "state", key: "d", value: "d0", timestamp: at(4) });
  assertEquals(clusterOf(broker).partition("state", 0)!.log.segments.length, 5);
  broker.cleanLogs();
  const kept = records(broker, "state").map((
    r,
  ) => [r.offset, td.decode(r.key!), r.value && td.decode(r.value)]);
  assertEquals(kept, [[6n, "a", "a2"], [8n, "c", "c2"], [9n, "b", null], [10n, "d", "d0"]]);
  // Once delete.retention.ms has passed, the tombstone goes too (it is not in the active segment).
  broker.cleanLogs(Date.now() + 5000);
  assertEquals(records(broker, "state").map((r) => Number(r.offset)), [6, 8, 10]);
  // Batches keep their CRCs valid and their offset ranges.
  assertEquals(clusterOf(broker).partition("state", 0)!.log.logEndOffset, 11n);
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
      timed: { configs: { "retention.ms": "60000", "segment.ms": "60000" } },
      sized: { configs: { "retention.bytes": "300", "segment.ms": "1" } },
      whole: { configs: { "retention.ms": "60000" } },
    },
  });
  await using producer = new Producer({ bootstrapServers: broker.bootstrapServers, lingerMs: 0 });
  const old = Date.now() - 120000;
  for (let i = 0; i < 5; i++) {
    await producer.send({ topic: "timed", value: `old ${i}`, timestamp: old });
    await producer.send({ topic: "sized", value: "x".repeat(100), timestamp: old + i * 10 });
    await producer.send({ topic: "whole", value: `old ${i}`, timestamp: old });
  }
  // Two minutes after the old ones: a new segment of its own.
  await producer.send({ topic: "timed", value: "new" });
  broker.cleanLogs();
  const timed = clusterOf(broker).partition("timed", 0)!.log;
  assertEquals([timed.logStartOffset, timed.logEndOffset, timed.segments.length], [5n, 6n, 1]);
  const sized = clusterOf(broker).partition("sized", 0)!.log;
  // Kafka deletes the oldest segment while the log without it would still hold retention.bytes.
  assertEquals(sized.sizeBytes - sized.segments[0].sizeBytes < 300, true);
  assertEquals(sized.sizeBytes >= 300, true);
  assertEquals(sized.batches.length < 5, true);
  assertEquals(sized.logStartOffset > 0n, true);
  // One segment whose newest record is expired goes whole; a new, empty one takes its place.
  const whole = clusterOf(broker).partition("whole", 0)!.log;
  assertEquals([whole.logStartOffset, whole.logEndOffset, whole.batches.length], [5n, 5n, 0]);
});

Deno.test("log segments: a fetch reads one segment; a fresh record keeps its whole segment", async () => {
  await using broker = await Broker.start({
    logCleanerIntervalMs: 0,
    topics: {
      split: { configs: { "segment.ms": "1000" } },
      kept: { configs: { "retention.ms": "60000" } },
    },
  });
  await using producer = new Producer({ bootstrapServers: broker.bootstrapServers, lingerMs: 0 });
  const base = Date.now() - 60_000;
  for (const [i, ts] of [base, base + 10, base + 5000, base + 5010].entries()) {
    await producer.send({ topic: "split", value: `v${i}`, timestamp: ts });
  }
  await producer.send({ topic: "kept", value: "old", timestamp: base - 120_000 });
  await producer.send({ topic: "kept", value: "new" });
  broker.cleanLogs();
  // Kafka's default segment.ms is a week: the old record shares a segment with a fresh one.
  assertEquals(clusterOf(broker).partition("kept", 0)!.log.logStartOffset, 0n);
  await using client = await RawClient.connect(broker.bootstrapServers);
  const fetchFrom = async (offset: bigint) => {
    const res = await client.request(ApiKey.Fetch, 12, {
      maxWaitMs: 0,
      minBytes: 1,
      maxBytes: 1 << 20,
      topics: [{
        topic: "split",
        partitions: [{ partition: 0, fetchOffset: offset, partitionMaxBytes: 1 << 20 }],
      }],
    });
    const records = res.responses[0].partitions[0].records!;
    return decodeRecordBatches(records).flatMap((b) => b.records.map((r) => Number(r.offset)));
  };
  assertEquals(await fetchFrom(0n), [0, 1]);
  assertEquals(await fetchFrom(2n), [2, 3]);
});
