/**
 * The verification keys of OAUTHBEARER's JWT validator (KIP-768): a JSON Web Key Set given inline,
 * read from a file (read again when the file changes, as Kafka 4.x does), or fetched from an
 * http(s) URL and refreshed as Kafka's refreshing key resolver does: every `refreshMs`, and soon
 * after a token names a key id the set lacks (that token is still refused). Keys are chosen as
 * Kafka's JWKS resolver chooses them: by `kid` when the token names one, by key type and curve for
 * the algorithm, and only signing keys.
 *
 * @module
 */

/** Where the keys come from. */
export type JwksSource =
  | { file: string }
  | { url: string; refreshMs?: number }
  | { keys: JsonWebKey[] | { keys: JsonWebKey[] } };

/** The JWS algorithms the validator verifies, with their Web Crypto parameters. */
const ALGORITHMS: Record<
  string,
  {
    kty: "RSA" | "EC";
    import: RsaHashedImportParams | EcKeyImportParams;
    verify: AlgorithmIdentifier;
  }
> = {
  RS256: rsa("RSASSA-PKCS1-v1_5", "SHA-256"),
  RS384: rsa("RSASSA-PKCS1-v1_5", "SHA-384"),
  RS512: rsa("RSASSA-PKCS1-v1_5", "SHA-512"),
  PS256: { ...rsa("RSA-PSS", "SHA-256"), verify: { name: "RSA-PSS", saltLength: 32 } as never },
  PS384: { ...rsa("RSA-PSS", "SHA-384"), verify: { name: "RSA-PSS", saltLength: 48 } as never },
  PS512: { ...rsa("RSA-PSS", "SHA-512"), verify: { name: "RSA-PSS", saltLength: 64 } as never },
  ES256: ec("P-256", "SHA-256"),
  ES384: ec("P-384", "SHA-384"),
};

function rsa(name: string, hash: string) {
  return { kty: "RSA" as const, import: { name, hash }, verify: { name } };
}

function ec(namedCurve: string, hash: string) {
  return {
    kty: "EC" as const,
    import: { name: "ECDSA", namedCurve },
    verify: { name: "ECDSA", hash } as EcdsaParams,
  };
}

/** True for the JWS algorithms Brook verifies (RS256/384/512, PS256/384/512, ES256/384). */
export function supportedJwsAlgorithm(alg: unknown): alg is string {
  return typeof alg === "string" && Object.hasOwn(ALGORITHMS, alg);
}

/** Kafka's refresh interval of JWKS endpoints (sasl.oauthbearer.jwks.endpoint.refresh.ms). */
export const DEFAULT_JWKS_REFRESH_MS = 3_600_000;
/** How long a missing key id waits before it may ask for another refresh, as Kafka waits. */
const MISSING_KID_WAIT_MS = 60_000;
/** Missing key ids remembered; longer ids are not (a malformed token, not a rotated key). */
const MISSING_KID_ENTRIES = 16;
const MISSING_KID_MAX_LENGTH = 1000;
/**
 * At most this many refreshes a minute for unknown key ids: tokens from anyone name them, and
 * each new one would otherwise make the broker fetch the key set again.
 */
const EXPEDITED_PER_MINUTE = 16;
/** Bounds on a fetch of the key set: the time it may take and the size of its answer. */
const FETCH_TIMEOUT_MS = 10_000;
const MAX_JWKS_BYTES = 1 << 20;
/** Backoff of failed refreshes, as sasl.oauthbearer.jwks.endpoint.retry.backoff(.max).ms. */
const RETRY_BACKOFF_MS = 100;
const RETRY_BACKOFF_MAX_MS = 10_000;

/** A JSON Web Key Set that yields verification keys for JWS headers. */
export class JsonWebKeySet {
  readonly #source: JwksSource;
  readonly #refreshMs: number;
  #keys: JsonWebKey[] = [];
  /** Imported keys by their place in #keys and the algorithm. */
  #imported = new Map<string, Promise<CryptoKey | undefined>>();
  /** When the keys were last read (epoch ms), and the file's modification time then. */
  #loadedAt = 0;
  #fileModified: number | null = null;
  #fileError = false;
  #refreshing: Promise<void> | undefined;
  #retryAt = 0;
  #backoffMs = RETRY_BACKOFF_MS;
  readonly #missing = new Map<string, number>();
  /** When the refreshes for unknown key ids of the last minute started. */
  #expedited: number[] = [];

