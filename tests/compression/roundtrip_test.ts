// Round trips through every codec: property tests on random, repetitive and mixed inputs, and
// fixed edge cases (empty, 1 byte, incompressible, > 64 KiB, > 1 MiB, highly repetitive).

import assert from "node:assert/strict";
import fc from "fast-check";
import { compress, CompressionCodec, decompress } from "../../codec/compression/mod.ts";
import { snappyCompressBlock, snappyDecompressBlock } from "../../codec/compression/snappy.ts";
import { randomPayload, recordsPayload, textPayload } from "./payloads.ts";

const CODECS = [
  ["none", CompressionCodec.None],
  ["gzip", CompressionCodec.Gzip],
  ["snappy", CompressionCodec.Snappy],
  ["lz4", CompressionCodec.Lz4],
  ["zstd", CompressionCodec.Zstd],
] as const;

function roundTrip(codec: CompressionCodec, data: Uint8Array, level?: number): Uint8Array {
  const packed = compress(codec, data, { level });
  const back = decompress(codec, packed, { maxOutputBytes: Math.max(data.length, 1) });
  assert.equal(back.length, data.length);
  assert.ok(bytesEqual(back, data), "round trip changed the bytes");
  return packed;
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Random bytes, short repeated patterns, and mixes of both: what match finders trip on. */
const inputs = fc.oneof(
  fc.uint8Array({ maxLength: 3000 }),
  fc.tuple(fc.uint8Array({ minLength: 1, maxLength: 12 }), fc.integer({ min: 1, max: 3000 }))
    .map(([pattern, n]) => {
      const out = new Uint8Array(pattern.length * n);
      for (let i = 0; i < out.length; i++) out[i] = pattern[i % pattern.length];
      return out;
    }),
  fc.array(
    fc.oneof(
      fc.uint8Array({ maxLength: 300 }),
      fc.tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 1, max: 2000 }))
        .map(([b, n]) => new Uint8Array(n).fill(b)),
      fc.integer({ min: 1, max: 500 }).map((n) => textPayload(n, n)),
    ),
    { maxLength: 12 },
  ).map((parts) => {
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let o = 0;
    for (const p of parts) {
      out.set(p, o);
      o += p.length;
    }
    return out;
  }),
);

for (const [name, codec] of CODECS) {
  Deno.test(`${name}: property round trip of random, repetitive and mixed inputs`, () => {
    fc.assert(fc.property(inputs, (data) => void roundTrip(codec, data)), { numRuns: 150 });
  });

  Deno.test(`${name}: empty, 1 byte, incompressible, > 64 KiB, > 1 MiB, repetitive`, () => {
    roundTrip(codec, new Uint8Array(0));
    roundTrip(codec, new Uint8Array([0]));
    roundTrip(codec, new Uint8Array([0xff]));
    roundTrip(codec, randomPayload(200 * 1024));
    roundTrip(codec, recordsPayload(65 * 1024 + 17));
    roundTrip(codec, recordsPayload(1024 * 1024 + 3, 5));
    roundTrip(codec, new Uint8Array(3 * 1024 * 1024).fill(0x61));
    roundTrip(codec, textPayload(2 * 1024 * 1024 + 1));
  });
}

Deno.test("compressible inputs shrink and random inputs grow only by framing", () => {
  const text = recordsPayload(256 * 1024);
  const random = randomPayload(256 * 1024);
  for (const [name, codec] of CODECS.slice(1)) {
    assert.ok(compress(codec, text).length < text.length / 2, `${name} should halve records`);
    // Snappy cannot store blocks raw, so its worst case is 1/6 over; the others store or nearly.
    const bound = codec === CompressionCodec.Snappy ? random.length * 1.17 : random.length * 1.01;
    assert.ok(compress(codec, random).length < bound, `${name} expands random data too much`);
  }
});

Deno.test("every level Kafka accepts round trips", () => {
  const data = recordsPayload(150 * 1024);
  for (const level of [-1, 0, 1, 5, 9]) roundTrip(CompressionCodec.Gzip, data, level);
  for (const level of [1, 2, 3, 9, 17]) roundTrip(CompressionCodec.Lz4, data, level);
  for (const level of [-5, 1, 3, 10, 19]) roundTrip(CompressionCodec.Zstd, data, level);
  roundTrip(CompressionCodec.Snappy, data, 7); // snappy ignores levels
});

Deno.test("lz4: higher levels give a smaller output", () => {
  const data = recordsPayload(512 * 1024);
  const fast = compress(CompressionCodec.Lz4, data).length;
  const thorough = compress(CompressionCodec.Lz4, data, { level: 9 }).length;
  assert.ok(thorough < fast, `level 9 (${thorough}) should beat the default (${fast})`);
});

Deno.test("output is deterministic across calls (shared hash tables are reset)", () => {
  const a = recordsPayload(100 * 1024, 1);
  const b = recordsPayload(300 * 1024, 2);
  for (const codec of [CompressionCodec.Snappy, CompressionCodec.Lz4]) {
    const first = compress(codec, a);
    compress(codec, b);
    assert.deepEqual(compress(codec, a), first);
  }
});

Deno.test("compressed output owns its buffer (no scratch or pool memory is exposed)", () => {
  for (const [, codec] of CODECS.slice(1)) {
    const out = compress(codec, textPayload(1000));
    assert.equal(out.byteOffset, 0);
    assert.equal(out.buffer.byteLength, out.length);
    assert.equal(Object.getPrototypeOf(out), Uint8Array.prototype);
    const back = decompress(codec, out);
    assert.equal(back.buffer.byteLength, back.length);
    assert.equal(Object.getPrototypeOf(back), Uint8Array.prototype);
  }
});

Deno.test("snappy raw block: property round trip", () => {
  fc.assert(
    fc.property(inputs, (data) => {
      const back = snappyDecompressBlock(snappyCompressBlock(data));
      assert.ok(bytesEqual(back, data));
    }),
    { numRuns: 150 },
  );
  const big = textPayload(300 * 1024);
  assert.ok(bytesEqual(snappyDecompressBlock(snappyCompressBlock(big)), big));
});

Deno.test("inputs that are views into larger buffers compress only the view", () => {
  const backing = recordsPayload(200 * 1024);
  const view = backing.subarray(1234, 1234 + 90 * 1024);
  for (const [, codec] of CODECS.slice(1)) {
    const back = decompress(codec, compress(codec, view));
    assert.ok(bytesEqual(back, view));
    const packed = compress(codec, view);
    const padded = new Uint8Array(packed.length + 20);
    padded.set(packed, 10);
    assert.ok(bytesEqual(decompress(codec, padded.subarray(10, 10 + packed.length)), view));
  }
});
