// Brook's client against a real Kafka 4.1.1 with SASL_SSL and SASL_PLAINTEXT listeners and the ACL
// authorizer (tools/kafka/start.sh --secure): every mechanism, SCRAM users made with Brook's admin
// client, re-authentication within Kafka's 3 s sessions; and the same failures asked of real Kafka
// and of Brook's broker, whose answers must be the same.
import { assertEquals, assertOk } from "../assert.ts";
import { ApiKey, unsecuredJwt } from "../../codec/mod.ts";
import { Broker } from "../../broker/mod.ts";
import {
  Admin,
  Consumer,
  KafkaAuthenticationError,
  KafkaConnection,
  Producer,
  type SaslOptions,
} from "../../client/mod.ts";
import { startKafka } from "./kafka_server.ts";
import { RawClient } from "../broker/raw_client.ts";
import { clientCertificate, testCertificates } from "../security/certs.ts";
import { aclRoundTrip, certificateRoundTrip } from "../security/acl_flow.ts";

const interop = Deno.env.get("BROOK_INTEROP") === "1";

const ADMIN: SaslOptions[] = [
  { mechanism: "PLAIN", username: "admin", password: "admin-secret" },
  { mechanism: "SCRAM-SHA-256", username: "admin", password: "admin-secret" },
  { mechanism: "SCRAM-SHA-512", username: "admin", password: "admin-secret" },
  { mechanism: "OAUTHBEARER", token: () => ({ value: unsecuredJwt({ sub: "admin" }) }) },
];

/** Failures a client can meet; what each yields is compared between real Kafka and Brook. */
const FAILURES: SaslOptions[] = [
  { mechanism: "PLAIN", username: "alice", password: "wrong" },
  { mechanism: "PLAIN", username: "", password: "x" },
  { mechanism: "SCRAM-SHA-256", username: "alice", password: "wrong" },
  { mechanism: "SCRAM-SHA-512", username: "nobody", password: "x" },
  {
    mechanism: "OAUTHBEARER",
    token: () => ({ value: unsecuredJwt({ sub: "alice", now: Date.now() - 7_200_000 }) }),
  },
  { mechanism: "OAUTHBEARER", token: () => ({ value: "not-a-jwt" }) },
];

async function failureOf(address: string, sasl: SaslOptions): Promise<string> {
  try {
    const conn = await KafkaConnection.connect(...hostPort(address), { sasl });
    conn.close();
    return "authenticated";
  } catch (e) {
    const code = e instanceof KafkaAuthenticationError ? e.code : -1;
    return `${code} ${(e as Error).message.replace(address, "ADDRESS")}`;
  }
}

function hostPort(address: string): [string, number] {
  const [host, port] = address.split(":");
  return [host, Number(port)];
}

