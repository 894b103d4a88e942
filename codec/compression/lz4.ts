/**
 * The LZ4 frame format as Kafka writes it (`Lz4BlockOutputStream`): magic `0x184D2204` (LE),
 * FLG 0x60 (version 01, independent blocks, no checksums), BD 0x40 (64 KiB blocks), header
 * checksum, blocks of int32 LE size (high bit = stored uncompressed) + data, and a zero end mark.
 *
 * The reader also takes what other writers produce: content size, block and content checksums
 * (verified), linked blocks, skippable frames, several frames in a row, and the broken header
 * checksum of Kafka's magic v0/v1 message sets (which hashed the magic too).
 *
 * @module
 */

import { GrowableOutput, scratchBuffer, takeScratch } from "./buffers.ts";
import { CompressionError, corruptError, outputLimitError } from "./errors.ts";
import {
  LZ4_FAST,
  LZ4_OUTPUT_FULL,
  LZ4_THOROUGH,
  lz4CompressBlock,
  lz4DecompressBlock,
  lz4PrepareTable,
} from "./lz4_block.ts";
import { xxhash32 } from "./xxhash32.ts";

const CODEC = "lz4";
const MAGIC = 0x184d2204;
const SKIPPABLE_MASK = 0xfffffff0;
const SKIPPABLE_MAGIC = 0x184d2a50;
const LEGACY_MAGIC = 0x184c2102;
const BLOCK_SIZE = 64 * 1024;
/** FLG: version 01, block independence. */
const KAFKA_FLG = 0x60;
/** BD: 64 KiB maximum block size. */
const KAFKA_BD = 0x40;
const UNCOMPRESSED_BIT = 0x8000_0000;

const FLG_BLOCK_INDEPENDENCE = 0x20;
const FLG_BLOCK_CHECKSUM = 0x10;
const FLG_CONTENT_SIZE = 0x08;
const FLG_CONTENT_CHECKSUM = 0x04;
const FLG_RESERVED = 0x02;
const FLG_DICT_ID = 0x01;

/** The most an LZ4 sequence can expand: a 1-byte token plus offset copies up to ~255 bytes/byte. */
const MAX_EXPANSION = 255;

/**
 * Options for `lz4Compress`.
 *
 * @example
 * ```ts
 * import { lz4Compress, type Lz4CompressOptions } from "./lz4.ts";
 *
 * const options: Lz4CompressOptions = { level: 9 };
 * lz4Compress(new Uint8Array(100), options);
 * ```
 */
export interface Lz4CompressOptions {
  /**
   * Kafka's `compression.lz4.level` (1-17, Kafka's default 9). Brook has one fast compressor:
   * levels up to 2 (and no level) use the fast settings, 3 and up a larger table and a full
   * search, which trades speed for a few percent of ratio. Either output is a valid frame.
   */
  level?: number;
}

/**
 * Compresses `data` into one LZ4 frame exactly as Kafka's Java client lays it out (64 KiB
 * independent blocks, no checksums, a block that does not shrink is stored).
 *
 * @param data the input
 * @param options compression level
 * @returns the frame
 * @example
 * ```ts
 * import { lz4Compress, lz4Decompress } from "./lz4.ts";
 *
 * const frame = lz4Compress(new TextEncoder().encode("to be or not to be, to be or not"));
 * console.log(lz4Decompress(frame).length); // 32
 * ```
 */
export function lz4Compress(data: Uint8Array, options: Lz4CompressOptions = {}): Uint8Array {
  const level = options.level;
  if (level !== undefined && (!Number.isInteger(level) || level < 1 || level > 17)) {
    throw new CompressionError(
      "invalid-option",
      `LZ4 level must be an integer from 1 to 17, got ${level}`,
      { codec: CODEC },
    );
  }
  const tuning = level !== undefined && level >= 3 ? LZ4_THOROUGH : LZ4_FAST;
  const blocks = Math.ceil(data.length / BLOCK_SIZE);
  const out = scratchBuffer(7 + blocks * (4 + BLOCK_SIZE) + 4);
  writeInt32LE(out, 0, MAGIC);
  out[4] = KAFKA_FLG;
  out[5] = KAFKA_BD;
  out[6] = (xxhash32(out, 0, 4, 6) >>> 8) & 0xff;
  let op = 7;
  const bits = lz4PrepareTable(data.length, tuning);
  for (let ip = 0; ip < data.length; ip += BLOCK_SIZE) {
    const end = Math.min(ip + BLOCK_SIZE, data.length);
    const len = end - ip;
    // Only keep the compressed form when it is strictly smaller, as Kafka does.
    const n = lz4CompressBlock(
      data,
      ip,
      end,
      out,
      op + 4,
      op + 4 + len - 1,
      bits,
      tuning.skipShift,
    );
    if (n > 0 && n < len) {
      writeInt32LE(out, op, n);
      op += 4 + n;
    } else {
      writeInt32LE(out, op, len | UNCOMPRESSED_BIT);
      out.set(data.subarray(ip, end), op + 4);
      op += 4 + len;
    }
  }
  writeInt32LE(out, op, 0);
  op += 4;
  return takeScratch(out, op);
}

