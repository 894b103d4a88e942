/**
 * Kerberos encryption types over Web Crypto: aes128/aes256-cts-hmac-sha1-96 (17, 18; RFC 3962 over
 * the RFC 3961 simplified profile) and aes128-cts-hmac-sha256-128 / aes256-cts-hmac-sha384-192
 * (19, 20; RFC 8009): encryption, checksums, key derivation and string-to-key.
 *
 * @module
 */

import { aesBlock, ctsDecrypt, ctsEncrypt, importAesKey } from "./aes.ts";

/** A ciphertext or checksum that does not verify, or an enctype Brook does not implement. */
export class KerberosCryptoError extends Error {
  /** Creates the error. */
  constructor(message: string) {
    super(message);
    this.name = "KerberosCryptoError";
  }
}

/** One encryption type: how keys encrypt, checksum and derive from passwords. */
export interface Enctype {
  /** The enctype number (17, 18, 19 or 20). */
  readonly id: number;
  /** The name krb5.conf and kadmin use, e.g. "aes256-cts-hmac-sha1-96". */
  readonly name: string;
  /** Key length in bytes. */
  readonly keyLength: number;
  /** Length of the integrity tag and of checksums, in bytes. */
  readonly macLength: number;
  /** The keyed checksum type that goes with this enctype. */
  readonly checksumType: number;
  /** Iterations of PBKDF2 when the KDC names none. */
  readonly defaultIterations: number;
  /** Encrypts `plain` for key usage `usage` (a random confounder unless one is given). */
  encrypt(
    key: Uint8Array,
    usage: number,
    plain: Uint8Array,
    confounder?: Uint8Array,
  ): Promise<Uint8Array>;
  /** Decrypts and verifies; throws KerberosCryptoError when the integrity check fails. */
  decrypt(key: Uint8Array, usage: number, cipher: Uint8Array): Promise<Uint8Array>;
  /** The keyed checksum of `data` for key usage `usage`. */
  checksum(key: Uint8Array, usage: number, data: Uint8Array): Promise<Uint8Array>;
  /** The key of a password with a salt (the principal's, or the KDC's ETYPE-INFO2 one). */
  stringToKey(
    password: string | Uint8Array,
    salt: string | Uint8Array,
    iterations?: number,
  ): Promise<Uint8Array>;
  /** A fresh random key. */
  randomKey(): Uint8Array;
}

const encoder = new TextEncoder();
const bytes = (v: string | Uint8Array) => typeof v === "string" ? encoder.encode(v) : v;

/**
 * RFC 3961's n-fold: replicates `input`, each copy rotated right by 13 more bits, and adds the
 * `outLength`-byte pieces with one's-complement addition.
 *
 * @example
 * ```ts
 * import { nfold } from "./enctypes.ts";
 * const out = nfold(new TextEncoder().encode("kerberos"), 8);
 * console.log(new TextDecoder().decode(out)); // "kerberos"
 * ```
 */
export function nfold(input: Uint8Array, outLength: number): Uint8Array {
  const inLength = input.length;
  const gcd = (a: number, b: number): number => b === 0 ? a : gcd(b, a % b);
  const lcm = inLength * outLength / gcd(inLength, outLength);
  const inBits = inLength * 8;
  const out = new Uint8Array(outLength);
  let carry = 0;
  for (let i = lcm - 1; i >= 0; i--) {
    // The bit of the replicated input that starts byte i, counted from the least significant.
    let msbit = (inBits - 1) + (inBits + 13) * Math.floor(i / inLength) +
      (inLength - (i % inLength)) * 8;
    msbit %= inBits;
    const hi = input[(inLength - 1 - (msbit >>> 3)) % inLength];
    const lo = input[(inLength - (msbit >>> 3)) % inLength];
    const byte = (((hi << 8) | lo) >>> ((msbit & 7) + 1)) & 0xff;
    carry += byte + out[i % outLength];
    out[i % outLength] = carry & 0xff;
    carry >>>= 8;
  }
  for (let i = outLength - 1; i >= 0 && carry !== 0; i--) {
    carry += out[i];
    out[i] = carry & 0xff;
    carry >>>= 8;
  }
  return out;
}

function usageConstant(usage: number, kind: number): Uint8Array {
  const c = new Uint8Array(5);
  new DataView(c.buffer).setUint32(0, usage);
  c[4] = kind;
  return c;
}

