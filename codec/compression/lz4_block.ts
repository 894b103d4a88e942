/**
 * The LZ4 block format: sequences of (token, literal-length bytes, literals, 2-byte offset,
 * match-length bytes). Used by the frame format in `lz4.ts`.
 *
 * @module
 */

import { copyBytes, copyMatch, viewOf, WILD_MARGIN, WILD_MAX, wildCopy } from "./buffers.ts";
import { corruptError } from "./errors.ts";

const CODEC = "lz4";
const MIN_MATCH = 4;
/** The last 5 bytes of a block are always literals (format rule). */
const LAST_LITERALS = 5;
/** The last match must start at least 12 bytes before the block end (format rule). */
const MF_LIMIT = 12;
const MAX_OFFSET = 65535;
const MAX_TABLE_BITS = 16;

/**
 * Returned by `lz4DecompressBlock` when the output would pass `dEnd`.
 *
 * @example
 * ```ts
 * import { LZ4_OUTPUT_FULL, lz4DecompressBlock } from "./lz4_block.ts";
 *
 * // Three literals do not fit in two bytes of output.
 * const n = lz4DecompressBlock(new Uint8Array([0x30, 1, 2, 3]), 0, 4, new Uint8Array(2), 0, 2, 0);
 * console.log(n === LZ4_OUTPUT_FULL); // true
 * ```
 */
export const LZ4_OUTPUT_FULL = -1;

// Reused between calls: cleared per call (for deterministic output), never re-entered.
const hashTable = new Int32Array(1 << MAX_TABLE_BITS);

/**
 * Tuning for `lz4CompressBlock`.
 *
 * @example
 * ```ts
 * import type { Lz4BlockOptions } from "./lz4_block.ts";
 *
 * const middle: Lz4BlockOptions = { tableBits: 14, skipShift: 8 };
 * ```
 */
export interface Lz4BlockOptions {
  /** Hash table size as a power of two (8-16). Larger finds more matches but clears slower. */
  tableBits: number;
  /** Misses before the search stride grows by one, as a power of two; 30 means never. */
  skipShift: number;
}

/**
 * Fast settings, close to the reference `LZ4_compress_default`.
 *
 * @example
 * ```ts
 * import { LZ4_FAST, lz4PrepareTable } from "./lz4_block.ts";
 *
 * const bits = lz4PrepareTable(1 << 20, LZ4_FAST); // 12
 * ```
 */
export const LZ4_FAST: Lz4BlockOptions = { tableBits: 12, skipShift: 6 };

/**
 * Slower settings with a larger table and no skipping: better ratio.
 *
 * @example
 * ```ts
 * import { LZ4_THOROUGH, lz4PrepareTable } from "./lz4_block.ts";
 *
 * const bits = lz4PrepareTable(1 << 20, LZ4_THOROUGH); // 16
 * ```
 */
export const LZ4_THOROUGH: Lz4BlockOptions = { tableBits: 16, skipShift: 30 };

/**
 * Prepares the shared hash table for a new input of `length` bytes; call once before the
 * `lz4CompressBlock` calls for that input.
 *
 * @param length total input length
 * @param options tuning
 * @returns the table bits to pass to `lz4CompressBlock`
 * @example
 * ```ts
 * import { LZ4_FAST, lz4PrepareTable } from "./lz4_block.ts";
 *
 * console.log(lz4PrepareTable(100, LZ4_FAST)); // 8
 * ```
 */
export function lz4PrepareTable(length: number, options: Lz4BlockOptions): number {
  let bits = 8;
  while (bits < options.tableBits && 1 << bits < length) bits++;
  // Reset per input (-1 = empty, never a valid position) so output never depends on earlier calls.
  hashTable.fill(-1, 0, 1 << bits);
  return bits;
}

/**
 * Compresses `src[start..end)` as one LZ4 block into `dst[op..opLimit)`. Matches never reach
 * before `start`, so blocks are independent.
 *
 * @param src input
 * @param start block start
 * @param end block end
 * @param dst output
 * @param op where to write
 * @param opLimit write no further than this
 * @param tableBits from `lz4PrepareTable`
 * @param skipShift from the options
 * @returns bytes written, or 0 when the block does not fit below `opLimit`
 * @example
 * ```ts
 * import { LZ4_FAST, lz4CompressBlock, lz4PrepareTable } from "./lz4_block.ts";
 *
 * const src = new Uint8Array(1000).fill(1);
 * const dst = new Uint8Array(1000);
 * const bits = lz4PrepareTable(src.length, LZ4_FAST);
 * console.log(lz4CompressBlock(src, 0, 1000, dst, 0, 1000, bits, LZ4_FAST.skipShift) > 0);
 * ```
 */
