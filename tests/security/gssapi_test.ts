// SASL GSSAPI on Brook's broker without a KDC: tickets minted from the service keytab (as a KDC
// would issue them) authenticate Brook's client, with and without mutual authentication, for each
// enctype; and each failure is answered as Kafka answers it.
import { clusterOf, nodesOf } from "../../broker/broker_internals.ts";
import { assertEquals, assertOk, assertRejects, assertThrows } from "../assert.ts";
import { ApiKey, ErrorCode } from "../../codec/mod.ts";
import {
  encodeKeytab,
  enctype,
  GssapiInitiator,
  type ServiceTicket,
} from "../../codec/kerberos/mod.ts";
import { Broker, type BrokerOptions } from "../../broker/mod.ts";
import { KerberosShortNamer } from "../../broker/security/kerberos_rules.ts";
import { Consumer, Producer, type SaslOptions } from "../../client/mod.ts";
import { RawClient } from "../broker/raw_client.ts";
import { type MintOptions, mintTicket, serviceKeytab } from "./kerberos_mint.ts";
import { testCertificates } from "./certs.ts";
import { fakeKdcSalt, startFakeKdc } from "./fake_kdc.ts";
import { missing } from "../installed.ts";

const GENERIC =
  "Authentication failed during authentication due to invalid credentials with SASL mechanism GSSAPI";

async function kerberosBroker(keytab: Uint8Array, extra: BrokerOptions["sasl"] = {}) {
  return await Broker.start({
    listeners: ["SASL_PLAINTEXT://127.0.0.1:0"],
    sasl: {
      mechanisms: ["GSSAPI"],
      gssapi: { keytab, principal: "kafka/localhost@BROOK.TEST" },
      failedAuthenticationDelayMs: 0,
      ...extra,
    },
  });
}

async function roundTrip(bootstrapServers: string, topic: string, sasl: SaslOptions) {
  {
    await using producer = new Producer({ bootstrapServers, sasl });
    await producer.send([{ topic, value: "one" }, { topic, value: "two" }]);
  }
  await using consumer = new Consumer({ bootstrapServers, autoOffsetReset: "earliest", sasl });
  consumer.assign([{ topic, partition: 0 }]);
  const got: string[] = [];
  for (let i = 0; i < 50 && got.length < 2; i++) {
    for (const r of await consumer.poll({ timeoutMs: 100 })) {
      got.push(new TextDecoder().decode(r.value!));
    }
  }
  assertEquals(got, ["one", "two"]);
}

Deno.test("gssapi: minted tickets of each enctype authenticate Brook's client, with and without mutual authentication", async () => {
  const keytab = serviceKeytab();
  await using broker = await kerberosBroker(keytab.bytes);
  const hosts: string[] = [];
  for (const ticketEnctype of [17, 18, 19, 20]) {
    for (const mutual of [true, false]) {
      const sessionEnctype = ticketEnctype === 18 ? 20 : ticketEnctype;
      const sasl: SaslOptions = {
        mechanism: "GSSAPI",
        mutual,
        serviceTicket: (service, host) => {
          hosts.push(`${service}/${host}`);
          return mintTicket(keytab.entries, { ticketEnctype, sessionEnctype });
        },
      };
      await roundTrip(
        broker.bootstrapServersFor("SASL_PLAINTEXT"),
        `t${ticketEnctype}-${mutual}`,
        sasl,
      );
    }
  }
  assertEquals(new Set(hosts), new Set(["kafka/127.0.0.1"]));
  assertOk([...nodesOf(broker)[0].connections].every((c) => c.info.principal === "User:alice"));
});

/** Runs the exchange by hand; returns the failure's code and message, or "closed" unanswered. */
async function exchange(
  broker: Broker,
  ticket: ServiceTicket | Promise<ServiceTicket>,
  options: { mutual?: boolean; now?: number; replay?: boolean; tamper?: boolean } = {},
): Promise<{ code: number; message: string | null } | "closed" | "ok"> {
  const address = broker.bootstrapServersFor("SASL_PLAINTEXT");
  const initiator = new GssapiInitiator(await ticket, { mutual: options.mutual, now: options.now });
  const first = await initiator.initialToken();
  if (options.replay) {
    await using c = await RawClient.connect(address);
    await c.request(ApiKey.SaslHandshake, 1, { mechanism: "GSSAPI" });
    await c.request(ApiKey.SaslAuthenticate, 2, { authBytes: first });
  }
  await using c = await RawClient.connect(address);
  await c.request(ApiKey.SaslHandshake, 1, { mechanism: "GSSAPI" });
  let token = first;
  for (let i = 0; i < 4; i++) {
    let res;
    try {
      res = await c.request(ApiKey.SaslAuthenticate, 2, { authBytes: token });
    } catch {
      return "closed";
    }
    if (res.errorCode !== 0) return { code: res.errorCode, message: res.errorMessage };
    if (initiator.complete) return "ok";
    token = await initiator.evaluate(res.authBytes);
    if (options.tamper && initiator.complete) token[token.length - 1] ^= 1;
  }
  return "ok";
}

