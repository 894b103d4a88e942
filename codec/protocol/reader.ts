/**
 * The bounds-checked byte reader that every Kafka decoder in Brook reads from.
 *
 * @module
 */

import { uuidToString } from "./uuid.ts";
import { decodeFailure } from "./failures.ts";
import type { TaggedField } from "./writer.ts";

const MAX_STRING_BYTES = 0x7fff;
const textDecoder = new TextDecoder("utf-8", { fatal: true });

/**
 * A big-endian reader over a `Uint8Array` with Kafka's primitive decodings. Every read is checked
 * against the end of the input, so malformed bytes give a {@linkcode KafkaCodecError} that says what was
 * wrong and at which byte, never a `RangeError`. Lengths are checked against the bytes that remain before
 * anything is allocated. Bytes and records come back as views into the input, not copies.
 *
 * @example
 * ```ts
 * import { Reader } from "@brook/kafka/codec";
 * const r = new Reader(new Uint8Array([0, 18, 6, 98, 114, 111, 111, 107]));
 * r.int16(); // 18
 * r.compactString(); // "brook"
 * ```
 */
export class Reader {
  /** The input. */
  readonly buf: Uint8Array;
  /** A view of the input. */
  readonly view: DataView;
  /** The next byte to read, relative to {@linkcode Reader.buf}. */
  pos: number;
  /** The end of the readable region. */
  readonly end: number;

  /** Reads `buf` from `start` (default 0) up to `end` (default its length). */
  constructor(buf: Uint8Array, start = 0, end = buf.length) {
    this.buf = buf;
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    this.pos = start;
    this.end = end;
  }

  /** Bytes left to read. */
  get remaining(): number {
    return this.end - this.pos;
  }

  /** Throws unless `n` more bytes can be read. */
  need(n: number): void {
    if (this.pos + n > this.end) {
      throw decodeFailure(`needed ${n} bytes, ${this.end - this.pos} remain`, this.pos);
    }
  }

  /** Reads a bool (any non-zero byte is true, as in Kafka). */
  bool(): boolean {
    this.need(1);
    return this.buf[this.pos++] !== 0;
  }

  /** Reads a signed 8-bit integer. */
  int8(): number {
    this.need(1);
    return (this.buf[this.pos++] << 24) >> 24;
  }

  /** Reads a signed 16-bit integer. */
  int16(): number {
    this.need(2);
    const v = this.view.getInt16(this.pos);
    this.pos += 2;
    return v;
  }

  /** Reads an unsigned 16-bit integer. */
  uint16(): number {
    this.need(2);
    const v = this.view.getUint16(this.pos);
    this.pos += 2;
    return v;
  }

  /** Reads a signed 32-bit integer. */
  int32(): number {
    this.need(4);
    const v = this.view.getInt32(this.pos);
    this.pos += 4;
    return v;
  }

  /** Reads an unsigned 32-bit integer. */
  uint32(): number {
    this.need(4);
    const v = this.view.getUint32(this.pos);
    this.pos += 4;
    return v;
  }

  /** Reads a signed 64-bit integer. */
  int64(): bigint {
    this.need(8);
    const v = this.view.getBigInt64(this.pos);
    this.pos += 8;
    return v;
  }

  /** Reads an IEEE-754 double. */
  float64(): number {
    this.need(8);
    const v = this.view.getFloat64(this.pos);
    this.pos += 8;
    return v;
  }

  /** Reads 16 bytes as a Kafka UUID string. */
  uuid(): string {
    this.need(16);
    const v = uuidToString(this.buf, this.pos);
    this.pos += 16;
    return v;
  }