Deno.test({
  name: "interop: Brook's client over SASL_SSL and SASL_PLAINTEXT to a real Kafka 4.1.1",
  ignore: !interop,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using kafka = await startKafka({ secure: true });
    const tls = { caCerts: [kafka.caCert!] };
    for (const sasl of ADMIN) {
      for (
        const [address, security] of [[kafka.saslSsl!, { tls }], [
          kafka.saslPlaintext!,
          {},
        ]] as const
      ) {
        const topic = `sec-${sasl.mechanism}-${address === kafka.saslSsl ? "ssl" : "plain"}`;
        {
          await using producer = new Producer({ bootstrapServers: address, sasl, ...security });
          await producer.send([{ topic, value: "one" }, { topic, value: "two" }]);
        }
        await using consumer = new Consumer({
          bootstrapServers: address,
          autoOffsetReset: "earliest",
          sasl,
          ...security,
        });
        consumer.assign([{ topic, partition: 0 }]);
        const got: string[] = [];
        for (let i = 0; i < 100 && got.length < 2; i++) {
          for (const r of await consumer.poll({ timeoutMs: 100 })) {
            got.push(new TextDecoder().decode(r.value!));
          }
        }
        assertEquals(got, ["one", "two"], `${sasl.mechanism} at ${address}`);
      }
    }

    // Kafka's SASL_PLAINTEXT sessions last 3 s: a connection that re-authenticates outlives them.
    const conn = await KafkaConnection.connect(...hostPort(kafka.saslPlaintext!), {
      sasl: ADMIN[2],
    });
    try {
      for (let i = 0; i < 8; i++) {
        await new Promise((r) => setTimeout(r, 700));
        await conn.request(ApiKey.Metadata, { topics: null });
      }
      assertOk(!conn.closed);
    } finally {
      conn.close();
    }

    // SCRAM users made with Brook's admin client over the PLAINTEXT listener.
    await using admin = new Admin({ bootstrapServers: kafka.bootstrapServers });
    await admin.alterUserScramCredentials([
      {
        op: "upsert",
        user: "dave",
        mechanism: "SCRAM-SHA-512",
        password: "dave-pw",
        iterations: 8192,
      },
    ]);
    assertEquals(await admin.describeUserScramCredentials(["dave"]), [
      { user: "dave", credentials: [{ mechanism: "SCRAM-SHA-512", iterations: 8192 }] },
    ]);
    const dave: SaslOptions = { mechanism: "SCRAM-SHA-512", username: "dave", password: "dave-pw" };
    // Credentials reach the broker's cache through the metadata log; allow it a moment.
    let outcome = "";
    for (let i = 0; i < 50 && outcome !== "authenticated"; i++) {
      outcome = await failureOf(kafka.saslPlaintext!, dave);
      if (outcome !== "authenticated") await new Promise((r) => setTimeout(r, 100));
    }
    assertEquals(outcome, "authenticated");

    // The same failures, asked of real Kafka and of Brook's broker.
    const certs = await testCertificates();
    await using brook = await Broker.start({
      listeners: ["SASL_PLAINTEXT://127.0.0.1:0"],
      tls: { cert: certs.cert, key: certs.key },
      sasl: {
        users: { alice: "alice-secret", bob: "bob-secret", admin: "admin-secret" },
        // As the real Kafka's sasl.enabled.mechanisms (tools/kafka/start.sh --secure).
        mechanisms: ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512", "OAUTHBEARER"],
      },
    });
    for (const sasl of FAILURES) {
      const real = await failureOf(kafka.saslPlaintext!, sasl);
      const ours = await failureOf(brook.bootstrapServers, sasl);
      assertEquals(ours, real, `${sasl.mechanism}`);
    }
    // A mechanism the listener does not enable: UNSUPPORTED_SASL_MECHANISM naming the enabled
    // ones, then the connection closes.
    const refusal = async (address: string) => {
      await using c = await RawClient.connect(address);
      const res = await c.request(ApiKey.SaslHandshake, 1, { mechanism: "GSSAPI" });
      return [res.errorCode, res.mechanisms, await c.closedWithin(5000)];
    };
    assertEquals(await refusal(brook.bootstrapServers), await refusal(kafka.saslPlaintext!));
  },
});

Deno.test({
  name: "interop: Brook's client manages and meets ACLs on a real Kafka 4.1.1",
  ignore: !interop,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using kafka = await startKafka({ secure: true });
    await aclRoundTrip(kafka.bootstrapServers, kafka.saslPlaintext!);
  },
});

Deno.test({
  name: "interop: Brook's client shows a certificate to a real Kafka 4.1.1 that names it in ACLs",
  ignore: !interop,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using kafka = await startKafka({ secure: true });
    const alice = await clientCertificate("/O=Brook/OU=eng/CN=alice", { caDir: kafka.caDir });
    await certificateRoundTrip(kafka.bootstrapServers, kafka.sslMutual!, {
      caCerts: [kafka.caCert!],
      cert: alice.cert,
      key: alice.key,
    });
    // start.sh maps OU=mapped subjects to "cn@o" (ssl.principal.mapping.rules); Brook's broker
    // with the same rules names the same principal.
    const rules = "RULE:^CN=(.*?),OU=mapped,O=(.*?)$/$1@$2/L,DEFAULT";
    const carol = await clientCertificate("/O=Brook/OU=mapped/CN=Carol", { caDir: kafka.caDir });
    const tls = { caCerts: [kafka.caCert!], cert: carol.cert, key: carol.key };
    await certificateRoundTrip(kafka.bootstrapServers, kafka.sslMutual!, tls, "User:carol@brook");
    const certs = await testCertificates();
    await using brook = await Broker.start({
      listeners: ["PLAINTEXT://127.0.0.1:0", "SSL://127.0.0.1:0"],
      tls: { cert: certs.cert, key: certs.key, clientAuth: "required", caCerts: [kafka.caCert!] },
      authorizer: { superUsers: ["User:ANONYMOUS"] },
      configs: { "ssl.principal.mapping.rules": rules },
    });
    await certificateRoundTrip(
      brook.bootstrapServersFor("PLAINTEXT"),
      brook.bootstrapServersFor("SSL"),
      { ...tls, caCerts: [certs.caCert] },
      "User:carol@brook",
    );
  },
});