/**
 * Decompresses one or more LZ4 frames (skippable frames are skipped).
 *
 * @param data the frames
 * @param maxOutputBytes the most output bytes allowed; a declared content size over it fails
 *   before allocation, and the output grows only up to it
 * @returns the decompressed bytes
 * @throws {CompressionError} on corrupt input, an unsupported feature (dictionary IDs, the
 *   legacy frame) or output over the limit
 * @example
 * ```ts
 * import { lz4Compress, lz4Decompress } from "./lz4.ts";
 *
 * const data = new Uint8Array(200_000).fill(3);
 * console.log(lz4Decompress(lz4Compress(data)).length); // 200000
 * ```
 */
export function lz4Decompress(
  data: Uint8Array,
  maxOutputBytes: number = Number.MAX_SAFE_INTEGER,
): Uint8Array {
  if (data.length < 4) throw corruptError(CODEC, "input is too short for a frame");
  const out = new GrowableOutput(CODEC, maxOutputBytes, initialCapacity(data, maxOutputBytes));
  let pos = 0;
  let frames = 0;
  while (pos < data.length) {
    if (data.length - pos < 4) {
      throw corruptError(CODEC, `${data.length - pos} stray bytes after the last frame`);
    }
    const magic = readInt32LE(data, pos) >>> 0;
    if ((magic & SKIPPABLE_MASK) >>> 0 === SKIPPABLE_MAGIC) {
      if (data.length - pos < 8) throw corruptError(CODEC, "skippable frame is truncated");
      const size = readInt32LE(data, pos + 4) >>> 0;
      if (size > data.length - pos - 8) throw corruptError(CODEC, "skippable frame is truncated");
      pos += 8 + size;
      continue;
    }
    if (magic !== MAGIC) {
      if (magic === LEGACY_MAGIC) {
        throw new CompressionError(
          "unsupported",
          "The legacy LZ4 frame format (magic 0x184C2102) is not supported",
          { codec: CODEC },
        );
      }
      throw corruptError(
        CODEC,
        `bad magic 0x${magic.toString(16).padStart(8, "0")} at offset ${pos}` +
          (frames === 0 ? "" : " after the last frame"),
      );
    }
    pos = readFrame(data, pos, out);
    frames++;
  }
  if (frames === 0) throw corruptError(CODEC, "no LZ4 frame found");
  return out.finish();
}

/**
 * The first output buffer size. A quick walk over the first frame's block headers gives an upper
 * bound that is nearly exact for Kafka's frames (every block but the last holds 64 KiB), which
 * saves growing and copying; when that fails or passes the limit, guess and grow.
 */
function initialCapacity(data: Uint8Array, limit: number): number {
  const bound = frameOutputBound(data);
  if (bound >= 0 && bound <= limit) return bound;
  return Math.min(limit, Math.max(BLOCK_SIZE, Math.min(data.length * 4, 16 * 1024 * 1024)));
}

/** Upper bound of the first frame's output, or -1 if its structure is unusual or broken. */
function frameOutputBound(data: Uint8Array): number {
  if (data.length < 7 || readInt32LE(data, 0) >>> 0 !== MAGIC) return -1;
  const flg = data[4];
  if (flg & FLG_DICT_ID) return -1;
  if (flg & FLG_CONTENT_SIZE) {
    if (data.length < 14) return -1;
    return (readInt32LE(data, 6) >>> 0) + (readInt32LE(data, 10) >>> 0) * 2 ** 32;
  }
  const blockMax = 1 << (8 + 2 * ((data[5] >>> 4) & 7));
  const extra = flg & FLG_BLOCK_CHECKSUM ? 4 : 0;
  let bound = 0;
  for (let pos = 7; pos + 4 <= data.length;) {
    const word = readInt32LE(data, pos) >>> 0;
    if (word === 0) return bound;
    const size = word & 0x7fff_ffff;
    bound += word & UNCOMPRESSED_BIT ? size : Math.min(blockMax, size * MAX_EXPANSION + 16);
    pos += 4 + size + extra;
  }
  return -1;
}

