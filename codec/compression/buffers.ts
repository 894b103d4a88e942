/**
 * Byte-copy helpers and output buffers shared by the Snappy and LZ4 codecs.
 *
 * @module
 */

import { outputLimitError } from "./errors.ts";

/** Below this many bytes a plain loop beats the call overhead of `set`/`copyWithin`. */
const SHORT_COPY = 32;

/**
 * Copies `len` bytes from `src[sp..]` to `dst[dp..]` (the ranges must not overlap).
 *
 * @param src source bytes
 * @param sp source offset
 * @param dst destination bytes
 * @param dp destination offset
 * @param len number of bytes
 * @example
 * ```ts
 * import { copyBytes } from "./buffers.ts";
 *
 * const out = new Uint8Array(3);
 * copyBytes(new Uint8Array([1, 2, 3]), 0, out, 0, 3);
 * ```
 */
export function copyBytes(
  src: Uint8Array,
  sp: number,
  dst: Uint8Array,
  dp: number,
  len: number,
): void {
  if (len < SHORT_COPY) {
    for (let i = 0; i < len; i++) dst[dp + i] = src[sp + i];
  } else {
    dst.set(src.subarray(sp, sp + len), dp);
  }
}

/**
 * Appends `len` bytes that start `offset` bytes back in `dst`, as an LZ77 back-reference does.
 * When `offset < len` the copy overlaps itself and repeats the last `offset` bytes.
 *
 * @param dst output buffer, already holding at least `offset` bytes before `dp`
 * @param dp where the copy goes
 * @param offset distance back, at least 1
 * @param len number of bytes to produce
 * @example
 * ```ts
 * import { copyMatch } from "./buffers.ts";
 *
 * const out = new Uint8Array([7, 0, 0, 0]);
 * copyMatch(out, 1, 1, 3); // out is now 7, 7, 7, 7
 * ```
 */
export function copyMatch(dst: Uint8Array, dp: number, offset: number, len: number): void {
  const sp = dp - offset;
  if (len < SHORT_COPY) {
    // Forward byte order gives the overlapping-repeat semantics for free.
    for (let i = 0; i < len; i++) dst[dp + i] = dst[sp + i];
  } else if (offset >= len) {
    dst.copyWithin(dp, sp, sp + len);
  } else {
    // The output repeats with period `offset`: copy whole periods from `sp`, doubling each time.
    let done = 0;
    while (done < len) {
      const n = Math.min(offset + done, len - done);
      dst.copyWithin(dp + done, sp, sp + n);
      done += n;
    }
  }
}

/**
 * Bytes a wild copy may touch past its end. Callers check `pos + len + WILD_MARGIN <= length` on
 * both buffers before using {@link wildCopy}.
 *
 * @example
 * ```ts
 * import { WILD_MARGIN, WILD_MAX } from "./buffers.ts";
 *
 * const dst = new Uint8Array(100);
 * const canWild = (dp: number) => dp <= dst.length - WILD_MAX - WILD_MARGIN;
 * ```
 */
export const WILD_MARGIN = 8;

/**
 * Longest copy worth doing 8 bytes at a time; longer ones use `set`/`copyWithin`.
 *
 * @example
 * ```ts
 * import { WILD_MAX } from "./buffers.ts";
 *
 * console.log(WILD_MAX); // 48
 * ```
 */
export const WILD_MAX = 48;

/**
 * Copies `len` bytes 8 at a time with unaligned 32-bit reads and writes, possibly writing up to
 * 7 bytes of junk past `dp + len` (the caller overwrites them later or never exposes them).
 * For a back-reference in the same buffer the distance must be at least 8.
 *
 * @param src view of the source bytes
 * @param sp source offset
 * @param dst view of the destination bytes
 * @param dp destination offset
 * @param len number of bytes
 * @example
 * ```ts
 * import { wildCopy } from "./buffers.ts";
 *
 * const a = new Uint8Array(16).fill(1);
 * const b = new Uint8Array(16);
 * wildCopy(new DataView(a.buffer), 0, new DataView(b.buffer), 0, 3); // b[0..3) is 1, 1, 1
 * ```
 */
export function wildCopy(src: DataView, sp: number, dst: DataView, dp: number, len: number): void {
  for (let i = 0; i < len; i += 8) {
    dst.setUint32(dp + i, src.getUint32(sp + i));
    dst.setUint32(dp + i + 4, src.getUint32(sp + i + 4));
  }
}

/**
 * A DataView over exactly the bytes of `b`.
 *
 * @param b a byte array
 * @returns the view
 * @example
 * ```ts
 * import { viewOf } from "./buffers.ts";
 *
 * console.log(viewOf(new Uint8Array(4)).byteLength); // 4
 * ```
 */
