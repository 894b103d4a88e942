// Differential tests of the versions Kafka 4.4 added: the same requests to a real Kafka 4.4.0 and
// to Brook's broker, compared field by field once ids, addresses and throttle times are masked; and
// the version ranges both advertise for the keys Brook serves (BROOK_INTEROP=1; part of deno task
// test:interop). BROOK_DIFF_PRINT=1 prints both answers of every step.
import { assertEquals } from "../assert.ts";
import { ApiKey } from "../../codec/mod.ts";
import { Broker } from "../../broker/mod.ts";
import { RawClient } from "../broker/raw_client.ts";
import { startKafka } from "../interop/kafka_server.ts";
import { KAFKA_TEST_CONFIGS } from "./config_scenarios.ts";
import { differences, runScenario } from "./differential.ts";
import { AT_4_4, kafka44Scenarios } from "./kafka44_scenarios.ts";
import { kafka44TxnScenarios, writeTxnMarkersScenario } from "./kafka44_txn_scenarios.ts";
import { shareLagScenario } from "./kafka44_share_scenarios.ts";
import { offsetsByIdScenario } from "./kafka44_offset_scenarios.ts";
import {
  streamsErrorsScenario,
  streamsGroupScenario,
  streamsOffsetsScenario,
} from "./kafka44_streams_scenarios.ts";
import { streamsKindsScenario, streamsStaticScenario } from "./kafka44_streams_more_scenarios.ts";
import { alterShareOffsetsScenario, shareV2Scenario } from "./kafka44_share_v2_scenarios.ts";

const interop = Deno.env.get("BROOK_INTEROP") === "1";
const run = `k${Date.now() % 100000}`;

async function ranges(address: string): Promise<Map<number, string>> {
  await using client = await RawClient.connect(address);
  const r = await client.request(ApiKey.ApiVersions, 4, {
    clientSoftwareName: "brook-test",
    clientSoftwareVersion: "1",
  });
  return new Map(r.apiKeys.map((k) => [k.apiKey, `${k.minVersion}-${k.maxVersion}`]));
}

Deno.test({
  name: "conformance: Brook's broker answers Kafka 4.4's new versions as a real Kafka 4.4.0 does",
  ignore: !interop,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    await using kafka = await startKafka({ version: "4.4.0" });
    await using brook = await Broker.start({ configs: KAFKA_TEST_CONFIGS });
    await t.step("version ranges of the keys served at 4.4", async () => {
      const real = await ranges(kafka.bootstrapServers);
      const ours = await ranges(brook.bootstrapServers);
      assertEquals(
        AT_4_4.map((k) => [k, ours.get(k)]),
        AT_4_4.map((k) => [k, real.get(k)]),
      );
    });
    await t.step("scenarios", async () => {
      const report: string[] = [];
      for (
        const scenario of [
          ...kafka44Scenarios(run),
          ...kafka44TxnScenarios(run),
          writeTxnMarkersScenario(run),
          shareLagScenario(run),
          offsetsByIdScenario(run),
          shareV2Scenario(run),
          alterShareOffsetsScenario(run),
          streamsGroupScenario(run),
          streamsErrorsScenario(run),
          streamsOffsetsScenario(run),
          streamsKindsScenario(run),
          streamsStaticScenario(run),
        ]
      ) {
        const real = await runScenario(kafka.bootstrapServers, scenario);
        const ours = await runScenario(brook.bootstrapServers, scenario);
        real.forEach((r, i) => {
          if (Deno.env.get("BROOK_DIFF_PRINT")) {
            console.log(scenario.name, `#${i + 1}`, JSON.stringify(r), JSON.stringify(ours[i]));
          }
          for (const d of differences(ours[i], r)) report.push(`${scenario.name} #${i + 1} ${d}`);
        });
      }
      assertEquals(report, []);
    });
  },
});
