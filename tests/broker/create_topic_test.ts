// Every way of creating a topic refuses what CreateTopics refuses, with Kafka's messages:
// Broker.createTopic, topics given at start, and the CreateTopics API share one path.
import { clusterOf } from "../../broker/broker_internals.ts";
import { assertEquals, assertRejects, assertThrows } from "../assert.ts";
import { Broker } from "../../broker/mod.ts";
import { Admin } from "../../client/mod.ts";
import { KafkaProtocolError } from "../../codec/mod.ts";

const REFUSED: [string, Record<string, string>, RegExp][] = [
  [
    "bad-policy",
    { "cleanup.policy": "bogus" },
    /Invalid value bogus for configuration cleanup\.policy/,
  ],
  ["unknown", { "no.such": "1" }, /Unknown topic config name: no\.such/],
  ["negative", { "retention.bytes": "x" }, /Invalid value x for configuration retention\.bytes/],
];

Deno.test("create topic: Broker.createTopic, topics at start and CreateTopics refuse the same configs", async () => {
  await using broker = await Broker.start();
  await using admin = new Admin({ bootstrapServers: broker.bootstrapServers });
  for (const [name, configs, message] of REFUSED) {
    assertThrows(() => broker.createTopic(name, { configs }), RangeError, message);
    await assertRejects(
      () => Broker.start({ topics: { [name]: { configs } } }),
      RangeError,
      message,
    );
    const e = await assertRejects(
      () => admin.createTopics([{ name, partitions: 1, replicationFactor: 1, configs }]),
      KafkaProtocolError,
      message,
    );
    assertEquals(e.errorName, "INVALID_CONFIG");
    assertEquals(clusterOf(broker).topics.has(name), false);
  }
});
