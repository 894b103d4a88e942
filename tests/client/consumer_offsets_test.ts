import { assertEquals } from "../assert.ts";
import { Broker } from "../../broker/mod.ts";
import { Consumer, type ConsumerRecord, Producer } from "../../client/mod.ts";

const td = new TextDecoder();

/** Reads partition 0 of `topic` from `offset` until `count` records came (or 10 s passed). */
async function read(
  bootstrap: string,
  topic: string,
  offset: bigint,
  count: number,
): Promise<ConsumerRecord[]> {
  await using consumer = new Consumer({ bootstrapServers: bootstrap });
  consumer.assign([{ topic, partition: 0, offset }]);
  const out: ConsumerRecord[] = [];
  const deadline = Date.now() + 10_000;
  while (out.length < count && Date.now() < deadline) {
    out.push(...await consumer.poll({ timeoutMs: 200 }));
  }
  return out;
}

Deno.test("consumer: offsets and timestamps of a compacted batch's records, read from its start and its middle", async () => {
  await using broker = await Broker.start({
    logCleanerIntervalMs: 0,
    topics: {
      state: { configs: { "cleanup.policy": "compact", "segment.ms": "100" } },
    },
  });
  await using producer = new Producer({ bootstrapServers: broker.bootstrapServers });
  const base = Date.now() - 60_000;
  // One batch of 40 records over 10 keys: runs of equal timestamps, and one earlier than the first.
  const sent = Array.from({ length: 40 }, (_, i) => ({
    topic: "state",
    key: `k${i % 10}`,
    value: `v${i}`,
    timestamp: i === 25 ? base - 5000 : base + Math.floor(i / 4) * 7,
  }));
  const acks = await producer.send(sent);
  // A later record starts a new segment, so that the first one can be compacted.
  await new Promise((r) => setTimeout(r, 150));
  await producer.send({ topic: "state", key: "k0", value: "last", timestamp: Date.now() });
  broker.cleanLogs();
  // Each key's latest record of the cleaned segment survives (the active segment is not cleaned),
  // at the offset and with the timestamp it was given.
  const expected = sent.flatMap((r, i) =>
    i >= 30 ? [[acks[i].offset, r.key, r.value, BigInt(r.timestamp)]] : []
  );
  const shape = (list: ConsumerRecord[]) =>
    list.map((r) => [r.offset, td.decode(r.key!), td.decode(r.value!), r.timestamp]);
  const all = await read(broker.bootstrapServers, "state", 0n, expected.length + 1);
  assertEquals(shape(all.slice(0, -1)), expected);
  assertEquals(td.decode(all.at(-1)!.value!), "last");
  assertEquals(all.every((r) => r.timestampType === "CreateTime"), true);
  // From an offset the cleaner removed, in the middle of the batch: the next surviving record on.
  const removed = await read(broker.bootstrapServers, "state", acks[20].offset, 11);
  assertEquals(shape(removed.slice(0, -1)), expected);
  // From a record in the middle of the batch: the records before it are not handed out.
  const middle = await read(broker.bootstrapServers, "state", acks[33].offset, 8);
  assertEquals(shape(middle.slice(0, -1)), expected.slice(3));
});
