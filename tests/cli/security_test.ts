// The connection settings every tool takes: a Kafka client properties file (--command-config,
// --producer.config, --consumer.config) with Kafka's security settings, against Brook's broker's
// SASL and TLS listeners; and the properties-file and JAAS syntax they are written in.
import { assertEquals, assertOk } from "../assert.ts";
import { Broker } from "../../broker/mod.ts";
import { jaasOptions } from "../../cli/connection.ts";
import { parseProperties } from "../../cli/common.ts";
import { testCertificates } from "../security/certs.ts";
import { missing } from "../installed.ts";
import { runTool } from "./cli_run.ts";

const jaas = (module: string, options: string) =>
  `sasl.jaas.config=org.apache.kafka.common.security.${module} required ${options};`;

Deno.test(
  "cli security: PLAIN, SCRAM and OAUTHBEARER from --command-config; TLS with a PEM trust store",
  {
    ignore: missing("openssl"),
  },
  async () => {
    const certs = await testCertificates();
    await using broker = await Broker.start({
      listeners: [
        "PLAINTEXT://127.0.0.1:0",
        "SASL_PLAINTEXT://127.0.0.1:0",
        "SASL_SSL://127.0.0.1:0",
      ],
      tls: { cert: certs.cert, key: certs.key },
      sasl: {
        users: { alice: "alice-secret" },
        mechanisms: ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512", "OAUTHBEARER"],
        failedAuthenticationDelayMs: 0,
      },
    });
    const dir = await Deno.makeTempDir({ prefix: "brook-cli-sec-" });
    const caFile = `${dir}/ca.pem`;
    await Deno.writeTextFile(caFile, certs.caCert);
    const plain = jaas("plain.PlainLoginModule", 'username="alice" password="alice-secret"');
    const cases: [string, string, string[]][] = [
      ["plain", "SASL_PLAINTEXT", [
        "security.protocol=SASL_PLAINTEXT",
        "sasl.mechanism=PLAIN",
        plain,
      ]],
      ["scram256", "SASL_PLAINTEXT", [
        "security.protocol=SASL_PLAINTEXT",
        "sasl.mechanism=SCRAM-SHA-256",
        jaas("scram.ScramLoginModule", 'username="alice" password="alice-secret"'),
      ]],
      ["oauth", "SASL_PLAINTEXT", [
        "security.protocol=SASL_PLAINTEXT",
        "sasl.mechanism=OAUTHBEARER",
        jaas("oauthbearer.OAuthBearerLoginModule", 'unsecuredLoginStringClaim_sub="alice"'),
      ]],
      ["scram512-tls", "SASL_SSL", [
        "security.protocol = SASL_SSL",
        "sasl.mechanism: SCRAM-SHA-512",
        "# a comment, and a value continued on the next line",
        jaas("scram.ScramLoginModule", 'username="alice" \\\n    password="alice-secret"'),
        "ssl.truststore.type=PEM",
        `ssl.truststore.location=${caFile}`,
      ]],
      ["plain-tls-inline", "SASL_SSL", [
        "security.protocol=SASL_SSL",
        "sasl.mechanism=PLAIN",
        plain,
        "ssl.truststore.type=PEM",
        // Kafka's inline form: the PEM text with its line breaks as spaces.
        `ssl.truststore.certificates=${certs.caCert.trim().replace(/\n/g, " ")}`,
      ]],
    ];
    for (const [name, listener, props] of cases) {
      const file = `${dir}/${name}.properties`;
      await Deno.writeTextFile(file, props.join("\n") + "\n");
      const address = broker.bootstrapServersFor(listener);
      const topic = `sec-${name}`;
      const created = await runTool("topics", [
        "--bootstrap-server",
        address,
        "--command-config",
        file,
        "--create",
        "--topic",
        topic,
      ]);
      assertEquals(created.code, 0, `${name}: ${created.stderr}`);
      const produced = await runTool("produce", [
        "--bootstrap-server",
        address,
        "--producer.config",
        file,
        "--topic",
        topic,
      ], "one\ntwo\n");
      assertEquals(produced.code, 0, `${name}: ${produced.stderr}`);
      const consumed = await runTool("consume", [
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
      assertEquals(
        [consumed.code, consumed.stdout],
        [0, "one\ntwo\n"],
        `${name}: ${consumed.stderr}`,
      );
    }
    // Overrides on the command line win over the file: a wrong password fails, in one line.
    const listed = await runTool("topics", [
      "--bootstrap-server",
      broker.bootstrapServersFor("SASL_PLAINTEXT"),
      "--command-config",
      `${dir}/plain.properties`,
      "--list",
      "--timeout-ms",
      "3000",
    ]);
    assertEquals(listed.code, 0, listed.stderr);
    const refused = await runTool("produce", [
      "--bootstrap-server",
      broker.bootstrapServersFor("SASL_PLAINTEXT"),
      "--producer.config",
      `${dir}/plain.properties`,
      "--producer-property",
      jaas("plain.PlainLoginModule", 'username="alice" password="wrong"'),
      "--producer-property",
      "max.block.ms=3000",
      "--topic",
      "t",
    ], "x\n");
    assertEquals(refused.code, 1, refused.stderr);
    assertEquals(refused.stderr.trim().split("\n").length, 1, refused.stderr);
    assertOk(
      /Invalid username or password|SASL_AUTHENTICATION_FAILED|authentication/i.test(
        refused.stderr,
      ),
      refused.stderr,
    );
    // Settings that cannot work are usage errors.
    for (
      const props of [
        ["security.protocol=SASL_PLAINTEXT"], // GSSAPI, Kafka's default mechanism
        ["security.protocol=SSL", "ssl.truststore.type=JKS", "ssl.truststore.location=/x.jks"],
        ["security.protocol=SASL_PLAINTEXT", "sasl.mechanism=PLAIN"],
        ["security.protocol=TLS"],
      ]
    ) {
      const file = `${dir}/bad.properties`;
      await Deno.writeTextFile(file, props.join("\n"));
      const ran = await runTool("topics", [
        "--bootstrap-server",
        "127.0.0.1:1",
        "--command-config",
        file,
        "--list",
      ]);
      assertEquals(ran.code, 2, `${props.join(" ")}: ${ran.stderr}`);
    }
    await Deno.remove(dir, { recursive: true });
  },
);

Deno.test("cli security: Java properties and JAAS syntax", () => {
  const p = parseProperties(
    "# comment\n! also a comment\n  a = 1\nb:2\nc 3\nd=x\\\n   y\ne=tab\\there\\u0041\nf=\n",
  );
  assertEquals(Object.fromEntries(p), { a: "1", b: "2", c: "3", d: "xy", e: "tab\thereA", f: "" });
  const j = jaasOptions(
    'org.apache.kafka.common.security.scram.ScramLoginModule required username="a b" password="p\\"q" tokenauth=true;',
  );
  assertEquals(j.module, "org.apache.kafka.common.security.scram.ScramLoginModule");
  assertEquals(Object.fromEntries(j.options), {
    username: "a b",
    password: 'p"q',
    tokenauth: "true",
  });
});
