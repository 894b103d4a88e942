// SASL and TLS listeners of Brook's broker with Brook's client: each mechanism over SASL_PLAINTEXT
// and SASL_SSL, TLS alone, and the answers Kafka gives to failures, checked at the protocol level.
import { clusterOf, nodesOf } from "../../broker/broker_internals.ts";
import { assertEquals, assertOk, assertRejects } from "../assert.ts";
import { ApiKey, ErrorCode, plainMessage, unsecuredJwt } from "../../codec/mod.ts";
import { Broker, type BrokerOptions } from "../../broker/mod.ts";
import {
  Admin,
  Consumer,
  KafkaAuthenticationError,
  Producer,
  type SaslOptions,
} from "../../client/mod.ts";
import { RawClient } from "../broker/raw_client.ts";
import { testCertificates } from "./certs.ts";
import { missing } from "../installed.ts";

const USERS = { alice: "alice-secret", bob: "bob-secret" };

async function secureBroker(extra: BrokerOptions = {}) {
  const certs = await testCertificates();
  return await Broker.start({
    ...extra,
    listeners: [
      "PLAINTEXT://127.0.0.1:0",
      "SSL://127.0.0.1:0",
      "SASL_PLAINTEXT://127.0.0.1:0",
      "SASL_SSL://127.0.0.1:0",
    ],
    tls: { cert: certs.cert, key: certs.key },
    sasl: {
      users: USERS,
      // OAUTHBEARER is served only when enabled; here with the unsecured validator.
      mechanisms: ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512", "OAUTHBEARER"],
      failedAuthenticationDelayMs: 0,
      ...extra.sasl,
    },
  });
}

async function roundTrip(
  bootstrapServers: string,
  topic: string,
  security: { sasl?: SaslOptions; tls?: { caCerts: string[] } },
): Promise<void> {
  {
    await using producer = new Producer({ bootstrapServers, ...security });
    await producer.send([{ topic, value: "one" }, { topic, value: "two" }]);
  }
  await using consumer = new Consumer({
    bootstrapServers,
    autoOffsetReset: "earliest",
    ...security,
  });
  consumer.assign([{ topic, partition: 0 }]);
  const got: string[] = [];
  for (let i = 0; i < 50 && got.length < 2; i++) {
    for (const r of await consumer.poll({ timeoutMs: 100 })) {
      got.push(new TextDecoder().decode(r.value!));
    }
  }
  assertEquals(got, ["one", "two"]);
}

const MECHANISMS: SaslOptions[] = [
  { mechanism: "PLAIN", username: "alice", password: "alice-secret" },
  { mechanism: "SCRAM-SHA-256", username: "alice", password: "alice-secret" },
  { mechanism: "SCRAM-SHA-512", username: "bob", password: "bob-secret" },
  { mechanism: "OAUTHBEARER", token: () => ({ value: unsecuredJwt({ sub: "carol" }) }) },
];

Deno.test("security: every mechanism over SASL_PLAINTEXT and SASL_SSL, and TLS alone", {
  ignore: missing("openssl"),
}, async () => {
  await using broker = await secureBroker();
  const certs = await testCertificates();
  const tls = { caCerts: [certs.caCert] };
  await roundTrip(broker.bootstrapServersFor("SSL"), "tls-only", { tls });
  for (const sasl of MECHANISMS) {
    const name = sasl.mechanism.toLowerCase();
    await roundTrip(broker.bootstrapServersFor("SASL_PLAINTEXT"), `plain-${name}`, { sasl });
    await roundTrip(broker.bootstrapServersFor("SASL_SSL"), `ssl-${name}`, { sasl, tls });
  }
  // Metadata advertises each listener's own ports.
  const conns = [...nodesOf(broker)[0].connections];
  assertOk(conns.some((c) => c.info.principal === "User:carol"));
  assertOk(conns.some((c) => c.info.securityProtocol === "SASL_SSL"));
});

