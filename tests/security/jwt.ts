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
