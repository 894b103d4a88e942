/**
 * SASL/OAUTHBEARER (RFC 7628) as Kafka runs it (KIP-255, KIP-342): the client's initial response
 * with its token and extensions, and Kafka's unsecured JWTs ("alg": "none") for development and tests.
 *
 * @module
 */

const encoder = new TextEncoder();
const decoder = new TextDecoder();
/** RFC 7628's separator between key=value pairs. */
const SEP = "\u0001";

/** What a client's initial response carries. */
export interface OAuthBearerInitialResponse {
  /** The bearer token (the "auth" value without "Bearer "). */
  token: string;
  /** The authorization id from the GS2 header ("" when absent). */
  authorizationId: string;
  /** SASL extensions (KIP-342), sent as key=value pairs besides "auth". */
  extensions: Map<string, string>;
}

/**
 * The client's initial response: "n,a=authzid,^Aauth=Bearer TOKEN^Akey=value^A^A".
 *
 * @example
 * ```ts
 * import { oauthBearerInitialResponse, unsecuredJwt } from "@brook/kafka/codec";
 * const token = unsecuredJwt({ sub: "alice", lifetimeMs: 3_600_000 });
 * const message = oauthBearerInitialResponse(token);
 * ```
 */
export function oauthBearerInitialResponse(
  token: string,
  options: { authorizationId?: string; extensions?: Record<string, string> } = {},
): Uint8Array {
  const authz = options.authorizationId ? `a=${options.authorizationId}` : "";
  const ext = Object.entries(options.extensions ?? {}).map(([k, v]) => `${SEP}${k}=${v}`).join("");
  return encoder.encode(`n,${authz},${SEP}auth=Bearer ${token}${ext}${SEP}${SEP}`);
}

/**
 * Reads a client's initial response; null when it is malformed.
 *
 * @example
 * ```ts
 * import { oauthBearerInitialResponse, parseOAuthBearerInitialResponse } from "@brook/kafka/codec";
 * const parsed = parseOAuthBearerInitialResponse(oauthBearerInitialResponse("token-123"));
 * console.log(parsed?.token); // "token-123"
 * ```
 */
export function parseOAuthBearerInitialResponse(
  bytes: Uint8Array,
): OAuthBearerInitialResponse | null {
  const text = decoder.decode(bytes);
  // "n," [authzid] "," SEP pairs SEP SEP
  const m = /^n,(a=[^,]*)?,/.exec(text);
  if (!m || !text.endsWith(SEP + SEP)) return null;
  const body = text.slice(m[0].length);
  if (!body.startsWith(SEP) || body.length < 3) return null;
  const extensions = new Map<string, string>();
  let token: string | undefined;
  for (const pair of body.slice(1, -2).split(SEP)) {
    const eq = pair.indexOf("=");
    if (eq <= 0) return null;
    const key = pair.slice(0, eq);
    const value = pair.slice(eq + 1);
    if (key === "auth") {
      const bearer = /^Bearer ([\x21-\x7E]+)$/i.exec(value);
      if (!bearer) return null;
      token = bearer[1];
    } else if (/^[A-Za-z]+$/.test(key)) {
      extensions.set(key, value);
    } else return null;
  }
  if (token === undefined) return null;
  return { token, authorizationId: m[1] ? m[1].slice(2) : "", extensions };
}

function base64Url(text: string): string {
  return btoa(String.fromCharCode(...encoder.encode(text))).replaceAll("+", "-")
    .replaceAll("/", "_").replaceAll("=", "");
}

function fromBase64Url(text: string): string {
  const b64 = text.replaceAll("-", "+").replaceAll("_", "/");
  return decoder.decode(Uint8Array.from(atob(b64), (c) => c.charCodeAt(0)));
}

/**
 * An unsecured JWT ("alg": "none") as Kafka's default OAUTHBEARER login module makes it: claims
 * sub, iat and exp (seconds), and any others given.
 *
 * @example
 * ```ts
 * import { unsecuredJwt } from "@brook/kafka/codec";
 * const token = unsecuredJwt({ sub: "alice", lifetimeMs: 60_000 });
 * ```
 */
export function unsecuredJwt(
  claims: { sub: string; lifetimeMs?: number; now?: number; [claim: string]: unknown },
): string {
  const { sub, lifetimeMs = 3_600_000, now = Date.now(), ...rest } = claims;
  const iat = now / 1000;
  const payload = { ...rest, sub, iat, exp: iat + lifetimeMs / 1000 };
  return `${base64Url('{"alg":"none"}')}.${base64Url(JSON.stringify(payload))}.`;
}

/**
 * The claims of an unsecured JWT, or an error status as Kafka's unsecured validator gives it.
 *
 * @example
 * ```ts
 * import { parseUnsecuredJwt, unsecuredJwt } from "@brook/kafka/codec";
 * console.log(parseUnsecuredJwt(unsecuredJwt({ sub: "alice" }))?.claims.sub); // "alice"
 * ```
 */
export function parseUnsecuredJwt(
  token: string,
): { header: Record<string, unknown>; claims: Record<string, unknown> } | null {
  const parts = token.split(".");
  if (parts.length !== 3 || parts[2] !== "") return null;
  try {
    const header = JSON.parse(fromBase64Url(parts[0]));
    const claims = JSON.parse(fromBase64Url(parts[1]));
    if (typeof header !== "object" || header === null) return null;
    if (typeof claims !== "object" || claims === null) return null;
    return { header, claims };
  } catch {
    return null;
  }
}
