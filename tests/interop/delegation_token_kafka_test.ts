// Delegation tokens against a real Kafka 4.1.1 (BROOK_INTEROP=1; tools/kafka/start.sh --secure sets
// a secret key): the same token requests answered alike by Kafka and Brook's broker, and Brook's
// client authenticating with a token (SCRAM, tokenauth) to both.
import { assertEquals } from "../assert.ts";
import { ApiKey, ErrorCode, plainMessage } from "../../codec/mod.ts";
import { Broker } from "../../broker/mod.ts";
import { Producer } from "../../client/mod.ts";
import { RawClient } from "../broker/raw_client.ts";
import { startKafka } from "./kafka_server.ts";

async function login(address: string): Promise<RawClient> {
  const c = await RawClient.connect(address);
  await c.request(ApiKey.SaslHandshake, 1, { mechanism: "PLAIN" });
  const auth = await c.request(ApiKey.SaslAuthenticate, 2, {
    authBytes: plainMessage("admin", "admin-secret"),
  });
  assertEquals(auth.errorCode, ErrorCode.NONE);
  return c;
}

/** Token requests with their outcomes, made comparable (times as durations, ids dropped). */
async function tokenStory(saslAddress: string, plainAddress: string): Promise<unknown[]> {
  const out: unknown[] = [];
  // Kafka's SASL_PLAINTEXT sessions last 3 s (start.sh): each step logs in anew.
  const asAdmin = async <T>(ask: (c: RawClient) => Promise<T>): Promise<T> => {
    await using admin = await login(saslAddress);
    return await ask(admin);
  };
  const created = await asAdmin((admin) =>
    admin.request(ApiKey.CreateDelegationToken, 3, {
      ownerPrincipalType: null,
      ownerPrincipalName: null,
      renewers: [{ principalType: "User", principalName: "alice" }],
      maxLifetimeMs: 3_600_000n,
    })
  );
  out.push([
    created.errorCode,
    created.principalType,
    created.principalName,
    created.tokenRequesterPrincipalName,
    created.maxTimestampMs - created.issueTimestampMs,
    created.expiryTimestampMs - created.issueTimestampMs,
    created.hmac.length,
  ]);
  // The token authenticates Brook's producer as its owner (Kafka's cache learns it a moment later).
  const sasl = {
    mechanism: "SCRAM-SHA-512" as const,
    username: created.tokenId,
    password: btoa(String.fromCharCode(...created.hmac)),
    tokenAuth: true,
  };
  let produced = "not yet";
  for (let i = 0; i < 50 && produced !== "produced"; i++) {
    try {
      await using producer = new Producer({
        bootstrapServers: saslAddress,
        sasl,
        deliveryTimeoutMs: 3000,
      });
      await producer.send({ topic: "tokens", value: "with a token" });
      produced = "produced";
    } catch (e) {
      produced = (e as Error).name;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  out.push(produced);
  const described = await asAdmin((admin) =>
    admin.request(ApiKey.DescribeDelegationToken, 3, { owners: null })
  );
  out.push(described.tokens.map((t) => [
    t.tokenId === created.tokenId,
    t.principalName,
    t.renewers.map((r) => `${r.principalType}:${r.principalName}`),
  ]));
  const renewed = await asAdmin((admin) =>
    admin.request(ApiKey.RenewDelegationToken, 2, { hmac: created.hmac, renewPeriodMs: 60_000n })
  );
  out.push([
    renewed.errorCode,
    Math.round(Number(renewed.expiryTimestampMs) / 10_000 - Date.now() / 10_000),
  ]);
  await using anonymous = await RawClient.connect(plainAddress);
  const refused = await anonymous.request(ApiKey.DescribeDelegationToken, 3, { owners: null });
  out.push(refused.errorCode);
  // A renewal and an expiry that reach Kafka's brokers in one metadata update can leave the token
  // in their cache; let the renewal settle first.
  await new Promise((r) => setTimeout(r, 1000));
  const expired = await asAdmin((admin) =>
    admin.request(ApiKey.ExpireDelegationToken, 2, { hmac: created.hmac, expiryTimePeriodMs: -1n })
  );
  out.push(expired.errorCode);
  // Kafka removes the token once its controller has applied the expiry: ask until it has.
  let gone = ErrorCode.NONE as number;
  for (let i = 0; i < 20 && gone === ErrorCode.NONE; i++) {
    if (i > 0) await new Promise((r) => setTimeout(r, 100));
    gone = (await asAdmin((admin) =>
      admin.request(ApiKey.RenewDelegationToken, 2, { hmac: created.hmac, renewPeriodMs: 60_000n })
    )).errorCode;
  }
  out.push(gone);
  return out;
}

Deno.test({
  name: "interop: delegation tokens on Brook's broker as on a real Kafka 4.1.1",
  ignore: Deno.env.get("BROOK_INTEROP") !== "1",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using kafka = await startKafka({ secure: true });
    await using brook = await Broker.start({
      listeners: ["PLAINTEXT://127.0.0.1:0", "SASL_PLAINTEXT://127.0.0.1:0"],
      sasl: { users: { admin: "admin-secret" }, failedAuthenticationDelayMs: 0 },
      configs: { "delegation.token.secret.key": "brook-test-secret" },
    });
    const real = await tokenStory(kafka.saslPlaintext!, kafka.bootstrapServers);
    const ours = await tokenStory(
      brook.bootstrapServersFor("SASL_PLAINTEXT"),
      brook.bootstrapServersFor("PLAINTEXT"),
    );
    console.log("delegation tokens: Kafka", real, "Brook", ours);
    assertEquals(ours, real);
  },
});
