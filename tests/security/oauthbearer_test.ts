// OAUTHBEARER on Brook's broker: off unless enabled (as Kafka's sasl.enabled.mechanisms), and with
// a JWKS validator of signed JWTs (KIP-768) where it is; the unsecured validator only without one.
import { assertEquals, assertOk, assertRejects } from "../assert.ts";
import { ApiKey, ErrorCode, oauthBearerInitialResponse, unsecuredJwt } from "../../codec/mod.ts";
import { Broker } from "../../broker/mod.ts";
import { Admin, KafkaAuthenticationError } from "../../client/mod.ts";
import { RawClient } from "../broker/raw_client.ts";

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
    assertEquals([res.errorCode, res.mechanisms], [ErrorCode.UNSUPPORTED_SASL_MECHANISM, [
      "PLAIN",
      "SCRAM-SHA-256",
      "SCRAM-SHA-512",
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
  assertEquals(broker.cluster.topics.has("owned"), false);
});