export function lz4CompressBlock(
  src: Uint8Array,
  start: number,
  end: number,
  dst: Uint8Array,
  op: number,
  opLimit: number,
  tableBits: number,
  skipShift: number,
): number {
  const op0 = op;
  const sv = viewOf(src);
  const dv = viewOf(dst);
  // Wild copies of literals may write junk past `op`, but never past `dst`'s end; later
  // sequences overwrite it, and the caller never reads past the returned length.
  const sSafe = src.length - WILD_MAX - WILD_MARGIN;
  const dSafe = dst.length - WILD_MAX - WILD_MARGIN;
  const table = hashTable;
  const shift = 32 - tableBits;
  let anchor = start;

  if (end - start >= MF_LIMIT + 1) {
    const mfLimit = end - MF_LIMIT;
    const matchLimit = end - LAST_LITERALS;
    let ip = start;
    table[Math.imul(sv.getUint32(ip), 0x9e3779b1) >>> shift] = ip;
    ip++;

    for (;;) {
      // Find a match; the stride grows after every 2^skipShift misses.
      let ref = -1;
      let searchCount = 1 << skipShift;
      let forward = ip;
      for (;;) {
        ip = forward;
        if (ip > mfLimit) break;
        forward = ip + (searchCount++ >>> skipShift);
        const h = Math.imul(sv.getUint32(ip), 0x9e3779b1) >>> shift;
        ref = table[h];
        table[h] = ip;
        if (
          ref >= start && ip - ref <= MAX_OFFSET && ref < ip &&
          sv.getUint32(ref) === sv.getUint32(ip)
        ) break;
      }
      if (ip > mfLimit) break;
      // Extend backwards over literals that also match.
      while (ip > anchor && ref > start && src[ip - 1] === src[ref - 1]) {
        ip--;
        ref--;
      }
      const litLen = ip - anchor;
      if (op + litLen + Math.floor(litLen / 255) + 2 + 1 + LAST_LITERALS > opLimit) return 0;
      let tokenPos = op++;
      let token: number;
      if (litLen >= 15) {
        token = 15 << 4;
        let rest = litLen - 15;
        while (rest >= 255) {
          dst[op++] = 255;
          rest -= 255;
        }
        dst[op++] = rest;
      } else {
        token = litLen << 4;
      }
      if (litLen <= WILD_MAX && anchor <= sSafe && op <= dSafe) {
        wildCopy(sv, anchor, dv, op, litLen);
      } else {
        copyBytes(src, anchor, dst, op, litLen);
      }
      op += litLen;

      for (;;) {
        // Emit the match at `ip` against `ref`.
        const offset = ip - ref;
        dst[op++] = offset;
        dst[op++] = offset >>> 8;
        let a = ref + MIN_MATCH;
        let b = ip + MIN_MATCH;
        while (b <= matchLimit - 4 && sv.getUint32(a) === sv.getUint32(b)) {
          a += 4;
          b += 4;
        }
        while (b < matchLimit && src[a] === src[b]) {
          a++;
          b++;
        }
        let mLen = b - ip - MIN_MATCH;
        ip = b;
        if (op + Math.floor(mLen / 255) + 1 + LAST_LITERALS > opLimit) return 0;
        if (mLen >= 15) {
          token |= 15;
          mLen -= 15;
          while (mLen >= 255) {
            dst[op++] = 255;
            mLen -= 255;
          }
          dst[op++] = mLen;
        } else {
          token |= mLen;
        }
        dst[tokenPos] = token;
        anchor = ip;
        if (ip > mfLimit) break;

        table[Math.imul(sv.getUint32(ip - 2), 0x9e3779b1) >>> shift] = ip - 2;
        // An immediate match at the new position needs no literals.
        const h = Math.imul(sv.getUint32(ip), 0x9e3779b1) >>> shift;
        ref = table[h];
        table[h] = ip;
        if (
          !(ref >= start && ip - ref <= MAX_OFFSET && ref < ip &&
            sv.getUint32(ref) === sv.getUint32(ip))
        ) break;
        if (op + 1 + 2 + LAST_LITERALS > opLimit) return 0;
        tokenPos = op++;
        token = 0;
      }
      if (ip > mfLimit) break;
      ip++;
    }
  }

  // The remaining bytes go out as a final literal-only sequence.
  const lastRun = end - anchor;
  if (op + 1 + lastRun + Math.floor((lastRun + 255 - 15) / 255) > opLimit) return 0;
  if (lastRun >= 15) {
    dst[op++] = 15 << 4;
    let rest = lastRun - 15;
    while (rest >= 255) {
      dst[op++] = 255;
      rest -= 255;
    }
    dst[op++] = rest;
  } else {
    dst[op++] = lastRun << 4;
  }
  copyBytes(src, anchor, dst, op, lastRun);
  op += lastRun;
  return op - op0;
}

