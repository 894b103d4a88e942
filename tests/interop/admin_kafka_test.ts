// The admin scenario (configs, groups, offsets, records) against a real Kafka 4.1.1
// (BROOK_INTEROP=1): Brook's admin client, and the same answers as Brook's broker gives.
import { adminScenario } from "../client/admin_scenario.ts";
import { startKafka } from "./kafka_server.ts";

Deno.test({
  name: "interop: Brook's admin client against a real Kafka 4.1.1",
  ignore: Deno.env.get("BROOK_INTEROP") !== "1",
  async fn() {
    await using kafka = await startKafka();
    await adminScenario(kafka.bootstrapServers, "kafka");
  },
});
