// Brook's client metrics and events on a real Kafka 4.1.1: what tests/client/consumer_metrics_test.ts
// and producer_failures_test.ts check on Brook's broker.
import { assertEquals, assertOk } from "../assert.ts";
import { startKafka } from "./kafka_server.ts";
import { type AckEvent, Admin, Consumer, type FetchEvent, Producer } from "../../client/mod.ts";

const interop = Deno.env.get("BROOK_INTEROP") === "1";

Deno.test({
  name: "client metrics: producer and consumer metrics and events on a real Kafka 4.1.1",
  ignore: !interop,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using kafka = await startKafka();
    const topic = `metrics-${crypto.randomUUID().slice(0, 8)}`;
    {
      await using admin = new Admin({ bootstrapServers: kafka.bootstrapServers });
      await admin.createTopics([{ name: topic, partitions: 1, replicationFactor: 1 }]);
    }
    await using producer = new Producer({ bootstrapServers: kafka.bootstrapServers });
    const acks: AckEvent[] = [];
    producer.on("ack", (e) => acks.push(e));
    // One batch per record: awaited one by one.
    for (let i = 0; i < 10; i++) await producer.send({ topic, partition: 0, value: `v${i}` });
    const pm = producer.client.instrumentation.metrics;
    assertEquals(pm.value("record-send-total"), 10);
    assertEquals(pm.value("record-error-total"), 0);
    assertEquals(acks.map((a) => a.baseOffset), Array.from({ length: 10 }, (_, i) => BigInt(i)));
    assertOk(producer.metrics().requestLatency.Produce.count >= 10);
    // Node metrics are tagged with the node id metadata gives, as Java's node-<id>.
    assertOk(
      producer.metrics().metrics.some((m) =>
        m.group === "producer-node-metrics" && /^node-\d+$/.test(m.tags["node-id"])
      ),
    );

    await using consumer = new Consumer({
      bootstrapServers: kafka.bootstrapServers,
      maxPartitionFetchBytes: 1,
    });
    const fetches: FetchEvent[] = [];
    consumer.on("fetch", (e) => fetches.push(e));
    consumer.assign([{ topic, partition: 0, offset: 0n }]);
    let records = 0;
    for (let i = 0; i < 50 && records === 0; i++) records += (await consumer.poll()).length;
    // Kafka returns the first batch however small the partition limit: one record, nine behind.
    assertEquals(records, 1);
    const cm = consumer.client.instrumentation.metrics;
    assertEquals(cm.value("records-lag", { topic, partition: "0" }), 9);
    assertEquals(cm.value("records-lag-max"), 9);
    assertEquals(cm.value("records-consumed-total"), 1);
    assertEquals(fetches.at(-1)!.partitions[0].highWatermark, 10n);
  },
});
