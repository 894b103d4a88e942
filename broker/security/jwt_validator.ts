/**
 * OAUTHBEARER's validator of signed JWTs (KIP-768), as Kafka's broker runs it when
 * `sasl.oauthbearer.jwks.endpoint.url` is set: a JWS (never "alg": "none") whose signature one of
 * the JWKS keys verifies, an `exp` not past (within the clock skew) and an `iat` not after it (both
 * required), an `nbf` (if any) reached within the skew; the expected issuer and audience when configured (and no `aud` at all
 * when no audience is); a subject claim, which names the principal; a scope claim, read but not
 * required. Every refusal is Kafka's: the RFC 7628 status "invalid_token".
 *
 * @module
 */

import { JsonWebKeySet, type JwksSource, supportedJwsAlgorithm } from "./jwks.ts";

/** How signed JWTs are validated: Kafka's `sasl.oauthbearer.*` broker configs. */
export interface OAuthBearerJwtOptions {
  /**
   * The keys (sasl.oauthbearer.jwks.endpoint.url): `{ file }`, read again when it changes;
   * `{ url, refreshMs }`, an http(s) endpoint refreshed every refreshMs (default 3600000, as
   * sasl.oauthbearer.jwks.endpoint.refresh.ms) and soon after a token names an unknown key id;
   * or `{ keys }`, a key set in hand.
   */
  jwks: JwksSource;
  /** sasl.oauthbearer.expected.issuer: the `iss` every token must carry. */
  issuer?: string;
  /** sasl.oauthbearer.expected.audience: an `aud` every token must name one of. */
  audience?: string | string[];
  /** sasl.oauthbearer.clock.skew.seconds; default 30. */
  clockSkewSeconds?: number;
  /** sasl.oauthbearer.sub.claim.name: the claim that names the principal; default "sub". */
  subClaimName?: string;
  /** sasl.oauthbearer.scope.claim.name; default "scope". */
  scopeClaimName?: string;
}

/** What a valid token yields: its principal, expiry and scopes. */
export interface JwtValidation {
  principal: string;
  expiresAtMs: number;
  scopes: string[];
}

const INVALID = { errorStatus: "invalid_token" };
const decoder = new TextDecoder("utf-8", { fatal: true });
const encoder = new TextEncoder();

/** Validates OAUTHBEARER tokens as signed JWTs against a JSON Web Key Set. */
export class OAuthBearerJwtValidator {
  readonly #keys: JsonWebKeySet;
  readonly #issuer: string | undefined;
  readonly #audiences: string[];
  readonly #skew: number;
  readonly #subClaim: string;
  readonly #scopeClaim: string;

  private constructor(keys: JsonWebKeySet, options: OAuthBearerJwtOptions) {
    this.#keys = keys;
    this.#issuer = options.issuer;
    this.#audiences = options.audience === undefined
      ? []
      : typeof options.audience === "string"
      ? [options.audience]
      : [...options.audience];
    this.#skew = options.clockSkewSeconds ?? 30;
    this.#subClaim = options.subClaimName ?? "sub";
    this.#scopeClaim = options.scopeClaimName ?? "scope";
  }

  /**
   * A validator with its keys read; rejects when they cannot be, as a Kafka broker does not start.
   *
   * @example
   * ```ts
   * import { OAuthBearerJwtValidator } from "./jwt_validator.ts";
   * const { publicKey } = await crypto.subtle.generateKey(
   *   { name: "ECDSA", namedCurve: "P-256" },
   *   true,
   *   ["sign", "verify"],
   * );
   * const jwk = { ...(await crypto.subtle.exportKey("jwk", publicKey)), kid: "k1" };
   * const validator = await OAuthBearerJwtValidator.create({
   *   jwks: { keys: [jwk] },
   *   issuer: "https://issuer.example",
   *   audience: ["kafka"],
   * });
   * console.log(await validator.validate("not.a.jwt")); // { errorStatus: "invalid_token" }
   * ```
   */
  static async create(options: OAuthBearerJwtOptions): Promise<OAuthBearerJwtValidator> {
    const skew = options.clockSkewSeconds ?? 30;
    if (!Number.isInteger(skew) || skew < 0) {
      throw new RangeError(`OAUTHBEARER clock skew must be a whole number of seconds >= 0`);
    }
    for (
      const [name, value] of [["sub", options.subClaimName], ["scope", options.scopeClaimName]]
    ) {
      if (value !== undefined && value.trim() === "") {
        throw new RangeError(`OAUTHBEARER ${name} claim name must not be empty`);
      }
    }
    return new OAuthBearerJwtValidator(await JsonWebKeySet.load(options.jwks), options);
  }

