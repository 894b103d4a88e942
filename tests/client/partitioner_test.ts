import { assertEquals, assertOk } from "../assert.ts";
import { murmur2, partitionForKey, StickyPartitioner } from "../../client/producer/partitioner.ts";

// Values printed by Kafka's own org.apache.kafka.common.utils.Utils.murmur2 (kafka-clients 4.1.1) for the
// UTF-8 bytes of each key, and toPositive(murmur2) % 7.
const JAVA: [string, number, number][] = [
  ["21", -973932308, 3],
  ["foobar", -790332482, 0],
  ["a-little-bit-long-string", -985981536, 1],
  ["a-little-bit-longer-string", -1486304829, 0],
  ["lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58897971, 3],
  ["abc", 479470107, 4],
  ["", 275646681, 2],
  ["x", 2121525046, 4],
  ["héllo wörld ☃", -513289426, 3],
  ["user-42", 1459644460, 1],
];

Deno.test("partitioner: murmur2 and key partitions equal Kafka's Java client", () => {
  for (const [key, hash, partition] of JAVA) {
    const bytes = new TextEncoder().encode(key);
    assertEquals(murmur2(bytes), hash, key);
    assertEquals(partitionForKey(bytes, 7), partition, key);
  }
});

Deno.test("partitioner: keyless records stick to a partition for a batch's worth of bytes", () => {
  const sticky = new StickyPartitioner(1000);
  const first = sticky.partition("t", 100, 6);
  for (let i = 1; i < 10; i++) assertEquals(sticky.partition("t", 100, 6), first);
  // The batch is full: the next record moves to another partition.
  assertOk(sticky.partition("t", 100, 6) !== first);
  // Only available partitions are chosen.
  const only = new StickyPartitioner(1);
  for (let i = 0; i < 50; i++) assertOk([2, 4].includes(only.partition("u", 10, 6, [2, 4])));
});