Deno.test("security: wrong passwords and unknown users fail with Kafka's errors", {
  ignore: missing("openssl"),
}, async () => {
  await using broker = await secureBroker();
  const bootstrapServers = broker.bootstrapServersFor("SASL_PLAINTEXT");
  const fails = async (sasl: SaslOptions) => {
    await using producer = new Producer({ bootstrapServers, sasl });
    const e = await assertRejects(
      () => producer.send({ topic: "t", value: "x" }),
      KafkaAuthenticationError,
    );
    return e as KafkaAuthenticationError;
  };
  const plain = await fails({ mechanism: "PLAIN", username: "alice", password: "nope" });
  assertEquals(plain.code, ErrorCode.SASL_AUTHENTICATION_FAILED);
  assertEquals(plain.message, "Authentication failed: Invalid username or password");
  const scram = await fails({ mechanism: "SCRAM-SHA-256", username: "alice", password: "nope" });
  assertEquals(
    scram.message,
    "Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-256",
  );
  const unknown = await fails({ mechanism: "SCRAM-SHA-512", username: "zed", password: "x" });
  assertEquals(unknown.code, ErrorCode.SASL_AUTHENTICATION_FAILED);
  const expired = await fails({
    mechanism: "OAUTHBEARER",
    token: () => ({ value: unsecuredJwt({ sub: "carol", now: Date.now() - 7_200_000 }) }),
  });
  assertOk(expired.message.includes('{"status":"invalid_token"}'), expired.message);
  assertEquals(clusterOf(broker).topics.has("t"), false);
});

Deno.test("security: an unsupported mechanism is refused with the enabled ones, then closed", {
  ignore: missing("openssl"),
}, async () => {
  await using broker = await secureBroker({ sasl: { mechanisms: ["SCRAM-SHA-512"] } });
  await using c = await RawClient.connect(broker.bootstrapServersFor("SASL_PLAINTEXT"));
  const res = await c.request(ApiKey.SaslHandshake, 1, { mechanism: "PLAIN" });
  assertEquals([res.errorCode, res.mechanisms], [ErrorCode.UNSUPPORTED_SASL_MECHANISM, [
    "SCRAM-SHA-512",
  ]]);
  assertOk(await c.closedWithin(2000));
});

Deno.test("security: requests before authentication are not served and close the connection", {
  ignore: missing("openssl"),
}, async () => {
  await using broker = await secureBroker({ topics: { secret: {} } });
  const address = broker.bootstrapServersFor("SASL_PLAINTEXT");
  {
    // Before the handshake: no answer, closed.
    await using c = await RawClient.connect(address);
    await assertRejects(() => c.request(ApiKey.Metadata, 12, { topics: null }), Error);
  }
  {
    // After a v1 handshake, anything but SaslAuthenticate: ILLEGAL_SASL_STATE, then closed.
    await using c = await RawClient.connect(address);
    await c.request(ApiKey.ApiVersions, 3, {
      clientSoftwareName: "raw",
      clientSoftwareVersion: "1",
    });
    assertEquals((await c.request(ApiKey.SaslHandshake, 1, { mechanism: "PLAIN" })).errorCode, 0);
    const md = await c.request(ApiKey.Metadata, 12, { topics: null });
    assertEquals(md.topics.length, 0);
    assertOk(await c.closedWithin(2000));
  }
  {
    // A second ApiVersions before the handshake closes at once.
    await using c = await RawClient.connect(address);
    await c.request(ApiKey.ApiVersions, 0, {});
    await assertRejects(() => c.request(ApiKey.ApiVersions, 0, {}), Error);
  }
  {
    // On a listener without SASL, SaslHandshake is ILLEGAL_SASL_STATE.
    await using c = await RawClient.connect(broker.bootstrapServersFor("PLAINTEXT"));
    const res = await c.request(ApiKey.SaslHandshake, 1, { mechanism: "PLAIN" });
    assertEquals(res.errorCode, ErrorCode.ILLEGAL_SASL_STATE);
  }
});

Deno.test("security: a v0 handshake takes raw tokens, then the connection is served", {
  ignore: missing("openssl"),
}, async () => {
  await using broker = await secureBroker({ topics: { t: {} } });
  await using c = await RawClient.connect(broker.bootstrapServersFor("SASL_PLAINTEXT"));
  assertEquals((await c.request(ApiKey.SaslHandshake, 0, { mechanism: "PLAIN" })).errorCode, 0);
  const token = plainMessage("alice", "alice-secret");
  const frame = new Uint8Array(4 + token.length);
  new DataView(frame.buffer).setInt32(0, token.length);
  frame.set(token, 4);
  assertEquals(await c.sendRaw(frame), new Uint8Array(0));
  const md = await c.request(ApiKey.Metadata, 12, { topics: [{ name: "t" }] });
  assertEquals(md.topics[0].errorCode, 0);
});

