// Delegation tokens (KIP-48) on Brook's broker: created over SASL, used by Brook's producer over
// SCRAM with the tokenauth extension (as the token's owner), renewed by a renewer, described, and
// expired; refused without SASL, from a token-authenticated connection, and while no
// delegation.token.secret.key is set, as Kafka refuses them.
import { assertEquals, assertOk, assertRejects } from "../assert.ts";
import { ApiKey, ErrorCode, plainMessage } from "../../codec/mod.ts";
import { Broker } from "../../broker/mod.ts";
import { KafkaAuthenticationError, Producer } from "../../client/mod.ts";
import { RawClient } from "../broker/raw_client.ts";

const USERS = { alice: "alice-secret", bob: "bob-secret" };

/** A connection to the SASL listener, logged in with PLAIN. */
async function login(address: string, user: keyof typeof USERS): Promise<RawClient> {
  const c = await RawClient.connect(address);
  await c.request(ApiKey.SaslHandshake, 1, { mechanism: "PLAIN" });
  const auth = await c.request(ApiKey.SaslAuthenticate, 2, {
    authBytes: plainMessage(user, USERS[user]),
  });
  assertEquals(auth.errorCode, ErrorCode.NONE);
  return c;
}

function base64(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes));
}

Deno.test("delegation tokens: create, authenticate with, renew, describe, expire", async () => {
  await using broker = await Broker.start({
    listeners: ["PLAINTEXT://127.0.0.1:0", "SASL_PLAINTEXT://127.0.0.1:0"],
    sasl: { users: USERS, failedAuthenticationDelayMs: 0 },
    configs: { "delegation.token.secret.key": "brook-secret" },
  });
  const plain = broker.bootstrapServersFor("PLAINTEXT");
  const sasl = broker.bootstrapServersFor("SASL_PLAINTEXT");
  await using alice = await login(sasl, "alice");
  const created = await alice.request(ApiKey.CreateDelegationToken, 3, {
    ownerPrincipalType: null,
    ownerPrincipalName: null,
    renewers: [{ principalType: "User", principalName: "bob" }],
    maxLifetimeMs: -1n,
  });
  assertEquals([created.errorCode, created.principalName], [ErrorCode.NONE, "alice"]);
  assertEquals(created.hmac.length, 64, "HMAC-SHA512");
  assertEquals(created.maxTimestampMs - created.issueTimestampMs, 604_800_000n);

  // The token authenticates as its owner; a token-authenticated client may not ask for tokens.
  const tokenLogin = {
    mechanism: "SCRAM-SHA-256" as const,
    username: created.tokenId,
    password: base64(created.hmac),
    tokenAuth: true,
  };
  {
    await using producer = new Producer({ bootstrapServers: sasl, sasl: tokenLogin });
    await producer.send({ topic: "t", value: "with a token" });
  }

  await using bob = await login(sasl, "bob");
  const renewed = await bob.request(ApiKey.RenewDelegationToken, 2, {
    hmac: created.hmac,
    renewPeriodMs: 1000n,
  });
  assertEquals(renewed.errorCode, ErrorCode.NONE);
  assertOk(renewed.expiryTimestampMs < created.expiryTimestampMs);
  const described = await bob.request(ApiKey.DescribeDelegationToken, 3, { owners: null });
  assertEquals(described.tokens.map((t) => [t.tokenId, t.principalName, t.renewers.length]), [
    [created.tokenId, "alice", 1],
  ]);
  const none = await bob.request(ApiKey.DescribeDelegationToken, 3, { owners: [] });
  assertEquals(none.tokens, []);

  await using anonymous = await RawClient.connect(plain);
  const refused = await anonymous.request(ApiKey.DescribeDelegationToken, 3, { owners: null });
  assertEquals(refused.errorCode, ErrorCode.DELEGATION_TOKEN_REQUEST_NOT_ALLOWED);

  const expired = await alice.request(ApiKey.ExpireDelegationToken, 2, {
    hmac: created.hmac,
    expiryTimePeriodMs: -1n,
  });
  assertEquals(expired.errorCode, ErrorCode.NONE);
  const gone = await alice.request(ApiKey.RenewDelegationToken, 2, {
    hmac: created.hmac,
    renewPeriodMs: 1000n,
  });
  assertEquals(gone.errorCode, ErrorCode.DELEGATION_TOKEN_NOT_FOUND);
  await assertRejects(async () => {
    await using producer = new Producer({
      bootstrapServers: sasl,
      sasl: tokenLogin,
      deliveryTimeoutMs: 2000,
    });
    await producer.send({ topic: "t", value: "no longer" });
  }, KafkaAuthenticationError);
});

Deno.test("delegation tokens: off without delegation.token.secret.key", async () => {
  await using broker = await Broker.start({
    listeners: ["SASL_PLAINTEXT://127.0.0.1:0"],
    sasl: { users: USERS, failedAuthenticationDelayMs: 0 },
  });
  await using alice = await login(broker.bootstrapServers, "alice");
  const created = await alice.request(ApiKey.CreateDelegationToken, 3, {
    ownerPrincipalType: null,
    ownerPrincipalName: null,
    renewers: [],
    maxLifetimeMs: -1n,
  });
  assertEquals(created.errorCode, ErrorCode.DELEGATION_TOKEN_AUTH_DISABLED);
  const typed = await alice.request(ApiKey.CreateDelegationToken, 3, {
    ownerPrincipalType: null,
    ownerPrincipalName: null,
    renewers: [{ principalType: "Group", principalName: "x" }],
    maxLifetimeMs: -1n,
  });
  assertEquals(typed.errorCode, ErrorCode.INVALID_PRINCIPAL_TYPE);
});

Deno.test("delegation tokens: v1 and v2 create tokens too, without the v3 requester fields", async () => {
  await using broker = await Broker.start({
    listeners: ["SASL_PLAINTEXT://127.0.0.1:0"],
    sasl: { users: USERS, failedAuthenticationDelayMs: 0 },
    configs: { "delegation.token.secret.key": "brook-secret" },
  });
  await using alice = await login(broker.bootstrapServersFor("SASL_PLAINTEXT"), "alice");
  for (const version of [1, 2]) {
    const created = await alice.request(ApiKey.CreateDelegationToken, version, {
      renewers: [],
      maxLifetimeMs: -1n,
    });
    assertEquals([created.errorCode, created.principalName], [ErrorCode.NONE, "alice"]);
    assertEquals([created.tokenRequesterPrincipalType, created.tokenRequesterPrincipalName], [
      "",
      "",
    ]);
    assertEquals(created.hmac.length, 64);
  }
});
