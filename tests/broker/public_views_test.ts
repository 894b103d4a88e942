// The broker's public views: topics and nodes as clients see them in Metadata, following leadership
// as it moves, without the cluster's internals.
import { assertEquals, assertOk } from "../assert.ts";
import { Broker } from "../../broker/mod.ts";

Deno.test("broker views: topic() shows partitions, leaders and configs, and follows a moved leader", async () => {
  await using broker = await Broker.start({ nodes: 3 });
  const created = broker.createTopic("orders", {
    partitions: 2,
    configs: { "cleanup.policy": "compact" },
  });
  const topic = broker.topic("orders")!;
  assertEquals(topic.id, created.id);
  assertEquals(topic.partitions.map((p) => p.index), [0, 1]);
  assertEquals(topic.configs.get("cleanup.policy"), "compact");
  assertEquals(topic.partitions[0].topic.name, "orders");
  const first = topic.partitions[0];
  const other = first.replicas.find((id) => id !== first.leader)!;
  const epoch = first.leaderEpoch;
  broker.moveLeader("orders", 0, other);
  assertEquals(broker.topic("orders")!.partitions[0].leader, other);
  assertOk(broker.topic("orders")!.partitions[0].leaderEpoch > epoch);
  assertEquals(broker.topic("missing"), undefined);
});

Deno.test("broker views: nodes are described as Metadata describes brokers", async () => {
  await using broker = await Broker.start({ nodes: 2 });
  assertEquals(broker.nodes.map((n) => n.nodeId), [1, 2]);
  assertEquals(
    broker.nodes.map((n) => `${n.host}:${n.port}`).join(","),
    broker.bootstrapServers,
  );
  assertEquals(broker.nodes[0].endpoints?.[0].listenerName, "PLAINTEXT");
});