Deno.test("gssapi: failures get Kafka's answers", async () => {
  const keytab = serviceKeytab(3);
  await using broker = await kerberosBroker(keytab.bytes);
  const failed = { code: ErrorCode.SASL_AUTHENTICATION_FAILED, message: GENERIC };
  assertEquals(await exchange(broker, mintTicket(keytab.entries)), "ok");
  // A ticket sealed with another key (the KDC's key was rotated, the keytab not).
  const other = serviceKeytab(3);
  assertEquals(await exchange(broker, mintTicket(other.entries)), failed);
  // A key version the keytab lacks, sealed with a key it has: Kafka's JDK acceptor takes it.
  assertEquals(await exchange(broker, mintTicket(keytab.entries, { kvno: 4 })), "ok");
  const hour = 3_600_000;
  const expired: MintOptions = { authTime: Date.now() - 3 * hour, endTime: Date.now() - hour };
  assertEquals(await exchange(broker, mintTicket(keytab.entries, expired)), failed);
  // Clock skew over five minutes.
  const skewed = { now: Date.now() - 10 * 60_000 };
  assertEquals(await exchange(broker, mintTicket(keytab.entries), skewed), failed);
  // A tampered wrap token in the security layer step.
  for (const mutual of [true, false]) {
    assertEquals(
      await exchange(broker, mintTicket(keytab.entries), { mutual, tamper: true }),
      failed,
    );
  }
  // A ticket that names another service or realm, sealed with this service's key: Kafka's JDK
  // acceptor takes it.
  for (const named of [{ service: ["kafka", "elsewhere"] }, { serviceRealm: "OTHER.TEST" }]) {
    assertEquals(await exchange(broker, mintTicket(keytab.entries, named)), "ok");
  }
  // A replayed AP-REQ, and a ticket whose start time is an hour away.
  assertEquals(await exchange(broker, mintTicket(keytab.entries), { replay: true }), failed);
  const future = { startTime: Date.now() + hour, endTime: Date.now() + 2 * hour };
  assertEquals(await exchange(broker, mintTicket(keytab.entries, future)), failed);
  // An auth time in the future without a start time: Kafka's JDK acceptor does not check it.
  const authLater = { authTime: Date.now() + hour, endTime: Date.now() + 2 * hour };
  assertEquals(await exchange(broker, mintTicket(keytab.entries, authLater)), "ok");
});

Deno.test("gssapi: a principal no rule maps is answered, then closed at its first request", async () => {
  const keytab = serviceKeytab();
  await using broker = await kerberosBroker(keytab.bytes, {
    gssapi: {
      keytab: keytab.bytes,
      principal: "kafka/localhost@BROOK.TEST",
      rules: ["RULE:[1:$1@$0](.*@PARTNER.TEST)s/@.*//", "DEFAULT"],
    },
  });
  const address = broker.bootstrapServersFor("SASL_PLAINTEXT");
  for (const [client, mapped] of [["carol@PARTNER.TEST", true], ["dave@OTHER.TEST", false]]) {
    const initiator = new GssapiInitiator(
      await mintTicket(keytab.entries, { client: client as string }),
    );
    await using c = await RawClient.connect(address);
    await c.request(ApiKey.SaslHandshake, 1, { mechanism: "GSSAPI" });
    let res = await c.request(ApiKey.SaslAuthenticate, 2, {
      authBytes: await initiator.initialToken(),
    });
    while (!initiator.complete) {
      res = await c.request(ApiKey.SaslAuthenticate, 2, {
        authBytes: await initiator.evaluate(res.authBytes),
      });
    }
    assertEquals(res.errorCode, 0);
    const metadata = c.request(ApiKey.Metadata, 12, { topics: null });
    if (mapped) {
      assertEquals((await metadata).topics, []);
      assertOk([...nodesOf(broker)[0].connections].some((c) => c.info.principal === "User:carol"));
    } else assertOk(await metadata.then(() => false, () => true), `${client} was served`);
  }
});