Deno.test(
  "security: SaslAuthenticate v1 reports the session lifetime; the client re-authenticates",
  { ignore: missing("openssl") },
  async () => {
    await using broker = await secureBroker({ sasl: { sessionLifetimeMs: 400 } });
    const address = broker.bootstrapServersFor("SASL_PLAINTEXT");
    {
      // A client that does not re-authenticate is closed at its next request after the lifetime.
      await using c = await RawClient.connect(address);
      await c.request(ApiKey.SaslHandshake, 1, { mechanism: "PLAIN" });
      const auth = await c.request(ApiKey.SaslAuthenticate, 2, {
        authBytes: plainMessage("alice", "alice-secret"),
      });
      assertEquals([auth.errorCode, auth.sessionLifetimeMs], [0, 400n]);
      await c.request(ApiKey.Metadata, 12, { topics: null });
      await new Promise((r) => setTimeout(r, 500));
      await assertRejects(() => c.request(ApiKey.Metadata, 12, { topics: null }), Error);
    }
    // Brook's producer re-authenticates on the same connection and keeps producing.
    const sasl: SaslOptions = {
      mechanism: "SCRAM-SHA-512",
      username: "bob",
      password: "bob-secret",
    };
    await using producer = new Producer({ bootstrapServers: address, sasl });
    const accepted = () => broker.metrics().connections[1].accepted;
    await producer.send({ topic: "reauth", value: "first" });
    const before = accepted();
    for (let i = 1; i < 12; i++) {
      await producer.send({ topic: "reauth", value: `v${i}` });
      await new Promise((r) => setTimeout(r, 100));
    }
    assertEquals(clusterOf(broker).partition("reauth", 0)!.log.highWatermark, 12n);
    assertEquals(accepted(), before);
  },
);

Deno.test("security: a re-authentication may not change the principal", {
  ignore: missing("openssl"),
}, async () => {
  await using broker = await secureBroker();
  await using c = await RawClient.connect(broker.bootstrapServersFor("SASL_PLAINTEXT"));
  await c.request(ApiKey.SaslHandshake, 1, { mechanism: "PLAIN" });
  await c.request(ApiKey.SaslAuthenticate, 1, { authBytes: plainMessage("alice", "alice-secret") });
  assertEquals((await c.request(ApiKey.SaslHandshake, 1, { mechanism: "PLAIN" })).errorCode, 0);
  const res = await c.request(ApiKey.SaslAuthenticate, 1, {
    authBytes: plainMessage("bob", "bob-secret"),
  });
  assertEquals(res.errorCode, ErrorCode.SASL_AUTHENTICATION_FAILED);
  assertEquals(
    res.errorMessage,
    "Cannot change principals during re-authentication from User.alice: User.bob",
  );
  assertOk(await c.closedWithin(2000));
});

Deno.test("security: SCRAM users made with the admin client authenticate; deleted ones do not", {
  ignore: missing("openssl"),
}, async () => {
  await using broker = await secureBroker();
  await using admin = new Admin({ bootstrapServers: broker.bootstrapServersFor("PLAINTEXT") });
  await admin.alterUserScramCredentials([
    {
      op: "upsert",
      user: "dave",
      mechanism: "SCRAM-SHA-256",
      password: "dave-pw",
      iterations: 8192,
    },
  ]);
  assertEquals(await admin.describeUserScramCredentials(["dave"]), [
    { user: "dave", credentials: [{ mechanism: "SCRAM-SHA-256", iterations: 8192 }] },
  ]);
  const sasl: SaslOptions = { mechanism: "SCRAM-SHA-256", username: "dave", password: "dave-pw" };
  await roundTrip(broker.bootstrapServersFor("SASL_PLAINTEXT"), "dave", { sasl });
  await admin.alterUserScramCredentials([
    { op: "delete", user: "dave", mechanism: "SCRAM-SHA-256" },
  ]);
  await using producer = new Producer({
    bootstrapServers: broker.bootstrapServersFor("SASL_PLAINTEXT"),
    sasl,
  });
  await assertRejects(() => producer.send({ topic: "dave", value: "x" }), KafkaAuthenticationError);
  const all = await admin.describeUserScramCredentials();
  assertEquals(all.map((u) => u.user).sort(), ["alice", "bob"]);
});
