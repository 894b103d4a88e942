/**
 * SCRAM-SHA-256 and SCRAM-SHA-512 (RFC 5802, RFC 7677) as Kafka runs them: the messages of both
 * sides, the key derivation through Web Crypto, and the stored credential Kafka keeps per user
 * (salt, stored key, server key, iterations).
 *
 * @module
 */

/** The SCRAM mechanisms Kafka supports. */
export type ScramMechanism = "SCRAM-SHA-256" | "SCRAM-SHA-512";

/** Kafka's lowest and highest accepted iteration counts (both mechanisms). */
export const SCRAM_MIN_ITERATIONS = 4096;
/** Kafka's highest accepted SCRAM iteration count. */
export const SCRAM_MAX_ITERATIONS = 16384;

/** Kafka's mechanism numbers in Describe/AlterUserScramCredentials. */
export const SCRAM_MECHANISM_TYPES: Record<ScramMechanism, number> = {
  "SCRAM-SHA-256": 1,
  "SCRAM-SHA-512": 2,
};

/** What a broker stores for one user and mechanism; never the password. */
export interface ScramCredential {
  /** The random salt the password was salted with. */
  salt: Uint8Array;
  /** H(ClientKey), against which the client's proof is checked. */
  storedKey: Uint8Array;
  /** The key the server signs its final message with. */
  serverKey: Uint8Array;
  /** The iteration count of the salted password. */
  iterations: number;
}

/**
 * An error in a SCRAM exchange: a malformed message or a failed proof.
 *
 * @example
 * ```ts
 * import { parseClientFirst, ScramError } from "@brook/kafka/codec";
 * try {
 *   parseClientFirst(new TextEncoder().encode("garbage"));
 * } catch (e) {
 *   if (e instanceof ScramError) console.log(e.message); // "Invalid SCRAM client first message"
 * }
 * ```
 */