Deno.test("gssapi: principal rules as Kafka's KerberosShortNamer applies them", () => {
  const namer = new KerberosShortNamer("BROOK.TEST", [
    "RULE:[1:$1@$0](.*@OTHER.TEST)s/@.*//",
    "RULE:[2:$1](kafka)/U",
    "RULE:[2:$1](banana)s/a/A/g",
    "RULE:[1:$1](BOB)/L",
    "DEFAULT",
  ]);
  assertEquals(namer.shortName("carol@OTHER.TEST"), "carol");
  assertEquals(namer.shortName("kafka/localhost@BROOK.TEST"), "KAFKA");
  assertEquals(namer.shortName("banana/host@BROOK.TEST"), "bAnAnA");
  assertEquals(namer.shortName("BOB@ELSEWHERE.TEST"), "bob");
  assertEquals(namer.shortName("alice@BROOK.TEST"), "alice");
  assertEquals(namer.shortName("simple"), "simple");
  assertThrows(
    () => namer.shortName("dave@ELSEWHERE.TEST"),
    RangeError,
    /No rules apply to dave@ELSEWHERE.TEST/,
  );
  const defaults = new KerberosShortNamer("BROOK.TEST");
  assertEquals(defaults.shortName("kafka/host@BROOK.TEST"), "kafka");
  assertThrows(() => defaults.shortName("carol@OTHER.TEST"), RangeError);
  assertThrows(() => new KerberosShortNamer("R", ["RULE:[1:$1]x"]), RangeError, /Invalid rule/);
  const slash = new KerberosShortNamer("R", ["RULE:[2:$1/$2]"]);
  assertThrows(() => slash.shortName("a/b@R"), RangeError, /Non-simple name a\/b/);
});

Deno.test("gssapi: Brook's client re-authenticates (KIP-368) on the same connection as the same principal", async () => {
  const keytab = serviceKeytab();
  await using broker = await kerberosBroker(keytab.bytes, { sessionLifetimeMs: 400 });
  let tickets = 0;
  const sasl: SaslOptions = {
    mechanism: "GSSAPI",
    serviceTicket: () => {
      tickets++;
      return mintTicket(keytab.entries);
    },
  };
  await using producer = new Producer({
    bootstrapServers: broker.bootstrapServersFor("SASL_PLAINTEXT"),
    sasl,
  });
  await producer.send({ topic: "reauth", value: "first" });
  const accepted = () => Object.values(broker.metrics().connections)[0].accepted;
  const before = accepted();
  const first = tickets;
  for (let i = 1; i < 12; i++) {
    await producer.send({ topic: "reauth", value: `v${i}` });
    await new Promise((r) => setTimeout(r, 100));
  }
  assertEquals(clusterOf(broker).partition("reauth", 0)!.log.highWatermark, 12n);
  assertEquals(accepted(), before);
  assertOk(tickets > first, "no re-authentication");
  assertOk([...nodesOf(broker)[0].connections].every((c) => c.info.principal === "User:alice"));
});

Deno.test("gssapi: a raw GSSAPI token without a handshake (0.9 clients) is closed unanswered, as Kafka 4.1.1 does", async () => {
  const keytab = serviceKeytab();
  await using broker = await kerberosBroker(keytab.bytes);
  const token = await new GssapiInitiator(await mintTicket(keytab.entries)).initialToken();
  const frame = new Uint8Array(4 + token.length);
  new DataView(frame.buffer).setInt32(0, token.length);
  frame.set(token, 4);
  await using c = await RawClient.connect(broker.bootstrapServersFor("SASL_PLAINTEXT"));
  assertEquals(await c.sendRaw(frame), null);
});

Deno.test("gssapi: over SASL_SSL too", { ignore: missing("openssl") }, async () => {
  const keytab = serviceKeytab();
  const certs = await testCertificates();
  await using broker = await Broker.start({
    listeners: ["SASL_SSL://127.0.0.1:0"],
    tls: { cert: certs.cert, key: certs.key },
    sasl: {
      mechanisms: ["GSSAPI", "PLAIN"],
      users: { bob: "bob-secret" },
      gssapi: { keytab: keytab.bytes, principal: "kafka/localhost@BROOK.TEST" },
    },
  });
  const bootstrapServers = broker.bootstrapServersFor("SASL_SSL");
  const tls = { caCerts: [certs.caCert] };
  const sasl: SaslOptions = {
    mechanism: "GSSAPI",
    serviceTicket: () => mintTicket(keytab.entries, { ticketEnctype: 20 }),
  };
  {
    await using producer = new Producer({ bootstrapServers, sasl, tls });
    await producer.send([{ topic: "tls", value: "one" }]);
  }
  await using consumer = new Consumer({ bootstrapServers, sasl, tls, autoOffsetReset: "earliest" });
  consumer.assign([{ topic: "tls", partition: 0 }]);
  let got = 0;
  for (let i = 0; i < 50 && got < 1; i++) got += (await consumer.poll({ timeoutMs: 100 })).length;
  assertEquals(got, 1);
});

const CLI = new URL("../../cli/broker.ts", import.meta.url).pathname;

