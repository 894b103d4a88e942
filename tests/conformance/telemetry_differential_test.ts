// KIP-714 against a real Kafka 4.1.1 started with a telemetry receiver (BROOK_INTEROP=1; part of
// deno task test:interop): the telemetry scenarios answered alike by Kafka and by Brook's broker
// with client telemetry on, and Brook's producer pushing to that Kafka, whose receiver
// (tools/kafka/telemetry/FileTelemetryReceiver.java) decodes and records what it sent.
// BROOK_DIFF_PRINT=1 prints both answers of every step.
import { assertEquals, assertOk } from "../assert.ts";
import { ApiKey } from "../../codec/mod.ts";
import { Broker } from "../../broker/mod.ts";
import { Producer } from "../../client/mod.ts";
import { RawClient } from "../broker/raw_client.ts";
import { startKafka } from "../interop/kafka_server.ts";
import { differences, runScenario } from "./differential.ts";
import { telemetryScenarios } from "./telemetry_scenarios.ts";

const interop = Deno.env.get("BROOK_INTEROP") === "1";
const run = `m${Date.now() % 100000}`;

/** What the receiver wrote for one push. */
interface ReceivedPush {
  clientInstanceId: string;
  clientId: string;
  terminating: boolean;
  resource: Record<string, string>;
  metrics: {
    name: string;
    kind: string;
    value: number | null;
    attributes: Record<string, string>;
  }[];
}

async function received(file: string): Promise<ReceivedPush[]> {
  const text = await Deno.readTextFile(file).catch(() => "");
  return text.split("\n").filter((l) => l !== "").map((l) => JSON.parse(l));
}

async function keys71And72(address: string): Promise<number[]> {
  await using c = await RawClient.connect(address);
  const r = await c.request(ApiKey.ApiVersions, 3, {
    clientSoftwareName: "brook-test",
    clientSoftwareVersion: "1",
  });
  return r.apiKeys.map((k) => k.apiKey).filter((k) => k === 71 || k === 72);
}

Deno.test({
  name: "conformance: client telemetry as a real Kafka 4.1.1 with a telemetry receiver",
  ignore: !interop,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    await using kafka = await startKafka({ telemetry: true });
    await using brook = await Broker.start({ clientTelemetry: true });
    await t.step("both advertise keys 71 and 72", async () => {
      assertEquals(
        await keys71And72(brook.bootstrapServers),
        await keys71And72(kafka.bootstrapServers),
      );
      assertEquals(await keys71And72(kafka.bootstrapServers), [71, 72]);
    });
    await t.step("scenarios", async () => {
      const report: string[] = [];
      for (const scenario of telemetryScenarios(run)) {
        const real = await runScenario(kafka.bootstrapServers, scenario);
        const ours = await runScenario(brook.bootstrapServers, scenario);
        if (Deno.env.get("BROOK_DIFF_PRINT")) {
          real.forEach((r, i) =>
            console.log(`#${i + 1}`, JSON.stringify(r), JSON.stringify(ours[i]))
          );
        }
        real.forEach((r, i) => {
          for (const d of differences(ours[i], r)) report.push(`${scenario.name} #${i + 1} ${d}`);
        });
      }
      assertEquals(report, []);
    });
    await t.step("Brook's producer pushes to Kafka's telemetry receiver", async () => {
      {
        await using c = await RawClient.connect(kafka.bootstrapServers);
        const set = (name: string, value: string) => ({ name, configOperation: 0, value });
        const answer = await c.request(ApiKey.IncrementalAlterConfigs, 1, {
          resources: [{
            resourceType: 16,
            resourceName: `${run}-brook`,
            configs: [
              set("metrics", "org.apache.kafka.producer."),
              set("interval.ms", "200"),
              set("match", `client_id=${run}-producer`),
            ],
          }],
          validateOnly: false,
        });
        assertEquals(answer.responses[0].errorCode, 0);
      }
      const producer = new Producer({
        bootstrapServers: kafka.bootstrapServers,
        clientId: `${run}-producer`,
      });
      for (let i = 0; i < 5; i++) await producer.send({ topic: `${run}-t`, value: `v${i}` });
      const file = kafka.telemetryFile!;
      const mine = async () =>
        (await received(file)).filter((p) => p.clientId === `${run}-producer`);
      for (let i = 0; i < 100 && (await mine()).length < 2; i++) {
        await new Promise((r) => setTimeout(r, 100));
      }
      const instance = producer.client.clientInstanceId;
      await producer.close();
      const pushes = await mine();
      assertOk(pushes.length >= 3, `pushes: ${pushes.length}`);
      assertOk(pushes.every((p) => p.clientInstanceId === instance), JSON.stringify(pushes[0]));
      assertEquals(pushes.at(-1)!.terminating, true);
      const names = new Set(pushes.flatMap((p) => p.metrics.map((m) => m.name)));
      assertOk(names.has("org.apache.kafka.producer.record.send.total"), [...names].join("\n"));
      assertOk([...names].every((n) => n.startsWith("org.apache.kafka.producer.")));
      // Delta sums: the sends of every push add up to the records sent.
      const sent = pushes.flatMap((p) => p.metrics)
        .filter((m) => m.name === "org.apache.kafka.producer.record.send.total")
        .reduce((n, m) => n + (m.value ?? 0), 0);
      assertEquals(sent, 5);
    });
  },
});
