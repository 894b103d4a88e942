// Brook's share consumer (KIP-932) on Brook's broker; tests/interop/share_consumer_kafka_test.ts
// runs the same scenarios on a real Kafka 4.1.1.
import { assertEquals } from "../assert.ts";
import { Broker } from "../../broker/mod.ts";
import { ShareConsumer } from "../../client/mod.ts";
import {
  explicitAcknowledgements,
  implicitPair,
  prepare,
  readCommitted,
  RECORDS,
} from "./share_consumer_scenarios.ts";

Deno.test("share consumer: for await hands out every record once", async () => {
  await using broker = await Broker.start({
    features: { "share.version": 1 },
    configs: {
      "group.share.min.heartbeat.interval.ms": "200",
      "group.share.heartbeat.interval.ms": "200",
    },
  });
  const topic = "loop";
  await prepare(broker.bootstrapServers, topic);
  await using consumer = new ShareConsumer({
    bootstrapServers: broker.bootstrapServers,
    groupId: `${topic}-group`,
  });
  consumer.subscribe([topic]);
  const seen = new Set<string>();
  for await (const record of consumer) {
    seen.add(new TextDecoder().decode(record.value!));
    if (seen.size === RECORDS) break;
  }
  assertEquals(seen.size, RECORDS);
});

Deno.test({
  name: "share consumer: reads a share group on Brook's broker",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    await using broker = await Broker.start({
      nodes: 3,
      configs: {
        "group.share.min.heartbeat.interval.ms": "200",
        "group.share.heartbeat.interval.ms": "200",
      },
    });
    await t.step(
      "two consumers, implicit acknowledgement",
      () => implicitPair(broker.bootstrapServers),
    );
    await t.step(
      "explicit acknowledgement: release and reject",
      () => explicitAcknowledgements(broker.bootstrapServers),
    );
    await t.step(
      "read_committed: aborted transactions are not delivered",
      () => readCommitted(broker.bootstrapServers),
    );
  },
});
