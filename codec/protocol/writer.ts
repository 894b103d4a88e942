/**
 * The one growable byte writer that every Kafka encoder in Brook writes into.
 *
 * @module
 */

import { uuidFromString } from "./uuid.ts";
import { encodeFailure } from "./failures.ts";

const MAX_INT64 = 0x7fffffffffffffffn;
const MIN_INT64 = -0x8000000000000000n;
const MAX_STRING_BYTES = 0x7fff;
const textEncoder = new TextEncoder();

/** A tagged field that the codec does not know, kept as raw bytes so that it survives a round trip. */
export interface TaggedField {
  /** The tag number. */
  tag: number;
  /** The field's bytes, without the tag and size prefix. */
  data: Uint8Array;
}

/** Options for {@linkcode Writer}. */
export interface WriterOptions {
  /** Bytes to allocate up front; the buffer doubles as needed. Default 1024. */
  initialSize?: number;
}

/**
 * A growable big-endian writer over one `Uint8Array` and `DataView`, with Kafka's primitive encodings:
 * fixed-width integers, unsigned and zigzag varints, classic (int16/int32 length) and compact (varint
 * length + 1) strings, bytes and arrays. Values are checked as they are written, so a wrong value fails
 * with a clear error instead of silently wrapping around.
 *
 * Reuse one writer for many messages with {@linkcode Writer.reset}; {@linkcode Writer.bytes} is a view
 * that stays valid until the next write.
 *
 * @example
 * ```ts
 * import { Writer } from "@brook/kafka/codec";
 * const w = new Writer();
 * w.int16(18);
 * w.compactString("brook");
 * console.log(w.bytes()); // Uint8Array [0, 18, 6, 98, 114, 111, 111, 107]
 * ```
 */
export class Writer {
  /** The buffer being written; replaced when it grows. */
  buf: Uint8Array;
  /** A view of {@linkcode Writer.buf}. */
  view: DataView;
  /** The next byte to write. */
  pos = 0;

  /** Creates a writer whose buffer starts at `initialSize` bytes (default 1024) and grows as needed. */
  constructor(options: WriterOptions = {}) {
    this.buf = new Uint8Array(options.initialSize ?? 1024);
    this.view = new DataView(this.buf.buffer);
  }

  /** Forgets what was written, keeping the buffer. */
  reset(): void {
    this.pos = 0;
  }

  /** The bytes written so far, as a view into the buffer (valid until the next write or reset). */
  bytes(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }

  /** A copy of the bytes written so far, independent of the writer. */
  toUint8Array(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }

  /** Makes room for `n` more bytes. */
  ensure(n: number): void {
    if (this.pos + n > this.buf.length) this.#grow(n);
  }

  #grow(n: number): void {
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  /** Writes a bool as one byte, 0 or 1. */
  bool(v: boolean): void {
    if (typeof v !== "boolean") throw encodeFailure(`expected a boolean, got ${describe(v)}`);
    this.ensure(1);
    this.buf[this.pos++] = v ? 1 : 0;
  }

  /** Writes a signed 8-bit integer. */
  int8(v: number): void {
    if ((v << 24) >> 24 !== v) throw rangeFailure(v, "int8");
    this.ensure(1);
    this.buf[this.pos++] = v & 0xff;
  }

  /** Writes a signed 16-bit integer. */
  int16(v: number): void {
    if ((v << 16) >> 16 !== v) throw rangeFailure(v, "int16");
    this.ensure(2);
    this.view.setInt16(this.pos, v);
    this.pos += 2;
  }

  /** Writes an unsigned 16-bit integer. */
  uint16(v: number): void {
    if ((v & 0xffff) !== v) throw rangeFailure(v, "uint16");
    this.ensure(2);
    this.view.setUint16(this.pos, v);
    this.pos += 2;
  }

  /** Writes a signed 32-bit integer. */
  int32(v: number): void {
    if ((v | 0) !== v) throw rangeFailure(v, "int32");
    this.ensure(4);
    this.view.setInt32(this.pos, v);
    this.pos += 4;
  }

  /** Writes an unsigned 32-bit integer. */
  uint32(v: number): void {
    if (v >>> 0 !== v) throw rangeFailure(v, "uint32");
    this.ensure(4);
    this.view.setUint32(this.pos, v);
    this.pos += 4;
  }

