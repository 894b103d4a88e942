/**
 * Kafka UUIDs (topic ids, member ids of the new group protocols) as Kafka prints them: the 16 bytes in
 * URL-safe base64 without padding, 22 characters, exactly as `org.apache.kafka.common.Uuid#toString`.
 *
 * @module
 */

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const ENCODE = Array.from(ALPHABET);
const DECODE = new Int8Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) DECODE[ALPHABET.charCodeAt(i)] = i;

/**
 * The all-zero UUID, Kafka's "no id" value (for example the topic id of a request that names topics).
 *
 * @example
 * ```ts
 * import { ZERO_UUID } from "@brook/kafka/codec";
 * console.log(ZERO_UUID); // "AAAAAAAAAAAAAAAAAAAAAA"
 * ```
 */
export const ZERO_UUID = "AAAAAAAAAAAAAAAAAAAAAA";

/**
 * Formats 16 bytes (from `offset`) as a Kafka UUID string.
 *
 * @example
 * ```ts
 * import { uuidToString } from "@brook/kafka/codec";
 * uuidToString(new Uint8Array(16)); // "AAAAAAAAAAAAAAAAAAAAAA"
 * ```
 */
export function uuidToString(bytes: Uint8Array, offset = 0): string {
  let out = "";
  let i = offset;
  // 15 bytes make 20 characters; the 16th byte makes the last two.
  for (const end = offset + 15; i < end; i += 3) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    out += ENCODE[n >>> 18] + ENCODE[(n >>> 12) & 63] + ENCODE[(n >>> 6) & 63] + ENCODE[n & 63];
  }
  const last = bytes[i];
  return out + ENCODE[last >>> 2] + ENCODE[(last & 3) << 4];
}

/**
 * Parses a Kafka UUID string into `out` at `offset`; returns false when the text is not one (wrong length,
 * a character outside URL-safe base64, or stray bits in the last character).
 *
 * @example
 * ```ts
 * import { uuidFromString } from "@brook/kafka/codec";
 * const bytes = new Uint8Array(16);
 * uuidFromString("AAAAAAAAAAAAAAAAAAAAAQ", bytes); // true, bytes[15] === 1
 * ```
 */
export function uuidFromString(text: string, out: Uint8Array, offset = 0): boolean {
  if (typeof text !== "string" || text.length !== 22) return false;
  let o = offset;
  for (let i = 0; i < 20; i += 4) {
    const a = sextet(text, i),
      b = sextet(text, i + 1),
      c = sextet(text, i + 2),
      d = sextet(text, i + 3);
    if ((a | b | c | d) < 0) return false;
    const n = (a << 18) | (b << 12) | (c << 6) | d;
    out[o++] = n >>> 16;
    out[o++] = (n >>> 8) & 255;
    out[o++] = n & 255;
  }
  const a = sextet(text, 20), b = sextet(text, 21);
  if ((a | b) < 0 || (b & 15) !== 0) return false;
  out[o] = (a << 2) | (b >>> 4);
  return true;
}

function sextet(text: string, i: number): number {
  const c = text.charCodeAt(i);
  return c < 128 ? DECODE[c] : -1;
}

/**
 * Makes a random Kafka UUID: a version 4 UUID as Kafka's `Uuid.randomUuid` makes, never the zero UUID nor
 * one whose text starts with "-" (Kafka avoids those because command lines would read them as flags).
 *
 * @example
 * ```ts
 * import { randomUuid } from "@brook/kafka/codec";
 * const topicId = randomUuid(); // e.g. "tOPICidXs0q2Q6q9ZtYx7A"
 * ```
 */
export function randomUuid(): string {
  const bytes = new Uint8Array(16);
  for (;;) {
    crypto.getRandomValues(bytes);
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    const text = uuidToString(bytes);
    if (text !== ZERO_UUID && !text.startsWith("-")) return text;
  }
}
