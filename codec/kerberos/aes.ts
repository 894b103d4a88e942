/**
 * AES in CBC mode with ciphertext stealing (RFC 3962 section 5, "CBC-CS3"), built on Web Crypto.
 * Web Crypto offers only padded AES-CBC, so a raw block operation is derived from it: encryption
 * drops the padding block it appends, and decryption appends one block that decrypts to a valid
 * padding block.
 *
 * @module
 */

const BLOCK = 16;

/**
 * Imports raw AES key bytes for use with {@linkcode ctsEncrypt} and {@linkcode ctsDecrypt}.
 *
 * @example
 * ```ts
 * import { importAesKey } from "./aes.ts";
 * const key = await importAesKey(new Uint8Array(32));
 * ```
 */
export function importAesKey(key: Uint8Array): Promise<CryptoKey> {
  if (key.length !== 16 && key.length !== 32) {
    throw new RangeError(`An AES key has 16 or 32 bytes, not ${key.length}`);
  }
  return crypto.subtle.importKey("raw", key as BufferSource, "AES-CBC", false, [
    "encrypt",
    "decrypt",
  ]);
}

/** CBC-encrypts whole blocks with `iv`, without the padding block Web Crypto adds. */
async function cbcEncrypt(key: CryptoKey, iv: Uint8Array, data: Uint8Array): Promise<Uint8Array> {
  const out = new Uint8Array(
    await crypto.subtle.encrypt(
      { name: "AES-CBC", iv: iv as BufferSource },
      key,
      data as BufferSource,
    ),
  );
  return out.subarray(0, data.length);
}

/** CBC-decrypts whole blocks with `iv`; the extra block makes Web Crypto's padding check pass. */
async function cbcDecrypt(key: CryptoKey, iv: Uint8Array, data: Uint8Array): Promise<Uint8Array> {
  const last = data.subarray(data.length - BLOCK);
  const pad = new Uint8Array(BLOCK).fill(BLOCK);
  for (let i = 0; i < BLOCK; i++) pad[i] ^= last[i];
  const extra = await cbcEncrypt(key, new Uint8Array(BLOCK), pad);
  const input = new Uint8Array(data.length + BLOCK);
  input.set(data);
  input.set(extra, data.length);
  return new Uint8Array(
    await crypto.subtle.decrypt(
      { name: "AES-CBC", iv: iv as BufferSource },
      key,
      input as BufferSource,
    ),
  );
}

/**
 * Encrypts at least one block of `data` with AES-CBC and ciphertext stealing from a zero IV, as
 * Kerberos does (the last two blocks swapped, the last one truncated).
 *
 * @example
 * ```ts
 * import { ctsEncrypt, importAesKey } from "./aes.ts";
 * const key = await importAesKey(new Uint8Array(16));
 * const out = await ctsEncrypt(key, new Uint8Array(17));
 * console.log(out.length); // 17
 * ```
 */
export async function ctsEncrypt(key: CryptoKey, data: Uint8Array): Promise<Uint8Array> {
  if (data.length < BLOCK) throw new RangeError("CTS needs at least one block");
  const iv = new Uint8Array(BLOCK);
  if (data.length === BLOCK) return await cbcEncrypt(key, iv, data);
  const blocks = Math.ceil(data.length / BLOCK);
  const padded = new Uint8Array(blocks * BLOCK);
  padded.set(data);
  const c = await cbcEncrypt(key, iv, padded);
  const tail = data.length - (blocks - 1) * BLOCK;
  const out = new Uint8Array(data.length);
  out.set(c.subarray(0, (blocks - 2) * BLOCK));
  out.set(c.subarray((blocks - 1) * BLOCK), (blocks - 2) * BLOCK);
  out.set(c.subarray((blocks - 2) * BLOCK, (blocks - 2) * BLOCK + tail), (blocks - 1) * BLOCK);
  return out;
}

/**
 * Decrypts what {@linkcode ctsEncrypt} produced.
 *
 * @example
 * ```ts
 * import { ctsDecrypt, ctsEncrypt, importAesKey } from "./aes.ts";
 * const key = await importAesKey(new Uint8Array(16));
 * const plain = await ctsDecrypt(key, await ctsEncrypt(key, new Uint8Array(20)));
 * console.log(plain.length); // 20
 * ```
 */
export async function ctsDecrypt(key: CryptoKey, data: Uint8Array): Promise<Uint8Array> {
  if (data.length < BLOCK) throw new RangeError("CTS needs at least one block");
  const zero = new Uint8Array(BLOCK);
  if (data.length === BLOCK) return await cbcDecrypt(key, zero, data);
  const blocks = Math.ceil(data.length / BLOCK);
  const tail = data.length - (blocks - 1) * BLOCK;
  const lastFull = data.subarray((blocks - 2) * BLOCK, (blocks - 1) * BLOCK);
  const partial = data.subarray((blocks - 1) * BLOCK);
  // D(Cn) = Pn (zero padded) XOR C(n-1); its tail completes the stolen block C(n-1).
  const x = await cbcDecrypt(key, zero, lastFull);
  const previous = new Uint8Array(BLOCK);
  previous.set(partial);
  previous.set(x.subarray(tail), tail);
  const chain = new Uint8Array((blocks - 1) * BLOCK);
  chain.set(data.subarray(0, (blocks - 2) * BLOCK));
  chain.set(previous, (blocks - 2) * BLOCK);
  const head = await cbcDecrypt(key, zero, chain);
  const out = new Uint8Array(data.length);
  out.set(head);
  for (let i = 0; i < tail; i++) out[(blocks - 1) * BLOCK + i] = x[i] ^ previous[i];
  return out;
}

/**
 * Encrypts one block with the raw AES permutation (a CBC block from a zero IV).
 *
 * @example
 * ```ts
 * import { aesBlock, importAesKey } from "./aes.ts";
 * const out = await aesBlock(await importAesKey(new Uint8Array(16)), new Uint8Array(16));
 * console.log(out.length); // 16
 * ```
 */
export async function aesBlock(key: CryptoKey, block: Uint8Array): Promise<Uint8Array> {
  return await cbcEncrypt(key, new Uint8Array(BLOCK), block);
}
