/**
 * How the reader, the writer and the generated codec report bad input: always a KafkaCodecError.
 *
 * @module
 */

import { KafkaCodecError } from "../errors.ts";

/** A value that cannot be encoded; the generated encoders add the field path as the error bubbles up. */
export function encodeFailure(reason: string): KafkaCodecError {
  return new KafkaCodecError(`Cannot encode: ${reason}`, { path: "", offset: -1 });
}

/** Bytes that cannot be decoded, at byte `offset` of the input. */
export function decodeFailure(reason: string, offset: number): KafkaCodecError {
  return new KafkaCodecError(`Cannot decode: ${reason}`, { path: "", offset });
}
