/**
 * zstd, as Kafka's Java client writes it (zstd-jni streams): standard zstd frames. Wraps
 * `node:zlib`, adding what it lacks: a walk over the frame structure first, because zlib's
 * `zstdDecompressSync` returns partial output for a truncated frame and stops at a skippable
 * frame instead of failing or going on.
 *
 * @module
 */

import { constants, zstdCompressSync, zstdDecompressSync } from "node:zlib";
import { CompressionError, corruptError, outputLimitError, ownedBytes } from "./errors.ts";
import { mapZlibError } from "./gzip.ts";

const CODEC = "zstd";
const MAGIC = 0xfd2fb528;
const SKIPPABLE_MASK = 0xfffffff0;
const SKIPPABLE_MAGIC = 0x184d2a50;
/** Kafka's default `compression.zstd.level`. */
const DEFAULT_LEVEL = 3;
/** Kafka's accepted range (`Zstd.minCompressionLevel()` .. `Zstd.maxCompressionLevel()`). */
const MIN_LEVEL = -131072;
const MAX_LEVEL = 22;
/** A compressed block never regenerates more than this (format rule). */
const MAX_BLOCK_OUTPUT = 128 * 1024;

/**
 * Compresses `data` into one zstd frame.
 *
 * @param data the input
 * @param level -131072 to 22; default 3 as in Kafka
 * @returns the zstd frame
 * @throws {CompressionError} when the level is out of range
 * @example
 * ```ts
 * import { zstdCompress, zstdDecompress } from "./zstd.ts";
 *
 * const frame = zstdCompress(new TextEncoder().encode("hello hello hello"));
 * console.log(zstdDecompress(frame).length); // 17
 * ```
 */
export function zstdCompress(data: Uint8Array, level: number = DEFAULT_LEVEL): Uint8Array {
  if (!Number.isInteger(level) || level < MIN_LEVEL || level > MAX_LEVEL) {
    throw new CompressionError(
      "invalid-option",
      `Zstd level must be an integer from ${MIN_LEVEL} to ${MAX_LEVEL}, got ${level}`,
      { codec: CODEC },
    );
  }
  const params = { [constants.ZSTD_c_compressionLevel]: level };
  return ownedBytes(zstdCompressSync(data, { params }));
}

/** One regular frame found by `walkFrames`. */
interface FrameSpan {
  start: number;
  end: number;
}

/**
 * Decompresses one or more zstd frames; skippable frames are skipped (input holding only
 * skippable frames gives empty output).
 *
 * @param data the frames
 * @param maxOutputBytes the most output bytes allowed; declared content sizes are checked before
 *   decompression and zlib stops as soon as the output passes the limit
 * @returns the decompressed bytes
 * @throws {CompressionError} on corrupt or truncated input, or output over the limit
 * @example
 * ```ts
 * import { zstdCompress, zstdDecompress } from "./zstd.ts";
 *
 * console.log(zstdDecompress(zstdCompress(new Uint8Array(1000)), 1000).length); // 1000
 * ```
 */
export function zstdDecompress(
  data: Uint8Array,
  maxOutputBytes: number = Number.MAX_SAFE_INTEGER,
): Uint8Array {
  const frames = walkFrames(data, maxOutputBytes);
  const parts: Uint8Array[] = [];
  let total = 0;
  for (const frame of frames) {
    const room = maxOutputBytes - total;
    let part: Uint8Array;
    try {
      part = zstdDecompressSync(data.subarray(frame.start, frame.end), {
        // Node rejects a 0 limit; one byte more than allowed is still detected below.
        maxOutputLength: Math.max(1, Math.min(room, 0xffff_ffff)),
      });
    } catch (e) {
      throw mapZlibError(e, CODEC, maxOutputBytes);
    }
    if (part.length > room) throw outputLimitError(CODEC, maxOutputBytes);
    total += part.length;
    parts.push(part);
  }
  if (parts.length === 1) return ownedBytes(parts[0]);
  // Several frames (or only skippable ones): join them.
  const out = new Uint8Array(total);
  let op = 0;
  for (const part of parts) {
    out.set(part, op);
    op += part.length;
  }
  return out;
}

/**
 * Checks that `data` is a sequence of complete frames and returns the regular ones. Fails early
 * on declared content sizes over `limit`.
 */
function walkFrames(data: Uint8Array, limit: number): FrameSpan[] {
  if (data.length === 0) throw corruptError(CODEC, "input is empty");
  const frames: FrameSpan[] = [];
  let declared = 0;
  let pos = 0;
  while (pos < data.length) {
    if (data.length - pos < 4) {
      throw corruptError(CODEC, `${data.length - pos} stray bytes after the last frame`);
    }
    const magic = readUint32LE(data, pos);
    if ((magic & SKIPPABLE_MASK) >>> 0 === SKIPPABLE_MAGIC) {
      if (data.length - pos < 8) throw corruptError(CODEC, "skippable frame is truncated");
      const size = readUint32LE(data, pos + 4);
      if (size > data.length - pos - 8) throw corruptError(CODEC, "skippable frame is truncated");
      pos += 8 + size;
      continue;
    }
    if (magic !== MAGIC) {
      throw corruptError(
        CODEC,
        `bad magic 0x${magic.toString(16).padStart(8, "0")} at offset ${pos}`,
      );
    }
    const start = pos;
    pos += 4;
    if (pos >= data.length) throw corruptError(CODEC, "frame header is truncated");
    const fhd = data[pos++];
    if (fhd & 0x08) throw corruptError(CODEC, "reserved bit is set in the frame header");
    const singleSegment = (fhd & 0x20) !== 0;
    const fcsFlag = fhd >>> 6;
    const fcsSize = fcsFlag === 0 ? (singleSegment ? 1 : 0) : 1 << fcsFlag;
    const didSize = [0, 1, 2, 4][fhd & 3];
    const headerRest = (singleSegment ? 0 : 1) + didSize + fcsSize;
    if (headerRest > data.length - pos) throw corruptError(CODEC, "frame header is truncated");
    pos += headerRest;
    if (fcsSize > 0) {
      const p = pos - fcsSize;
      let size: number;
      if (fcsSize === 1) size = data[p];
      else if (fcsSize === 2) size = (data[p] | (data[p + 1] << 8)) + 256;
      else if (fcsSize === 4) size = readUint32LE(data, p);
      else size = readUint32LE(data, p) + readUint32LE(data, p + 4) * 2 ** 32;
      declared += size;
      if (declared > limit) throw outputLimitError(CODEC, limit, size);
    }
    // Blocks: a 3-byte header each, until the one flagged last.
    for (;;) {
      if (data.length - pos < 3) throw corruptError(CODEC, "block header is truncated");
      const header = data[pos] | (data[pos + 1] << 8) | (data[pos + 2] << 16);
      pos += 3;
      const type = (header >>> 1) & 3;
      const size = header >>> 3;
      if (type === 3) throw corruptError(CODEC, "reserved block type");
      if (type === 2 && size > MAX_BLOCK_OUTPUT) {
        throw corruptError(CODEC, `compressed block of ${size} bytes exceeds 128 KiB`);
      }
      const stored = type === 1 ? 1 : size;
      if (stored > data.length - pos) throw corruptError(CODEC, "block is truncated");
      pos += stored;
      if (header & 1) break;
    }
    if (fhd & 0x04) {
      if (data.length - pos < 4) throw corruptError(CODEC, "content checksum is truncated");
      pos += 4;
    }
    frames.push({ start, end: pos });
  }
  return frames;
}

function readUint32LE(b: Uint8Array, p: number): number {
  return (b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24)) >>> 0;
}
