// Brook's command-line tools against a real Kafka 4.1.1 and Brook's broker (BROOK_INTEROP=1): the
// same operations give the same data on both, kafka-configs output is the same line for line as
// Kafka's own kafka.admin.ConfigCommand, and the security settings of a Kafka client properties
// file (SASL PLAIN, SCRAM, OAUTHBEARER; TLS with a PEM trust store; mutual TLS with a PEM key
// store) connect to a secure Kafka.
import { assertEquals } from "../assert.ts";
import { Broker } from "../../broker/mod.ts";
import { Admin } from "../../client/mod.ts";
import { installed } from "../installed.ts";
import { runTool } from "../cli/cli_run.ts";
import { clientCertificate } from "../security/certs.ts";
import { startKafka } from "./kafka_server.ts";

const interop = Deno.env.get("BROOK_INTEROP") === "1";
const home = Deno.env.get("HOME") ?? "";
const libs = `${Deno.env.get("BROOK_CACHE") ?? `${home}/.cache/brook`}/kafka-4.1.1/libs`;
const java = interop && await installed("java", ["-version"]);

async function kafkaConfigCommand(args: string[]): Promise<string> {
  const out = await new Deno.Command("java", {
    args: ["-cp", `${libs}/*`, "kafka.admin.ConfigCommand", ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  return new TextDecoder().decode(out.stdout);
}

async function brook(tool: string, args: string[], input?: string): Promise<string> {
  const ran = await runTool(tool, args, input);
  assertEquals(ran.code, 0, `${tool} ${args.join(" ")}: ${ran.stderr}`);
  return ran.stdout;
}

/** The same operations on one cluster; what they show, with names made the same. */
async function scenario(bootstrapServers: string, suffix: string) {
  const b = ["--bootstrap-server", bootstrapServers];
  const topic = `cli-${suffix}`;
  const group = `cli-g-${suffix}`;
  await brook("topics", [
    ...b,
    "--create",
    "--topic",
    topic,
    "--partitions",
    "2",
    "--config",
    "retention.ms=86400000",
  ]);
  await brook("configs", [
    ...b,
    "--alter",
    "--topic",
    topic,
    "--add-config",
    "cleanup.policy=[compact,delete],max.message.bytes=100000",
  ]);
  const lines = Array.from({ length: 10 }, (_, i) => `k${i % 3}\tv${i}`).join("\n") + "\n";
  await brook("produce", [...b, "--topic", topic, "--property", "parse.key=true", "--sync"], lines);
  {
    await using admin = new Admin({ bootstrapServers });
    await admin.alterConsumerGroupOffsets(group, [{ topic, partition: 0, offset: 1n }, {
      topic,
      partition: 1,
      offset: 2n,
    }]);
  }
  const norm = (s: string) => s.replaceAll(topic, "T").replaceAll(group, "G");
  const offsets = norm(await brook("groups", [...b, "--describe", "--group", group]));
  await brook("groups", [
    ...b,
    "--reset-offsets",
    "--group",
    group,
    "--topic",
    `${topic}:1`,
    "--shift-by",
    "-1",
    "--execute",
  ]);
  const shifted = norm(await brook("groups", [...b, "--describe", "--group", group]));
  // Configs in the broker's order, which is Kafka's on Brook's broker too.
  const described = norm(await brook("topics", [...b, "--describe", "--topic", topic]))
    .replace(/TopicId: \S+/, "TopicId: X");
  const consumed = await brook("consume", [
    ...b,
    "--topic",
    topic,
    "--from-beginning",
    "--max-messages",
    "10",
    "--timeout-ms",
    "10000",
    "--property",
    "print.key=true",
    "--property",
    "print.partition=true",
    "--property",
    "print.offset=true",
  ]);
  const configs = norm(await brook("configs", [...b, "--describe", "--topic", topic]));
  let kafkaTool: string | undefined;
  if (java) {
    kafkaTool = norm(
      await kafkaConfigCommand([
        ...b,
        "--describe",
        "--entity-type",
        "topics",
        "--entity-name",
        topic,
      ]),
    );
  }
  await brook("groups", [...b, "--delete", "--group", group]);
  await brook("topics", [...b, "--delete", "--topic", topic]);
  return {
    offsets,
    shifted,
    described,
    consumed: consumed.split("\n").sort().join("\n"),
    configs: configs.split("\n").sort().join("\n"),
    kafkaTool: kafkaTool?.split("\n").sort().join("\n"),
  };
}

Deno.test({
  name:
    "cli interop: topics, configs, produce, consume and groups give the same data on Kafka 4.1.1 and Brook's broker",
  ignore: !interop,
  async fn() {
    const suffix = crypto.randomUUID().slice(0, 8);
    await using kafka = await startKafka();
    await using broker = await Broker.start();
    const real = await scenario(kafka.bootstrapServers, suffix);
    const ours = await scenario(broker.bootstrapServers, suffix);
    if (java) {
      // Brook's kafka-configs prints what Kafka's own tool prints, on each cluster.
      assertEquals(real.configs, real.kafkaTool);
      assertEquals(ours.configs, ours.kafkaTool);
    }
    assertEquals(ours, real);
    // And they did show something: both partitions with their lag, ten records.
    const count = (p: number) =>
      (real.consumed.match(new RegExp(`Partition:${p}\t`, "g")) ?? []).length;
    // In partition order (Kafka's tool, and so Brook's, prints them in a hash map's order).
    const rows = real.offsets.trim().split("\n").slice(-2).map((l) => l.split(/\s+/).slice(0, 6));
    assertEquals(rows.sort((a, b) => Number(a[2]) - Number(b[2])), [
      [
        "G",
        "T",
        "0",
        "1",
        String(count(0)),
        String(count(0) - 1),
      ],
      [
        "G",
        "T",
        "1",
        "2",
        String(count(1)),
        String(count(1) - 2),
      ],
    ]);
    assertEquals(real.consumed.trim().split("\n").length, 10);
  },
});

Deno.test({
  name:
    "cli interop: --command-config with Kafka's security settings connects to a secure Kafka 4.1.1",
  ignore: !interop || !await installed("openssl", ["version"]),
  async fn() {
    await using kafka = await startKafka({ secure: true });
    const dir = await Deno.makeTempDir({ prefix: "brook-cli-" });
    const ca = `${dir}/ca.pem`;
    await Deno.writeTextFile(ca, kafka.caCert!);
    // A client certificate signed by the secure Kafka's CA, for mutual TLS.
    const client = await clientCertificate("/O=Brook/CN=cli", { caDir: kafka.caDir });
    await Deno.writeTextFile(`${dir}/client-store.pem`, `${client.key}\n${client.cert}`);
    const cases: [string, string, string[]][] = [
      ["SCRAM-SHA-512 over SASL_SSL", kafka.saslSsl!, [
        "security.protocol=SASL_SSL",
        "sasl.mechanism=SCRAM-SHA-512",
        'sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="admin" password="admin-secret";',
        "ssl.truststore.type=PEM",
        `ssl.truststore.location=${ca}`,
      ]],
      ["PLAIN over SASL_PLAINTEXT", kafka.saslPlaintext!, [
        "security.protocol=SASL_PLAINTEXT",
        "sasl.mechanism=PLAIN",
        'sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="admin" password="admin-secret";',
      ]],
      ["OAUTHBEARER over SASL_PLAINTEXT", kafka.saslPlaintext!, [
        "security.protocol=SASL_PLAINTEXT",
        "sasl.mechanism=OAUTHBEARER",
        'sasl.jaas.config=org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required unsecuredLoginStringClaim_sub="admin";',
      ]],
      ["mutual TLS with a PEM key store", kafka.sslMutual!, [
        "security.protocol=SSL",
        "ssl.truststore.type=PEM",
        `ssl.truststore.location=${ca}`,
        "ssl.keystore.type=PEM",
        `ssl.keystore.location=${dir}/client-store.pem`,
      ]],
    ];
    for (const [name, address, props] of cases) {
      const file = `${dir}/${name.replaceAll(" ", "_")}.properties`;
      await Deno.writeTextFile(file, props.join("\n") + "\n");
      const b = ["--bootstrap-server", address, "--command-config", file];
      if (props.includes("security.protocol=SSL")) {
        // The certificate's principal is no super user: listing (what it may see) proves the
        // handshake.
        await brook("topics", [...b, "--list"]);
        continue;
      }
      const topic = `cli-sec-${crypto.randomUUID().slice(0, 8)}`;
      await brook("topics", [...b, "--create", "--topic", topic, "--partitions", "1"]);
      await brook("produce", [
        "--bootstrap-server",
        address,
        "--producer.config",
        file,
        "--topic",
        topic,
      ], "one\ntwo\n");
      const got = await brook("consume", [
        "--bootstrap-server",
        address,
        "--consumer.config",
        file,
        "--topic",
        topic,
        "--from-beginning",
        "--max-messages",
        "2",
      ]);
      assertEquals(got, "one\ntwo\n", name);
      await brook("topics", [...b, "--delete", "--topic", topic]);
    }
    // A wrong password: one line, exit 1.
    const wrong = `${dir}/wrong.properties`;
    await Deno.writeTextFile(
      wrong,
      'security.protocol=SASL_PLAINTEXT\nsasl.mechanism=PLAIN\nsasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="admin" password="nope";\n',
    );
    const refused = await runTool("topics", [
      "--bootstrap-server",
      kafka.saslPlaintext!,
      "--command-config",
      wrong,
      "--list",
      "--timeout-ms",
      "5000",
    ]);
    assertEquals([refused.code, refused.stderr.trim().split("\n").length], [1, 1], refused.stderr);
    await Deno.remove(dir, { recursive: true });
  },
});
