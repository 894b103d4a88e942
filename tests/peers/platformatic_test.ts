// @platformatic/kafka (npm) against Brook's broker: admin creates a topic, the producer sends with
// compression, a consumer group reads everything back and commits.
import { clusterOf } from "../../broker/broker_internals.ts";
import { assertEquals } from "../assert.ts";
import { Broker } from "../../broker/mod.ts";
import {
  Admin,
  Consumer,
  MessagesStreamModes,
  Producer,
  stringDeserializers,
  stringSerializers,
} from "@platformatic/kafka";

Deno.test({
  name: "peers: @platformatic/kafka produces, consumes in a group and administers Brook's broker",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    await using broker = await Broker.start({ nodes: 3 });
    const bootstrapBrokers = broker.bootstrapServers.split(",");
    const admin = new Admin({ clientId: "pf-admin", bootstrapBrokers });
    await admin.createTopics({ topics: ["pf"], partitions: 3, replicas: 2 });
    await admin.close();
    assertEquals(clusterOf(broker).topics.get("pf")!.partitions.length, 3);
    const producer = new Producer({
      clientId: "pf-producer",
      bootstrapBrokers,
      serializers: stringSerializers,
    });
    for (const compression of ["none", "gzip", "snappy", "lz4", "zstd"] as const) {
      await producer.send({
        messages: Array.from(
          { length: 10 },
          (_, i) => ({ topic: "pf", key: `${compression}-${i}`, value: `${compression} ${i}` }),
        ),
        compression,
      });
    }
    await producer.close();
    const consumer = new Consumer({
      groupId: "pf-group",
      clientId: "pf-consumer",
      bootstrapBrokers,
      deserializers: stringDeserializers,
    });
    const stream = await consumer.consume({
      topics: ["pf"],
      mode: MessagesStreamModes.EARLIEST,
      autocommit: true,
      sessionTimeout: 10000,
      heartbeatInterval: 500,
    });
    const values = new Set<string>();
    const done = new Promise<void>((resolve) => {
      stream.on("data", (m: { value: string }) => {
        values.add(m.value);
        if (values.size === 50) resolve();
      });
    });
    await Promise.race([done, new Promise((r) => setTimeout(r, 15000))]);
    await stream.close();
    await consumer.close();
    assertEquals(values.size, 50);
  },
});
