/**
 * Snappy: the raw block format, and the xerial snappy-java framing that Kafka's Java client
 * writes (`SnappyOutputStream`): a 16-byte header `\x82SNAPPY\0` + int32 BE version 1 +
 * int32 BE compatible version 1, then blocks of int32 BE length + raw snappy block, each block
 * holding up to 32 KiB of input.
 *
 * @module
 */

import {
  copyBytes,
  copyMatch,
  scratchBuffer,
  takeScratch,
  viewOf,
  WILD_MARGIN,
  WILD_MAX,
  wildCopy,
} from "./buffers.ts";
import { CompressionError, corruptError, outputLimitError } from "./errors.ts";

const CODEC = "snappy";

/** Snappy compresses in independent 64 KiB fragments, so 2-byte copy offsets always suffice. */
const FRAGMENT_SIZE = 1 << 16;
/** Largest hash table (entries); smaller inputs use a smaller table to keep clearing cheap. */
const MAX_TABLE_BITS = 14;
/** Stop looking for matches this close to the fragment end; the tail is emitted as a literal. */
const INPUT_MARGIN = 15;
/** Input bytes per xerial block, snappy-java's default. */
const XERIAL_BLOCK_SIZE = 32 * 1024;
/** `\x82SNAPPY\0`. */
const XERIAL_MAGIC = [0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00];
const XERIAL_HEADER_SIZE = 16;
/** The first 4 magic bytes read as a (negative) int32 BE block length: marks a concatenated stream. */
const XERIAL_MAGIC_HEAD = 0x82534e41;

// Reused between calls: the compressor clears the part it uses, and nothing is re-entrant.
const hashTable = new Int32Array(1 << MAX_TABLE_BITS);

/**
 * The largest raw snappy block `snappyCompressBlock` can produce for `n` input bytes.
 *
 * @param n the input length
 * @returns an upper bound in bytes
 * @example
 * ```ts
 * import { snappyMaxCompressedLength } from "./snappy.ts";
 *
 * console.log(snappyMaxCompressedLength(1000)); // 1198
 * ```
 */
export function snappyMaxCompressedLength(n: number): number {
  return 32 + n + Math.floor(n / 6);
}

/**
 * Compresses `data` into one raw snappy block (varint length + elements), the format of
 * `Snappy.compress` in snappy-java and `snappy.compress` in python-snappy.
 *
 * @param data the input
 * @returns the raw block
 * @example
 * ```ts
 * import { snappyCompressBlock, snappyDecompressBlock } from "./snappy.ts";
 *
 * const block = snappyCompressBlock(new TextEncoder().encode("abcabcabcabc"));
 * console.log(snappyDecompressBlock(block).length); // 12
 * ```
 */
export function snappyCompressBlock(data: Uint8Array): Uint8Array {
  const out = scratchBuffer(snappyMaxCompressedLength(data.length));
  const n = compressRaw(data, 0, data.length, out, 0);
  return takeScratch(out, n);
}

/**
 * Decompresses one raw snappy block.
 *
 * @param block the raw block
 * @param maxOutputBytes the most output bytes allowed; checked against the declared length
 *   before any allocation
 * @returns the decompressed bytes
 * @throws {CompressionError} on corrupt input or a declared length over the limit
 * @example
 * ```ts
 * import { snappyDecompressBlock } from "./snappy.ts";
 *
 * // varint length 3, then a 3-byte literal "abc".
 * const out = snappyDecompressBlock(new Uint8Array([3, 0x08, 97, 98, 99]));
 * console.log(new TextDecoder().decode(out)); // "abc"
 * ```
 */
export function snappyDecompressBlock(
  block: Uint8Array,
  maxOutputBytes: number = Number.MAX_SAFE_INTEGER,
): Uint8Array {
  const length = readLength(block, 0, block.length);
  if (length > maxOutputBytes) throw outputLimitError(CODEC, maxOutputBytes, length);
  const out = new Uint8Array(length);
  decodeElements(block, lengthEnd, block.length, out, 0, length);
  return out;
}

