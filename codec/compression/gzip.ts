/**
 * gzip, as Kafka's Java client writes it (`java.util.zip.GZIPOutputStream`): a standard gzip
 * stream. Thin wrapper over `node:zlib` with a bounded output.
 *
 * @module
 */

import { gunzipSync, gzipSync } from "node:zlib";
import { CompressionError, corruptError, outputLimitError, ownedBytes } from "./errors.ts";

const CODEC = "gzip";
/** zlib's default, which is also what Kafka's default level (-1) means. */
const DEFAULT_LEVEL = 6;

/**
 * Compresses `data` into one gzip member.
 *
 * @param data the input
 * @param level 0-9, or -1 for zlib's default (6); Kafka accepts 1-9 and -1
 * @returns the gzip stream
 * @throws {CompressionError} when the level is out of range
 * @example
 * ```ts
 * import { gzipCompress, gzipDecompress } from "./gzip.ts";
 *
 * const gz = gzipCompress(new TextEncoder().encode("hello"));
 * console.log(gz[0] === 0x1f, gzipDecompress(gz).length); // true 5
 * ```
 */
export function gzipCompress(data: Uint8Array, level: number = DEFAULT_LEVEL): Uint8Array {
  if (!Number.isInteger(level) || level < -1 || level > 9) {
    throw new CompressionError(
      "invalid-option",
      `Gzip level must be an integer from -1 to 9, got ${level}`,
      { codec: CODEC },
    );
  }
  return ownedBytes(gzipSync(data, { level }));
}

/**
 * Decompresses a gzip stream (concatenated members are joined, as `GZIPInputStream` does).
 *
 * @param data the gzip stream
 * @param maxOutputBytes the most output bytes allowed; zlib stops as soon as it passes it
 * @returns the decompressed bytes
 * @throws {CompressionError} on corrupt or truncated input, or output over the limit
 * @example
 * ```ts
 * import { gzipCompress, gzipDecompress } from "./gzip.ts";
 *
 * const out = gzipDecompress(gzipCompress(new Uint8Array(10)), 1024);
 * console.log(out.length); // 10
 * ```
 */
export function gzipDecompress(
  data: Uint8Array,
  maxOutputBytes: number = Number.MAX_SAFE_INTEGER,
): Uint8Array {
  if (data.length === 0) throw corruptError(CODEC, "input is empty");
  try {
    // Node rejects a 0 limit; one byte more than allowed is still detected below.
    const max = Math.max(1, Math.min(maxOutputBytes, 0xffff_ffff));
    const out = gunzipSync(data, { maxOutputLength: max });
    if (out.length > maxOutputBytes) throw outputLimitError(CODEC, maxOutputBytes);
    return ownedBytes(out);
  } catch (e) {
    throw mapZlibError(e, CODEC, maxOutputBytes);
  }
}

/**
 * Turns an error thrown by `node:zlib` into a `CompressionError`.
 *
 * @param e the caught value
 * @param codec the codec name
 * @param limit the output limit in force
 * @returns the error to throw
 * @example
 * ```ts
 * import { mapZlibError } from "./gzip.ts";
 *
 * console.log(mapZlibError(new Error("incorrect header check"), "gzip", 10).code);
 * ```
 */
export function mapZlibError(e: unknown, codec: string, limit: number): CompressionError {
  if (e instanceof CompressionError) return e;
  const code = (e as { code?: unknown } | null)?.code;
  if (code === "ERR_BUFFER_TOO_LARGE") return outputLimitError(codec, limit);
  const message = e instanceof Error ? e.message : String(e);
  const error = corruptError(codec, lowerFirst(message));
  return new CompressionError(error.code, error.message, { codec, cause: e });
}

function lowerFirst(s: string): string {
  return s.length > 0 ? s[0].toLowerCase() + s.slice(1) : s;
}