/**
 * Decompresses the LZ4 block `src[sp..sEnd)` into `dst[dp..dEnd)`. Matches may reach back to
 * `dLow`: the block start for independent blocks, or earlier output for linked blocks.
 *
 * @param src input
 * @param sp block start
 * @param sEnd block end
 * @param dst output
 * @param dp where to write
 * @param dEnd write no further than this
 * @param dLow lowest offset a match may copy from
 * @returns the new output offset, or `LZ4_OUTPUT_FULL` if the output would pass `dEnd`
 * @throws {CompressionError} on corrupt input
 * @example
 * ```ts
 * import { lz4DecompressBlock } from "./lz4_block.ts";
 *
 * // One literal-only sequence: token 0x30 (3 literals), "abc".
 * const out = new Uint8Array(3);
 * lz4DecompressBlock(new Uint8Array([0x30, 97, 98, 99]), 0, 4, out, 0, 3, 0); // 3
 * ```
 */
export function lz4DecompressBlock(
  src: Uint8Array,
  sp: number,
  sEnd: number,
  dst: Uint8Array,
  dp: number,
  dEnd: number,
  dLow: number,
): number {
  const sView = viewOf(src);
  const dView = viewOf(dst);
  // Below these offsets a wild copy cannot run off either buffer.
  const sSafe = src.length - WILD_MAX - WILD_MARGIN;
  const dSafe = dst.length - WILD_MAX - WILD_MARGIN;
  for (;;) {
    if (sp >= sEnd) throw corruptError(CODEC, "block is truncated");
    const token = src[sp++];
    let litLen = token >>> 4;
    if (litLen === 15) {
      let b: number;
      do {
        if (sp >= sEnd) throw corruptError(CODEC, "literal length is truncated");
        b = src[sp++];
        litLen += b;
      } while (b === 255);
    }
    if (litLen > sEnd - sp) throw corruptError(CODEC, "literals run past the end of the block");
    if (litLen > dEnd - dp) return LZ4_OUTPUT_FULL;
    if (litLen <= WILD_MAX && sp <= sSafe && dp <= dSafe) wildCopy(sView, sp, dView, dp, litLen);
    else copyBytes(src, sp, dst, dp, litLen);
    sp += litLen;
    dp += litLen;
    // The last sequence has literals only.
    if (sp === sEnd) return dp;

    if (sp + 2 > sEnd) throw corruptError(CODEC, "match offset is truncated");
    const offset = src[sp] | (src[sp + 1] << 8);
    sp += 2;
    if (offset === 0 || offset > dp - dLow) {
      throw corruptError(CODEC, `match offset ${offset} points outside the output`);
    }
    let mLen = token & 15;
    if (mLen === 15) {
      let b: number;
      do {
        if (sp >= sEnd) throw corruptError(CODEC, "match length is truncated");
        b = src[sp++];
        mLen += b;
      } while (b === 255);
    }
    mLen += MIN_MATCH;
    if (mLen > dEnd - dp) return LZ4_OUTPUT_FULL;
    if (offset >= 8 && mLen <= WILD_MAX && dp <= dSafe) {
      wildCopy(dView, dp - offset, dView, dp, mLen);
    } else {
      copyMatch(dst, dp, offset, mLen);
    }
    dp += mLen;
  }
}