/**
 * Compresses `data` in the xerial snappy-java framing Kafka uses for snappy batches.
 *
 * @param data the input
 * @returns the framed stream (header + 32 KiB blocks)
 * @example
 * ```ts
 * import { snappyCompress, snappyDecompress } from "./snappy.ts";
 *
 * const framed = snappyCompress(new TextEncoder().encode("hello hello hello"));
 * console.log(framed[0] === 0x82, snappyDecompress(framed).length); // true 17
 * ```
 */
export function snappyCompress(data: Uint8Array): Uint8Array {
  const blocks = Math.ceil(data.length / XERIAL_BLOCK_SIZE);
  const bound = XERIAL_HEADER_SIZE + blocks * (4 + snappyMaxCompressedLength(XERIAL_BLOCK_SIZE));
  const out = scratchBuffer(bound);
  out.set(XERIAL_MAGIC, 0);
  writeInt32BE(out, 8, 1);
  writeInt32BE(out, 12, 1);
  let op = XERIAL_HEADER_SIZE;
  for (let ip = 0; ip < data.length; ip += XERIAL_BLOCK_SIZE) {
    const end = Math.min(ip + XERIAL_BLOCK_SIZE, data.length);
    const n = compressRaw(data, ip, end, out, op + 4);
    writeInt32BE(out, op, n);
    op += 4 + n;
  }
  return takeScratch(out, op);
}

/**
 * Decompresses a snappy payload as snappy-java's `SnappyInputStream` does: xerial-framed
 * streams (several may be concatenated), or, without the magic, a single raw block. Empty input
 * gives empty output.
 *
 * @param data the payload
 * @param maxOutputBytes the most output bytes allowed; block lengths are summed and checked
 *   before the output is allocated
 * @returns the decompressed bytes
 * @throws {CompressionError} on corrupt input or output over the limit
 * @example
 * ```ts
 * import { snappyCompress, snappyDecompress } from "./snappy.ts";
 *
 * const data = new Uint8Array(100_000).fill(7);
 * console.log(snappyDecompress(snappyCompress(data)).length); // 100000
 * ```
 */
export function snappyDecompress(
  data: Uint8Array,
  maxOutputBytes: number = Number.MAX_SAFE_INTEGER,
): Uint8Array {
  if (data.length === 0) return new Uint8Array(0);
  if (!hasXerialMagic(data, 0)) return snappyDecompressBlock(data, maxOutputBytes);

  // Pass 1: walk the blocks and add up their declared lengths, so nothing is allocated for a
  // stream that would pass the limit and truncation is found before any work is done.
  let total = 0;
  let pos = 0;
  while (pos < data.length) {
    const next = readBlockHeader(data, pos);
    if (next < 0) {
      pos = -next;
      continue;
    }
    total += readLength(data, pos + 4, next);
    if (total > maxOutputBytes) throw outputLimitError(CODEC, maxOutputBytes, total);
    pos = next;
  }

  // Pass 2: decode each block into its slot.
  const out = new Uint8Array(total);
  let op = 0;
  pos = 0;
  while (pos < data.length) {
    const next = readBlockHeader(data, pos);
    if (next < 0) {
      pos = -next;
      continue;
    }
    const length = readLength(data, pos + 4, next);
    decodeElements(data, lengthEnd, next, out, op, op + length);
    op += length;
    pos = next;
  }
  return out;
}

/**
 * Reads the xerial item at `pos`: a stream header (returns minus the offset after it) or a block
 * (returns the offset after the block, whose raw data starts at `pos + 4`).
 */
