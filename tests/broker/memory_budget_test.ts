// A memory budget for stored records (maxMemoryBytes, --max-memory): once the logs hold it, Produce
// is answered KAFKA_STORAGE_ERROR, as Kafka answers when its log directory is full, and appends
// resume once retention or DeleteRecords has made room.
import { clusterOf } from "../../broker/broker_internals.ts";
import { assertEquals, assertOk, assertRejects } from "../assert.ts";
import { ApiKey, encodeRecordBatch, ErrorCode } from "../../codec/mod.ts";
import { Broker } from "../../broker/mod.ts";
import { RawClient } from "./raw_client.ts";
import { parseCommandLine } from "../../cli/broker.ts";

const BUDGET = 100_000;

function produce(value: Uint8Array) {
  return {
    acks: 1,
    timeoutMs: 5000,
    topicData: [{
      name: "t",
      partitionData: [{
        index: 0,
        records: encodeRecordBatch({ records: [{ key: null, value }], baseTimestamp: Date.now() }),
      }],
    }],
  };
}

Deno.test("memory budget: a full store answers Produce with KAFKA_STORAGE_ERROR until room is made", async () => {
  await using broker = await Broker.start({
    maxMemoryBytes: BUDGET,
    topics: { t: { partitions: 1 } },
  });
  await using client = await RawClient.connect(broker.bootstrapServers);
  const value = new Uint8Array(10_000).fill(7);
  const codes: number[] = [];
  for (let i = 0; i < 20; i++) {
    const answer = await client.request(ApiKey.Produce, 9, produce(value));
    codes.push(answer.responses[0].partitionResponses[0].errorCode);
  }
  const stored = codes.filter((c) => c === ErrorCode.NONE).length;
  assertEquals(codes, [
    ...Array(stored).fill(ErrorCode.NONE),
    ...Array(20 - stored).fill(ErrorCode.KAFKA_STORAGE_ERROR),
  ]);
  assertOk(stored >= 8 && stored <= 10, `${stored} batches of 10 kB stored under 100 kB`);
  const log = clusterOf(broker).partition("t", 0)!.log;
  assertOk(log.sizeBytes <= BUDGET, `the log holds ${log.sizeBytes} bytes`);
  // DeleteRecords frees the room: appends resume.
  const deleted = await client.request(ApiKey.DeleteRecords, 2, {
    topics: [{ name: "t", partitions: [{ partitionIndex: 0, offset: BigInt(stored) }] }],
    timeoutMs: 5000,
  });
  assertEquals(deleted.topics[0].partitions[0].errorCode, ErrorCode.NONE);
  const again = await client.request(ApiKey.Produce, 9, produce(value));
  assertEquals(again.responses[0].partitionResponses[0].errorCode, ErrorCode.NONE);
});

Deno.test("memory budget: retention makes room again", async () => {
  // Segments of Kafka's smallest segment.bytes (1 MiB), so that retention has closed ones to delete.
  await using broker = await Broker.start({
    maxMemoryBytes: 3_000_000,
    logCleanerIntervalMs: 0,
    topics: {
      t: { partitions: 1, configs: { "retention.bytes": "0", "segment.bytes": "1048576" } },
    },
  });
  await using client = await RawClient.connect(broker.bootstrapServers);
  const value = new Uint8Array(100_000).fill(7);
  let code: number = ErrorCode.NONE;
  for (let i = 0; i < 60 && code === ErrorCode.NONE; i++) {
    const answer = await client.request(ApiKey.Produce, 9, produce(value));
    code = answer.responses[0].partitionResponses[0].errorCode;
  }
  assertEquals(code, ErrorCode.KAFKA_STORAGE_ERROR);
  broker.cleanLogs();
  const again = await client.request(ApiKey.Produce, 9, produce(value));
  assertEquals(again.responses[0].partitionResponses[0].errorCode, ErrorCode.NONE);
});

Deno.test("memory budget: must be a positive number of bytes", async () => {
  await assertRejects(() => Broker.start({ maxMemoryBytes: 0 }), RangeError);
});

Deno.test("memory budget: --max-memory takes bytes or a k, m or g suffix", async () => {
  const parsed = async (...args: string[]) => {
    const result = await parseCommandLine(args);
    return result.help ? undefined : result.options.maxMemoryBytes;
  };
  assertEquals(await parsed("--max-memory", "512m"), 512 * 1024 * 1024);
  assertEquals(await parsed("--max-memory", "1000"), 1000);
  assertEquals(await parsed(), undefined);
  await assertRejects(() => parsed("--max-memory", "0"), Error, /--max-memory must be/);
  await assertRejects(() => parsed("--max-memory", "lots"), Error, /--max-memory must be/);
});
