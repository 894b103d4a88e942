// Partition counts Kafka's controller refuses are refused by Brook's broker before anything is
// allocated: CreateTopics and CreatePartitions asking for millions of partitions, Broker.createTopic,
// topics given at start and the partition count of auto-created topics.
import { clusterOf } from "../../broker/broker_internals.ts";
import { assertEquals, assertRejects, assertThrows } from "../assert.ts";
import { ApiKey, ErrorCode } from "../../codec/mod.ts";
import { Broker } from "../../broker/mod.ts";
import { RawClient } from "./raw_client.ts";

const INT_MAX = 2 ** 31 - 1;

Deno.test("partition limits: CreateTopics asking for millions of partitions is refused as Kafka refuses it", async () => {
  await using broker = await Broker.start();
  await using client = await RawClient.connect(broker.bootstrapServers);
  for (const numPartitions of [INT_MAX, 1_000_000, 10_001]) {
    const answer = await client.request(ApiKey.CreateTopics, 7, {
      topics: [{ name: "huge", numPartitions, replicationFactor: 1 }],
      timeoutMs: 5000,
    });
    assertEquals(answer.topics.map((t) => [t.errorCode, t.errorMessage]), [
      [ErrorCode.POLICY_VIOLATION, "Excessively large number of partitions per request."],
    ]);
  }
  // Two topics whose counts wrap around Java's int are refused by the record limit instead.
  const wrapped = await client.request(ApiKey.CreateTopics, 7, {
    topics: [
      { name: "w1", numPartitions: INT_MAX, replicationFactor: 1 },
      { name: "w2", numPartitions: INT_MAX, replicationFactor: 1 },
    ],
    timeoutMs: 5000,
  });
  assertEquals(wrapped.topics.map((t) => [t.name, t.errorCode, t.errorMessage]), [
    ["w1", ErrorCode.POLICY_VIOLATION, "Unable to perform excessively large batch operation."],
    ["w2", ErrorCode.POLICY_VIOLATION, "Unable to perform excessively large batch operation."],
  ]);
  assertEquals([...clusterOf(broker).topics.keys()].filter((t) => !t.startsWith("__")), []);
});

Deno.test("partition limits: CreatePartitions adding millions of partitions is refused before any is made", async () => {
  await using broker = await Broker.start({ topics: { t: { partitions: 1 } } });
  await using client = await RawClient.connect(broker.bootstrapServers);
  for (const count of [INT_MAX, 1_000_000, 10_002]) {
    const answer = await client.request(ApiKey.CreatePartitions, 3, {
      topics: [{ name: "t", count, assignments: null }],
      timeoutMs: 5000,
      validateOnly: false,
    });
    assertEquals(answer.results.map((r) => [r.errorCode, r.errorMessage]), [
      [ErrorCode.UNKNOWN_SERVER_ERROR, null],
    ]);
  }
  assertEquals(clusterOf(broker).topics.get("t")!.partitions.length, 1);
});

Deno.test("partition limits: Broker.createTopic, topics at start and num.partitions are bounded too", async () => {
  await using broker = await Broker.start();
  assertThrows(
    () => broker.createTopic("huge", { partitions: INT_MAX }),
    RangeError,
    /Excessively/,
  );
  assertThrows(() => broker.createTopic("bad", { partitions: 0 }), RangeError, /non-positive/);
  assertThrows(
    () => broker.createTopic("wide", { partitions: 1, replicationFactor: INT_MAX }),
    RangeError,
    /cannot be reached because only 1 broker\(s\) are registered/,
  );
  assertEquals(broker.createTopic("fine", { partitions: 10_000 }).partitions.length, 10_000);
  await assertRejects(
    () => Broker.start({ topics: { huge: { partitions: 1_000_000 } } }),
    RangeError,
  );
  await assertRejects(() => Broker.start({ defaultPartitions: 1_000_000 }), RangeError);
});
