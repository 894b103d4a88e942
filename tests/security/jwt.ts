/**
 * Test support: signing keys made with Web Crypto, their public JWKs, and signed JWTs, as an OAuth
 * identity provider would issue them.
 *
 * @module
 */

const encoder = new TextEncoder();

function base64Url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes)).replaceAll("+", "-").replaceAll("/", "_")
    .replaceAll("=", "");
}

/** A signing key of an identity provider. */
export interface SigningKey {
  alg: "RS256" | "ES256" | "ES384" | "RS512" | "PS256";
  kid: string;
  privateKey: CryptoKey;
  /** The public key as a JWK, with its kid, use and alg. */
  jwk: JsonWebKey & { kid: string };
}

/** A new key pair for `alg`, named `kid`. */
export async function signingKey(alg: SigningKey["alg"], kid: string): Promise<SigningKey> {
  const params = alg === "ES256"
    ? { name: "ECDSA", namedCurve: "P-256" }
    : alg === "ES384"
    ? { name: "ECDSA", namedCurve: "P-384" }
    : {
      name: alg === "PS256" ? "RSA-PSS" : "RSASSA-PKCS1-v1_5",
      modulusLength: 2048,
      publicExponent: new Uint8Array([1, 0, 1]),
      hash: alg === "RS512" ? "SHA-512" : "SHA-256",
    };
  const pair = await crypto.subtle.generateKey(params, true, ["sign", "verify"]) as CryptoKeyPair;
  const { kty, n, e, crv, x, y } = await crypto.subtle.exportKey("jwk", pair.publicKey);
  const material = kty === "RSA" ? { kty, n, e } : { kty, crv, x, y };
  return { alg, kid, privateKey: pair.privateKey, jwk: { ...material, kid, use: "sig", alg } };
}

/** Claims of a token good for an hour from `now` (seconds), issued by `iss` for `aud`. */
export function claims(extra: Record<string, unknown> = {}, now = Date.now()) {
  const iat = Math.floor(now / 1000);
  return { sub: "alice", iat, exp: iat + 3600, ...extra };
}

/** A compact JWS of the claims, signed with the key (header overrides for broken tokens). */
export async function signJwt(
  key: SigningKey,
  payload: Record<string, unknown>,
  header: Record<string, unknown> = {},
): Promise<string> {
  const h = { alg: key.alg, typ: "JWT", kid: key.kid, ...header };
  const input = `${base64Url(encoder.encode(JSON.stringify(h)))}.${
    base64Url(encoder.encode(JSON.stringify(payload)))
  }`;
  const params = key.alg.startsWith("ES")
    ? { name: "ECDSA", hash: key.alg === "ES384" ? "SHA-384" : "SHA-256" }
    : key.alg === "PS256"
    ? { name: "RSA-PSS", saltLength: 32 }
    : { name: "RSASSA-PKCS1-v1_5" };
  const signature = await crypto.subtle.sign(params, key.privateKey, encoder.encode(input));
  return `${input}.${base64Url(new Uint8Array(signature))}`;
}

/** The issuer and audience the validation cases expect. */
export const CASE_ISSUER = "https://issuer.brook.test";
export const CASE_AUDIENCE = "kafka";

/**
 * Tokens a validator expecting CASE_ISSUER and CASE_AUDIENCE (30 s of clock skew) judges, each with
 * the principal it yields, or null for Kafka's "invalid_token"; and the key set that signed them.
 */
export async function validationCases(now = Date.now()): Promise<{
  keys: JsonWebKey[];
  cases: Record<string, { token: string; principal: string | null }>;
}> {
  const rs = await signingKey("RS256", "rsa-1");
  const es = await signingKey("ES256", "ec-1");
  const ps = await signingKey("PS256", "ps-1");
  const impostor = await signingKey("RS256", "rsa-1");
  const stranger = await signingKey("ES256", "ec-2");
  const t = Math.floor(now / 1000);
  const good = claims({ iss: CASE_ISSUER, aud: CASE_AUDIENCE }, now);
  const tampered = (await signJwt(rs, good)).split(".");
  tampered[1] = base64Url(encoder.encode(JSON.stringify({ ...good, sub: "admin" })));
  const unsigned = (c: Record<string, unknown>) =>
    `${base64Url(encoder.encode('{"alg":"none"}'))}.${
      base64Url(encoder.encode(JSON.stringify(c)))
    }.`;
  const ok = async (key: SigningKey, c: Record<string, unknown>, principal = "alice") => ({
    token: await signJwt(key, { ...good, ...c }),
    principal,
  });
  const no = async (key: SigningKey, c: Record<string, unknown>, h = {}) => ({
    token: await signJwt(key, { ...good, ...c }, h),
    principal: null,
  });
  return {
    keys: [rs.jwk, es.jwk, ps.jwk],
    cases: {
      "RS256": await ok(rs, {}),
      "ES256": await ok(es, { sub: "bob" }, "bob"),
      "PS256": await ok(ps, {}),
      "audience in a list": await ok(rs, { aud: ["billing", CASE_AUDIENCE] }),
      "subject padded": await ok(rs, { sub: " carol " }, "carol"),
      "scopes listed": await ok(rs, { scope: ["read", "write"] }),
      "expired within the skew": await ok(es, { iat: t - 100, exp: t - 20 }),
      "nbf within the skew": await ok(es, { nbf: t + 20 }),
      "iat ahead of the clock": await ok(es, { iat: t + 120, exp: t + 3600 }),
      "wrong signature": await no(impostor, {}),
      "tampered claims": { token: tampered.join("."), principal: null },
      "unknown kid": await no(stranger, {}),
      "kid of another key type": await no(es, {}, { kid: "rsa-1" }),
      "unknown alg": await no(rs, {}, { alg: "HS256" }),
      "alg none": { token: unsigned(good), principal: null },
      "alg none, signed": await no(rs, {}, { alg: "none" }),
      "expired": await no(rs, { iat: t - 7200, exp: t - 31 }),
      "not yet valid": await no(rs, { nbf: t + 31 }),
      "expires before issued": await no(rs, { iat: t, exp: t - 1 }),
      "no exp": await no(rs, { exp: undefined }),
      "no iat": await no(rs, { iat: undefined }),
      "exp not a number": await no(rs, { exp: String(good.exp) }),
      "wrong issuer": await no(rs, { iss: "https://elsewhere" }),
      "no issuer": await no(rs, { iss: undefined }),
      "wrong audience": await no(rs, { aud: ["billing"] }),
      "no audience": await no(rs, { aud: undefined }),
      "no subject": await no(rs, { sub: undefined }),
      "blank subject": await no(rs, { sub: "  " }),
      "subject not a string": await no(rs, { sub: 42 }),
      "duplicate scopes": await no(rs, { scope: ["a", "a"] }),
      "blank scope": await no(rs, { scope: [""] }),
      "not a JWS": { token: "not-a-jwt", principal: null },
      "two parts": {
        token: (await signJwt(rs, good)).split(".").slice(0, 2).join("."),
        principal: null,
      },
    },
  };
}
