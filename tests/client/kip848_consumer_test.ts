// Brook's consumer with the consumer rebalance protocol (KIP-848) on Brook's broker;
// tests/interop/kip848_consumer_kafka_test.ts runs the same scenario on a real Kafka 4.1.1.
import { assertEquals, assertOk, assertThrows } from "../assert.ts";
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

Deno.test({
  name: "consumer protocol: a fenced member loses its partitions, then joins again and gets them",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using broker = await Broker.start({
      topics: { t: { partitions: 2 } },
      configs: {
        "group.consumer.min.heartbeat.interval.ms": "100",
        "group.consumer.heartbeat.interval.ms": "100",
      },
    });
    const events: string[] = [];
    await using consumer = new Consumer({
      bootstrapServers: broker.bootstrapServers,
      groupId: "fenced",
      groupProtocol: "consumer",
      rebalanceListener: {
        onPartitionsAssigned: (parts) => {
          events.push(`assigned ${parts.flatMap((tp) => tp.partitions)}`);
        },
        onPartitionsRevoked: (parts) => {
          events.push(`revoked ${parts.flatMap((tp) => tp.partitions)}`);
        },
        onPartitionsLost: (parts) => {
          events.push(`lost ${parts.flatMap((tp) => tp.partitions)}`);
        },
      },
    });
    consumer.subscribe(["t"]);
    const deadline = Date.now() + 30_000;
    while (consumer.assignment().length < 2) {
      assertOk(Date.now() < deadline, "never assigned");
      await consumer.poll({ timeoutMs: 100 });
    }
    // The coordinator answers the next heartbeat as if the member's epoch were stale.
    broker.inject({
      kind: "error",
      apiKey: "ConsumerGroupHeartbeat",
      errorCode: "FENCED_MEMBER_EPOCH",
      count: 1,
    });
    while (!events.includes("lost 0,1") || consumer.assignment().length < 2) {
      assertOk(Date.now() < deadline, `events: ${events}`);
      await consumer.poll({ timeoutMs: 100 });
    }
    assertEquals(events, ["assigned 0,1", "lost 0,1", "assigned 0,1"]);
  },
});
