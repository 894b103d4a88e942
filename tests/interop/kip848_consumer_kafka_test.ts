// Brook's consumer with the consumer rebalance protocol (KIP-848) on a real Kafka 4.1.1, the
// scenario tests/client/kip848_consumer_test.ts runs on Brook's broker.
import { startKafka } from "./kafka_server.ts";
import { twoMembers } from "../client/kip848_scenarios.ts";

Deno.test({
  name: "consumer protocol: Brook's consumer in a KIP-848 group on a real Kafka 4.1.1",
  ignore: Deno.env.get("BROOK_INTEROP") !== "1",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using kafka = await startKafka();
    await twoMembers(kafka.bootstrapServers);
  },
});