function readBlockHeader(data: Uint8Array, pos: number): number {
  if (pos + 4 > data.length) {
    throw corruptError(CODEC, `block length at offset ${pos} is truncated`);
  }
  const size = readInt32BE(data, pos);
  if (size >>> 0 === XERIAL_MAGIC_HEAD) {
    if (!hasXerialMagic(data, pos)) {
      throw corruptError(CODEC, `invalid stream header at offset ${pos}`);
    }
    return -(pos + XERIAL_HEADER_SIZE);
  }
  if (size <= 0) throw corruptError(CODEC, `invalid block length ${size} at offset ${pos}`);
  if (size > data.length - pos - 4) {
    throw corruptError(
      CODEC,
      `block at offset ${pos} declares ${size} bytes but only ${data.length - pos - 4} remain`,
    );
  }
  return pos + 4 + size;
}

/** True when a complete, supported xerial header starts at `pos`. */
function hasXerialMagic(data: Uint8Array, pos: number): boolean {
  if (data.length - pos < XERIAL_HEADER_SIZE) return false;
  for (let i = 0; i < XERIAL_MAGIC.length; i++) {
    if (data[pos + i] !== XERIAL_MAGIC[i]) return false;
  }
  const compatible = readInt32BE(data, pos + 12);
  if (compatible > 1) {
    throw new CompressionError(
      "unsupported",
      `Snappy stream needs reader version ${compatible}, only version 1 is supported`,
      { codec: CODEC },
    );
  }
  return true;
}

function readInt32BE(b: Uint8Array, p: number): number {
  return (b[p] << 24) | (b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3];
}

function writeInt32BE(b: Uint8Array, p: number, v: number): void {
  b[p] = v >>> 24;
  b[p + 1] = v >>> 16;
  b[p + 2] = v >>> 8;
  b[p + 3] = v;
}

/** Offset just after the varint read by the last `readLength` call (avoids an allocation). */
let lengthEnd = 0;

/** Reads a raw block's varint uncompressed length (at most 32 bits) and sets `lengthEnd`. */
function readLength(src: Uint8Array, pos: number, end: number): number {
  let result = 0;
  for (let shift = 0; shift < 35; shift += 7) {
    if (pos >= end) throw corruptError(CODEC, "uncompressed length is truncated");
    const b = src[pos++];
    result += (b & 0x7f) * 2 ** shift;
    if (b < 0x80) {
      if (result > 0xffff_ffff) break;
      lengthEnd = pos;
      return result;
    }
  }
  throw corruptError(CODEC, "uncompressed length does not fit in 32 bits");
}