  /** Validates a token: its principal and expiry, or Kafka's "invalid_token" status. */
  async validate(
    token: string,
    now: number = Date.now(),
  ): Promise<JwtValidation | { errorStatus: string }> {
    const parts = token.trim().split(".");
    if (parts.length !== 3 || parts.some((p) => p === "")) return INVALID;
    const header = jsonObject(parts[0]);
    const claims = jsonObject(parts[1]);
    const signature = base64UrlBytes(parts[2]);
    if (!header || !claims || !signature) return INVALID;
    // "none" and algorithms Brook does not verify are refused; so are critical extensions.
    if (!supportedJwsAlgorithm(header.alg) || header.crit !== undefined) return INVALID;
    const key = await this.#keys.resolve({ alg: header.alg, kid: header.kid });
    if (!key) return INVALID;
    const signed = encoder.encode(`${parts[0]}.${parts[1]}`);
    if (!await JsonWebKeySet.verify(key, header.alg, signature, signed)) return INVALID;
    return this.#checkClaims(claims, now) ?? INVALID;
  }

  #checkClaims(claims: Record<string, unknown>, nowMs: number): JwtValidation | undefined {
    // Numeric dates in whole seconds, as Kafka's JOSE library reads and compares them.
    const exp = numericDate(claims.exp);
    const iat = numericDate(claims.iat);
    const nbf = numericDate(claims.nbf);
    if (exp === null || iat === null || nbf === null) return undefined;
    if (exp === undefined || iat === undefined) return undefined;
    const now = Math.floor(nowMs / 1000);
    if (now >= exp + this.#skew) return undefined;
    if (exp < iat) return undefined;
    // An iat ahead of the clock is not refused: Kafka's validator does not check it (its
    // unsecured validator does); exp still bounds the token.
    if (nbf !== undefined && (now + this.#skew < nbf || exp < nbf)) return undefined;
    if (this.#issuer !== undefined && claims.iss !== this.#issuer) return undefined;
    if (!this.#audienceAccepted(claims.aud)) return undefined;
    const sub = claims[this.#subClaim];
    if (typeof sub !== "string" || sub.trim() === "") return undefined;
    const scopes = this.#scopes(claims[this.#scopeClaim]);
    if (!scopes || exp < 0 || iat < 0) return undefined;
    return { principal: sub.trim(), expiresAtMs: exp * 1000, scopes };
  }

  #audienceAccepted(aud: unknown): boolean {
    if (aud === undefined) return this.#audiences.length === 0;
    const named = typeof aud === "string" ? [aud] : aud;
    if (!Array.isArray(named) || named.some((a) => typeof a !== "string")) return false;
    // With no expected audience, a token meant for some audience is refused, as in Kafka.
    return named.some((a) => this.#audiences.includes(a));
  }

  /** The scope claim: one string is one scope; a list must hold distinct non-blank strings. */
  #scopes(raw: unknown): string[] | undefined {
    const list = typeof raw === "string" ? [raw] : Array.isArray(raw) ? raw : [];
    const scopes = new Set<string>();
    for (const s of list) {
      if (typeof s !== "string" || s.trim() === "" || scopes.has(s.trim())) return undefined;
      scopes.add(s.trim());
    }
    return [...scopes];
  }
}

/** A numeric date claim in whole seconds; undefined when absent, null when not a number. */
function numericDate(value: unknown): number | undefined | null {
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !Number.isFinite(value)) return null;
  return Math.trunc(value);
}

function base64UrlBytes(text: string): Uint8Array<ArrayBuffer> | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) return undefined;
  try {
    const binary = atob(text.replaceAll("-", "+").replaceAll("_", "/"));
    return Uint8Array.from(binary, (c) => c.charCodeAt(0));
  } catch {
    return undefined;
  }
}

function jsonObject(part: string): Record<string, unknown> | undefined {
  const bytes = base64UrlBytes(part);
  if (!bytes) return undefined;
  try {
    const value = JSON.parse(decoder.decode(bytes));
    return typeof value === "object" && value !== null && !Array.isArray(value) ? value : undefined;
  } catch {
    return undefined;
  }
}