export class ScramError extends Error {
  /** Creates a SCRAM error. */
  constructor(message: string) {
    super(message);
    this.name = "ScramError";
  }
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function hashOf(mechanism: ScramMechanism): { name: string; bits: number } {
  return mechanism === "SCRAM-SHA-256"
    ? { name: "SHA-256", bits: 256 }
    : { name: "SHA-512", bits: 512 };
}

async function hmac(mechanism: ScramMechanism, key: Uint8Array, data: Uint8Array) {
  const k = await crypto.subtle.importKey(
    "raw",
    key as Uint8Array<ArrayBuffer>,
    { name: "HMAC", hash: hashOf(mechanism).name },
    false,
    ["sign"],
  );
  return new Uint8Array(await crypto.subtle.sign("HMAC", k, data as Uint8Array<ArrayBuffer>));
}

async function digest(mechanism: ScramMechanism, data: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(
    await crypto.subtle.digest(hashOf(mechanism).name, data as Uint8Array<ArrayBuffer>),
  );
}

/** How {@linkcode saltedPassword} salts a password. */
export interface SaltOptions {
  /** The salt; Brook, as Kafka, draws 32 random bytes. */
  salt: Uint8Array;
  /** The iteration count, between {@linkcode SCRAM_MIN_ITERATIONS} and {@linkcode SCRAM_MAX_ITERATIONS}. */
  iterations: number;
}

/**
 * Hi() of RFC 5802: PBKDF2 with the mechanism's HMAC.
 *
 * @example
 * ```ts
 * import { saltedPassword } from "@brook/kafka/codec";
 * const salt = crypto.getRandomValues(new Uint8Array(32));
 * const salted = await saltedPassword("SCRAM-SHA-256", "secret", { salt, iterations: 4096 });
 * console.log(salted.length); // 32
 * ```
 */
export async function saltedPassword(
  mechanism: ScramMechanism,
  password: string,
  options: SaltOptions,
): Promise<Uint8Array> {
  const { salt, iterations } = options;
  const key = await crypto.subtle.importKey("raw", encoder.encode(password), "PBKDF2", false, [
    "deriveBits",
  ]);
  const { name, bits } = hashOf(mechanism);
  return new Uint8Array(
    await crypto.subtle.deriveBits(
      { name: "PBKDF2", hash: name, salt: salt as Uint8Array<ArrayBuffer>, iterations },
      key,
      bits,
    ),
  );
}

/**
 * The credential a broker stores for `password`, from a salted password (as AlterUserScramCredentials
 * carries it) or from the password itself.
 *
 * @example
 * ```ts
 * import { scramCredential } from "@brook/kafka/codec";
 * const credential = await scramCredential("SCRAM-SHA-256", { password: "secret" });
 * console.log(credential.iterations); // 4096
 * ```
 */
export async function scramCredential(
  mechanism: ScramMechanism,
  from: { password: string; salt?: Uint8Array; iterations?: number } | {
    saltedPassword: Uint8Array;
    salt: Uint8Array;
    iterations: number;
  },
): Promise<ScramCredential> {
  const salt = from.salt ?? crypto.getRandomValues(new Uint8Array(32));
  const iterations = from.iterations ?? SCRAM_MIN_ITERATIONS;
  const salted = "saltedPassword" in from
    ? from.saltedPassword
    : await saltedPassword(mechanism, from.password, { salt, iterations });
  const clientKey = await hmac(mechanism, salted, encoder.encode("Client Key"));
  return {
    salt,
    iterations,
    storedKey: await digest(mechanism, clientKey),
    serverKey: await hmac(mechanism, salted, encoder.encode("Server Key")),
  };
}

/**
 * A fresh printable nonce (RFC 5802 allows any printable ASCII but ',').
 *
 * @example
 * ```ts
 * import { scramNonce } from "@brook/kafka/codec";
 * console.log(scramNonce()); // 32 random base64 characters
 * ```
 */
export function scramNonce(): string {
  return base64(crypto.getRandomValues(new Uint8Array(24))).replaceAll("=", "");
}

/**
 * Encodes bytes as base64.
 *
 * @example
 * ```ts
 * import { base64 } from "@brook/kafka/codec";
 * console.log(base64(new Uint8Array([1, 2, 3]))); // "AQID"
 * ```
 */
export function base64(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(s);
}

/**
 * Decodes base64, or throws ScramError.
 *
 * @example
 * ```ts
 * import { fromBase64 } from "@brook/kafka/codec";
 * console.log(fromBase64("AQID")); // Uint8Array [1, 2, 3]
 * ```
 */
export function fromBase64(text: string): Uint8Array {
  try {
    return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
  } catch {
    throw new ScramError(`Invalid base64: ${text.slice(0, 40)}`);
  }
}

/**
 * A user name as SCRAM writes it (',' and '=' escaped).
 *
 * @example
 * ```ts
 * import { saslName } from "@brook/kafka/codec";
 * console.log(saslName("a,b=c")); // "a=2Cb=3Dc"
 * ```
 */
export function saslName(username: string): string {
  return username.replaceAll("=", "=3D").replaceAll(",", "=2C");
}

/**
 * A user name from SCRAM's escaped form; throws on an invalid escape.
 *
 * @example
 * ```ts
 * import { unescapeSaslName } from "@brook/kafka/codec";
 * console.log(unescapeSaslName("a=2Cb=3Dc")); // "a,b=c"
 * ```
 */
export function unescapeSaslName(name: string): string {
  if (/=(?!2C|3D)/.test(name)) throw new ScramError(`Invalid username: ${name}`);
  return name.replaceAll("=2C", ",").replaceAll("=3D", "=");
}

/** Splits "k=v,k=v" attributes (values may contain '='). */
function attributes(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of text.split(",")) {
    const eq = part.indexOf("=");
    if (eq !== 1) throw new ScramError(`Invalid SCRAM attribute: ${part}`);
    out.set(part[0], part.slice(2));
  }
  return out;
}

/** The client's first message, as the server reads it. */
export interface ClientFirstMessage {
  /** The authorization id from the GS2 header ("" when absent). */
  authorizationId: string;
  /** The user name (SASL-unescaped). */
  username: string;
  /** The client's nonce. */
  nonce: string;
  /** SCRAM extensions Kafka defines (e.g. tokenauth=true for delegation tokens). */
  extensions: Map<string, string>;
  /** client-first-message-bare, part of the signed AuthMessage. */
  bare: string;
}

/**
 * Reads a client-first-message ("n,a=authzid,n=user,r=nonce[,ext=value]").
 *
 * @example
 * ```ts
 * import { parseClientFirst, ScramClient } from "@brook/kafka/codec";
 * const client = new ScramClient("SCRAM-SHA-256", { username: "alice", password: "secret" });
 * const first = parseClientFirst(client.first());
 * console.log(first.username); // "alice"
 * ```
 */
