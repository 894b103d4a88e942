// The OAUTHBEARER validator of signed JWTs (KIP-768) on its own: what it accepts, and the tokens it
// refuses with Kafka's "invalid_token", with keys made by Web Crypto in the test.
import { assertEquals, assertRejects } from "../assert.ts";
import { unsecuredJwt } from "../../codec/mod.ts";
import { OAuthBearerJwtValidator } from "../../broker/security/jwt_validator.ts";
import { claims, signingKey, signJwt } from "./jwt.ts";

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
    assertEquals((await validator.validate(token, now)).principal, "alice", JSON.stringify(c));
  }
});

Deno.test("jwt: forged, expired and misdirected tokens are refused with invalid_token", async () => {
  const { rs, es, validator } = await setUp();
  const now = Date.now();
  const t = Math.floor(now / 1000);
  const good = claims({ iss: ISSUER, aud: "kafka" }, now);
  const impostor = await signingKey("RS256", "rsa-1");
  const other = await signingKey("ES256", "ec-2");
  const tampered = (await signJwt(rs, good)).split(".");
  tampered[1] = btoa(JSON.stringify({ ...good, sub: "admin" })).replaceAll("=", "");
  const refused: Record<string, string> = {
    "wrong signature": await signJwt(impostor, good),
    "tampered claims": tampered.join("."),
    "unknown kid": await signJwt(other, good),
    "kid of another key type": await signJwt(es, good, { kid: "rsa-1" }),
    "unknown alg": await signJwt(rs, good, { alg: "HS256" }),
    "alg none (unsecured)": unsecuredJwt({ sub: "admin", iss: ISSUER, aud: "kafka" }),
    "alg none, signed": await signJwt(rs, good, { alg: "none" }),
    "critical header": await signJwt(rs, good, { crit: ["b64"], b64: false }),
    "expired": await signJwt(rs, { ...good, iat: t - 7200, exp: t - 31 }),
    "not yet valid": await signJwt(rs, { ...good, nbf: t + 31 }),
    "issued in the future": await signJwt(rs, { ...good, iat: t + 31, exp: t + 3600 }),
    "expires before issued": await signJwt(rs, { ...good, iat: t, exp: t - 1 }),
    "no exp": await signJwt(rs, { ...good, exp: undefined }),
    "no iat": await signJwt(rs, { ...good, iat: undefined }),
    "exp not a number": await signJwt(rs, { ...good, exp: String(good.exp) }),
    "wrong issuer": await signJwt(rs, { ...good, iss: "https://elsewhere" }),
    "no issuer": await signJwt(rs, { ...good, iss: undefined }),
    "wrong audience": await signJwt(rs, { ...good, aud: ["billing"] }),
    "no audience": await signJwt(rs, { ...good, aud: undefined }),
    "no subject": await signJwt(rs, { ...good, sub: undefined }),
    "blank subject": await signJwt(rs, { ...good, sub: "  " }),
    "subject not a string": await signJwt(rs, { ...good, sub: 42 }),
    "duplicate scopes": await signJwt(rs, { ...good, scope: ["a", "a"] }),
    "not a JWS": "not-a-jwt",
    "two parts": (await signJwt(rs, good)).split(".").slice(0, 2).join("."),
  };
  for (const [why, token] of Object.entries(refused)) {
    assertEquals(await validator.validate(token, now), INVALID, why);
  }
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
});