  /** Reads an unsigned varint of at most 5 bytes (a 32-bit value). */
  uvarint(): number {
    const buf = this.buf;
    let pos = this.pos;
    let result = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      if (pos >= this.end) throw decodeFailure("varint runs past the end of the input", this.pos);
      const b = buf[pos++];
      result |= (b & 0x7f) << shift;
      if (b < 0x80) {
        if (shift === 28 && b > 0x0f) break;
        this.pos = pos;
        return result >>> 0;
      }
    }
    throw decodeFailure("varint is longer than 5 bytes or exceeds 32 bits", this.pos);
  }

  /** Reads a zigzag-encoded signed 32-bit varint. */
  varint(): number {
    const z = this.uvarint();
    return (z >>> 1) ^ -(z & 1);
  }

  /** Reads a zigzag-encoded signed 64-bit varint of at most 10 bytes. */
  varlong(): bigint {
    const buf = this.buf;
    let pos = this.pos;
    let result = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      if (pos >= this.end) throw decodeFailure("varlong runs past the end of the input", this.pos);
      const b = buf[pos++];
      result |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) {
        if (shift === 63n && b > 1) break;
        this.pos = pos;
        return (result >> 1n) ^ -(result & 1n);
      }
    }
    throw decodeFailure("varlong is longer than 10 bytes or exceeds 64 bits", this.pos);
  }

  /** Returns the next `n` bytes as a view, without copying. */
  raw(n: number): Uint8Array {
    this.need(n);
    const v = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }

  /** Reads a classic string (int16 length); -1 is null, allowed only when `nullable`. */
  string(nullable: true): string | null;
  /** Reads a classic string that may not be null. */
  string(nullable?: false): string;
  /** Reads a classic string, null when -1 and `nullable`. */
  string(nullable: boolean): string | null;
  string(nullable = false): string | null {
    const at = this.pos;
    const n = this.int16();
    if (n < 0) return this.#nullLength(n, nullable, at);
    return this.#text(n);
  }

  /** Reads a compact string (varint length + 1); 0 is null, allowed only when `nullable`. */
  compactString(nullable: true): string | null;
  /** Reads a compact string that may not be null. */
  compactString(nullable?: false): string;
  /** Reads a compact string, null when 0 and `nullable`. */
  compactString(nullable: boolean): string | null;
  compactString(nullable = false): string | null {
    const at = this.pos;
    const n = this.uvarint() - 1;
    if (n < 0) return this.#nullLength(n, nullable, at);
    if (n > MAX_STRING_BYTES) {
      throw decodeFailure(`string length ${n} is over the 32767 bytes Kafka allows`, at);
    }
    return this.#text(n);
  }

  #nullLength(n: number, nullable: boolean, at: number): null {
    if (n !== -1) throw decodeFailure(`negative length ${n}`, at);
    if (!nullable) throw decodeFailure("null where the field is not nullable", at);
    return null;
  }

  #text(n: number): string {
    this.need(n);
    const buf = this.buf;
    const start = this.pos;
    this.pos += n;
    if (n < 32) {
      // Short ASCII text is the common case (topic names, ids); building it directly beats TextDecoder.
      let s = "";
      for (let i = start; i < start + n; i++) {
        const c = buf[i];
        if (c >= 0x80) return this.#utf8(start, n);
        s += String.fromCharCode(c);
      }
      return s;
    }
    return this.#utf8(start, n);
  }

  #utf8(start: number, n: number): string {
    try {
      return textDecoder.decode(this.buf.subarray(start, start + n));
    } catch {
      throw decodeFailure(`string of ${n} bytes is not valid UTF-8`, start);
    }
  }

  /** Reads classic bytes (int32 length) as a view; -1 is null, allowed only when `nullable`. */
  bytesField(nullable: true): Uint8Array | null;
  /** Reads classic bytes that may not be null. */
  bytesField(nullable?: false): Uint8Array;
  /** Reads classic bytes, null when -1 and `nullable`. */
  bytesField(nullable: boolean): Uint8Array | null;
  bytesField(nullable = false): Uint8Array | null {
    const at = this.pos;
    const n = this.int32();
    if (n < 0) return this.#nullLength(n, nullable, at);
    return this.raw(n);
  }

  /** Reads compact bytes (varint length + 1) as a view; 0 is null, allowed only when `nullable`. */
  compactBytes(nullable: true): Uint8Array | null;
  /** Reads compact bytes that may not be null. */
  compactBytes(nullable?: false): Uint8Array;
  /** Reads compact bytes, null when 0 and `nullable`. */
  compactBytes(nullable: boolean): Uint8Array | null;
  compactBytes(nullable = false): Uint8Array | null {
    const at = this.pos;
    const n = this.uvarint() - 1;
    if (n < 0) return this.#nullLength(n, nullable, at);
    return this.raw(n);
  }

  /**
   * Reads an array length, classic (int32) or compact (varint count + 1). Returns -1 for null (only when
   * `nullable`). A count larger than the bytes that remain is refused before anything is allocated.
   */
  arrayLength(compact: boolean, nullable = false): number {
    const at = this.pos;
    const n = compact ? this.uvarint() - 1 : this.int32();
    if (n < 0) {
      this.#nullLength(n, nullable, at);
      return -1;
    }
    if (n > this.end - this.pos) {
      throw decodeFailure(
        `array of ${n} elements cannot fit in the ${this.end - this.pos} bytes left`,
        at,
      );
    }
    return n;
  }

  /** Reads an unknown tagged field's bytes (its tag and size are already read) and adds it to `into`. */
  unknownTaggedField(into: TaggedField[] | undefined, tag: number, size: number): TaggedField[] {
    const data = this.raw(size);
    (into ??= []).push({ tag, data });
    return into;
  }

  /** Reads a tagged-field section in which no tag is known to the caller. */
  unknownTaggedFields(): TaggedField[] | undefined {
    const count = this.uvarint();
    let fields: TaggedField[] | undefined;
    for (let i = 0; i < count; i++) {
      const tag = this.uvarint();
      fields = this.unknownTaggedField(fields, tag, this.uvarint());
    }
    return fields;
  }
}
