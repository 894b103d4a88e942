// Snappy: the raw element encodings (hand-made blocks), and the xerial framing Kafka's Java
// client writes and reads (header, 32 KiB blocks, raw input without the magic, concatenation).

import assert from "node:assert/strict";
import { CompressionError } from "../../codec/compression/errors.ts";
import {
  snappyCompress,
  snappyCompressBlock,
  snappyDecompress,
  snappyDecompressBlock,
  snappyMaxCompressedLength,
} from "../../codec/compression/snappy.ts";
import { randomPayload, recordsPayload, textPayload } from "./payloads.ts";

const HEADER = [0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00, 0, 0, 0, 1, 0, 0, 0, 1];
const enc = new TextEncoder();
const dec = new TextDecoder();

function concat(...parts: (Uint8Array | number[])[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function be32(v: number): number[] {
  return [(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];
}

/** Parses a xerial stream into its blocks' raw snappy data. */
function xerialBlocks(stream: Uint8Array): Uint8Array[] {
  assert.deepEqual([...stream.subarray(0, 16)], HEADER);
  const blocks = [];
  let pos = 16;
  while (pos < stream.length) {
    const size = new DataView(stream.buffer, stream.byteOffset).getInt32(pos);
    blocks.push(stream.subarray(pos + 4, pos + 4 + size));
    pos += 4 + size;
  }
  assert.equal(pos, stream.length);
  return blocks;
}

Deno.test("raw block: every element kind decodes (literal lengths 1-4 bytes, copy-1/2/4)", () => {
  // Literal "abcd" (tag 3<<2), copy-1 len 4 offset 4 (tag 0b000_000_01, offset byte 4),
  // copy-2 len 6 offset 2 (tag (5<<2)|2), copy-4 len 3 offset 10 (tag (2<<2)|3).
  const block = [
    17,
    0x0c,
    ...enc.encode("abcd"),
    0x01,
    4,
    (5 << 2) | 2,
    2,
    0,
    (2 << 2) | 3,
    10,
    0,
    0,
    0,
  ];
  assert.equal(dec.decode(snappyDecompressBlock(new Uint8Array(block))), "abcdabcdcdcdcdabc");

  // Tags 60-63: the literal length minus one follows in 1-4 little-endian bytes.
  for (const [tag, n] of [[60, 200], [61, 300], [62, 300], [63, 300]]) {
    const lenField = [(n - 1) & 0xff, ((n - 1) >>> 8) & 0xff, 0, 0].slice(0, tag - 59);
    const body = textPayload(n);
    const varint = n < 128 ? [n] : [(n & 0x7f) | 0x80, n >>> 7];
    assert.deepEqual(snappyDecompressBlock(concat(varint, [tag << 2, ...lenField], body)), body);
  }
});

Deno.test("raw block: overlapping copies repeat the pattern", () => {
  // "ab" then copy-2 of 64 bytes at offset 2, then copy-1 of 11 bytes at offset 1.
  const block = new Uint8Array([77, 0x04, 97, 98, (63 << 2) | 2, 2, 0, 1 | (7 << 2), 1]);
  assert.equal(dec.decode(snappyDecompressBlock(block)), "ab".repeat(33) + "b".repeat(11));
});

Deno.test("raw block: compressor output stays within the documented bound", () => {
  for (const data of [randomPayload(100_000), new Uint8Array(0), randomPayload(7)]) {
    const block = snappyCompressBlock(data);
    assert.ok(block.length <= snappyMaxCompressedLength(data.length));
    assert.deepEqual(snappyDecompressBlock(block), data);
  }
});

Deno.test("xerial: header, 32 KiB blocks each a raw block of at most 32 KiB", () => {
  const data = recordsPayload(100 * 1024);
  const stream = snappyCompress(data);
  const blocks = xerialBlocks(stream);
  assert.equal(blocks.length, 4);
  const sizes = blocks.map((b) => snappyDecompressBlock(b).length);
  assert.deepEqual(sizes, [32768, 32768, 32768, 100 * 1024 - 3 * 32768]);
  // Empty input is the header alone, as snappy-java writes it.
  assert.deepEqual([...snappyCompress(new Uint8Array(0))], HEADER);
});

Deno.test("xerial: input without the magic is read as one raw block", () => {
  const data = textPayload(5000);
  assert.deepEqual(snappyDecompress(snappyCompressBlock(data)), data);
  // Also when shorter than the 16-byte header.
  assert.deepEqual(
    snappyDecompress(snappyCompressBlock(new Uint8Array([1, 2, 3]))),
    new Uint8Array([1, 2, 3]),
  );
  assert.deepEqual(snappyDecompress(new Uint8Array(0)), new Uint8Array(0));
});

Deno.test("xerial: concatenated streams are read as one", () => {
  const a = textPayload(40_000);
  const b = recordsPayload(3_000);
  const joined = concat(snappyCompress(a), snappyCompress(b), snappyCompress(new Uint8Array(0)));
  assert.deepEqual(snappyDecompress(joined), concat(a, b));
});

Deno.test("xerial: blocks written by another encoder with other block sizes are read", () => {
  const data = textPayload(70_000);
  // One 70 000-byte block, then a tiny one.
  const stream = concat(
    HEADER,
    be32(snappyCompressBlock(data).length),
    snappyCompressBlock(data),
    be32(snappyCompressBlock(enc.encode("!")).length),
    snappyCompressBlock(enc.encode("!")),
  );
  assert.deepEqual(snappyDecompress(stream), concat(data, enc.encode("!")));
});

Deno.test("xerial: a stream needing a newer reader version is refused", () => {
  const stream = concat(HEADER.slice(0, 8), be32(2), be32(2), be32(2), [0, 0]);
  assert.throws(() => snappyDecompress(stream), (e: unknown) => {
    assert.ok(e instanceof CompressionError);
    assert.equal(e.code, "unsupported");
    assert.match(e.message, /needs reader version 2/);
    return true;
  });
});

Deno.test("xerial: a mangled header inside the stream is corrupt, not a raw block", () => {
  const good = snappyCompress(textPayload(100));
  const bad = concat(good, [0x82, 0x53, 0x4e, 0x41, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  assert.throws(() => snappyDecompress(bad), /invalid stream header/);
});
