/**
 * The fuzzer's inputs: valid request frames of every API key and version the broker serves (a sample
 * with every field present, and random messages drawn from Kafka's specs), and mutations of them
 * that a broken or hostile client could send: bit flips, truncation, corrupted sizes and counts,
 * varint overflows, tagged-field junk, swapped keys and versions, huge sizes.
 *
 * @module
 */

import fc from "fast-check";
import {
  API_CODECS,
  type CodecApiKey,
  encodeRequestFrame,
  requestHeaderVersion,
  Writer,
} from "../../codec/mod.ts";
import { HANDLERS } from "../../broker/handlers/mod.ts";
import { sampleMessage } from "../sample_message.ts";
import { messageArbitrary, SPECS } from "../codec/message_model.ts";

/**
 * A seeded generator (mulberry32): the same seed gives the same frames, so a failure replays.
 *
 * @example
 * ```ts
 * const next = random(42);
 * next(); // a number in [0, 1), the same for every run with seed 42
 * ```
 */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A valid request frame (size prefix included) and what it is. */
export interface SeedFrame {
  apiKey: number;
  apiVersion: number;
  frame: Uint8Array;
}

function frameOf(apiKey: CodecApiKey, apiVersion: number, body: unknown): Uint8Array | undefined {
  try {
    return encodeRequestFrame(new Writer(), {
      apiKey,
      apiVersion,
      correlationId: 1,
      clientId: "fuzz",
      body: body as never,
    }).slice();
  } catch {
    return undefined;
  }
}

/**
 * Valid frames of every API key and version the broker serves: a sample with every field present,
 * and `perVersion` random messages from the specs.
 */
export function seedFrames(seed: number, perVersion = 3): SeedFrame[] {
  const specByKey = new Map(
    [...SPECS.values()].filter((s) => s.kind === "request").map((s) => [s.apiKey, s]),
  );
  const out: SeedFrame[] = [];
  for (const handler of HANDLERS) {
    if (!handler || API_CODECS[handler.apiKey] === undefined) continue;
    const apiKey = handler.apiKey as CodecApiKey;
    const spec = specByKey.get(apiKey);
    for (let v = handler.minVersion; v <= handler.maxVersion; v++) {
      const sample = frameOf(apiKey, v, sampleMessage(apiKey, v, "request"));
      if (sample) out.push({ apiKey, apiVersion: v, frame: sample });
      if (!spec) continue;
      const values = fc.sample(messageArbitrary(spec, v, { maxArray: 2 }), {
        numRuns: perVersion,
        seed: seed ^ (apiKey << 8) ^ v,
      });
      for (const value of values) {
        const frame = frameOf(apiKey, v, value);
        if (frame) out.push({ apiKey, apiVersion: v, frame });
      }
    }
  }
  return out;
}

/** Where a frame's body starts: after the size, the header fields and (v2) its tagged fields. */
function bodyStart(frame: Uint8Array): number {
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  if (frame.length < 14) return frame.length;
  const clientIdLength = view.getInt16(12);
  let at = 14 + Math.max(0, clientIdLength);
  const headerVersion = requestHeaderVersion(view.getInt16(4), view.getInt16(6));
  if (headerVersion >= 2 && at < frame.length) at += 1; // An empty tagged-field section.
  return Math.min(at, frame.length);
}

function withSize(payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(payload.length + 4);
  new DataView(out.buffer).setInt32(0, payload.length);
  out.set(payload, 4);
  return out;
}

const INTERESTING_INT32 = [0, -1, 1, 0x7fffffff, -0x80000000, 0x10000, 0x7ffffffe, 255, 256];
const INTERESTING_INT16 = [0, -1, 1, 0x7fff, -0x8000, 255];

