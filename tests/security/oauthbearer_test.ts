// OAUTHBEARER on Brook's broker: off unless enabled (as Kafka's sasl.enabled.mechanisms), and with
// a JWKS validator of signed JWTs (KIP-768) where it is; the unsecured validator only without one.
import { clusterOf, nodesOf } from "../../broker/broker_internals.ts";
import { assertEquals, assertOk, assertRejects } from "../assert.ts";
import { ApiKey, ErrorCode, oauthBearerInitialResponse, unsecuredJwt } from "../../codec/mod.ts";
import { Broker } from "../../broker/mod.ts";
import { Admin, KafkaAuthenticationError } from "../../client/mod.ts";
import { RawClient } from "../broker/raw_client.ts";
import { claims, type SigningKey, signingKey, signJwt } from "./jwt.ts";

const CLI = new URL("../../cli/broker.ts", import.meta.url).pathname;

/** Starts the broker CLI; resolves with its address once it listens, and its stderr so far. */
async function startCli(args: string[]) {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-net", "--allow-read", "--allow-env", CLI, ...args],
    stdout: "piped",
    stderr: "piped",
    stdin: "null",
  }).spawn();
  const stdout = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let out = "";
  for (let i = 0; i < 100 && !out.includes("\n"); i++) {
    const { value, done } = await stdout.read();
    if (done) break;
    out += value;
  }
  const stop = async () => {
    child.kill("SIGTERM");
    for (;;) if ((await stdout.read()).done) break;
    const { code } = await child.status;
    const stderr = await new Response(child.stderr).text();
    return { code, stderr };
  };
  const m = /^listening on (\S+)/.exec(out);
  if (!m) {
    const { stderr } = await stop();
    throw new Error(`the broker CLI did not start: ${out} ${stderr}`);
  }
  return { address: m[1], stop };
}

Deno.test("oauthbearer: a listener with users alone does not offer OAUTHBEARER", async () => {
  // The broker of Kafka's quick start with a super user: an unsigned token naming that super user
  // must not get in.
  const cli = await startCli([
    "--listener",
    "SASL_PLAINTEXT://127.0.0.1:0",
    "--sasl-user",
    "admin:admin-secret",
    "--super-user",
    "User:admin",
  ]);
  try {
    await using c = await RawClient.connect(cli.address);
    const res = await c.request(ApiKey.SaslHandshake, 1, { mechanism: "OAUTHBEARER" });
    // In the order of Kafka's answer: a Java HashSet's of sasl.enabled.mechanisms.
    assertEquals([res.errorCode, res.mechanisms], [ErrorCode.UNSUPPORTED_SASL_MECHANISM, [
      "PLAIN",
      "SCRAM-SHA-512",
      "SCRAM-SHA-256",
    ]]);
    // Refused, so the token is never read: the connection is closed.
    await assertRejects(() =>
      c.request(ApiKey.SaslAuthenticate, 2, {
        authBytes: oauthBearerInitialResponse(unsecuredJwt({ sub: "admin" })),
      }), Error);
  } finally {
    const { code, stderr } = await cli.stop();
    assertEquals(code, 0);
    assertOk(!/OAUTHBEARER/.test(stderr), stderr);
  }

  await using broker = await Broker.start({
    listeners: ["SASL_PLAINTEXT://127.0.0.1:0"],
    sasl: { users: { admin: "admin-secret" }, failedAuthenticationDelayMs: 0 },
    authorizer: { superUsers: ["User:admin"] },
  });
  await using admin = new Admin({
    bootstrapServers: broker.bootstrapServers,
    sasl: { mechanism: "OAUTHBEARER", token: () => ({ value: unsecuredJwt({ sub: "admin" }) }) },
  });
  const e = await assertRejects(() => admin.createTopics([{ name: "owned" }]), Error);
  assertOk(e instanceof KafkaAuthenticationError, String(e));
  assertEquals((e as KafkaAuthenticationError).code, ErrorCode.UNSUPPORTED_SASL_MECHANISM);
  assertEquals(clusterOf(broker).topics.has("owned"), false);
});

const ISSUER = "https://issuer.brook.test";

/** A token for `sub` from the test's identity provider. */
async function token(key: SigningKey, sub: string, extra: Record<string, unknown> = {}) {
  return await signJwt(key, claims({ sub, iss: ISSUER, aud: "kafka", ...extra }));
}

/** Whether the principal's token lets it create a topic; the refusal's error otherwise. */
async function createTopicAs(address: string, value: string, topic: string) {
  await using admin = new Admin({
    bootstrapServers: address,
    sasl: { mechanism: "OAUTHBEARER", token: () => ({ value }) },
  });
  try {
    await admin.createTopics([{ name: topic }]);
    return "created";
  } catch (e) {
    if (!(e instanceof KafkaAuthenticationError)) throw e;
    return `${e.code} ${e.message.replace(address, "ADDRESS")}`;
  }
}

const REFUSED = `${ErrorCode.SASL_AUTHENTICATION_FAILED} ADDRESS refused the OAUTHBEARER token: ` +
  '{"status":"invalid_token"}';

