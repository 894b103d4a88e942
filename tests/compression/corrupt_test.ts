// Hostile input: truncation, bad magic, lengths that lie, bit flips, random bytes, and
// decompression bombs (declared and real). Every failure must be a CompressionError, found
// quickly and without allocating past the output limit.

import assert from "node:assert/strict";
import { gzipSync, zstdCompressSync } from "node:zlib";
import fc from "fast-check";
import {
  compress,
  CompressionCodec,
  CompressionError,
  decompress,
} from "../../codec/compression/mod.ts";
import { snappyCompressBlock } from "../../codec/compression/snappy.ts";
import { xxhash32 } from "../../codec/compression/xxhash32.ts";
import { recordsPayload, textPayload } from "./payloads.ts";

const CODECS = [
  ["gzip", CompressionCodec.Gzip],
  ["snappy", CompressionCodec.Snappy],
  ["lz4", CompressionCodec.Lz4],
  ["zstd", CompressionCodec.Zstd],
] as const;
const MiB = 1024 * 1024;
const SNAPPY_HEADER = [0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00, 0, 0, 0, 1, 0, 0, 0, 1];
const LZ4_HEADER = [0x04, 0x22, 0x4d, 0x18, 0x60, 0x40, 0x82];

function concat(...parts: (Uint8Array | number[])[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

const be32 = (v: number) => [(v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255];
const le32 = (v: number) => [v & 255, (v >>> 8) & 255, (v >>> 16) & 255, (v >>> 24) & 255];

/** Asserts `fn` throws a CompressionError with `code` (and message pattern), within `ms`. */
function assertFails(fn: () => unknown, code: string, pattern?: RegExp, ms = 2000) {
  const start = performance.now();
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof CompressionError, `expected CompressionError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    if (pattern) assert.match(e.message, pattern);
    assert.match(e.message, /^[A-Z]/, "messages are sentence case");
    return true;
  });
  const took = performance.now() - start;
  assert.ok(took < ms, `took ${took.toFixed(0)} ms`);
}

/** Decompresses, allowing only success or a CompressionError. */
function decodeOrCompressionError(codec: CompressionCodec, data: Uint8Array, limit = 4 * MiB) {
  try {
    return decompress(codec, data, { maxOutputBytes: limit });
  } catch (e) {
    if (e instanceof CompressionError) return e;
    throw new Error(`non-CompressionError escaped: ${e}`, { cause: e });
  }
}

function isPrefix(part: Uint8Array, whole: Uint8Array): boolean {
  if (part.length > whole.length) return false;
  for (let i = 0; i < part.length; i++) if (part[i] !== whole[i]) return false;
  return true;
}

for (const [name, codec] of CODECS) {
  Deno.test(`${name}: every truncation fails cleanly`, () => {
    const data = name === "snappy" || name === "lz4"
      ? recordsPayload(70 * 1024)
      : textPayload(9000);
    const packed = compress(codec, data);
    for (let n = 0; n < packed.length; n++) {
      const result = decodeOrCompressionError(codec, packed.subarray(0, n));
      if (result instanceof CompressionError) {
        assert.equal(result.code, "corrupt-input", `prefix ${n}: ${result.message}`);
      } else {
        // Xerial snappy has no end marker: a cut exactly between blocks is a shorter valid stream.
        assert.equal(name, "snappy", `prefix ${n} of ${packed.length} decoded`);
        assert.ok(isPrefix(result, data) && result.length % 32768 === 0, `prefix ${n}`);
      }
    }
  });

  Deno.test(`${name}: bit flips and random bytes give data or a CompressionError`, () => {
    const packed = compress(codec, recordsPayload(40 * 1024));
    fc.assert(
      fc.property(
        fc.nat(packed.length - 1),
        fc.integer({ min: 1, max: 255 }),
        fc.nat(packed.length - 1),
        fc.integer({ min: 0, max: 255 }),
        (p1, x1, p2, x2) => {
          const bad = packed.slice();
          bad[p1] ^= x1;
          bad[p2] ^= x2;
          decodeOrCompressionError(codec, bad);
        },
      ),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), (junk) => {
        decodeOrCompressionError(codec, junk);
        // Random bytes behind a valid start get past the magic checks.
        decodeOrCompressionError(codec, concat(packed.subarray(0, 30), junk));
      }),
      { numRuns: 300 },
    );
  });

  Deno.test(`${name}: the limit is exact`, () => {
    const data = textPayload(200_000);
    const packed = compress(codec, data);
    assert.equal(decompress(codec, packed, { maxOutputBytes: data.length }).length, data.length);
    assertFails(
      () => decompress(codec, packed, { maxOutputBytes: data.length - 1 }),
      "output-limit",
      new RegExp(`Decompressed ${name} output would be .*the limit of ${data.length - 1} bytes`),
    );
    assertFails(() => decompress(codec, packed, { maxOutputBytes: 0 }), "output-limit");
  });
}

Deno.test("bad magic and garbage are corrupt input", () => {
  const junk = new TextEncoder().encode("this is not compressed at all, not even a little bit");
  assertFails(() => decompress(CompressionCodec.Gzip, junk), "corrupt-input", /Corrupt gzip input/);
  assertFails(() => decompress(CompressionCodec.Lz4, junk), "corrupt-input", /bad magic/);
  assertFails(() => decompress(CompressionCodec.Zstd, junk), "corrupt-input", /bad magic/);
  // Snappy has no magic of its own: garbage is a raw block that fails to parse.
  assertFails(() => decompress(CompressionCodec.Snappy, junk), "corrupt-input", /Corrupt snappy/);
  for (const codec of [CompressionCodec.Gzip, CompressionCodec.Lz4, CompressionCodec.Zstd]) {
    assertFails(() => decompress(codec, new Uint8Array(0)), "corrupt-input");
  }
});

Deno.test("snappy: lengths that lie", () => {
  const block = snappyCompressBlock(textPayload(1000));
  // Declared longer than the elements produce.
  const longer = concat([0xe9, 0x07], block.subarray(2)); // 1001 instead of 1000 (e8 07)
  assertFails(
    () => decompress(CompressionCodec.Snappy, longer),
    "corrupt-input",
    /not the declared/,
  );
  const shorter = concat([0xe7, 0x07], block.subarray(2));
  assertFails(() => decompress(CompressionCodec.Snappy, shorter), "corrupt-input", /longer than/);
  // Copy before the start of the output, and offset 0.
  assertFails(
    () => decompress(CompressionCodec.Snappy, new Uint8Array([8, 0x04, 97, 98, 0x09, 3])),
    "corrupt-input",
    /copy offset 3/,
  );
  assertFails(
    () => decompress(CompressionCodec.Snappy, new Uint8Array([8, 0x04, 97, 98, 0x09, 0])),
    "corrupt-input",
    /copy offset 0/,
  );
  // Literal running past the input; varint over 32 bits.
  assertFails(
    () => decompress(CompressionCodec.Snappy, new Uint8Array([50, 49 << 2, 1, 2, 3])),
    "corrupt-input",
    /literal runs past/,
  );
  assertFails(
    () => decompress(CompressionCodec.Snappy, new Uint8Array([0xff, 0xff, 0xff, 0xff, 0x7f, 0])),
    "corrupt-input",
    /32 bits/,
  );
  // Xerial block lengths: past the end, negative, zero.
  for (const size of [block.length + 1, -5, 0]) {
    assertFails(
      () => decompress(CompressionCodec.Snappy, concat(SNAPPY_HEADER, be32(size), block)),
      "corrupt-input",
    );
  }
});

Deno.test("lz4: lengths that lie", () => {
  const frame = compress(CompressionCodec.Lz4, textPayload(5000));
  const size = new DataView(frame.buffer).getUint32(7, true);
  const withSize = (v: number) => {
    const f = frame.slice();
    new DataView(f.buffer).setUint32(7, v, true);
    return f;
  };
  assertFails(() => decompress(CompressionCodec.Lz4, withSize(size + 1)), "corrupt-input");
  assertFails(() => decompress(CompressionCodec.Lz4, withSize(size - 1)), "corrupt-input");
  assertFails(
    () => decompress(CompressionCodec.Lz4, withSize(0x7fffffff)),
    "corrupt-input",
    /exceeds/,
  );
  assertFails(
    () => decompress(CompressionCodec.Lz4, withSize(0x80000000 + size + 100)),
    "corrupt-input",
  );
  // A block that decodes past 64 KiB: literal "a", then a 70 000-byte match at offset 1.
  const ext = new Array(Math.floor((70_000 - 19) / 255)).fill(255);
  const block = [0x1f, 97, 1, 0, ...ext, (70_000 - 19) % 255, 0x00];
  const big = concat(LZ4_HEADER, le32(block.length), block, le32(0));
  assertFails(() => decompress(CompressionCodec.Lz4, big), "corrupt-input", /more than the frame/);
  // Literal length extension bytes that never end.
  const endless = new Uint8Array(60_000).fill(255);
  endless[0] = 0xf0;
  const hang = concat(LZ4_HEADER, le32(endless.length), endless, le32(0));
  assertFails(() => decompress(CompressionCodec.Lz4, hang), "corrupt-input", /truncated/, 500);
});

Deno.test("zstd: lengths that lie and reserved bits", () => {
  const frame = compress(CompressionCodec.Zstd, textPayload(5000));
  // Block header says more bytes than there are.
  const cut = frame.subarray(0, frame.length - 1);
  assertFails(() => decompress(CompressionCodec.Zstd, cut), "corrupt-input", /truncated/);
  // Reserved block type 3: a last block with header (size 1 << 3) | (3 << 1) | 1.
  const reserved = new Uint8Array([0x28, 0xb5, 0x2f, 0xfd, 0x20, 5, 0x0f, 0, 0, 0]);
  assertFails(() => decompress(CompressionCodec.Zstd, reserved), "corrupt-input", /reserved/);
  // Declared content size 5 but the RLE block makes 10.
  const lying = new Uint8Array([0x28, 0xb5, 0x2f, 0xfd, 0x20, 5, 0x53, 0, 0, 0x41]);
  assertFails(() => decompress(CompressionCodec.Zstd, lying), "corrupt-input");
  // The same frame with an honest size works.
  const honest = new Uint8Array([0x28, 0xb5, 0x2f, 0xfd, 0x20, 10, 0x53, 0, 0, 0x41]);
  assert.equal(new TextDecoder().decode(decompress(CompressionCodec.Zstd, honest)), "A".repeat(10));
  // Trailing junk after the frame.
  assertFails(() => decompress(CompressionCodec.Zstd, concat(honest, [1, 2])), "corrupt-input");
});

Deno.test("gzip: a lying length or checksum trailer is corrupt", () => {
  const gz = compress(CompressionCodec.Gzip, textPayload(3000));
  const len = gz.slice();
  len[len.length - 1] = 0xff; // ISIZE says ~4 GiB
  assertFails(() => decompress(CompressionCodec.Gzip, len), "corrupt-input", /length check/);
  const crc = gz.slice();
  crc[crc.length - 8] ^= 1;
  assertFails(() => decompress(CompressionCodec.Gzip, crc), "corrupt-input", /data check/);
});

Deno.test("inputs declaring 4 GiB of output fail before allocating", () => {
  const fourGiB = [0xff, 0xff, 0xff, 0xff, 0x0f]; // varint 2^32 - 1
  assertFails(
    () => decompress(CompressionCodec.Snappy, concat(fourGiB, [0])),
    "output-limit",
    /4294967295 bytes, more than the limit of 67108864/,
    100,
  );
  const rawBlock = concat(fourGiB, [0, 0]);
  assertFails(
    () =>
      decompress(CompressionCodec.Snappy, concat(SNAPPY_HEADER, be32(rawBlock.length), rawBlock)),
    "output-limit",
    undefined,
    100,
  );
  assertFails(
    () => decompress(CompressionCodec.Snappy, concat(fourGiB, [0]), { maxOutputBytes: 1000 }),
    "output-limit",
  );

  // LZ4 content size 2^32.
  const descriptor = [0x68, 0x40, ...le32(0), ...le32(1)];
  const hc = (xxhash32(new Uint8Array(descriptor)) >>> 8) & 0xff;
  const lz4 = concat([0x04, 0x22, 0x4d, 0x18], descriptor, [hc], le32(0));
  assertFails(() => decompress(CompressionCodec.Lz4, lz4), "output-limit", /4294967296 bytes/, 100);

  // zstd frame content size 2^32 (8-byte field), single segment, one empty raw block.
  const zstd = new Uint8Array([0x28, 0xb5, 0x2f, 0xfd, 0xe0, ...le32(0), ...le32(1), 1, 0, 0]);
  assertFails(() => decompress(CompressionCodec.Zstd, zstd), "output-limit", /4294967296/, 100);
});

Deno.test("real decompression bombs stop at the limit", () => {
  // gzip and zstd: 256 MiB of zeros squeezed by zlib/zstd themselves.
  const zeros = new Uint8Array(256 * MiB);
  const gz = gzipSync(zeros, { level: 9 });
  const zs = zstdCompressSync(zeros);
  assertFails(() => decompress(CompressionCodec.Gzip, gz, { maxOutputBytes: MiB }), "output-limit");
  assertFails(() => decompress(CompressionCodec.Zstd, zs, { maxOutputBytes: MiB }), "output-limit");
  assertFails(() => decompress(CompressionCodec.Zstd, zs), "output-limit", /67108864/);

  // lz4: ~12 000 blocks, each one literal plus a 65 535-byte match (~780 MiB declared by nothing).
  const ext = new Array(Math.floor((65_535 - 1 - 19) / 255)).fill(255);
  const block = [0x1f, 0, 1, 0, ...ext, (65_535 - 1 - 19) % 255, 0x00];
  const blockBytes = concat(le32(block.length), block);
  const parts: (Uint8Array | number[])[] = [LZ4_HEADER];
  for (let i = 0; i < 12_000; i++) parts.push(blockBytes);
  parts.push(le32(0));
  const lz4 = concat(...parts);
  // Sanity: one such block is valid and makes 64 KiB - 1.
  const one = concat(LZ4_HEADER, blockBytes, le32(0));
  assert.deepEqual(decompress(CompressionCodec.Lz4, one), new Uint8Array(65_535));
  assertFails(() => decompress(CompressionCodec.Lz4, lz4), "output-limit", /67108864/);
  assertFails(() => decompress(CompressionCodec.Lz4, lz4, { maxOutputBytes: MiB }), "output-limit");

  // snappy: xerial blocks each declaring 32 KiB made of 64-byte run copies; summed first.
  const runs = new Array(511).fill([(63 << 2) | 2, 1, 0]).flat();
  const raw = [0x80, 0x80, 0x02, 0x00, 0, ...runs, ((63 - 1) << 2) | 2, 1, 0];
  const snappyBlock = concat(be32(raw.length), raw);
  const snappyParts: (Uint8Array | number[])[] = [SNAPPY_HEADER];
  for (let i = 0; i < 25_000; i++) snappyParts.push(snappyBlock);
  const snappy = concat(...snappyParts);
  // Sanity: two such blocks are valid and make 64 KiB of zeros.
  const two = concat(SNAPPY_HEADER, snappyBlock, snappyBlock);
  assert.deepEqual(decompress(CompressionCodec.Snappy, two), new Uint8Array(65_536));
  assertFails(() => decompress(CompressionCodec.Snappy, snappy), "output-limit", /67108864/, 500);
});

Deno.test("unknown codecs and bad options are CompressionErrors", () => {
  for (const codec of [5, 7, -1, 2.5, NaN]) {
    assertFails(
      () => decompress(codec as CompressionCodec, new Uint8Array(1)),
      "unsupported",
      /Unknown compression codec/,
    );
    assertFails(() => compress(codec as CompressionCodec, new Uint8Array(1)), "unsupported");
  }
  for (const maxOutputBytes of [-1, 1.5, NaN]) {
    assertFails(
      () => decompress(CompressionCodec.Lz4, new Uint8Array(1), { maxOutputBytes }),
      "invalid-option",
    );
  }
  assertFails(
    () => compress(CompressionCodec.Gzip, new Uint8Array(1), { level: 10 }),
    "invalid-option",
  );
  assertFails(
    () => compress(CompressionCodec.Lz4, new Uint8Array(1), { level: 0 }),
    "invalid-option",
  );
  assertFails(
    () => compress(CompressionCodec.Lz4, new Uint8Array(1), { level: 18 }),
    "invalid-option",
  );
  assertFails(
    () => compress(CompressionCodec.Zstd, new Uint8Array(1), { level: 23 }),
    "invalid-option",
  );
  assertFails(
    () => compress(CompressionCodec.Zstd, new Uint8Array(1), { level: 1.5 }),
    "invalid-option",
  );
  assertFails(
    () => decompress(CompressionCodec.None, new Uint8Array(10), { maxOutputBytes: 9 }),
    "output-limit",
  );
});