/** Decodes the elements in `src[sp..sEnd)` into exactly `dst[dStart..dEnd)`. */
function decodeElements(
  src: Uint8Array,
  sp: number,
  sEnd: number,
  dst: Uint8Array,
  dStart: number,
  dEnd: number,
): void {
  const sView = viewOf(src);
  const dView = viewOf(dst);
  // Below these offsets a wild copy cannot run off either buffer; junk it writes past `dEnd`
  // lands in the next block's slot, which is decoded later.
  const sSafe = src.length - WILD_MAX - WILD_MARGIN;
  const dSafe = dst.length - WILD_MAX - WILD_MARGIN;
  let dp = dStart;
  while (sp < sEnd) {
    const tag = src[sp++];
    const kind = tag & 3;
    if (kind === 0) {
      let len = tag >>> 2;
      if (len >= 60) {
        // 60..63: the length minus one follows in 1..4 little-endian bytes.
        const n = len - 59;
        if (n > sEnd - sp) throw corruptError(CODEC, "literal length is truncated");
        len = src[sp];
        if (n > 1) len |= src[sp + 1] << 8;
        if (n > 2) len |= src[sp + 2] << 16;
        // A length of 2^31 or more cannot fit in the input; keeping `len` an int32 keeps this
        // loop on the fast integer path.
        if (n > 3) len |= src[sp + 3] << 24;
        if (len < 0) throw corruptError(CODEC, "literal runs past the end of the input");
        sp += n;
      }
      len += 1;
      if (len > sEnd - sp) throw corruptError(CODEC, "literal runs past the end of the input");
      if (len > dEnd - dp) throw corruptError(CODEC, "output is longer than the declared length");
      if (len <= WILD_MAX && sp <= sSafe && dp <= dSafe) wildCopy(sView, sp, dView, dp, len);
      else copyBytes(src, sp, dst, dp, len);
      sp += len;
      dp += len;
      continue;
    }
    let len: number;
    let offset: number;
    if (kind === 1) {
      if (sp >= sEnd) throw corruptError(CODEC, "copy element is truncated");
      len = ((tag >>> 2) & 7) + 4;
      offset = ((tag >>> 5) << 8) | src[sp++];
    } else if (kind === 2) {
      if (sp + 2 > sEnd) throw corruptError(CODEC, "copy element is truncated");
      len = (tag >>> 2) + 1;
      offset = src[sp] | (src[sp + 1] << 8);
      sp += 2;
    } else {
      if (sp + 4 > sEnd) throw corruptError(CODEC, "copy element is truncated");
      len = (tag >>> 2) + 1;
      offset = (src[sp] | (src[sp + 1] << 8) | (src[sp + 2] << 16) | (src[sp + 3] << 24)) >>> 0;
      sp += 4;
    }
    if (offset === 0 || offset > dp - dStart) {
      throw corruptError(CODEC, `copy offset ${offset} points outside the output`);
    }
    if (len > dEnd - dp) throw corruptError(CODEC, "output is longer than the declared length");
    if (offset >= 8 && len <= WILD_MAX && dp <= dSafe) {
      wildCopy(dView, dp - offset, dView, dp, len);
    } else {
      copyMatch(dst, dp, offset, len);
    }
    dp += len;
  }
  if (dp !== dEnd) {
    throw corruptError(CODEC, `output is ${dp - dStart} bytes, not the declared ${dEnd - dStart}`);
  }
}

/** Compresses `src[start..end)` as one raw block at `dst[op..]`; returns the bytes written. */
function compressRaw(src: Uint8Array, start: number, end: number, dst: Uint8Array, op: number) {
  const op0 = op;
  // Varint uncompressed length.
  let n = end - start;
  while (n >= 0x80) {
    dst[op++] = (n & 0x7f) | 0x80;
    n >>>= 7;
  }
  dst[op++] = n;
  for (let p = start; p < end; p += FRAGMENT_SIZE) {
    op = compressFragment(src, p, Math.min(p + FRAGMENT_SIZE, end), dst, op);
  }
  return op - op0;
}

/** Greedy LZ77 over one fragment with a single-entry hash table, skipping faster on misses. */
function compressFragment(
  src: Uint8Array,
  start: number,
  end: number,
  dst: Uint8Array,
  op: number,
): number {
  const len = end - start;
  if (len < INPUT_MARGIN + 1) return emitLiteral(src, start, len, dst, op);

  let bits = 8;
  while (bits < MAX_TABLE_BITS && 1 << bits < len) bits++;
  const shift = 32 - bits;
  const sv = viewOf(src);
  // Junk from wild literal copies stays inside `dst` and is overwritten by later elements.
  const dv = viewOf(dst);
  const table = hashTable;
  // Entries are absolute positions; `start` (a valid position) is the empty value.
  table.fill(start, 0, 1 << bits);

  const ipLimit = end - INPUT_MARGIN;
  let nextEmit = start;
  let ip = start + 1;
  let nextHash = Math.imul(sv.getUint32(ip), 0x1e35a7bd) >>> shift;

  for (;;) {
    // Search: each miss widens the stride a little (1 byte per 32 misses), so incompressible
    // input is skipped quickly.
    let skip = 32;
    let nextIp = ip;
    let candidate = start;
    for (;;) {
      ip = nextIp;
      const h = nextHash;
      nextIp = ip + (skip++ >>> 5);
      if (nextIp > ipLimit) break;
      nextHash = Math.imul(sv.getUint32(nextIp), 0x1e35a7bd) >>> shift;
      candidate = table[h];
      table[h] = ip;
      if (sv.getUint32(ip) === sv.getUint32(candidate)) break;
    }
    if (nextIp > ipLimit) break;

    op = emitLiteralWith(src, nextEmit, ip - nextEmit, dst, op, sv, dv);

    // Emit copies for as long as the next position matches too.
    for (;;) {
      const base = ip;
      let a = candidate + 4;
      let b = ip + 4;
      while (b <= end - 4 && sv.getUint32(a) === sv.getUint32(b)) {
        a += 4;
        b += 4;
      }
      while (b < end && src[a] === src[b]) {
        a++;
        b++;
      }
      ip = b;
      op = emitCopy(base - candidate, b - base, dst, op);
      nextEmit = ip;
      if (ip >= ipLimit) break;
      table[Math.imul(sv.getUint32(ip - 1), 0x1e35a7bd) >>> shift] = ip - 1;
      const h = Math.imul(sv.getUint32(ip), 0x1e35a7bd) >>> shift;
      candidate = table[h];
      table[h] = ip;
      if (sv.getUint32(ip) !== sv.getUint32(candidate)) break;
    }
    if (ip >= ipLimit) break;
    ip++;
    nextHash = Math.imul(sv.getUint32(ip), 0x1e35a7bd) >>> shift;
  }
  if (nextEmit < end) op = emitLiteral(src, nextEmit, end - nextEmit, dst, op);
  return op;
}