/** The raw SaslAuthenticate answers to a token: Kafka's RFC 7628 challenge, then the failure. */
async function rawRefusal(address: string, value: string) {
  await using c = await RawClient.connect(address);
  const handshake = await c.request(ApiKey.SaslHandshake, 1, { mechanism: "OAUTHBEARER" });
  assertEquals(handshake.errorCode, ErrorCode.NONE);
  const first = await c.request(ApiKey.SaslAuthenticate, 2, {
    authBytes: oauthBearerInitialResponse(value),
  });
  const end = await c.request(ApiKey.SaslAuthenticate, 2, { authBytes: new Uint8Array([1]) });
  assertOk(await c.closedWithin(2000));
  return {
    first: [first.errorCode, new TextDecoder().decode(first.authBytes)],
    end: [end.errorCode, end.errorMessage],
  };
}

Deno.test("oauthbearer: signed JWTs checked against a JWKS file; unsigned and forged ones refused", async () => {
  const rs = await signingKey("RS256", "rsa-1");
  const es = await signingKey("ES256", "ec-1");
  const dir = await Deno.makeTempDir({ prefix: "brook-jwks-" });
  const file = `${dir}/jwks.json`;
  try {
    await Deno.writeTextFile(file, JSON.stringify({ keys: [rs.jwk] }));
    await using broker = await Broker.start({
      listeners: ["SASL_PLAINTEXT://127.0.0.1:0"],
      sasl: {
        users: { admin: "admin-secret" },
        mechanisms: ["SCRAM-SHA-512", "OAUTHBEARER"],
        oauthBearer: { jwks: { file }, issuer: ISSUER, audience: ["kafka"] },
        failedAuthenticationDelayMs: 0,
      },
      authorizer: { superUsers: ["User:admin"] },
    });
    const address = broker.bootstrapServers;
    assertEquals(await createTopicAs(address, await token(rs, "admin"), "signed"), "created");
    assertOk([...nodesOf(broker)[0].connections].some((c) => c.info.principal === "User:admin"));
    // The open door of old: an unsigned token naming the super user.
    assertEquals(await createTopicAs(address, unsecuredJwt({ sub: "admin" }), "t1"), REFUSED);
    const forged = await signingKey("RS256", "rsa-1");
    assertEquals(await createTopicAs(address, await token(forged, "admin"), "t2"), REFUSED);
    assertEquals(await createTopicAs(address, await token(es, "admin"), "t3"), REFUSED);
    assertEquals(
      await createTopicAs(address, await token(rs, "admin", { iss: "https://elsewhere" }), "t4"),
      REFUSED,
    );
    assertEquals(clusterOf(broker).topics.has("t1") || clusterOf(broker).topics.has("t2"), false);
    // On the wire, as Kafka's OAUTHBEARER server: the error as a challenge, then the failure.
    assertEquals(await rawRefusal(address, unsecuredJwt({ sub: "admin" })), {
      first: [ErrorCode.NONE, '{"status":"invalid_token"}'],
      end: [ErrorCode.SASL_AUTHENTICATION_FAILED, '{"status":"invalid_token"}'],
    });
    // A rotated key file is read again.
    await Deno.writeTextFile(file, JSON.stringify({ keys: [es.jwk] }));
    const later = new Date(Date.now() + 5000);
    await Deno.utime(file, later, later);
    assertEquals(await createTopicAs(address, await token(es, "admin"), "rotated"), "created");
    assertEquals(await createTopicAs(address, await token(rs, "admin"), "t5"), REFUSED);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("oauthbearer: JWKS from an http URL, refreshed on schedule and after an unknown kid", async () => {
  const k1 = await signingKey("ES256", "k1");
  const k2 = await signingKey("RS256", "k2");
  const k3 = await signingKey("ES256", "k3");
  let served: JsonWebKey[] = [k1.jwk];
  let fetches = 0;
  await using server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) => {
    if (new URL(req.url).pathname !== "/jwks") {
      return new Response("no such key set", { status: 404 });
    }
    fetches++;
    return Response.json({ keys: served });
  });
  const url = `http://127.0.0.1:${server.addr.port}/jwks`;
  const start = (refreshMs: number) =>
    Broker.start({
      listeners: ["SASL_PLAINTEXT://127.0.0.1:0"],
      sasl: {
        mechanisms: ["OAUTHBEARER"],
        oauthBearer: { jwks: { url, refreshMs }, issuer: ISSUER, audience: "kafka" },
        failedAuthenticationDelayMs: 0,
      },
    });
  {
    await using broker = await start(3_600_000);
    const address = broker.bootstrapServers;
    assertEquals(fetches, 1);
    assertEquals(await createTopicAs(address, await token(k1, "alice"), "a"), "created");
    // A new key at the provider: its first token is refused, as by Kafka, and the keys refreshed.
    served = [k1.jwk, k2.jwk];
    assertEquals(await createTopicAs(address, await token(k2, "alice"), "b"), REFUSED);
    for (let i = 0; i < 50 && fetches < 2; i++) await new Promise((r) => setTimeout(r, 20));
    assertEquals(fetches, 2);
    assertEquals(await createTopicAs(address, await token(k2, "alice"), "b"), "created");
    // The same unknown kid does not fetch again within a minute.
    assertEquals(await createTopicAs(address, await token(k3, "alice"), "c"), REFUSED);
    assertEquals(await createTopicAs(address, await token(k3, "alice"), "c"), REFUSED);
    for (let i = 0; i < 50 && fetches < 3; i++) await new Promise((r) => setTimeout(r, 20));
    assertEquals(fetches, 3);
  }
  {
    // With a short refresh interval, a key the provider withdrew stops working.
    served = [k1.jwk];
    await using broker = await start(50);
    const address = broker.bootstrapServers;
    assertEquals(await createTopicAs(address, await token(k1, "alice"), "d"), "created");
    served = [k3.jwk];
    await new Promise((r) => setTimeout(r, 100));
    assertEquals(await createTopicAs(address, await token(k1, "alice"), "e"), REFUSED);
    assertEquals(await createTopicAs(address, await token(k3, "alice"), "e"), "created");
  }
  // A broker whose keys cannot be fetched does not start, as Kafka's does not.
  const missing = await Broker.start({
    listeners: ["SASL_PLAINTEXT://127.0.0.1:0"],
    sasl: {
      mechanisms: ["OAUTHBEARER"],
      oauthBearer: { jwks: { url: `http://127.0.0.1:${server.addr.port}/missing` } },
    },
  }).then((b) => b.close().then(() => "started"), (e: Error) => e.message);
  assertOk(missing.includes("404"), missing);
});

Deno.test("oauthbearer: the CLI warns of the unsecured validator and takes a JWKS (flags or Kafka's names)", async () => {
  const key = await signingKey("RS256", "cli-1");
  const dir = await Deno.makeTempDir({ prefix: "brook-jwks-" });
  const file = `${dir}/jwks.json`;
  await Deno.writeTextFile(file, JSON.stringify({ keys: [key.jwk] }));
  const listener = ["--listener", "SASL_PLAINTEXT://127.0.0.1:0"];
  try {
    {
      const cli = await startCli([...listener, "--sasl-mechanisms", "PLAIN,OAUTHBEARER"]);
      // Development only, and said so: unsigned tokens get in.
      assertEquals(await createTopicAs(cli.address, unsecuredJwt({ sub: "x" }), "dev"), "created");
      const { stderr } = await cli.stop();
      const warnings = stderr.split("\n").filter((l) => l.includes("WARNING"));
      assertEquals(warnings.length, 1, stderr);
      assertOk(/OAUTHBEARER.*unsigned.*--oauthbearer-jwks/.test(warnings[0]), warnings[0]);
    }
    for (
      const args of [
        [
          "--sasl-mechanisms",
          "OAUTHBEARER",
          "--oauthbearer-jwks",
          file,
          "--oauthbearer-issuer",
          ISSUER,
          "--oauthbearer-audience",
          "billing,kafka",
          "--oauthbearer-clock-skew-seconds",
          "10",
        ],
        [
          "--config",
          "sasl.enabled.mechanisms=OAUTHBEARER",
          "--config",
          `sasl.oauthbearer.jwks.endpoint.url=file://${file}`,
          "--config",
          `sasl.oauthbearer.expected.issuer=${ISSUER}`,
          "--config",
          "sasl.oauthbearer.expected.audience=kafka",
        ],
      ]
    ) {
      const cli = await startCli([...listener, ...args]);
      const address = cli.address;
      assertEquals(await createTopicAs(address, await token(key, "alice"), "signed"), "created");
      assertEquals(await createTopicAs(address, unsecuredJwt({ sub: "alice" }), "u"), REFUSED);
      const elsewhere = await token(key, "alice", { aud: "billing-only" });
      assertEquals(await createTopicAs(address, elsewhere, "u"), REFUSED);
      const { code, stderr } = await cli.stop();
      assertEquals(code, 0);
      assertOk(!stderr.includes("WARNING"), stderr);
    }
    const usage = async (args: string[]) => {
      const out = await new Deno.Command(Deno.execPath(), {
        args: ["run", "--allow-net", "--allow-read", "--allow-env", CLI, ...listener, ...args],
        stdin: "null",
      }).output();
      return [out.code, new TextDecoder().decode(out.stderr).trim()];
    };
    assertEquals(await usage(["--oauthbearer-jwks", file]), [
      2,
      "broker: --oauthbearer-jwks needs OAUTHBEARER in --sasl-mechanisms (see --help)",
    ]);
    assertEquals(await usage(["--sasl-mechanisms", "OAUTHBEARER", "--oauthbearer-issuer", "x"]), [
      2,
      "broker: the --oauthbearer-* settings need --oauthbearer-jwks (see --help)",
    ]);
    const [code, message] = await usage([
      "--sasl-mechanisms",
      "OAUTHBEARER",
      "--oauthbearer-jwks",
      `${dir}/missing.json`,
    ]);
    assertEquals(code, 1);
    assertOk(String(message).startsWith("broker: cannot start:"), String(message));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
