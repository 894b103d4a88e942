/**
 * Small helpers that the generated message codecs share, kept out of the generated files.
 *
 * @module
 */

import { KafkaCodecError, UnsupportedVersionError } from "../errors.ts";
import type { Reader } from "./reader.ts";

export { decodeFailure, encodeFailure } from "./failures.ts";

/** The shared empty default of bytes fields (zero length, so sharing it is harmless). */
export const EMPTY_BYTES: Uint8Array = new Uint8Array(0);

/** Adds a path segment to a codec error as it bubbles up; any other error passes through unchanged. */
export function withPath(e: unknown, segment: string): unknown {
  if (e instanceof KafkaCodecError) return KafkaCodecError.withSegment(e, segment);
  return e;
}

/** The error for a message version outside the spec's range, or a field a version cannot carry. */
export function unsupportedVersion(message: string, version: number, field?: string): Error {
  const detail = field === undefined
    ? `${message} has no version ${version}`
    : `${message}.${field} has a non-default value but version ${version} cannot carry it`;
  return new UnsupportedVersionError(detail);
}

/** Reads an array: its length (checked against the bytes left), then each element. */
export function readArray<T>(
  r: Reader,
  compact: boolean,
  nullable: false,
  read: (r: Reader) => T,
): T[];
export function readArray<T>(
  r: Reader,
  compact: boolean,
  nullable: boolean,
  read: (r: Reader) => T,
): T[] | null;
export function readArray<T>(
  r: Reader,
  compact: boolean,
  nullable: boolean,
  read: (r: Reader) => T,
): T[] | null {
  const n = r.arrayLength(compact, nullable);
  if (n < 0) return null;
  const out: T[] = [];
  for (let i = 0; i < n; i++) out.push(read(r));
  return out;
}
