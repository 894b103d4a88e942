// The admin scenario (configs, groups, offsets, records) against Brook's broker.
import { Broker } from "../../broker/mod.ts";
import { adminScenario } from "./admin_scenario.ts";

Deno.test("admin: configs, groups and their offsets, offsets and records of partitions", async () => {
  await using broker = await Broker.start({ nodes: 3 });
  await adminScenario(broker.bootstrapServers, "brook");
});