export function parseClientFirst(bytes: Uint8Array): ClientFirstMessage {
  const text = decoder.decode(bytes);
  const m = /^([ny]|p=[^,]*),(a=[^,]*)?,(n=[^,]*,r=[^,]*(?:,.*)?)$/.exec(text);
  if (!m) throw new ScramError("Invalid SCRAM client first message");
  if (m[1].startsWith("p=")) throw new ScramError("Channel binding is not supported");
  const [n, r, ...rest] = m[3].split(",");
  const extensions = new Map<string, string>();
  for (const e of rest) {
    const eq = e.indexOf("=");
    if (eq < 1 || !/^[A-Za-z0-9]+$/.test(e.slice(0, eq))) {
      throw new ScramError(`Invalid SCRAM extension: ${e}`);
    }
    extensions.set(e.slice(0, eq), e.slice(eq + 1));
  }
  return {
    authorizationId: m[2] ? unescapeSaslName(m[2].slice(2)) : "",
    username: unescapeSaslName(n.slice(2)),
    nonce: r.slice(2),
    extensions,
    bare: m[3],
  };
}

/** The client's final message, as the server reads it. */
export interface ClientFinalMessage {
  /** The base64 channel-binding attribute (c=). */
  channelBinding: string;
  /** The combined client and server nonce (r=). */
  nonce: string;
  /** The client's proof (p=). */
  proof: Uint8Array;
  /** client-final-message-without-proof, part of the signed AuthMessage. */
  withoutProof: string;
}

/**
 * Reads a client-final-message ("c=biws,r=nonce,p=proof").
 *
 * @example
 * ```ts
 * import { parseClientFinal } from "@brook/kafka/codec";
 * const final = parseClientFinal(new TextEncoder().encode("c=biws,r=abcdef,p=AQID"));
 * console.log(final.nonce, final.proof); // "abcdef" Uint8Array [1, 2, 3]
 * ```
 */
export function parseClientFinal(bytes: Uint8Array): ClientFinalMessage {
  const text = decoder.decode(bytes);
  const at = text.lastIndexOf(",p=");
  if (at < 0) throw new ScramError("Invalid SCRAM client final message");
  const attrs = attributes(text.slice(0, at));
  const channelBinding = attrs.get("c");
  const nonce = attrs.get("r");
  if (channelBinding === undefined || nonce === undefined) {
    throw new ScramError("Invalid SCRAM client final message");
  }
  return {
    channelBinding,
    nonce,
    proof: fromBase64(text.slice(at + 3)),
    withoutProof: text.slice(0, at),
  };
}

function xor(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i] ^ b[i];
  return out;
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a[i] ^ b[i];
  return d === 0;
}

/** What a client proved, as {@linkcode verifyClientProof} checks it. */
export interface ClientProof {
  /** The AuthMessage both sides signed: client-first-bare, server-first, client-final-without-proof. */
  authMessage: string;
  /** The client's proof, from its final message. */
  proof: Uint8Array;
}

/**
 * Checks a client's proof against a stored credential; returns the server-final-message
 * ("v=signature"), or throws ScramError when the proof is wrong.
 *
 * @example
 * ```ts
 * import { parseClientFinal, scramCredential, verifyClientProof } from "@brook/kafka/codec";
 * const credential = await scramCredential("SCRAM-SHA-256", { password: "secret" });
 * const final = parseClientFinal(new TextEncoder().encode("c=biws,r=abc,p=AQID"));
 * const authMessage = "n=alice,r=a,r=abc,s=c2FsdA==,i=4096,c=biws,r=abc";
 * await verifyClientProof("SCRAM-SHA-256", credential, { authMessage, proof: final.proof })
 *   .catch((e) => console.log(e.message)); // "Invalid client proof"
 * ```
 */
export async function verifyClientProof(
  mechanism: ScramMechanism,
  credential: ScramCredential,
  options: ClientProof,
): Promise<Uint8Array> {
  const { authMessage, proof } = options;
  const message = encoder.encode(authMessage);
  const clientSignature = await hmac(mechanism, credential.storedKey, message);
  if (proof.length !== clientSignature.length) throw new ScramError("Invalid client proof");
  const clientKey = xor(proof, clientSignature);
  if (!equal(await digest(mechanism, clientKey), credential.storedKey)) {
    throw new ScramError("Invalid client credentials");
  }
  const serverSignature = await hmac(mechanism, credential.serverKey, message);
  return encoder.encode(`v=${base64(serverSignature)}`);
}

