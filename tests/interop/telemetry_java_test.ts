// KIP-714 with Java's client (BROOK_INTEROP=1): a kafka-clients 4.1.1 producer and group consumer
// with enable.metrics.push push their metrics to Brook's broker started with client telemetry on,
// and the broker keeps what they reported (tools/kafka/telemetry/TelemetryProducer.java and
// TelemetryConsumer.java).
import { ApiKey } from "../../codec/mod.ts";
import { Broker } from "../../broker/mod.ts";
import { RawClient } from "../broker/raw_client.ts";
import { assertEquals, assertOk } from "../assert.ts";

const enabled = Deno.env.get("BROOK_INTEROP") === "1";
const root = new URL("../../", import.meta.url).pathname;

async function run(command: string, args: string[]): Promise<string> {
  const out = await new Deno.Command(command, { args, cwd: root, stdout: "piped", stderr: "piped" })
    .output();
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  assertOk(out.success, `${command}: ${text}`);
  return text;
}

/** Compiles the Java side of the telemetry tests; returns the classpath that runs it. */
export async function compileTelemetryJava(): Promise<
  { classpath: string; cleanup: () => Promise<void> }
> {
  const libs = (await run("bash", ["tools/kafka/install.sh"])).trim().split("\n").pop()!;
  const classes = await Deno.makeTempDir({ prefix: "brook-telemetry-java-" });
  const sources = ["FileTelemetryReceiver.java", "TelemetryProducer.java", "TelemetryConsumer.java"]
    .map((f) => `tools/kafka/telemetry/${f}`);
  await run("javac", ["-cp", `${libs}/*`, "-d", classes, ...sources]);
  return {
    classpath: `${classes}:${libs}/*`,
    cleanup: () => Deno.remove(classes, { recursive: true }),
  };
}

Deno.test({
  name: "telemetry: a Java 4.1.1 producer pushes its metrics to Brook's broker",
  ignore: !enabled,
  async fn() {
    const java = await compileTelemetryJava();
    try {
      await using broker = await Broker.start({ clientTelemetry: true, topics: { t: {} } });
      {
        await using c = await RawClient.connect(broker.bootstrapServers);
        const set = (name: string, value: string) => ({ name, configOperation: 0, value });
        const answer = await c.request(ApiKey.IncrementalAlterConfigs, 1, {
          resources: [{
            resourceType: 16,
            resourceName: "java-producers",
            configs: [
              set("metrics", "org.apache.kafka.producer."),
              set("interval.ms", "200"),
              set("match", "client_software_name=apache-kafka-java"),
            ],
          }],
          validateOnly: false,
        });
        assertEquals(answer.responses[0].errorCode, 0);
      }
      const out = await run("java", [
        "-cp",
        java.classpath,
        "TelemetryProducer",
        broker.bootstrapServers,
        "t",
        "20",
        "1500",
      ]);
      const instance = /instance (\S+)/.exec(out)?.[1];
      assertOk(instance && out.includes("closed"), out);
      const report = broker.clientTelemetry().find((r) => r.clientInstanceId === instance);
      assertOk(report, `no report from ${instance}: ${JSON.stringify(broker.clientTelemetry())}`);
      assertEquals(report.clientId, "java-telemetry");
      assertEquals(report.softwareName, "apache-kafka-java");
      assertOk(report.pushes >= 2, `pushes: ${report.pushes}`);
      assertEquals(report.compressionType, 4, "zstd, the broker's first choice");
      const names = new Set(report.metrics.map((m) => m.name));
      assertOk(
        [...names].every((n) => n.startsWith("org.apache.kafka.producer.")),
        [...names].join("\n"),
      );
      assertOk(names.has("org.apache.kafka.producer.record.send.total"), [...names].join("\n"));
      assertOk(
        names.has("org.apache.kafka.producer.node.request.latency.avg"),
        [...names].join("\n"),
      );
      const sent = report.metrics.find((m) =>
        m.name === "org.apache.kafka.producer.record.send.total"
      )!;
      assertEquals([sent.kind, sent.temporality], ["sum", "delta"]);
    } finally {
      await java.cleanup();
    }
  },
});

Deno.test({
  name: "telemetry: a Java 4.1.1 group consumer pushes its metrics to Brook's broker",
  ignore: !enabled,
  async fn() {
    const java = await compileTelemetryJava();
    try {
      await using broker = await Broker.start({ clientTelemetry: true, topics: { t: {} } });
      {
        await using c = await RawClient.connect(broker.bootstrapServers);
        const set = (name: string, value: string) => ({ name, configOperation: 0, value });
        const answer = await c.request(ApiKey.IncrementalAlterConfigs, 1, {
          resources: [{
            resourceType: 16,
            resourceName: "java-consumers",
            configs: [set("metrics", "org.apache.kafka.consumer."), set("interval.ms", "200")],
          }],
          validateOnly: false,
        });
        assertEquals(answer.responses[0].errorCode, 0);
      }
      await run("java", [
        "-cp",
        java.classpath,
        "TelemetryProducer",
        broker.bootstrapServers,
        "t",
        "10",
        "0",
      ]);
      const out = await run("java", [
        "-cp",
        java.classpath,
        "TelemetryConsumer",
        broker.bootstrapServers,
        "t",
        "java-telemetry-group",
        "4000",
      ]);
      const instance = /instance (\S+)/.exec(out)?.[1];
      assertOk(instance && out.includes("read 10"), out);
      const report = broker.clientTelemetry().find((r) => r.clientInstanceId === instance);
      assertOk(report, `no report from ${instance}`);
      assertEquals(report.clientId, "java-telemetry-consumer");
      // Java's consumer names its group in the resource, as Brook's consumer does.
      assertEquals(report.resource["group_id"], "java-telemetry-group");
      assertEquals(report.terminating, true, "Java's consumer pushes once more as it closes");
      const names = new Set(report.metrics.map((m) => m.name));
      assertOk([...names].every((n) => n.startsWith("org.apache.kafka.consumer.")));
      assertOk(
        names.has("org.apache.kafka.consumer.fetch.manager.records.consumed.total"),
        [...names].join("\n"),
      );
    } finally {
      await java.cleanup();
    }
  },
});