  /** Writes a signed 64-bit integer; a safe-integer `number` is accepted too. */
  int64(v: bigint): void {
    if (typeof v !== "bigint") v = toBigInt(v);
    if (v > MAX_INT64 || v < MIN_INT64) throw rangeFailure(v, "int64");
    this.ensure(8);
    this.view.setBigInt64(this.pos, v);
    this.pos += 8;
  }

  /** Writes an IEEE-754 double. */
  float64(v: number): void {
    if (typeof v !== "number") throw encodeFailure(`expected a number, got ${describe(v)}`);
    this.ensure(8);
    this.view.setFloat64(this.pos, v);
    this.pos += 8;
  }

  /** Writes a Kafka UUID given as its 22-character base64url text. */
  uuid(v: string): void {
    this.ensure(16);
    if (!uuidFromString(v, this.buf, this.pos)) {
      throw encodeFailure(`expected a Kafka UUID (22 base64url characters), got ${describe(v)}`);
    }
    this.pos += 16;
  }

  /** Writes an unsigned varint (1 to 5 bytes), as used by compact lengths and tagged fields. */
  uvarint(v: number): void {
    if (v >>> 0 !== v) throw rangeFailure(v, "unsigned varint");
    this.ensure(5);
    const buf = this.buf;
    let pos = this.pos;
    while (v >= 0x80) {
      buf[pos++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    buf[pos++] = v;
    this.pos = pos;
  }

  /** Writes a zigzag-encoded signed 32-bit varint. */
  varint(v: number): void {
    if ((v | 0) !== v) throw rangeFailure(v, "varint");
    this.uvarint(((v << 1) ^ (v >> 31)) >>> 0);
  }

  /** Writes a zigzag-encoded signed 64-bit varint (1 to 10 bytes). */
  varlong(v: bigint): void {
    if (typeof v !== "bigint") v = toBigInt(v);
    if (v > MAX_INT64 || v < MIN_INT64) throw rangeFailure(v, "varlong");
    let z = BigInt.asUintN(64, (v << 1n) ^ (v >> 63n));
    this.ensure(10);
    while (z >= 0x80n) {
      this.buf[this.pos++] = Number(z & 0x7fn) | 0x80;
      z >>= 7n;
    }
    this.buf[this.pos++] = Number(z);
  }

  /** Copies raw bytes. */
  raw(v: Uint8Array): void {
    this.ensure(v.length);
    this.buf.set(v, this.pos);
    this.pos += v.length;
  }

  /** Writes a classic string: int16 byte length, then UTF-8; null as length -1 when `nullable`. */
  string(v: string | null, nullable = false): void {
    if (v === null) {
      if (!nullable) throw nullFailure();
      this.int16(-1);
      return;
    }
    if (typeof v !== "string") throw encodeFailure(`expected a string, got ${describe(v)}`);
    this.ensure(2 + v.length * 3);
    const start = this.pos + 2;
    const n = this.#utf8(v, start);
    if (n > MAX_STRING_BYTES) throw stringTooLong(n);
    this.view.setInt16(this.pos, n);
    this.pos = start + n;
  }

  /** Writes a compact string: unsigned varint of byte length + 1 (0 = null), then UTF-8. */
  compactString(v: string | null, nullable = false): void {
    if (v === null) {
      if (!nullable) throw nullFailure();
      this.ensure(1);
      this.buf[this.pos++] = 0;
      return;
    }
    if (typeof v !== "string") throw encodeFailure(`expected a string, got ${describe(v)}`);
    this.ensure(3 + v.length * 3);
    // Guess the length prefix from the UTF-16 length; move the text if the UTF-8 length needs another size.
    const guess = v.length < 127 ? 1 : 3;
    const start = this.pos + guess;
    const n = this.#utf8(v, start);
    if (n > MAX_STRING_BYTES) throw stringTooLong(n);
    const prefix = n < 127 ? 1 : n < 16383 ? 2 : 3;
    if (prefix !== guess) this.buf.copyWithin(this.pos + prefix, start, start + n);
    this.uvarint(n + 1);
    this.pos += n;
  }

  /** Encodes `v` as UTF-8 at `at` (room for 3 bytes per UTF-16 unit is already ensured); returns the length. */
  #utf8(v: string, at: number): number {
    const buf = this.buf;
    const n = v.length;
    if (n < 48) {
      for (let i = 0; i < n; i++) {
        const c = v.charCodeAt(i);
        if (c >= 0x80) return textEncoder.encodeInto(v, buf.subarray(at)).written;
        buf[at + i] = c;
      }
      return n;
    }
    return textEncoder.encodeInto(v, buf.subarray(at)).written;
  }

  /** Writes classic bytes: int32 length (-1 = null when `nullable`), then the bytes. */
  bytesField(v: Uint8Array | null, nullable = false): void {
    if (v === null) {
      if (!nullable) throw nullFailure();
      this.int32(-1);
      return;
    }
    if (!(v instanceof Uint8Array)) {
      throw encodeFailure(`expected a Uint8Array, got ${describe(v)}`);
    }
    this.int32(v.length);
    this.raw(v);
  }

  /** Writes compact bytes: unsigned varint of length + 1 (0 = null when `nullable`), then the bytes. */
  compactBytes(v: Uint8Array | null, nullable = false): void {
    if (v === null) {
      if (!nullable) throw nullFailure();
      this.uvarint(0);
      return;
    }
    if (!(v instanceof Uint8Array)) {
      throw encodeFailure(`expected a Uint8Array, got ${describe(v)}`);
    }
    this.uvarint(v.length + 1);
    this.raw(v);
  }

  /**
   * Writes an array length: classic int32 count or compact varint count + 1; null (-1) only when
   * `nullable`. Returns false for null, so that the caller writes no elements.
   */
  arrayLength(v: readonly unknown[] | null, compact: boolean, nullable = false): v is unknown[] {
    if (v === null) {
      if (!nullable) throw nullFailure();
      if (compact) this.uvarint(0);
      else this.int32(-1);
      return false;
    }
    if (!Array.isArray(v)) throw encodeFailure(`expected an array, got ${describe(v)}`);
    if (compact) this.uvarint(v.length + 1);
    else this.int32(v.length);
    return true;
  }

  /**
   * Starts a value whose byte size goes before it as an unsigned varint (a tagged field's value).
   * Reserves one byte for the size; pass the result to {@linkcode Writer.endSized}.
   */
  beginSized(): number {
    this.ensure(1);
    return this.pos++;
  }

  /** Ends a value begun with {@linkcode Writer.beginSized}, writing its size and moving it if need be. */
  endSized(mark: number): void {
    const size = this.pos - mark - 1;
    if (size < 0x80) {
      this.buf[mark] = size;
      return;
    }
    const prefix = size < 0x4000 ? 2 : size < 0x200000 ? 3 : size < 0x10000000 ? 4 : 5;
    this.ensure(prefix - 1);
    this.buf.copyWithin(mark + prefix, mark + 1, this.pos);
    this.pos = mark;
    this.uvarint(size);
    this.pos += size;
  }

  /**
   * Writes a tagged-field section: the count, then each field in ascending tag order. Used for structs
   * whose only tagged fields are unknown ones; generated encoders write known tags inline.
   */
  unknownTaggedFields(fields: readonly TaggedField[] | undefined): void {
    if (fields === undefined || fields.length === 0) {
      this.ensure(1);
      this.buf[this.pos++] = 0;
      return;
    }
    this.uvarint(fields.length);
    this.rawTaggedFields(fields, 0, 0x7fffffff);
  }

  /** Writes the unknown tagged fields whose tags are in [from, to), as generated encoders interleave them. */
  rawTaggedFields(fields: readonly TaggedField[], from: number, to: number): void {
    for (const field of fields) {
      if (field.tag < from || field.tag >= to) continue;
      this.uvarint(field.tag);
      this.uvarint(field.data.length);
      this.raw(field.data);
    }
  }
}

function toBigInt(v: unknown): bigint {
  if (typeof v === "number" && Number.isSafeInteger(v)) return BigInt(v);
  throw encodeFailure(`expected a 64-bit integer (bigint), got ${describe(v)}`);
}

function rangeFailure(v: unknown, type: string): Error {
  return encodeFailure(`${describe(v)} is not a valid ${type}`);
}

function nullFailure(): Error {
  return encodeFailure("null is not allowed in this version");
}

function stringTooLong(n: number): Error {
  return encodeFailure(`string of ${n} UTF-8 bytes is longer than the 32767 that Kafka allows`);
}

function describe(v: unknown): string {
  if (typeof v === "string") return v.length > 40 ? `"${v.slice(0, 40)}..."` : `"${v}"`;
  if (typeof v === "bigint") return `${v}n`;
  if (v === undefined || v === null || typeof v === "number" || typeof v === "boolean") {
    return String(v);
  }
  return Array.isArray(v) ? "an array" : typeof v;
}
