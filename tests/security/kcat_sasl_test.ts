// librdkafka (through kcat) against Brook's secured listeners: TLS alone, and SASL PLAIN,
// SCRAM-SHA-256, SCRAM-SHA-512 and OAUTHBEARER (unsecured JWT) over SASL_PLAINTEXT and SASL_SSL;
// and a wrong password refused; mutual TLS with a client certificate as the principal of ACLs.
import { assertEquals, assertOk } from "../assert.ts";
import { Broker } from "../../broker/mod.ts";
import { clientCertificate, testCertificates } from "./certs.ts";
import { AclOperation, AclPatternType, AclPermission, AclResourceType } from "../../codec/mod.ts";
import { runKcat } from "../kcat.ts";
import { missing } from "../installed.ts";

const kcat = runKcat;

const SASL: Record<string, string[]> = {
  "PLAIN": ["sasl.username=alice", "sasl.password=alice-secret"],
  "SCRAM-SHA-256": ["sasl.username=alice", "sasl.password=alice-secret"],
  "SCRAM-SHA-512": ["sasl.username=bob", "sasl.password=bob-secret"],
  "OAUTHBEARER": [
    "enable.sasl.oauthbearer.unsecure.jwt=true",
    "sasl.oauthbearer.config=principal=carol",
  ],
};

Deno.test({
  name: "security: kcat produces and consumes over SSL and every SASL mechanism",
  ignore: missing("kcat", "openssl"),
  async fn() {
    const certs = await testCertificates();
    await using broker = await Broker.start({
      listeners: ["SSL://127.0.0.1:0", "SASL_PLAINTEXT://127.0.0.1:0", "SASL_SSL://127.0.0.1:0"],
      tls: { cert: certs.cert, key: certs.key },
      sasl: {
        users: { alice: "alice-secret", bob: "bob-secret" },
        mechanisms: ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512", "OAUTHBEARER"],
      },
    });
    const tls = [`ssl.ca.location=${certs.caCertPath}`];
    const cases: { name: string; listener: string; config: string[] }[] = [
      { name: "ssl", listener: "SSL", config: ["security.protocol=SSL", ...tls] },
    ];
    for (const [mechanism, config] of Object.entries(SASL)) {
      const sasl = [`sasl.mechanisms=${mechanism}`, ...config];
      cases.push({
        name: `sasl-plaintext-${mechanism}`,
        listener: "SASL_PLAINTEXT",
        config: ["security.protocol=SASL_PLAINTEXT", ...sasl],
      });
      cases.push({
        name: `sasl-ssl-${mechanism}`,
        listener: "SASL_SSL",
        config: ["security.protocol=SASL_SSL", ...tls, ...sasl],
      });
    }
    for (const c of cases) {
      const base = [
        "-b",
        broker.bootstrapServersFor(c.listener),
        ...c.config.flatMap((x) => ["-X", x]),
      ];
      const produced = await kcat([...base, "-t", c.name, "-P"], "a\nb\nc\n");
      assertOk(produced.ok, `${c.name}: ${produced.err}`);
      const consumed = await kcat([
        ...base,
        "-t",
        c.name,
        "-C",
        "-o",
        "beginning",
        "-e",
        "-c",
        "3",
      ]);
      assertOk(consumed.ok, `${c.name}: ${consumed.err}`);
      assertEquals(consumed.out, "a\nb\nc\n", c.name);
    }
    const wrong = await kcat([
      "-b",
      broker.bootstrapServersFor("SASL_PLAINTEXT"),
      "-X",
      "security.protocol=SASL_PLAINTEXT",
      "-X",
      "sasl.mechanisms=SCRAM-SHA-256",
      "-X",
      "sasl.username=alice",
      "-X",
      "sasl.password=wrong",
      "-L",
      "-m",
      "5",
    ]);
    assertOk(!wrong.ok, "a wrong password must fail");
    assertOk(wrong.err.includes("Authentication failed"), wrong.err);
  },
});

Deno.test({
  name: "security: kcat with a client certificate is the principal ACLs name (mutual TLS)",
  ignore: missing("kcat", "openssl"),
  async fn() {
    const certs = await testCertificates();
    const alice = await clientCertificate("/O=Brook/CN=alice");
    await using broker = await Broker.start({
      listeners: ["SSL://127.0.0.1:0"],
      tls: { cert: certs.cert, key: certs.key, clientAuth: "required", caCerts: [certs.caCert] },
      authorizer: {
        acls: [{
          resourceType: AclResourceType.TOPIC,
          resourceName: "signed",
          patternType: AclPatternType.LITERAL,
          principal: "User:CN=alice,O=Brook",
          host: "*",
          operation: AclOperation.ALL,
          permission: AclPermission.ALLOW,
        }],
      },
    });
    const base = ["-b", broker.bootstrapServersFor("SSL"), "-X", "security.protocol=SSL"]
      .concat(["-X", `ssl.ca.location=${certs.caCertPath}`]);
    const withCert = base.concat(
      [
        "-X",
        `ssl.certificate.location=${alice.certPath}`,
        "-X",
        `ssl.key.location=${alice.keyPath}`,
      ],
    );
    const produced = await kcat([...withCert, "-t", "signed", "-P"], "a\nb\n");
    assertOk(produced.ok, produced.err);
    const consumed = await kcat([...withCert, "-t", "signed", "-C", "-o", "beginning", "-e"]);
    assertEquals([consumed.ok, consumed.out], [true, "a\nb\n"], consumed.err);
    const refused = await kcat([...withCert, "-t", "other", "-P"], "x\n");
    assertOk(!refused.ok && refused.err.includes("Topic authorization failed"), refused.err);
    const without = await kcat([...base, "-L", "-m", "2"]);
    assertOk(!without.ok, "no certificate, no connection");
  },
});
