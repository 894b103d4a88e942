import { assertEquals } from "../assert.ts";
import { ApiKey, encodeRecordBatch, ErrorCode } from "../../codec/mod.ts";
import { Broker } from "../../broker/mod.ts";
import { RawClient } from "./raw_client.ts";

Deno.test("fetch sessions (KIP-227): full, then incremental answers, forgotten partitions, epoch errors", async () => {
  await using broker = await Broker.start({ topics: { s: { partitions: 2 } } });
  await using c = await RawClient.connect(broker.bootstrapServers);
  const produce = (partition: number) =>
    c.request(ApiKey.Produce, 9, {
      acks: 1,
      timeoutMs: 1000,
      topicData: [{
        name: "s",
        partitionData: [{
          index: partition,
          records: encodeRecordBatch({ records: [{ value: new Uint8Array([partition]) }] }),
        }],
      }],
    });
  const fetch = (
    sessionId: number,
    sessionEpoch: number,
    partitions: { partition: number; fetchOffset: bigint }[],
    forgotten: number[] = [],
  ) =>
    c.request(ApiKey.Fetch, 12, {
      maxWaitMs: 0,
      minBytes: 0,
      maxBytes: 1 << 20,
      sessionId,
      sessionEpoch,
      topics: partitions.length
        ? [{
          topic: "s",
          partitions: partitions.map((p) => ({ ...p, partitionMaxBytes: 1 << 20 })),
        }]
        : [],
      forgottenTopicsData: forgotten.length ? [{ topic: "s", partitions: forgotten }] : [],
    });
  await produce(0);
  const opened = await fetch(0, 0, [{ partition: 0, fetchOffset: 0n }, {
    partition: 1,
    fetchOffset: 0n,
  }]);
  const id = opened.sessionId;
  assertEquals(id > 0, true);
  assertEquals(opened.responses[0].partitions.map((p) => p.partitionIndex), [0, 1]);
  // Nothing changed: an incremental answer lists no partition.
  const quiet = await fetch(id, 1, [{ partition: 0, fetchOffset: 1n }]);
  assertEquals(quiet.sessionId, id);
  assertEquals(quiet.responses.flatMap((t) => t.partitions).length, 0);
  // New data on partition 1 only: only partition 1 is answered, although the request names none.
  await produce(1);
  const news = await fetch(id, 2, []);
  assertEquals(
    news.responses.flatMap((t) => t.partitions.map((p) => [p.partitionIndex, p.highWatermark])),
    [[1, 1n]],
  );
  // Forget partition 1: new data there is no longer reported.
  await fetch(id, 3, [], [1]);
  await produce(1);
  const forgotten = await fetch(id, 4, []);
  assertEquals(forgotten.responses.flatMap((t) => t.partitions).length, 0);
  // A wrong epoch, an unknown session.
  assertEquals((await fetch(id, 9, [])).errorCode, ErrorCode.INVALID_FETCH_SESSION_EPOCH);
  assertEquals((await fetch(999999, 1, [])).errorCode, ErrorCode.FETCH_SESSION_ID_NOT_FOUND);
  // Epoch -1 closes the session and fetches without one.
  const closed = await fetch(id, -1, [{ partition: 0, fetchOffset: 0n }]);
  assertEquals([closed.errorCode, closed.sessionId], [ErrorCode.NONE, 0]);
  assertEquals((await fetch(id, 5, [])).errorCode, ErrorCode.FETCH_SESSION_ID_NOT_FOUND);
});