/** Who a {@linkcode ScramClient} authenticates as, and how. */
export interface ScramClientOptions {
  /** The user name. */
  username: string;
  /** The user's password (or, with tokenauth, the delegation token's HMAC). */
  password: string;
  /** The client nonce; default a fresh random one (a fixed one is for test vectors only). */
  nonce?: string;
  /** Kafka's SCRAM extensions, e.g. { tokenauth: "true" } for a delegation token. */
  extensions?: Record<string, string>;
}

/**
 * The client side of one SCRAM exchange: `first()`, then `final(serverFirst)`, then
 * `verify(serverFinal)`.
 *
 * @example
 * ```ts
 * import { ScramClient } from "@brook/kafka/codec";
 * const scram = new ScramClient("SCRAM-SHA-512", { username: "alice", password: "secret" });
 * const clientFirst = scram.first(); // send it, then feed the answers to final() and verify()
 * ```
 */
export class ScramClient {
  readonly #mechanism: ScramMechanism;
  readonly #username: string;
  readonly #password: string;
  readonly #nonce: string;
  readonly #extensions: string;
  #serverSignature: Uint8Array | undefined;
  #clientFirstBare = "";

  /** Starts an exchange for `username`; `extensions` are Kafka's SCRAM extensions. */
  constructor(mechanism: ScramMechanism, options: ScramClientOptions) {
    this.#mechanism = mechanism;
    this.#username = options.username;
    this.#password = options.password;
    this.#nonce = options.nonce ?? scramNonce();
    this.#extensions = Object.entries(options.extensions ?? {}).map(([k, v]) => `,${k}=${v}`)
      .join("");
  }

  /** The client-first-message. */
  first(): Uint8Array {
    this.#clientFirstBare = `n=${saslName(this.#username)},r=${this.#nonce}${this.#extensions}`;
    return encoder.encode(`n,,${this.#clientFirstBare}`);
  }

  /** The client-final-message answering the server's first message. */
  async final(serverFirst: Uint8Array): Promise<Uint8Array> {
    const text = decoder.decode(serverFirst);
    const attrs = attributes(text);
    if (attrs.has("e")) throw new ScramError(`SCRAM server error: ${attrs.get("e")}`);
    const nonce = attrs.get("r") ?? "";
    const salt = fromBase64(attrs.get("s") ?? "");
    const iterations = Number(attrs.get("i"));
    if (!nonce.startsWith(this.#nonce) || nonce.length === this.#nonce.length) {
      throw new ScramError("Invalid server nonce");
    }
    if (!Number.isInteger(iterations) || iterations < 1) {
      throw new ScramError(`Invalid iteration count: ${attrs.get("i")}`);
    }
    const salted = await saltedPassword(this.#mechanism, this.#password, { salt, iterations });
    const clientKey = await hmac(this.#mechanism, salted, encoder.encode("Client Key"));
    const storedKey = await digest(this.#mechanism, clientKey);
    const withoutProof = `c=biws,r=${nonce}`;
    const authMessage = encoder.encode(`${this.#clientFirstBare},${text},${withoutProof}`);
    const clientSignature = await hmac(this.#mechanism, storedKey, authMessage);
    const serverKey = await hmac(this.#mechanism, salted, encoder.encode("Server Key"));
    this.#serverSignature = await hmac(this.#mechanism, serverKey, authMessage);
    return encoder.encode(`${withoutProof},p=${base64(xor(clientKey, clientSignature))}`);
  }

  /** Checks the server's final message (its signature proves it knows the credential). */
  verify(serverFinal: Uint8Array): void {
    const attrs = attributes(decoder.decode(serverFinal));
    if (attrs.has("e")) throw new ScramError(`SCRAM server error: ${attrs.get("e")}`);
    const v = attrs.get("v");
    if (!v || !this.#serverSignature || !equal(fromBase64(v), this.#serverSignature)) {
      throw new ScramError("Invalid server signature");
    }
  }
}
