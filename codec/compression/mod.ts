/**
 * Kafka's record-batch compression codecs: gzip, snappy (xerial framing), lz4 (LZ4 frame) and
 * zstd, byte-compatible with Apache Kafka's Java client. Snappy and LZ4 are pure TypeScript;
 * gzip and zstd use `node:zlib`. Everything is synchronous.
 *
 * Decompression is bounded: output beyond `maxOutputBytes` (default
 * {@link DEFAULT_MAX_OUTPUT_BYTES}, 64 MiB) raises a {@link CompressionError} before more than
 * that is allocated. Any failure, including corrupt input, is a `CompressionError`.
 *
 * @example
 * ```ts
 * import { compress, CompressionCodec, decompress } from "./mod.ts";
 *
 * const records = new TextEncoder().encode('{"id":1}'.repeat(100));
 * const packed = compress(CompressionCodec.Lz4, records);
 * const unpacked = decompress(CompressionCodec.Lz4, packed);
 * console.log(unpacked.length === records.length); // true
 * ```
 *
 * @module
 */

import { CompressionError, outputLimitError, resolveOutputLimit } from "./errors.ts";
import { gzipCompress, gzipDecompress } from "./gzip.ts";
import { lz4Compress, lz4Decompress } from "./lz4.ts";
import { snappyCompress, snappyDecompress } from "./snappy.ts";
import { zstdCompress, zstdDecompress } from "./zstd.ts";

export { CompressionError, DEFAULT_MAX_OUTPUT_BYTES } from "./errors.ts";
export type { CompressionErrorCode } from "./errors.ts";

/**
 * Kafka's compression codec ids, as stored in bits 0-2 of a record batch's attributes.
 *
 * @example
 * ```ts
 * import { CompressionCodec } from "./mod.ts";
 *
 * const attributes = 0x0013;
 * console.log((attributes & 0x07) === CompressionCodec.Lz4); // true
 * ```
 */
export const CompressionCodec = { None: 0, Gzip: 1, Snappy: 2, Lz4: 3, Zstd: 4 } as const;

/**
 * One of the {@link CompressionCodec} ids (0-4).
 *
 * @example
 * ```ts
 * import { CompressionCodec } from "./mod.ts";
 *
 * const codec: CompressionCodec = CompressionCodec.Zstd;
 * ```
 */
export type CompressionCodec = typeof CompressionCodec[keyof typeof CompressionCodec];

/**
 * Options for {@link compress}.
 *
 * @example
 * ```ts
 * import type { CompressOptions } from "./mod.ts";
 *
 * const options: CompressOptions = { level: 9 };
 * ```
 */
export interface CompressOptions {
  /**
   * The codec's level, with Kafka's ranges: gzip -1 to 9 (default 6, zlib's default), lz4 1 to
   * 17 (default: Brook's fast settings; 3 and up search harder), zstd -131072 to 22 (default 3).
   * Snappy has no levels and ignores it.
   */
  level?: number;
}

/**
 * Options for {@link decompress}.
 *
 * @example
 * ```ts
 * import type { DecompressOptions } from "./mod.ts";
 *
 * const options: DecompressOptions = { maxOutputBytes: 8 * 1024 * 1024 };
 * ```
 */
export interface DecompressOptions {
  /** The most decompressed bytes accepted; default {@link DEFAULT_MAX_OUTPUT_BYTES} (64 MiB). */
  maxOutputBytes?: number;
}

const NAMES = ["none", "gzip", "snappy", "lz4", "zstd"];

/**
 * The lower-case Kafka name of a codec id (`compression.type` values), e.g. `"lz4"`.
 *
 * @param codec a codec id
 * @returns the name
 * @throws {CompressionError} for an id Kafka does not define
 * @example
 * ```ts
 * import { codecName, CompressionCodec } from "./mod.ts";
 *
 * console.log(codecName(CompressionCodec.Snappy)); // "snappy"
 * ```
 */
export function codecName(codec: CompressionCodec): string {
  const name = NAMES[codec];
  if (name === undefined || !Number.isInteger(codec)) throw unknownCodec(codec);
  return name;
}

/**
 * Compresses a record batch's records section with `codec`, producing the bytes Kafka's Java
 * client would accept (for `None`, `data` itself is returned, not a copy).
 *
 * @param codec the codec id
 * @param data the uncompressed bytes
 * @param options the compression level
 * @returns the compressed bytes (a new array that owns its buffer)
 * @throws {CompressionError} for an unknown codec or a level out of range
 * @example
 * ```ts
 * import { compress, CompressionCodec } from "./mod.ts";
 *
 * const gz = compress(CompressionCodec.Gzip, new Uint8Array(1000), { level: 9 });
 * console.log(gz.length < 1000); // true
 * ```
 */
export function compress(
  codec: CompressionCodec,
  data: Uint8Array,
  options: CompressOptions = {},
): Uint8Array {
  const level = options.level;
  switch (codec) {
    case CompressionCodec.None:
      return data;
    case CompressionCodec.Gzip:
      return gzipCompress(data, level);
    case CompressionCodec.Snappy:
      return snappyCompress(data);
    case CompressionCodec.Lz4:
      return lz4Compress(data, { level });
    case CompressionCodec.Zstd:
      return zstdCompress(data, level);
    default:
      throw unknownCodec(codec);
  }
}

/**
 * Decompresses a record batch's records section that was compressed with `codec`.
 *
 * @param codec the codec id
 * @param data the compressed bytes
 * @param options the output limit
 * @returns the decompressed bytes (for `None`, `data` itself)
 * @throws {CompressionError} for corrupt input, output over `maxOutputBytes`, or an unknown codec
 * @example
 * ```ts
 * import { compress, CompressionCodec, CompressionError, decompress } from "./mod.ts";
 *
 * const packed = compress(CompressionCodec.Snappy, new Uint8Array(1_000_000));
 * try {
 *   decompress(CompressionCodec.Snappy, packed, { maxOutputBytes: 1024 });
 * } catch (e) {
 *   console.log(e instanceof CompressionError && e.code); // "output-limit"
 * }
 * ```
 */
export function decompress(
  codec: CompressionCodec,
  data: Uint8Array,
  options: DecompressOptions = {},
): Uint8Array {
  const limit = resolveOutputLimit(options.maxOutputBytes);
  switch (codec) {
    case CompressionCodec.None:
      if (data.length > limit) throw outputLimitError("uncompressed", limit, data.length);
      return data;
    case CompressionCodec.Gzip:
      return gzipDecompress(data, limit);
    case CompressionCodec.Snappy:
      return snappyDecompress(data, limit);
    case CompressionCodec.Lz4:
      return lz4Decompress(data, limit);
    case CompressionCodec.Zstd:
      return zstdDecompress(data, limit);
    default:
      throw unknownCodec(codec);
  }
}

function unknownCodec(codec: unknown): CompressionError {
  return new CompressionError(
    "unsupported",
    `Unknown compression codec ${String(codec)}; Kafka defines 0 (none) to 4 (zstd)`,
  );
}
