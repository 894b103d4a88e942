/**
 * The zigzag varints of Kafka's record format, on a cursor over bytes, kept small so that V8 inlines
 * them into the record loops. Varlongs come back as numbers: record timestamp and offset deltas are far
 * inside 2^53.
 *
 * @module
 */

import { KafkaCodecError } from "../errors.ts";

/** A read position in bytes, with the end it must not pass. */
export interface Cursor {
  buf: Uint8Array;
  pos: number;
  end: number;
}

/** Throws the error for a read past `c.end`. */
export function overrun(c: Cursor, what: string): never {
  throw new KafkaCodecError(`Cannot decode: ${what} runs past the end of its record`, {
    offset: c.pos,
  });
}

/** A zigzag varint (at most 5 bytes). */
export function readVarint(c: Cursor): number {
  const buf = c.buf;
  let pos = c.pos;
  if (pos >= c.end) overrun(c, "varint");
  let b = buf[pos++];
  let v = b & 0x7f;
  if (b >= 0x80) {
    let shift = 7;
    do {
      if (pos >= c.end || shift > 28) overrun(c, "varint");
      b = buf[pos++];
      v |= (b & 0x7f) << shift;
      shift += 7;
    } while (b >= 0x80);
  }
  c.pos = pos;
  return (v >>> 1) ^ -(v & 1);
}

/** A zigzag varlong (at most 10 bytes) as a number. */
export function readVarlong(c: Cursor): number {
  const buf = c.buf;
  let pos = c.pos;
  if (pos >= c.end) overrun(c, "varlong");
  let b = buf[pos++];
  if (b < 0x80) {
    c.pos = pos;
    return (b >>> 1) ^ -(b & 1);
  }
  let u = b & 0x7f;
  let scale = 128;
  for (let i = 1;; i++) {
    if (pos >= c.end || i >= 10) overrun(c, "varlong");
    b = buf[pos++];
    u += (b & 0x7f) * scale;
    scale *= 128;
    if (b < 0x80) break;
  }
  c.pos = pos;
  return u % 2 === 0 ? u / 2 : -(u + 1) / 2;
}

/** The size of a zigzag varint. */
export function varintSize(v: number): number {
  const z = ((v << 1) ^ (v >> 31)) >>> 0;
  return z < 0x80 ? 1 : z < 0x4000 ? 2 : z < 0x200000 ? 3 : z < 0x10000000 ? 4 : 5;
}

/** Writes a zigzag varint at `pos`; returns the next position. */
export function writeVarint(buf: Uint8Array, pos: number, v: number): number {
  let z = ((v << 1) ^ (v >> 31)) >>> 0;
  while (z >= 0x80) {
    buf[pos++] = (z & 0x7f) | 0x80;
    z >>>= 7;
  }
  buf[pos++] = z;
  return pos;
}

/** The size of a zigzag varlong given as a safe integer. */
export function varlongSize(v: number): number {
  if (v >= -64 && v < 64) return 1;
  let u = v >= 0 ? v * 2 : -v * 2 - 1;
  let n = 1;
  while (u >= 128) {
    u = Math.floor(u / 128);
    n++;
  }
  return n;
}

/** Writes a zigzag varlong (a safe integer) at `pos`; returns the next position. */
export function writeVarlong(buf: Uint8Array, pos: number, v: number): number {
  if (v >= -64 && v < 64) {
    buf[pos] = v >= 0 ? v * 2 : -v * 2 - 1;
    return pos + 1;
  }
  let u = v >= 0 ? v * 2 : -v * 2 - 1;
  while (u >= 128) {
    buf[pos++] = (u % 128) | 0x80;
    u = Math.floor(u / 128);
  }
  buf[pos++] = u;
  return pos;
}
