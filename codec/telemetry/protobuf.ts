/**
 * A small Protocol Buffers reader and writer: what the OTLP metrics of KIP-714's PushTelemetry
 * need (varints, 64-bit fixed numbers, doubles, strings and nested messages).
 *
 * @module
 */

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

/** Protocol Buffers wire types. */
export const WireType = { VARINT: 0, I64: 1, LEN: 2, I32: 5 } as const;

/**
 * Writes fields of one message; nested messages are written whole by {@link ProtoWriter.message}.
 *
 * @example
 * ```ts
 * import { ProtoWriter } from "./protobuf.ts";
 * const w = new ProtoWriter();
 * w.string(1, "org.apache.kafka.producer.record.send.rate");
 * const bytes = w.finish();
 * ```
 */
export class ProtoWriter {
  #chunks: Uint8Array[] = [];
  #scratch = new DataView(new ArrayBuffer(8));

  #varint(value: bigint | number): void {
    let v = BigInt.asUintN(64, BigInt(value));
    const out: number[] = [];
    while (v >= 0x80n) {
      out.push(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    out.push(Number(v));
    this.#chunks.push(new Uint8Array(out));
  }

  #tag(field: number, wire: number): void {
    this.#varint((field << 3) | wire);
  }

  /** An int32, int64, uint32, uint64, bool or enum field (skipped when zero, as proto3 does). */
  varint(field: number, value: bigint | number | boolean): void {
    const v = typeof value === "boolean" ? (value ? 1 : 0) : value;
    if (v === 0 || v === 0n) return;
    this.#tag(field, WireType.VARINT);
    this.#varint(v);
  }

  /** A fixed64 or sfixed64 field (skipped when zero). */
  fixed64(field: number, value: bigint): void {
    if (value === 0n) return;
    this.#tag(field, WireType.I64);
    this.#scratch.setBigUint64(0, BigInt.asUintN(64, value), true);
    this.#chunks.push(new Uint8Array(this.#scratch.buffer.slice(0)));
  }

  /** A double field, written even when zero (it sits in a oneof, where presence matters). */
  double(field: number, value: number): void {
    this.#tag(field, WireType.I64);
    this.#scratch.setFloat64(0, value, true);
    this.#chunks.push(new Uint8Array(this.#scratch.buffer.slice(0)));
  }

  /** A bytes field. */
  bytes(field: number, value: Uint8Array): void {
    this.#tag(field, WireType.LEN);
    this.#varint(value.length);
    this.#chunks.push(value);
  }

  /** A string field (skipped when empty). */
  string(field: number, value: string): void {
    if (value === "") return;
    this.bytes(field, encoder.encode(value));
  }

  /** A nested message, built by `build` on a writer of its own. */
  message(field: number, build: (w: ProtoWriter) => void): void {
    const inner = new ProtoWriter();
    build(inner);
    this.bytes(field, inner.finish());
  }

  /** The message's bytes. */
  finish(): Uint8Array {
    const size = this.#chunks.reduce((n, c) => n + c.length, 0);
    const out = new Uint8Array(size);
    let at = 0;
    for (const c of this.#chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }
}

/** One field as read: its number, wire type and value (a sub-reader's bytes for LEN fields). */
export interface ProtoField {
  field: number;
  wire: number;
  /** VARINT, I64 and I32 fields as unsigned 64-bit numbers. */
  int: bigint;
  /** LEN fields' bytes. */
  bytes: Uint8Array;
}

/**
 * The fields of one message, in order; throws a RangeError on a truncated or malformed message.
 *
 * @example
 * ```ts
 * import { ProtoWriter, readFields } from "./protobuf.ts";
 * const w = new ProtoWriter();
 * w.varint(2, 7);
 * console.log(readFields(w.finish())[0].int); // 7n
 * ```
 */
export function readFields(bytes: Uint8Array): ProtoField[] {
  const fields: ProtoField[] = [];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 0;
  const varint = (): bigint => {
    let result = 0n, shift = 0n;
    for (let i = 0; i < 10; i++) {
      if (at >= bytes.length) throw new RangeError("protobuf: truncated varint");
      const b = bytes[at++];
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return BigInt.asUintN(64, result);
      shift += 7n;
    }
    throw new RangeError("protobuf: varint longer than 10 bytes");
  };
  const empty = new Uint8Array(0);
  while (at < bytes.length) {
    const key = varint();
    const field = Number(key >> 3n), wire = Number(key & 7n);
    if (field === 0) throw new RangeError("protobuf: field number 0");
    let int = 0n, value: Uint8Array = empty;
    if (wire === WireType.VARINT) int = varint();
    else if (wire === WireType.I64) {
      if (at + 8 > bytes.length) throw new RangeError("protobuf: truncated fixed64");
      int = view.getBigUint64(at, true);
      at += 8;
    } else if (wire === WireType.I32) {
      if (at + 4 > bytes.length) throw new RangeError("protobuf: truncated fixed32");
      int = BigInt(view.getUint32(at, true));
      at += 4;
    } else if (wire === WireType.LEN) {
      const n = Number(varint());
      if (at + n > bytes.length) throw new RangeError("protobuf: truncated length-delimited field");
      value = bytes.subarray(at, at + n);
      at += n;
    } else throw new RangeError(`protobuf: unsupported wire type ${wire}`);
    fields.push({ field, wire, int, bytes: value });
  }
  return fields;
}

/** A LEN field's bytes as UTF-8 text; throws a TypeError on invalid UTF-8. */
export function fieldText(f: ProtoField): string {
  return decoder.decode(f.bytes);
}

/** An I64 field's bits as a double. */
export function fieldDouble(f: ProtoField): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setBigUint64(0, f.int, true);
  return view.getFloat64(0, true);
}