  private constructor(source: JwksSource) {
    this.#source = source;
    const refreshMs = "url" in source ? source.refreshMs ?? DEFAULT_JWKS_REFRESH_MS : Infinity;
    if (!(refreshMs > 0)) throw new RangeError(`JWKS refresh interval must be positive`);
    this.#refreshMs = refreshMs;
  }

  /**
   * Reads the key set; rejects when it cannot be read, as a Kafka broker does not start then.
   *
   * @example
   * ```ts
   * import { JsonWebKeySet } from "./jwks.ts";
   * const { publicKey } = await crypto.subtle.generateKey(
   *   { name: "ECDSA", namedCurve: "P-256" },
   *   true,
   *   ["sign", "verify"],
   * );
   * const jwk = { ...(await crypto.subtle.exportKey("jwk", publicKey)), kid: "k1" };
   * const keys = await JsonWebKeySet.load({ keys: [jwk] });
   * console.log(await keys.resolve({ alg: "ES256", kid: "k1" }) !== undefined); // true
   * ```
   */
  static async load(source: JwksSource): Promise<JsonWebKeySet> {
    if ("url" in source) {
      const url = new URL(source.url);
      // As Kafka's jwks.endpoint.url, a file: URL names a key file.
      if (url.protocol === "file:") source = { file: decodeURIComponent(url.pathname) };
      else if (url.protocol !== "http:" && url.protocol !== "https:") {
        throw new RangeError(`JWKS URL ${source.url}: only http, https and file are supported`);
      }
    }
    const set = new JsonWebKeySet(source);
    if ("keys" in source) set.#replace(keySetOf(source.keys));
    else if ("file" in source) await set.#readFile();
    else set.#replace(await fetchKeySet(source.url));
    return set;
  }

  /**
   * The key to verify a JWS with this header, or undefined when the set has none; an unknown `kid`
   * starts a refresh of a fetched set, for later tokens.
   */
  async resolve(header: { alg: string; kid?: unknown }): Promise<CryptoKey | undefined> {
    const spec = ALGORITHMS[header.alg];
    if (!spec) return undefined;
    if ("file" in this.#source) {
      await this.#readFileIfChanged();
      if (this.#fileError) return undefined;
    } else if ("url" in this.#source && Date.now() - this.#loadedAt >= this.#refreshMs) {
      // Keys are never older than the refresh interval when a token is checked, as they are
      // when Kafka refreshes on a schedule.
      await this.#refresh();
    }
    const kid = typeof header.kid === "string" ? header.kid : undefined;
    if (header.kid !== undefined && kid === undefined) return undefined;
    for (const [i, jwk] of this.#keys.entries()) {
      if (!matches(jwk, header.alg, spec.kty, kid)) continue;
      const id = `${i}/${header.alg}`;
      let key = this.#imported.get(id);
      if (!key) {
        key = importKey(jwk, spec.import);
        this.#imported.set(id, key);
      }
      // The first suitable key decides, as in Kafka.
      return await key;
    }
    if (kid !== undefined) this.#expediteRefresh(kid);
    return undefined;
  }

  /** Verifies a JWS signature with the key and algorithm. */
  static async verify(
    key: CryptoKey,
    alg: string,
    signature: Uint8Array<ArrayBuffer>,
    data: Uint8Array<ArrayBuffer>,
  ): Promise<boolean> {
    try {
      return await crypto.subtle.verify(ALGORITHMS[alg].verify, key, signature, data);
    } catch {
      return false;
    }
  }

  #replace(keys: JsonWebKey[]): void {
    this.#keys = keys;
    this.#imported = new Map();
    this.#loadedAt = Date.now();
    for (const k of keys) this.#missing.delete(String((k as { kid?: unknown }).kid));
  }

