/**
 * Deterministic test payloads shared by the compression tests, the fixture maker and the bench.
 * The checked-in fixtures were made from these exact bytes: changing a generator means running
 * `tests/compression/fixtures/make_fixtures.sh` again.
 *
 * @module
 */

/**
 * A small deterministic PRNG (mulberry32).
 *
 * @param seed any 32-bit integer
 * @returns a function giving uniform 32-bit unsigned integers
 * @example
 * ```ts
 * import { prng } from "./payloads.ts";
 *
 * const next = prng(1);
 * console.log(next() === prng(1)()); // true
 * ```
 */
export function prng(seed: number): () => number {
  let a = seed | 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return (t ^ (t >>> 14)) >>> 0;
  };
}

const WORDS = (
  "the of and to in is was that for it with as his on be at by had are but from or have an they " +
  "which one you were her all she there would their we him been has when who will more no if out " +
  "so said what up its about into than them can only other new some could time these two may " +
  "then do first any my now such like our over man me even most made after also did many before " +
  "must through back years where much your way well down should because each just those people " +
  "kafka broker partition offset record batch producer consumer topic leader replica log segment"
).split(" ");

/**
 * English-like text of exactly `size` bytes (ASCII), compressible about 3:1.
 *
 * @param size output length
 * @param seed PRNG seed
 * @returns the text as bytes
 * @example
 * ```ts
 * import { textPayload } from "./payloads.ts";
 *
 * console.log(textPayload(100).length); // 100
 * ```
 */
export function textPayload(size: number, seed = 7): Uint8Array {
  const next = prng(seed);
  const parts: string[] = [];
  let length = 0;
  let sentence = 0;
  while (length < size) {
    let word = WORDS[next() % WORDS.length];
    if (sentence === 0) word = word[0].toUpperCase() + word.slice(1);
    sentence++;
    const end = sentence > 6 && next() % 5 === 0;
    const piece = word + (end ? ".\n" : " ");
    if (end) sentence = 0;
    parts.push(piece);
    length += piece.length;
  }
  return new TextEncoder().encode(parts.join("")).subarray(0, size);
}

/**
 * JSON-lines records like a typical Kafka topic carries: repeated keys, ids, timestamps, short
 * random tokens. Exactly `size` bytes, compressible about 4-6:1.
 *
 * @param size output length
 * @param seed PRNG seed
 * @returns the records as bytes
 * @example
 * ```ts
 * import { recordsPayload } from "./payloads.ts";
 *
 * console.log(recordsPayload(1000).length); // 1000
 * ```
 */
export function recordsPayload(size: number, seed = 42): Uint8Array {
  const next = prng(seed);
  const hex = "0123456789abcdef";
  const events = ["page_view", "click", "purchase", "signup", "logout", "search"];
  const countries = ["DE", "FR", "US", "BR", "JP", "IN", "NG", "SE"];
  const lines: string[] = [];
  let length = 0;
  let ts = 1_700_000_000_000;
  for (let i = 0; length < size; i++) {
    ts += next() % 1000;
    let token = "";
    for (let k = 0; k < 12; k++) token += hex[next() & 15];
    const line = JSON.stringify({
      id: i,
      ts,
      user: `user-${next() % 5000}`,
      event: events[next() % events.length],
      country: countries[next() % countries.length],
      session: token,
      amount: (next() % 100000) / 100,
      tags: ["web", next() % 2 === 0 ? "mobile" : "desktop"],
    }) + "\n";
    lines.push(line);
    length += line.length;
  }
  return new TextEncoder().encode(lines.join("")).subarray(0, size);
}

/**
 * Uniformly random bytes (incompressible).
 *
 * @param size output length
 * @param seed PRNG seed
 * @returns the bytes
 * @example
 * ```ts
 * import { randomPayload } from "./payloads.ts";
 *
 * console.log(randomPayload(10).length); // 10
 * ```
 */
export function randomPayload(size: number, seed = 3): Uint8Array {
  const next = prng(seed);
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i++) out[i] = next() & 0xff;
  return out;
}

/** The payloads the fixtures were made from, by file stem. */
export const FIXTURE_PAYLOADS: Record<string, () => Uint8Array> = {
  text: () => textPayload(20 * 1024),
  records: () => recordsPayload(80 * 1024),
};
