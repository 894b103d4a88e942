// Brook's consumer with the consumer rebalance protocol (KIP-848) on Brook's broker;
// tests/interop/kip848_consumer_kafka_test.ts runs the same scenario on a real Kafka 4.1.1.
import { assertThrows } from "../assert.ts";
import { Broker } from "../../broker/mod.ts";
import { Consumer } from "../../client/mod.ts";
import { twoMembers } from "./kip848_scenarios.ts";

Deno.test({
  name: "consumer protocol: two members share partitions the coordinator assigns; one leaves",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using broker = await Broker.start({
      configs: {
        "group.consumer.min.heartbeat.interval.ms": "100",
        "group.consumer.heartbeat.interval.ms": "100",
      },
    });
    await twoMembers(broker.bootstrapServers);
  },
});

Deno.test("consumer protocol: the coordinator's settings cannot be set on the consumer", () => {
  assertThrows(
    () =>
      new Consumer({
        bootstrapServers: "127.0.0.1:1",
        groupId: "g",
        groupProtocol: "consumer",
        sessionTimeoutMs: 10_000,
      }),
    TypeError,
  );
});