  async #readFile(): Promise<void> {
    const { file } = this.#source as { file: string };
    const modified = (await Deno.stat(file)).mtime?.getTime() ?? null;
    const text = await Deno.readTextFile(file);
    this.#replace(keySetOf(JSON.parse(text)));
    this.#fileModified = modified;
    this.#fileError = false;
  }

  async #readFileIfChanged(): Promise<void> {
    const { file } = this.#source as { file: string };
    try {
      const modified = (await Deno.stat(file)).mtime?.getTime() ?? null;
      if (modified === this.#fileModified && !this.#fileError) return;
      await this.#readFile();
    } catch {
      // Kafka refuses tokens while its key file cannot be read; so does Brook.
      this.#fileError = true;
    }
  }

  #refresh(): Promise<void> {
    if (this.#refreshing) return this.#refreshing;
    if (Date.now() < this.#retryAt) return Promise.resolve();
    const { url } = this.#source as { url: string };
    this.#refreshing = fetchKeySet(url).then((keys) => {
      this.#replace(keys);
      this.#backoffMs = RETRY_BACKOFF_MS;
      this.#retryAt = 0;
    }, () => {
      // The keys in hand stay; the endpoint is asked again after a growing backoff.
      this.#retryAt = Date.now() + this.#backoffMs;
      this.#backoffMs = Math.min(this.#backoffMs * 2, RETRY_BACKOFF_MAX_MS);
    }).finally(() => this.#refreshing = undefined);
    return this.#refreshing;
  }

  #expediteRefresh(kid: string): void {
    if (!("url" in this.#source) || kid.length > MISSING_KID_MAX_LENGTH) return;
    const now = Date.now();
    const next = this.#missing.get(kid);
    if (next !== undefined && next > now) return;
    this.#expedited = this.#expedited.filter((t) => t > now - 60_000);
    if (this.#expedited.length >= EXPEDITED_PER_MINUTE) return;
    this.#expedited.push(now);
    this.#missing.delete(kid);
    this.#missing.set(kid, now + MISSING_KID_WAIT_MS);
    if (this.#missing.size > MISSING_KID_ENTRIES) {
      this.#missing.delete(this.#missing.keys().next().value!);
    }
    this.#retryAt = 0;
    this.#refresh();
  }
}

/** Whether a key may verify a JWS with this algorithm and key id, as Kafka selects keys. */
function matches(jwk: JsonWebKey, alg: string, kty: string, kid: string | undefined): boolean {
  if (jwk.kty !== kty) return false;
  if (kid !== undefined && (jwk as { kid?: unknown }).kid !== kid) return false;
  const use = (jwk as { use?: unknown }).use;
  if (use !== undefined && use !== "sig") return false;
  if (jwk.alg !== undefined && jwk.alg !== alg) return false;
  if (jwk.key_ops !== undefined && !jwk.key_ops.includes("verify")) return false;
  if (kty === "EC") return jwk.crv === (ALGORITHMS[alg].import as EcKeyImportParams).namedCurve;
  return true;
}

async function importKey(
  jwk: JsonWebKey,
  params: RsaHashedImportParams | EcKeyImportParams,
): Promise<CryptoKey | undefined> {
  // Only the public part: a key set that carries private members must not make Brook sign.
  const { kty, n, e, crv, x, y } = jwk;
  const pub: JsonWebKey = kty === "RSA" ? { kty, n, e } : { kty, crv, x, y };
  try {
    const key = await crypto.subtle.importKey("jwk", pub, params, false, ["verify"]);
    // As Kafka's JOSE library, RSA keys shorter than 2048 bits verify nothing.
    const bits = (key.algorithm as RsaHashedKeyAlgorithm).modulusLength;
    return bits !== undefined && bits < 2048 ? undefined : key;
  } catch {
    return undefined;
  }
}

function keySetOf(value: unknown): JsonWebKey[] {
  const keys = Array.isArray(value) ? value : (value as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys)) throw new TypeError('A JSON Web Key Set needs a "keys" array');
  return keys.filter((k): k is JsonWebKey => typeof k === "object" && k !== null);
}

async function fetchKeySet(url: string): Promise<JsonWebKey[]> {
  const res = await fetch(url, {
    signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
    headers: { accept: "application/json" },
  });
  if (!res.ok) {
    await res.body?.cancel();
    throw new Error(`JWKS endpoint ${url} answered ${res.status}`);
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of res.body ?? []) {
    size += chunk.length;
    if (size > MAX_JWKS_BYTES) throw new Error(`JWKS from ${url} exceeds ${MAX_JWKS_BYTES} bytes`);
    chunks.push(chunk);
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    bytes.set(c, at);
    at += c.length;
  }
  return keySetOf(JSON.parse(new TextDecoder().decode(bytes)));
}