/** Decodes the frame whose magic is at `start`; returns the offset after it. */
function readFrame(data: Uint8Array, start: number, out: GrowableOutput): number {
  let pos = start + 4;
  if (data.length - pos < 3) throw corruptError(CODEC, "frame descriptor is truncated");
  const flg = data[pos];
  const bd = data[pos + 1];
  if (flg >>> 6 !== 1) {
    throw new CompressionError(
      "unsupported",
      `LZ4 frame version ${flg >>> 6} is not supported, only version 1`,
      { codec: CODEC },
    );
  }
  if (flg & FLG_RESERVED || bd & 0x8f) {
    throw corruptError(CODEC, "reserved bits are set in the frame descriptor");
  }
  const blockSizeId = (bd >>> 4) & 7;
  if (blockSizeId < 4) throw corruptError(CODEC, `invalid block size id ${blockSizeId}`);
  const blockMax = 1 << (8 + 2 * blockSizeId);
  const independent = (flg & FLG_BLOCK_INDEPENDENCE) !== 0;
  const blockChecksum = (flg & FLG_BLOCK_CHECKSUM) !== 0;
  const contentChecksum = (flg & FLG_CONTENT_CHECKSUM) !== 0;
  const descriptorEnd = pos + 2 + (flg & FLG_CONTENT_SIZE ? 8 : 0) + (flg & FLG_DICT_ID ? 4 : 0);
  if (descriptorEnd >= data.length) throw corruptError(CODEC, "frame descriptor is truncated");
  let contentSize = -1;
  if (flg & FLG_CONTENT_SIZE) {
    contentSize = (readInt32LE(data, pos + 2) >>> 0) + (readInt32LE(data, pos + 6) >>> 0) * 2 ** 32;
    if (out.length + contentSize > out.limit) {
      throw outputLimitError(CODEC, out.limit, contentSize);
    }
  }
  if (flg & FLG_DICT_ID) {
    throw new CompressionError(
      "unsupported",
      "LZ4 frames with a dictionary ID are not supported",
      { codec: CODEC },
    );
  }
  const hc = data[descriptorEnd];
  if (
    hc !== ((xxhash32(data, 0, pos, descriptorEnd) >>> 8) & 0xff) &&
    // Kafka's magic v0/v1 writer hashed from the magic on; such frames still exist in old logs.
    hc !== ((xxhash32(data, 0, start, descriptorEnd) >>> 8) & 0xff)
  ) {
    throw corruptError(CODEC, "frame header checksum mismatch");
  }
  pos = descriptorEnd + 1;
  if (contentSize >= 0) out.reserve(contentSize);

  const frameStart = out.length;
  for (;;) {
    if (data.length - pos < 4) throw corruptError(CODEC, "frame is truncated before its end mark");
    const word = readInt32LE(data, pos) >>> 0;
    pos += 4;
    if (word === 0) break;
    const stored = (word & UNCOMPRESSED_BIT) !== 0;
    const size = word & 0x7fff_ffff;
    if (size > blockMax) {
      throw corruptError(CODEC, `block of ${size} bytes exceeds the frame's ${blockMax} limit`);
    }
    const checksumBytes = blockChecksum ? 4 : 0;
    if (size + checksumBytes > data.length - pos) throw corruptError(CODEC, "block is truncated");
    if (
      blockChecksum && xxhash32(data, 0, pos, pos + size) !== readInt32LE(data, pos + size) >>> 0
    ) {
      throw corruptError(CODEC, "block checksum mismatch");
    }
    if (stored) {
      if (contentSize >= 0 && out.length + size > frameStart + contentSize) {
        throw corruptError(CODEC, `frame holds more than its declared ${contentSize} bytes`);
      }
      out.reserve(size);
      out.bytes.set(data.subarray(pos, pos + size), out.length);
      out.length += size;
    } else {
      const bound = Math.min(blockMax, size * MAX_EXPANSION + 16);
      // With a declared content size the space is already reserved: never grow past it.
      const end = contentSize >= 0
        ? Math.min(frameStart + contentSize, out.length + bound)
        : out.reserveUpTo(bound);
      const low = independent ? out.length : Math.max(frameStart, out.length - 65535);
      const n = lz4DecompressBlock(data, pos, pos + size, out.bytes, out.length, end, low);
      if (n === LZ4_OUTPUT_FULL) {
        if (contentSize >= 0 && end === frameStart + contentSize) {
          throw corruptError(CODEC, `frame holds more than its declared ${contentSize} bytes`);
        }
        if (end === out.limit) out.overLimit();
        throw corruptError(CODEC, `block decodes to more than the frame's ${blockMax} limit`);
      }
      out.length = n;
    }
    pos += size + checksumBytes;
  }
  const produced = out.length - frameStart;
  if (contentSize >= 0 && produced !== contentSize) {
    throw corruptError(CODEC, `frame declares ${contentSize} bytes but holds ${produced}`);
  }
  if (contentChecksum) {
    if (data.length - pos < 4) throw corruptError(CODEC, "content checksum is truncated");
    const actual = xxhash32(out.bytes, 0, frameStart, out.length);
    if (actual !== readInt32LE(data, pos) >>> 0) {
      throw corruptError(CODEC, "content checksum mismatch");
    }
    pos += 4;
  }
  return pos;
}

function readInt32LE(b: Uint8Array, p: number): number {
  return b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24);
}

function writeInt32LE(b: Uint8Array, p: number, v: number): void {
  b[p] = v;
  b[p + 1] = v >>> 8;
  b[p + 2] = v >>> 16;
  b[p + 3] = v >>> 24;
}