/** Runs the exchange of a minted ticket for `client` on `address`: "served", or what failed. */
async function servedAs(address: string, ticket: ServiceTicket): Promise<string> {
  const initiator = new GssapiInitiator(ticket);
  await using c = await RawClient.connect(address);
  await c.request(ApiKey.SaslHandshake, 1, { mechanism: "GSSAPI" });
  let res = await c.request(ApiKey.SaslAuthenticate, 2, {
    authBytes: await initiator.initialToken(),
  });
  while (!initiator.complete && res.errorCode === 0) {
    res = await c.request(ApiKey.SaslAuthenticate, 2, {
      authBytes: await initiator.evaluate(res.authBytes),
    });
  }
  if (res.errorCode !== 0) return `${res.errorCode}`;
  return await c.request(ApiKey.Metadata, 12, { topics: null }).then(
    () => "served",
    () => "closed",
  );
}

Deno.test("gssapi: the broker CLI serves GSSAPI from --gssapi-keytab with Kafka's rules config", async () => {
  const keytab = serviceKeytab();
  const file = await Deno.makeTempFile({ dir: "/tmp", prefix: "brook-keytab-" });
  await Deno.writeFile(file, keytab.bytes);
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-net",
      "--allow-read",
      "--allow-env",
      CLI,
      "--port",
      "0",
      "--listener",
      "SASL_PLAINTEXT://127.0.0.1:0",
      "--sasl-mechanisms",
      "GSSAPI",
      "--gssapi-keytab",
      file,
      "--gssapi-principal",
      "kafka/localhost@BROOK.TEST",
      "--config",
      "sasl.kerberos.principal.to.local.rules=RULE:[1:$1@$0](.*@PARTNER.TEST)s/@.*//,DEFAULT",
    ],
    stdout: "piped",
    stderr: "null",
    stdin: "null",
  }).spawn();
  try {
    const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let out = "";
    for (let i = 0; i < 100 && !out.includes("\n"); i++) {
      const { value, done } = await reader.read();
      if (done) break;
      out += value;
    }
    reader.releaseLock();
    const address = /^listening on (\S+)/.exec(out)![1];
    const partner = await mintTicket(keytab.entries, { client: "carol@PARTNER.TEST" });
    assertEquals(await servedAs(address, partner), "served");
    const other = await mintTicket(keytab.entries, { client: "dave@OTHER.TEST" });
    assertEquals(await servedAs(address, other), "closed");
    const foreignKey = await mintTicket(serviceKeytab().entries);
    assertEquals(await servedAs(address, foreignKey), `${ErrorCode.SASL_AUTHENTICATION_FAILED}`);
  } finally {
    child.kill("SIGTERM");
    await child.stdout.cancel().catch(() => {});
    await child.status;
    await Deno.remove(file);
  }
});

Deno.test("gssapi: Brook's client logs in to a KDC (ETYPE-INFO2 salt, PA-ENC-TIMESTAMP) with a password or a keytab", async () => {
  const service = serviceKeytab();
  await using kdc = await startFakeKdc({ alice: "alice-secret" }, service.entries);
  await using broker = await kerberosBroker(service.bytes);
  const bootstrapServers = broker.bootstrapServersFor("SASL_PLAINTEXT");
  const aliceKey = await enctype(18).stringToKey("alice-secret", fakeKdcSalt("alice"), 4096);
  const aliceKeytab = encodeKeytab([{
    names: ["alice"],
    realm: "BROOK.TEST",
    nameType: 1,
    timestamp: 0,
    kvno: 1,
    enctype: 18,
    key: aliceKey,
  }]);
  const logins: SaslOptions[] = [
    {
      mechanism: "GSSAPI",
      principal: "alice@BROOK.TEST",
      password: "alice-secret",
      kdc: kdc.address,
    },
    { mechanism: "GSSAPI", principal: "alice@BROOK.TEST", keytab: aliceKeytab, kdc: kdc.address },
  ];
  for (const [i, sasl] of logins.entries()) {
    await using producer = new Producer({ bootstrapServers, sasl });
    await producer.send({ topic: `login-${i}`, value: "x" });
    assertOk([...nodesOf(broker)[0].connections].some((c) => c.info.principal === "User:alice"));
  }
  // Each login: a refused AS-REQ, a pre-authenticated one, then a ticket for kafka/127.0.0.1.
  assertEquals(kdc.log, { asRequests: 4, preauthenticated: 2, tgsRequests: 2 });
  const wrong: SaslOptions = {
    mechanism: "GSSAPI",
    principal: "alice@BROOK.TEST",
    password: "nope",
    kdc: kdc.address,
  };
  await using producer = new Producer({ bootstrapServers, sasl: wrong, maxBlockMs: 5000 });
  const e = await assertRejects(() => producer.send({ topic: "t", value: "x" }), Error);
  assertOk(/error 24/.test(e.message), e.message);
});