async function hmac(
  hash: string,
  key: Uint8Array,
  data: Uint8Array,
): Promise<Uint8Array> {
  const k = await crypto.subtle.importKey(
    "raw",
    key as BufferSource,
    { name: "HMAC", hash },
    false,
    ["sign"],
  );
  return new Uint8Array(await crypto.subtle.sign("HMAC", k, data as BufferSource));
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

async function pbkdf2(
  hash: string,
  password: Uint8Array,
  salt: Uint8Array,
  iterations: number,
  length: number,
): Promise<Uint8Array> {
  const k = await crypto.subtle.importKey("raw", password as BufferSource, "PBKDF2", false, [
    "deriveBits",
  ]);
  return new Uint8Array(
    await crypto.subtle.deriveBits(
      { name: "PBKDF2", salt: salt as BufferSource, iterations, hash },
      k,
      length * 8,
    ),
  );
}

/**
 * RFC 3961's DK for AES: the n-folded constant encrypted, then each block encrypted again, until
 * there are enough bytes for a key.
 *
 * @example
 * ```ts
 * import { deriveKeyRfc3961 } from "./enctypes.ts";
 * const key = await deriveKeyRfc3961(new Uint8Array(16), new TextEncoder().encode("kerberos"));
 * console.log(key.length); // 16
 * ```
 */
export async function deriveKeyRfc3961(
  key: Uint8Array,
  constant: Uint8Array,
): Promise<Uint8Array> {
  const aes = await importAesKey(key);
  let block = constant.length === 16 ? constant : nfold(constant, 16);
  const out = new Uint8Array(key.length);
  for (let at = 0; at < key.length; at += 16) {
    block = await aesBlock(aes, block);
    out.set(block.subarray(0, Math.min(16, key.length - at)), at);
  }
  return out;
}

/**
 * RFC 8009's KDF-HMAC-SHA2 (SP 800-108 in counter mode, one iteration): the first `bits` bits of
 * HMAC(key, 00000001 | label | 00 | bits).
 *
 * @example
 * ```ts
 * import { kdfHmacSha2 } from "./enctypes.ts";
 * const key = await kdfHmacSha2("SHA-256", new Uint8Array(16), new Uint8Array([0, 0, 0, 2, 0x99]), 128);
 * console.log(key.length); // 16
 * ```
 */
export async function kdfHmacSha2(
  hash: "SHA-256" | "SHA-384",
  key: Uint8Array,
  label: Uint8Array,
  bits: number,
): Promise<Uint8Array> {
  const input = new Uint8Array(4 + label.length + 1 + 4);
  const view = new DataView(input.buffer);
  view.setUint32(0, 1);
  input.set(label, 4);
  view.setUint32(5 + label.length, bits);
  return (await hmac(hash, key, input)).slice(0, bits / 8);
}

function randomKey(length: number): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(length));
}

function sha1Enctype(id: 17 | 18): Enctype {
  const keyLength = id === 17 ? 16 : 32;
  const macLength = 12;
  const derive = (key: Uint8Array, usage: number, kind: number) =>
    deriveKeyRfc3961(key, usageConstant(usage, kind));
  const checkLength = (key: Uint8Array) => {
    if (key.length !== keyLength) {
      throw new KerberosCryptoError(`Enctype ${id} needs a ${keyLength}-byte key`);
    }
  };
  return {
    id,
    name: id === 17 ? "aes128-cts-hmac-sha1-96" : "aes256-cts-hmac-sha1-96",
    keyLength,
    macLength,
    checksumType: id === 17 ? 15 : 16,
    defaultIterations: 4096,
    async encrypt(key, usage, plain, confounder = randomKey(16)) {
      checkLength(key);
      const ke = await importAesKey(await derive(key, usage, 0xaa));
      const ki = await derive(key, usage, 0x55);
      const data = concat(confounder, plain);
      const mac = (await hmac("SHA-1", ki, data)).subarray(0, macLength);
      return concat(await ctsEncrypt(ke, data), mac);
    },
    async decrypt(key, usage, cipher) {
      checkLength(key);
      if (cipher.length < 16 + macLength) throw new KerberosCryptoError("Ciphertext too short");
      const ke = await importAesKey(await derive(key, usage, 0xaa));
      const ki = await derive(key, usage, 0x55);
      const data = await ctsDecrypt(ke, cipher.subarray(0, cipher.length - macLength));
      const mac = (await hmac("SHA-1", ki, data)).subarray(0, macLength);
      if (!equal(mac, cipher.subarray(cipher.length - macLength))) {
        throw new KerberosCryptoError(`Integrity check failed (key usage ${usage})`);
      }
      return data.slice(16);
    },
    async checksum(key, usage, data) {
      checkLength(key);
      return (await hmac("SHA-1", await derive(key, usage, 0x99), data)).slice(0, macLength);
    },
    async stringToKey(password, salt, iterations = 4096) {
      const tkey = await pbkdf2("SHA-1", bytes(password), bytes(salt), iterations, keyLength);
      return await deriveKeyRfc3961(tkey, encoder.encode("kerberos"));
    },
    randomKey: () => randomKey(keyLength),
  };
}

