/**
 * The error type every codec in this folder throws, and small helpers shared by them.
 *
 * @module
 */

/**
 * What went wrong, in a form code can branch on.
 *
 * @example
 * ```ts
 * import type { CompressionErrorCode } from "./errors.ts";
 *
 * const retryable = (code: CompressionErrorCode) => code === "output-limit";
 * ```
 */
export type CompressionErrorCode =
  /** The input is not a valid stream for the codec (bad magic, truncated, checksum mismatch...). */
  | "corrupt-input"
  /** The decompressed output would be larger than the caller's `maxOutputBytes`. */
  | "output-limit"
  /** The codec id is not one Kafka defines, or the stream uses a feature Brook does not support. */
  | "unsupported"
  /** An option such as `level` is out of range. */
  | "invalid-option";

/**
 * Thrown by `compress` and `decompress` for corrupt input, output over the limit, unknown codecs
 * and bad options. No other error type escapes these functions.
 *
 * @example
 * ```ts
 * import { CompressionCodec, CompressionError, decompress } from "./mod.ts";
 *
 * try {
 *   decompress(CompressionCodec.Snappy, new Uint8Array([0xff]));
 * } catch (e) {
 *   if (e instanceof CompressionError) console.log(e.code, e.message);
 * }
 * ```
 */
export class CompressionError extends Error {
  /** Machine-readable reason. */
  readonly code: CompressionErrorCode;
  /** The codec name (`"snappy"`, `"lz4"`, ...) or `undefined` when no codec applies. */
  readonly codec: string | undefined;

  /**
   * Creates the error.
   *
   * @param code machine-readable reason
   * @param message a sentence-case description
   * @param options the codec name, when one applies, and the standard `cause`
   * @example
   * ```ts
   * import { CompressionError } from "./errors.ts";
   *
   * const e = new CompressionError("corrupt-input", "Snappy input is truncated", { codec: "snappy" });
   * console.log(e.code); // "corrupt-input"
   * ```
   */
  constructor(
    code: CompressionErrorCode,
    message: string,
    options: { codec?: string; cause?: unknown } = {},
  ) {
    const { codec } = options;
    super(message, "cause" in options ? { cause: options.cause } : undefined);
    this.name = "CompressionError";
    this.code = code;
    this.codec = codec;
  }
}

/**
 * The default cap on decompressed output: 64 MiB. Kafka's default `message.max.bytes` is about
 * 1 MiB of compressed data, so 64 MiB leaves room for very compressible batches while keeping
 * a malicious batch from exhausting memory. Callers with larger batches pass `maxOutputBytes`.
 *
 * @example
 * ```ts
 * import { DEFAULT_MAX_OUTPUT_BYTES } from "./errors.ts";
 *
 * console.log(DEFAULT_MAX_OUTPUT_BYTES === 64 * 1024 * 1024); // true
 * ```
 */
export const DEFAULT_MAX_OUTPUT_BYTES = 64 * 1024 * 1024;

/** Hard ceiling: typed arrays in V8 cannot be larger than this many bytes (2^32 - 1 is safe). */
const MAX_SUPPORTED_OUTPUT = 0xffff_ffff;

/**
 * Validates a `maxOutputBytes` option and returns the effective limit.
 *
 * @param maxOutputBytes the caller's limit, or `undefined` for the default
 * @returns a non-negative safe integer
 * @example
 * ```ts
 * import { resolveOutputLimit } from "./errors.ts";
 *
 * console.log(resolveOutputLimit(undefined)); // 67108864
 * ```
 */
export function resolveOutputLimit(maxOutputBytes: number | undefined): number {
  if (maxOutputBytes === undefined) return DEFAULT_MAX_OUTPUT_BYTES;
  if (!Number.isSafeInteger(maxOutputBytes) || maxOutputBytes < 0) {
    throw new CompressionError(
      "invalid-option",
      `The maxOutputBytes option must be a non-negative integer, got ${maxOutputBytes}`,
    );
  }
  return Math.min(maxOutputBytes, MAX_SUPPORTED_OUTPUT);
}

/**
 * Builds the error for a stream whose output would pass the limit.
 *
 * @param codec the codec name
 * @param limit the limit that was hit
 * @param declared the size the stream declares, when known
 * @returns the error to throw
 * @example
 * ```ts
 * import { outputLimitError } from "./errors.ts";
 *
 * console.log(outputLimitError("snappy", 10, 2 ** 32).message);
 * ```
 */
export function outputLimitError(
  codec: string,
  limit: number,
  declared?: number,
): CompressionError {
  const what = declared === undefined ? "more than" : `${declared} bytes, more than`;
  return new CompressionError(
    "output-limit",
    `Decompressed ${codec} output would be ${what} the limit of ${limit} bytes`,
    { codec: codec },
  );
}

/**
 * Builds the error for corrupt input.
 *
 * @param codec the codec name
 * @param detail what is wrong, starting lower-case
 * @returns the error to throw
 * @example
 * ```ts
 * import { corruptError } from "./errors.ts";
 *
 * console.log(corruptError("lz4", "bad magic").message); // "Corrupt lz4 input: bad magic"
 * ```
 */
export function corruptError(codec: string, detail: string): CompressionError {
  return new CompressionError("corrupt-input", `Corrupt ${codec} input: ${detail}`, { codec });
}

/**
 * Returns `data` as a plain `Uint8Array` that owns its whole `ArrayBuffer`. Node's Buffers can be
 * views into a shared pool, which would leak unrelated bytes through `.buffer`.
 *
 * @param data a Buffer or Uint8Array
 * @returns a Uint8Array that is the only view of its buffer
 * @example
 * ```ts
 * import { ownedBytes } from "./errors.ts";
 *
 * console.log(ownedBytes(new Uint8Array(4)).length); // 4
 * ```
 */
export function ownedBytes(data: Uint8Array): Uint8Array {
  if (data.byteOffset === 0 && data.buffer.byteLength === data.byteLength) {
    return Object.getPrototypeOf(data) === Uint8Array.prototype
      ? data
      : new Uint8Array(data.buffer, 0, data.byteLength);
  }
  // Not `data.slice()`: on a Buffer that returns a view of the same memory.
  return new Uint8Array(data);
}
