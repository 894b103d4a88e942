// LZ4 frame layout as Kafka writes it, and the reader's handling of what other writers produce:
// content size, block/content checksums, linked blocks, skippable and repeated frames, and the
// broken header checksum of Kafka's magic v0/v1 message sets. Also XXH32 test vectors.

import assert from "node:assert/strict";
import { CompressionError } from "../../codec/compression/errors.ts";
import { lz4Compress, lz4Decompress } from "../../codec/compression/lz4.ts";
import { xxhash32 } from "../../codec/compression/xxhash32.ts";
import { randomPayload, recordsPayload, textPayload } from "./payloads.ts";

const MAGIC = [0x04, 0x22, 0x4d, 0x18];

function u32le(v: number): number[] {
  return [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
}

function concat(...parts: (Uint8Array | number[])[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** The (compressed-or-stored) blocks of a Brook frame, with their size words. */
function blocksOf(frame: Uint8Array): { word: number; data: Uint8Array }[] {
  const blocks = [];
  let pos = 7;
  for (;;) {
    const word = new DataView(frame.buffer, frame.byteOffset).getUint32(pos, true);
    pos += 4;
    if (word === 0) break;
    const size = word & 0x7fffffff;
    blocks.push({ word, data: frame.subarray(pos, pos + size) });
    pos += size;
  }
  assert.equal(pos, frame.length, "nothing may follow the end mark");
  return blocks;
}

/** Builds a frame with any flags, computing the header checksum (or a legacy one). */
function frame(
  flg: number,
  bd: number,
  blocks: { word: number; data: Uint8Array }[],
  opts: { contentSize?: number; content?: Uint8Array; legacyHc?: boolean } = {},
): Uint8Array {
  const descriptor = [flg, bd];
  if (flg & 0x08) descriptor.push(...u32le(opts.contentSize ?? 0), 0, 0, 0, 0);
  const head = concat(MAGIC, descriptor);
  const hc = (xxhash32(head, 0, opts.legacyHc ? 0 : 4) >>> 8) & 0xff;
  const parts: (Uint8Array | number[])[] = [head, [hc]];
  for (const b of blocks) {
    parts.push(u32le(b.word), b.data);
    if (flg & 0x10) parts.push(u32le(xxhash32(b.data)));
  }
  parts.push(u32le(0));
  if (flg & 0x04) parts.push(u32le(xxhash32(opts.content!)));
  return concat(...parts);
}

function assertCorrupt(data: Uint8Array, pattern: RegExp) {
  assert.throws(() => lz4Decompress(data), (e: unknown) => {
    assert.ok(e instanceof CompressionError, `expected CompressionError, got ${e}`);
    assert.match(e.message, pattern);
    return true;
  });
}

Deno.test("xxhash32 matches the reference implementation's vectors", () => {
  const data = Uint8Array.from({ length: 1000 }, (_, i) => (i * 7 + 3) & 0xff);
  // From the Python xxhash package (the reference C code): [length, seed, hash].
  const vectors = [
    [0, 0, 46947589],
    [0, 2654435761, 917998311],
    [1, 0, 565077562],
    [1, 2654435761, 2579169000],
    [3, 0, 3443335746],
    [4, 2654435761, 4182935669],
    [5, 0, 2791746402],
    [15, 0, 2194917453],
    [16, 0, 2286244989],
    [16, 2654435761, 3549594252],
    [17, 0, 1158569860],
    [31, 2654435761, 1413885351],
    [32, 0, 3918056631],
    [33, 0, 2499098325],
    [100, 2654435761, 58397595],
    [1000, 0, 3361362258],
    [1000, 2654435761, 1791001884],
  ];
  for (const [n, seed, expected] of vectors) {
    assert.equal(xxhash32(data.subarray(0, n), seed), expected, `length ${n} seed ${seed}`);
  }
  const text = new TextEncoder().encode("Nobody inspects the spammish repetition");
  assert.equal(xxhash32(text), 0xe2293b2f);
  // A range of a larger array hashes like the copied range.
  assert.equal(xxhash32(data, 0, 10, 60), xxhash32(data.slice(10, 60)));
});

Deno.test("frame header is Kafka's: magic, FLG 0x60, BD 0x40, HC 0x82", () => {
  const out = lz4Compress(new Uint8Array(0));
  // Kafka's Java client writes exactly these 11 bytes for an empty batch.
  assert.deepEqual([...out], [...MAGIC, 0x60, 0x40, 0x82, 0, 0, 0, 0]);
  assert.equal((xxhash32(new Uint8Array([0x60, 0x40])) >>> 8) & 0xff, 0x82);
  // One byte cannot shrink, so it is stored with the high bit set (as Java does).
  assert.deepEqual(
    [...lz4Compress(new Uint8Array([0x2a]))],
    [...MAGIC, 0x60, 0x40, 0x82, 1, 0, 0, 0x80, 0x2a, 0, 0, 0, 0],
  );
});

Deno.test("input is cut into 64 KiB blocks; incompressible blocks are stored", () => {
  const data = concat(recordsPayload(64 * 1024), randomPayload(64 * 1024), recordsPayload(5000));
  const blocks = blocksOf(lz4Compress(data));
  assert.equal(blocks.length, 3);
  assert.ok(blocks[0].word < 0x80000000 && blocks[0].data.length < 64 * 1024);
  assert.equal(blocks[1].word, 0x80000000 + 64 * 1024);
  assert.deepEqual(blocks[1].data, data.subarray(64 * 1024, 128 * 1024));
  assert.ok(blocks[2].word < 0x80000000);
});

Deno.test("reader verifies content size, block checksums and content checksum", () => {
  const content = textPayload(150 * 1024);
  const blocks = blocksOf(lz4Compress(content));
  const good = frame(0x7c, 0x40, blocks, { contentSize: content.length, content });
  assert.deepEqual(lz4Decompress(good), content);

  const badBlock = good.slice();
  badBlock[30] ^= 1; // inside the first block's data
  assertCorrupt(badBlock, /block checksum mismatch/);

  const badContent = good.slice();
  badContent[badContent.length - 1] ^= 1;
  assertCorrupt(badContent, /content checksum mismatch/);

  const small = frame(0x7c, 0x40, blocks, { contentSize: content.length - 1, content });
  assertCorrupt(small, /holds more than its declared 153599 bytes/);
  const large = frame(0x7c, 0x40, blocks, { contentSize: content.length + 1, content });
  assertCorrupt(large, /declares 153601 bytes but holds 153600/);
});

Deno.test("reader accepts the broken header checksum of Kafka's magic v0/v1 frames", () => {
  const content = textPayload(1000);
  const blocks = blocksOf(lz4Compress(content));
  const legacy = frame(0x60, 0x40, blocks, { legacyHc: true });
  assert.notEqual(legacy[6], 0x82, "the legacy checksum differs from the correct one");
  assert.deepEqual(lz4Decompress(legacy), content);
  const neither = legacy.slice();
  neither[6] = (neither[6] + 1) & 0xff;
  if (neither[6] === 0x82) neither[6]++;
  assertCorrupt(neither, /header checksum mismatch/);
});

Deno.test("reader supports linked blocks (independence flag clear)", () => {
  // Block 1 stores "0123456789abcdef"; block 2 is one match 16 back (into block 1) of 20 bytes
  // followed by 5 literals, which is only valid when blocks are linked.
  const first = new TextEncoder().encode("0123456789abcdef");
  const second = new Uint8Array([0x0f, 16, 0, 1, 0x50, ...new TextEncoder().encode("VWXYZ")]);
  const blocks = [
    { word: 0x80000000 | first.length, data: first },
    { word: second.length, data: second },
  ];
  const linked = frame(0x40, 0x40, blocks);
  const expected = "0123456789abcdef" + "0123456789abcdef0123" + "VWXYZ";
  assert.equal(new TextDecoder().decode(lz4Decompress(linked)), expected);
  assertCorrupt(frame(0x60, 0x40, blocks), /match offset 16 points outside/);
});

Deno.test("reader takes larger block sizes, skippable frames and several frames", () => {
  const a = textPayload(300 * 1024);
  const b = recordsPayload(10 * 1024);
  // BD 0x70: 4 MiB blocks, here one stored block of 300 KiB.
  const big = frame(0x60, 0x70, [{ word: 0x80000000 | a.length, data: a }]);
  assert.deepEqual(lz4Decompress(big), a);
  // Over 64 KiB is not allowed in a 64 KiB frame.
  assertCorrupt(frame(0x60, 0x40, [{ word: 0x80000000 | a.length, data: a }]), /exceeds/);

  const skippable = [...u32le(0x184d2a5f), ...u32le(3), 1, 2, 3];
  const joined = concat(skippable, lz4Compress(a), skippable, lz4Compress(b));
  assert.deepEqual(lz4Decompress(joined), concat(a, b));
});

Deno.test("reader rejects what Kafka's reader rejects, with clear errors", () => {
  const ok = lz4Compress(textPayload(100));
  const withFlg = (flg: number, bd = 0x40) => {
    const f = ok.slice();
    f[4] = flg;
    f[5] = bd;
    f[6] = (xxhash32(f, 0, 4, 6) >>> 8) & 0xff;
    return f;
  };
  assert.throws(() => lz4Decompress(withFlg(0x20)), /frame version 0 is not supported/);
  assert.throws(() => lz4Decompress(withFlg(0x61)), /dictionary ID/);
  assertCorrupt(withFlg(0x62), /reserved bits/);
  assertCorrupt(withFlg(0x60, 0x41), /reserved bits/);
  assertCorrupt(withFlg(0x60, 0x30), /invalid block size id 3/);
  assert.throws(
    () => lz4Decompress(new Uint8Array([0x02, 0x21, 0x4c, 0x18, 0, 0, 0, 0])),
    /legacy LZ4 frame format/,
  );
  assertCorrupt(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]), /bad magic 0x04030201/);
  assertCorrupt(concat(ok, [9, 9, 9, 9, 9]), /after the last frame/);
  assertCorrupt(concat(ok, [9]), /stray bytes/);
});