function emitLiteral(src: Uint8Array, sp: number, len: number, dst: Uint8Array, op: number) {
  return emitLiteralWith(src, sp, len, dst, op, null, null);
}

/** Like `emitLiteral`, with views for 8-byte copies when the buffers have room for junk. */
function emitLiteralWith(
  src: Uint8Array,
  sp: number,
  len: number,
  dst: Uint8Array,
  op: number,
  sv: DataView | null,
  dv: DataView | null,
) {
  if (len === 0) return op;
  const n = len - 1;
  if (n < 60) {
    dst[op++] = n << 2;
  } else if (n < 0x100) {
    dst[op++] = 60 << 2;
    dst[op++] = n;
  } else if (n < 0x1_0000) {
    dst[op++] = 61 << 2;
    dst[op++] = n;
    dst[op++] = n >>> 8;
  } else if (n < 0x100_0000) {
    dst[op++] = 62 << 2;
    dst[op++] = n;
    dst[op++] = n >>> 8;
    dst[op++] = n >>> 16;
  } else {
    dst[op++] = 63 << 2;
    dst[op++] = n;
    dst[op++] = n >>> 8;
    dst[op++] = n >>> 16;
    dst[op++] = n >>> 24;
  }
  if (
    sv !== null && dv !== null && len <= WILD_MAX && sp + WILD_MAX + WILD_MARGIN <= src.length &&
    op + WILD_MAX + WILD_MARGIN <= dst.length
  ) {
    wildCopy(sv, sp, dv, op, len);
  } else {
    copyBytes(src, sp, dst, op, len);
  }
  return op + len;
}

function emitCopy(offset: number, len: number, dst: Uint8Array, op: number): number {
  // Copy-2 elements hold at most 64 bytes; keep the remainder >= 4 so it stays encodable.
  while (len >= 68) {
    op = emitCopy2(offset, 64, dst, op);
    len -= 64;
  }
  if (len > 64) {
    op = emitCopy2(offset, 60, dst, op);
    len -= 60;
  }
  if (len < 12 && offset < 2048) {
    dst[op++] = 1 | ((len - 4) << 2) | ((offset >>> 8) << 5);
    dst[op++] = offset;
    return op;
  }
  return emitCopy2(offset, len, dst, op);
}

function emitCopy2(offset: number, len: number, dst: Uint8Array, op: number): number {
  dst[op++] = 2 | ((len - 1) << 2);
  dst[op++] = offset;
  dst[op++] = offset >>> 8;
  return op;
}