function sha2Enctype(id: 19 | 20): Enctype {
  const keyLength = id === 19 ? 16 : 32;
  const macLength = id === 19 ? 16 : 24;
  const hash = id === 19 ? "SHA-256" : "SHA-384";
  const name = id === 19 ? "aes128-cts-hmac-sha256-128" : "aes256-cts-hmac-sha384-192";
  const derive = (key: Uint8Array, usage: number, kind: number) =>
    kdfHmacSha2(
      hash,
      key,
      usageConstant(usage, kind),
      kind === 0xaa ? keyLength * 8 : macLength * 8,
    );
  const checkLength = (key: Uint8Array) => {
    if (key.length !== keyLength) {
      throw new KerberosCryptoError(`Enctype ${id} needs a ${keyLength}-byte key`);
    }
  };
  const zeroIv = new Uint8Array(16);
  return {
    id,
    name,
    keyLength,
    macLength,
    checksumType: id === 19 ? 19 : 20,
    defaultIterations: 32768,
    async encrypt(key, usage, plain, confounder = randomKey(16)) {
      checkLength(key);
      const ke = await importAesKey(await derive(key, usage, 0xaa));
      const ki = await derive(key, usage, 0x55);
      const c = await ctsEncrypt(ke, concat(confounder, plain));
      // RFC 8009 authenticates the ciphertext (after the IV), not the plaintext.
      const mac = (await hmac(hash, ki, concat(zeroIv, c))).subarray(0, macLength);
      return concat(c, mac);
    },
    async decrypt(key, usage, cipher) {
      checkLength(key);
      if (cipher.length < 16 + macLength) throw new KerberosCryptoError("Ciphertext too short");
      const ke = await importAesKey(await derive(key, usage, 0xaa));
      const ki = await derive(key, usage, 0x55);
      const c = cipher.subarray(0, cipher.length - macLength);
      const mac = (await hmac(hash, ki, concat(zeroIv, c))).subarray(0, macLength);
      if (!equal(mac, cipher.subarray(cipher.length - macLength))) {
        throw new KerberosCryptoError(`Integrity check failed (key usage ${usage})`);
      }
      return (await ctsDecrypt(ke, c)).slice(16);
    },
    async checksum(key, usage, data) {
      checkLength(key);
      return (await hmac(hash, await derive(key, usage, 0x99), data)).slice(0, macLength);
    },
    async stringToKey(password, salt, iterations = 32768) {
      const saltp = concat(encoder.encode(name), new Uint8Array(1), bytes(salt));
      const tkey = await pbkdf2(hash, bytes(password), saltp, iterations, keyLength);
      return await kdfHmacSha2(hash, tkey, encoder.encode("kerberos"), keyLength * 8);
    },
    randomKey: () => randomKey(keyLength),
  };
}

const ENCTYPES: Record<number, Enctype> = {
  17: sha1Enctype(17),
  18: sha1Enctype(18),
  19: sha2Enctype(19),
  20: sha2Enctype(20),
};

/** The enctypes Brook implements, strongest first (the order a client proposes them in). */
export const SUPPORTED_ENCTYPES: readonly number[] = [20, 18, 19, 17];

/**
 * The enctype numbered `id`; throws KerberosCryptoError for one Brook does not implement (DES,
 * RC4, Camellia).
 *
 * @example
 * ```ts
 * import { enctype } from "./enctypes.ts";
 * console.log(enctype(18).name); // "aes256-cts-hmac-sha1-96"
 * ```
 */
export function enctype(id: number): Enctype {
  const found = ENCTYPES[id];
  if (!found) throw new KerberosCryptoError(`Unsupported encryption type ${id}`);
  return found;
}

/**
 * The enctype whose keyed checksum type is `checksumType`, if Brook implements it.
 *
 * @example
 * ```ts
 * import { enctypeOfChecksum } from "./enctypes.ts";
 * console.log(enctypeOfChecksum(16)?.id); // 18
 * ```
 */
export function enctypeOfChecksum(checksumType: number): Enctype | undefined {
  return Object.values(ENCTYPES).find((e) => e.checksumType === checksumType);
}