export function viewOf(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}

/** Scratch buffers larger than this are not kept between calls. */
const MAX_KEPT_SCRATCH = 4 * 1024 * 1024;
let keptScratch = new Uint8Array(0);

/**
 * Returns a buffer of at least `size` bytes for compressor output, reused between calls when
 * small enough. The caller copies the result out before returning; nothing here is re-entrant,
 * which is fine because every codec runs synchronously.
 *
 * @param size the bytes needed
 * @returns a buffer with `length >= size` and unspecified contents
 * @example
 * ```ts
 * import { scratchBuffer } from "./buffers.ts";
 *
 * const buf = scratchBuffer(100);
 * console.log(buf.length >= 100); // true
 * ```
 */
export function scratchBuffer(size: number): Uint8Array {
  if (size > MAX_KEPT_SCRATCH) return new Uint8Array(size);
  if (keptScratch.length < size) {
    keptScratch = new Uint8Array(
      Math.min(MAX_KEPT_SCRATCH, Math.max(size, keptScratch.length * 2)),
    );
  }
  return keptScratch;
}

/**
 * Copies the first `length` bytes out of a buffer from {@link scratchBuffer} into an array that
 * owns its memory; a one-off (large) scratch buffer is shrunk in place instead of copied.
 *
 * @param scratch the buffer `scratchBuffer` returned
 * @param length bytes written
 * @returns the result
 * @example
 * ```ts
 * import { scratchBuffer, takeScratch } from "./buffers.ts";
 *
 * const buf = scratchBuffer(10);
 * buf[0] = 1;
 * console.log(takeScratch(buf, 1)); // Uint8Array(1) [ 1 ]
 * ```
 */
export function takeScratch(scratch: Uint8Array, length: number): Uint8Array {
  if (scratch === keptScratch) return scratch.slice(0, length);
  return new Uint8Array((scratch.buffer as ArrayBuffer).transfer(length));
}

/**
 * A decompression output that grows by doubling but never past the caller's limit, so a
 * decompression bomb fails before it allocates more than the limit.
 *
 * @example
 * ```ts
 * import { GrowableOutput } from "./buffers.ts";
 *
 * const out = new GrowableOutput("lz4", 1024, 16);
 * out.reserve(10);
 * out.bytes[out.length++] = 42;
 * console.log(out.finish()); // Uint8Array [ 42 ]
 * ```
 */
export class GrowableOutput {
  /** The current backing buffer; it is replaced when it grows. */
  bytes: Uint8Array;
  /** Bytes written so far. */
  length = 0;
  readonly #codec: string;
  readonly #limit: number;

  /**
   * @param codec codec name for error messages
   * @param limit the most bytes the output may hold
   * @param initial the first buffer's size (capped at `limit`)
   */
  constructor(codec: string, limit: number, initial: number) {
    this.#codec = codec;
    this.#limit = limit;
    this.bytes = new Uint8Array(Math.min(limit, initial));
  }

  /** The output limit. */
  get limit(): number {
    return this.#limit;
  }

  /**
   * Makes room for `n` more bytes, or throws the output-limit error.
   *
   * @param n bytes about to be written
   */
  reserve(n: number): void {
    const need = this.length + n;
    if (need > this.#limit) throw outputLimitError(this.#codec, this.#limit);
    if (need > this.bytes.length) this.#grow(need);
  }

  /**
   * Makes room for up to `n` more bytes, stopping at the limit instead of throwing; for blocks
   * whose decoded size is only known as an upper bound.
   *
   * @param n the most bytes about to be written
   * @returns the end offset up to which writing is allowed
   */
  reserveUpTo(n: number): number {
    const need = Math.min(this.length + n, this.#limit);
    if (need > this.bytes.length) this.#grow(need);
    return need;
  }

  /** Throws the output-limit error for this output. */
  overLimit(): never {
    throw outputLimitError(this.#codec, this.#limit);
  }

  /**
   * Returns the written bytes as an exact-size array.
   *
   * @returns the output
   */
  finish(): Uint8Array {
    // An exact fit is handed over as is; otherwise shrink so no slack stays reachable.
    // (`transfer` can resize in place, which beats allocating a copy.)
    return this.length === this.bytes.length
      ? this.bytes
      : new Uint8Array((this.bytes.buffer as ArrayBuffer).transfer(this.length));
  }

  #grow(need: number): void {
    const size = Math.min(this.#limit, Math.max(need, this.bytes.length * 2, 1024));
    const next = new Uint8Array(size);
    next.set(this.bytes.subarray(0, this.length));
    this.bytes = next;
  }
}
