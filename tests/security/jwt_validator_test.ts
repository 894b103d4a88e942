// The OAUTHBEARER validator of signed JWTs (KIP-768) on its own: what it accepts, and the tokens it
// refuses with Kafka's "invalid_token", with keys made by Web Crypto in the test.
import { assertEquals, assertOk, assertRejects } from "../assert.ts";
import { OAuthBearerJwtValidator } from "../../broker/security/jwt_validator.ts";
import { CASE_AUDIENCE, CASE_ISSUER, claims, signingKey, signJwt, validationCases } from "./jwt.ts";

const ISSUER = "https://issuer.brook.test";
const INVALID = { errorStatus: "invalid_token" };

async function setUp() {
  const rs = await signingKey("RS256", "rsa-1");
  const es = await signingKey("ES256", "ec-1");
  const validator = await OAuthBearerJwtValidator.create({
    jwks: { keys: { keys: [rs.jwk, es.jwk] } },
    issuer: ISSUER,
    audience: ["kafka", "brook"],
  });
  return { rs, es, validator };
}

Deno.test("jwt: RS256 and ES256 tokens name their principal, expiry and scopes", async () => {
  const { rs, es, validator } = await setUp();
  const now = Date.now();
  const good = claims({ iss: ISSUER, aud: "kafka", scope: "produce" }, now);
  assertEquals(await validator.validate(await signJwt(rs, good), now), {
    principal: "alice",
    expiresAtMs: good.exp * 1000,
    scopes: ["produce"],
  });
  const listed = claims({ sub: " bob ", iss: ISSUER, aud: ["other", "brook"], scope: ["a", "b"] });
  assertEquals(await validator.validate(await signJwt(es, listed), now), {
    principal: "bob",
    expiresAtMs: listed.exp * 1000,
    scopes: ["a", "b"],
  });
  // Within the clock skew (30 s by default): just expired, issued or valid from a little ahead.
  const t = Math.floor(now / 1000);
  for (const c of [{ iat: t - 100, exp: t - 20 }, { iat: t + 20, exp: t + 60 }, { nbf: t + 20 }]) {
    const token = await signJwt(es, { ...claims({ iss: ISSUER, aud: "kafka" }, now), ...c });
    const result = await validator.validate(token, now);
    assertEquals("principal" in result && result.principal, "alice", JSON.stringify(c));
  }
});

Deno.test("jwt: forged, expired and misdirected tokens are refused with invalid_token", async () => {
  // The same cases go to Kafka's own validator in tests/peers/oauthbearer_java_test.ts.
  const now = Date.now();
  const { keys, cases } = await validationCases(now);
  const validator = await OAuthBearerJwtValidator.create({
    jwks: { keys },
    issuer: CASE_ISSUER,
    audience: CASE_AUDIENCE,
  });
  for (const [why, { token, principal }] of Object.entries(cases)) {
    const result = await validator.validate(token, now);
    assertEquals(
      "principal" in result ? result.principal : result,
      principal ?? INVALID,
      why,
    );
  }
  assertOk(Object.values(cases).filter((c) => c.principal === null).length >= 20);
});

Deno.test("jwt: claim names, audiences and skew follow their options", async () => {
  const key = await signingKey("ES384", "k");
  const now = Date.now();
  const t = Math.floor(now / 1000);
  const open = await OAuthBearerJwtValidator.create({
    jwks: { keys: [key.jwk] },
    subClaimName: "client_id",
    scopeClaimName: "scp",
    clockSkewSeconds: 0,
  });
  const token = await signJwt(key, claims({ client_id: "svc-orders", scp: "write" }, now));
  assertEquals(await open.validate(token, now), {
    principal: "svc-orders",
    expiresAtMs: (t + 3600) * 1000,
    scopes: ["write"],
  });
  // No expected audience: a token meant for one is refused, as Kafka's JOSE library does.
  assertEquals(
    await open.validate(await signJwt(key, claims({ client_id: "x", aud: "kafka" }, now)), now),
    INVALID,
  );
  // No skew: a token expiring this second is already refused.
  assertEquals(
    await open.validate(await signJwt(key, claims({ client_id: "x", exp: t }, now)), now),
    INVALID,
  );
  await assertRejects(
    () => OAuthBearerJwtValidator.create({ jwks: { keys: [] }, clockSkewSeconds: -1 }),
    RangeError,
  );
  await assertRejects(
    () => OAuthBearerJwtValidator.create({ jwks: { file: "/nonexistent/jwks.json" } }),
    Deno.errors.NotFound,
  );
  await assertRejects(
    () => OAuthBearerJwtValidator.create({ jwks: { url: "file:///nonexistent/jwks.json" } }),
    Deno.errors.NotFound,
  );
  await assertRejects(
    () => OAuthBearerJwtValidator.create({ jwks: { url: "ftp://127.0.0.1/jwks.json" } }),
    RangeError,
  );
});

Deno.test("jwt: tokens naming unknown key ids make at most 16 refreshes a minute", async () => {
  const key = await signingKey("ES256", "known");
  let fetches = 0;
  await using server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, () => {
    fetches++;
    return Response.json({ keys: [key.jwk] });
  });
  const validator = await OAuthBearerJwtValidator.create({
    jwks: { url: `http://127.0.0.1:${server.addr.port}/jwks` },
  });
  const settle = async () => {
    for (let i = 0, seen = -1; i < 50 && seen !== fetches; i++) {
      seen = fetches;
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  for (let i = 0; i < 40; i++) {
    const stranger = await signingKey("ES256", `kid-${i}`);
    const token = await signJwt(stranger, claims());
    assertEquals(await validator.validate(token), INVALID);
    await settle();
  }
  // One fetch at start, then one per unknown kid until the minute's budget is spent.
  assertEquals(fetches, 1 + 16);
  const known = await validator.validate(await signJwt(key, claims()));
  assertEquals("principal" in known && known.principal, "alice");
});
