// Brook's share consumer (KIP-932) on a real Kafka 4.1.1, the scenarios that
// tests/client/share_consumer_test.ts runs on Brook's broker.
import { startKafka } from "./kafka_server.ts";
import {
  explicitAcknowledgements,
  implicitPair,
  readCommitted,
} from "../client/share_consumer_scenarios.ts";

Deno.test({
  name: "share consumer: reads a share group on a real Kafka 4.1.1",
  ignore: Deno.env.get("BROOK_INTEROP") !== "1",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    await using kafka = await startKafka();
    await t.step(
      "two consumers, implicit acknowledgement",
      () => implicitPair(kafka.bootstrapServers),
    );
    await t.step(
      "explicit acknowledgement: release and reject",
      () => explicitAcknowledgements(kafka.bootstrapServers),
    );
    await t.step(
      "read_committed: aborted transactions are not delivered",
      () => readCommitted(kafka.bootstrapServers),
    );
  },
});