/** The mutations, by name; each returns a new frame. */
export const MUTATIONS: Record<string, (frame: Uint8Array, next: () => number) => Uint8Array> = {
  bitFlips(frame, next) {
    const out = frame.slice();
    const flips = 1 + Math.floor(next() * 4);
    for (let i = 0; i < flips; i++) {
      const at = 4 + Math.floor(next() * (out.length - 4));
      if (at < out.length) out[at] ^= 1 << Math.floor(next() * 8);
    }
    return out;
  },
  randomBytes(frame, next) {
    const out = frame.slice();
    const start = bodyStart(out);
    const count = 1 + Math.floor(next() * 8);
    for (let i = 0; i < count && start < out.length; i++) {
      out[start + Math.floor(next() * (out.length - start))] = Math.floor(next() * 256);
    }
    return out;
  },
  truncate(frame, next) {
    const payload = frame.subarray(4, 4 + Math.floor(next() * (frame.length - 4)));
    return withSize(payload);
  },
  truncateKeepingSize(frame, next) {
    // The size says more than comes: the broker waits for the rest, which never arrives.
    return frame.slice(0, 4 + Math.floor(next() * (frame.length - 4)));
  },
  int32Field(frame, next) {
    const out = frame.slice();
    const start = bodyStart(out);
    if (out.length - start < 4) return out;
    const at = start + Math.floor(next() * (out.length - start - 3));
    const value = INTERESTING_INT32[Math.floor(next() * INTERESTING_INT32.length)];
    new DataView(out.buffer).setInt32(at, value);
    return out;
  },
  int16Field(frame, next) {
    const out = frame.slice();
    const start = bodyStart(out);
    if (out.length - start < 2) return out;
    const at = start + Math.floor(next() * (out.length - start - 1));
    const value = INTERESTING_INT16[Math.floor(next() * INTERESTING_INT16.length)];
    new DataView(out.buffer).setInt16(at, value);
    return out;
  },
  varintOverflow(frame, next) {
    // Continuation bits that never end: a varint longer than any int64.
    const start = bodyStart(frame);
    const at = start + Math.floor(next() * Math.max(1, frame.length - start));
    const junk = new Uint8Array(6 + Math.floor(next() * 8)).fill(0xff);
    return withSize(concat(frame.subarray(4, at), junk, frame.subarray(at)));
  },
  taggedJunk(frame, next) {
    // A tagged-field section claiming many fields or a huge one, where a flexible body ends.
    const junk = [
      [0x7f, 0x00, 0x05, 1, 2, 3, 4, 5],
      [0x01, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x00],
      [0x02, 0x01, 0x01, 0x00, 0x01, 0x01, 0x00],
      [0x01, 0x00, 0xff, 0xff, 0xff, 0xff, 0x07],
    ][Math.floor(next() * 4)];
    const cut = frame.length - Math.floor(next() * 2);
    return withSize(concat(frame.subarray(4, cut), new Uint8Array(junk)));
  },
  swapKeyAndVersion(frame, next) {
    const out = frame.slice();
    const view = new DataView(out.buffer);
    if (next() < 0.5) {
      const served = HANDLERS.filter((h) => h !== undefined);
      view.setInt16(4, served[Math.floor(next() * served.length)]!.apiKey);
    }
    view.setInt16(6, Math.floor(next() * 20) - 2);
    return out;
  },
  hugeSize(frame, next) {
    const out = frame.slice();
    const sizes = [0x7fffffff, -1, 100 * 1024 * 1024, out.length * 1000, 0];
    new DataView(out.buffer).setInt32(0, sizes[Math.floor(next() * sizes.length)]);
    return out;
  },
  duplicateSlice(frame, next) {
    const start = bodyStart(frame);
    if (frame.length <= start) return frame.slice();
    const from = start + Math.floor(next() * (frame.length - start));
    const to = Math.min(frame.length, from + 1 + Math.floor(next() * 64));
    return withSize(concat(frame.subarray(4, to), frame.subarray(from)));
  },
};

const NAMES = Object.keys(MUTATIONS);

/** One mutated frame: a seed, a mutation (or two) and its name. */
export function mutate(
  seeds: readonly SeedFrame[],
  next: () => number,
): { frame: Uint8Array; mutation: string; seed: SeedFrame } {
  const seed = seeds[Math.floor(next() * seeds.length)];
  const first = NAMES[Math.floor(next() * NAMES.length)];
  let frame = apply(first, seed.frame, next);
  let mutation = first;
  if (next() < 0.2) {
    const second = NAMES[Math.floor(next() * NAMES.length)];
    frame = apply(second, frame, next);
    mutation += `+${second}`;
  }
  return { frame, mutation, seed };
}

/** A mutation, or the frame unchanged where it is too short for it. */
function apply(name: string, frame: Uint8Array, next: () => number): Uint8Array {
  try {
    return MUTATIONS[name](frame, next);
  } catch {
    return frame.slice();
  }
}

/**
 * The bytes of `parts`, one after another.
 *
 * @example
 * ```ts
 * concat(new Uint8Array([1]), new Uint8Array([2, 3])); // Uint8Array [1, 2, 3]
 * ```
 */
export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}
