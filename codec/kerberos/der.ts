/**
 * The small part of ASN.1 DER that Kerberos messages use: single-byte tags, definite lengths,
 * INTEGER, OCTET STRING, GeneralString, GeneralizedTime, BIT STRING, SEQUENCE and explicit
 * context and application tags.
 *
 * @module
 */

/** A malformed or unexpected DER encoding. */
export class DerError extends Error {
  /** Creates the error. */
  constructor(message: string) {
    super(message);
    this.name = "DerError";
  }
}

/** One decoded DER element. */
export interface DerNode {
  /** The identifier octet (class, constructed bit and tag number). */
  tag: number;
  /** The contents octets. */
  value: Uint8Array;
  /** The whole element, identifier and length included. */
  raw: Uint8Array;
}

/** Tags of the universal types Kerberos uses. */
export const Tag = {
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  OID: 0x06,
  GENERAL_STRING: 0x1b,
  GENERALIZED_TIME: 0x18,
  SEQUENCE: 0x30,
} as const;

/**
 * Reads the element at `offset` of `bytes`.
 *
 * @example
 * ```ts
 * import { readDer } from "./der.ts";
 * const node = readDer(new Uint8Array([0x02, 0x01, 0x05]));
 * console.log(node.tag, node.value[0]); // 2 5
 * ```
 */
export function readDer(bytes: Uint8Array, offset = 0): DerNode {
  if (offset + 2 > bytes.length) throw new DerError("DER element truncated");
  const tag = bytes[offset];
  if ((tag & 0x1f) === 0x1f) throw new DerError("Multi-byte DER tags are not used by Kerberos");
  let length = bytes[offset + 1];
  let at = offset + 2;
  if (length & 0x80) {
    const n = length & 0x7f;
    if (n === 0 || n > 4) throw new DerError("Unsupported DER length");
    length = 0;
    for (let i = 0; i < n; i++) {
      if (at >= bytes.length) throw new DerError("DER length truncated");
      length = length * 256 + bytes[at++];
    }
  }
  if (at + length > bytes.length) throw new DerError("DER element truncated");
  return {
    tag,
    value: bytes.subarray(at, at + length),
    raw: bytes.subarray(offset, at + length),
  };
}

/**
 * The elements of a constructed element's contents, in order.
 *
 * @example
 * ```ts
 * import { children, readDer } from "./der.ts";
 * const seq = readDer(new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x07]));
 * console.log(children(seq).length); // 1
 * ```
 */
export function children(node: DerNode): DerNode[] {
  const out: DerNode[] = [];
  let at = 0;
  while (at < node.value.length) {
    const child = readDer(node.value, at);
    out.push(child);
    at += child.raw.length;
  }
  return out;
}

/**
 * The fields of a SEQUENCE (optionally inside an application tag) by context tag number: the
 * element inside each explicit [n] tag.
 *
 * @example
 * ```ts
 * import { fields, readDer } from "./der.ts";
 * const seq = readDer(new Uint8Array([0x30, 0x05, 0xa1, 0x03, 0x02, 0x01, 0x07]));
 * console.log(fields(seq).get(1)?.value[0]); // 7
 * ```
 */
export function fields(node: DerNode, application?: number): Map<number, DerNode> {
  let seq = node;
  if (application !== undefined) {
    if (node.tag !== (0x60 | application)) {
      throw new DerError(
        `Expected [APPLICATION ${application}], got tag 0x${node.tag.toString(16)}`,
      );
    }
    seq = readDer(node.value);
  }
  if (seq.tag !== Tag.SEQUENCE) throw new DerError("Expected a SEQUENCE");
  const out = new Map<number, DerNode>();
  for (const child of children(seq)) {
    if ((child.tag & 0xe0) !== 0xa0) throw new DerError("Expected a context tag");
    out.set(child.tag & 0x1f, readDer(child.value));
  }
  return out;
}

/**
 * A required field of a {@linkcode fields} map; throws DerError when absent.
 *
 * @example
 * ```ts
 * import { field, fields, readDer } from "./der.ts";
 * const seq = readDer(new Uint8Array([0x30, 0x05, 0xa0, 0x03, 0x02, 0x01, 0x07]));
 * console.log(field(fields(seq), 0).tag); // 2
 * ```
 */
export function field(map: Map<number, DerNode>, n: number): DerNode {
  const node = map.get(n);
  if (!node) throw new DerError(`Field [${n}] missing`);
  return node;
}

function expect(node: DerNode, tag: number): Uint8Array {
  if (node.tag !== tag) {
    throw new DerError(`Expected tag 0x${tag.toString(16)}, got 0x${node.tag.toString(16)}`);
  }
  return node.value;
}

/**
 * An INTEGER's value (at most 53 bits; UInt32 fields read as unsigned by the caller).
 *
 * @example
 * ```ts
 * import { derInteger, readDer } from "./der.ts";
 * console.log(derInteger(readDer(new Uint8Array([0x02, 0x01, 0xff])))); // -1
 * ```
 */
export function derInteger(node: DerNode): number {
  const v = expect(node, Tag.INTEGER);
  if (v.length === 0 || v.length > 6) throw new DerError("Unsupported INTEGER size");
  let n = v[0] & 0x80 ? -1 : 0;
  for (const b of v) n = n * 256 + b;
  return n;
}

/**
 * An OCTET STRING's bytes.
 *
 * @example
 * ```ts
 * import { derOctets, readDer } from "./der.ts";
 * console.log(derOctets(readDer(new Uint8Array([0x04, 0x01, 0x09])))[0]); // 9
 * ```
 */
export function derOctets(node: DerNode): Uint8Array {
  return expect(node, Tag.OCTET_STRING);
}

/**
 * A GeneralString (KerberosString, Realm) as text.
 *
 * @example
 * ```ts
 * import { derString, readDer } from "./der.ts";
 * console.log(derString(readDer(new Uint8Array([0x1b, 0x01, 0x41])))); // "A"
 * ```
 */
export function derString(node: DerNode): string {
  return new TextDecoder().decode(expect(node, Tag.GENERAL_STRING));
}

/**
 * A KerberosTime (GeneralizedTime "YYYYMMDDHHMMSSZ") in epoch milliseconds.
 *
 * @example
 * ```ts
 * import { derTime, encodeTime, readDer } from "./der.ts";
 * console.log(derTime(readDer(encodeTime(86_400_000)))); // 86400000
 * ```
 */
export function derTime(node: DerNode): number {
  const s = new TextDecoder().decode(expect(node, Tag.GENERALIZED_TIME));
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(s);
  if (!m) throw new DerError(`Invalid KerberosTime ${s}`);
  return Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]);
}

/**
 * A 32-bit flags BIT STRING (KerberosFlags) as a number whose most significant bit is bit 0.
 *
 * @example
 * ```ts
 * import { derFlags, encodeFlags, readDer } from "./der.ts";
 * console.log(derFlags(readDer(encodeFlags(0x20000000)))); // 536870912
 * ```
 */
export function derFlags(node: DerNode): number {
  const v = expect(node, Tag.BIT_STRING);
  let n = 0;
  for (let i = 1; i < 5; i++) n = n * 256 + (v[i] ?? 0);
  return n >>> 0;
}

// ---- encoding ----

function lengthBytes(n: number): number[] {
  if (n < 0x80) return [n];
  const out: number[] = [];
  while (n > 0) {
    out.unshift(n & 0xff);
    n = Math.floor(n / 256);
  }
  return [0x80 | out.length, ...out];
}

/**
 * An element with `tag` around the concatenated `contents`.
 *
 * @example
 * ```ts
 * import { encodeDer } from "./der.ts";
 * console.log(encodeDer(0x04, new Uint8Array([1])).length); // 3
 * ```
 */
export function encodeDer(tag: number, ...contents: Uint8Array[]): Uint8Array {
  const length = contents.reduce((n, c) => n + c.length, 0);
  const head = [tag, ...lengthBytes(length)];
  const out = new Uint8Array(head.length + length);
  out.set(head);
  let at = head.length;
  for (const c of contents) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/**
 * A SEQUENCE of explicitly tagged fields: entry i of `items` becomes [i]; undefined ones are left
 * out (OPTIONAL fields).
 *
 * @example
 * ```ts
 * import { encodeInteger, encodeSequence } from "./der.ts";
 * const seq = encodeSequence([encodeInteger(5), undefined, encodeInteger(1)]);
 * console.log(seq[0]); // 48
 * ```
 */
export function encodeSequence(items: (Uint8Array | undefined)[]): Uint8Array {
  const parts: Uint8Array[] = [];
  items.forEach((item, i) => {
    if (item !== undefined) parts.push(encodeDer(0xa0 | i, item));
  });
  return encodeDer(Tag.SEQUENCE, ...parts);
}

/**
 * A minimal two's-complement INTEGER.
 *
 * @example
 * ```ts
 * import { encodeInteger } from "./der.ts";
 * console.log(encodeInteger(128)); // Uint8Array [2, 2, 0, 128]
 * ```
 */
export function encodeInteger(n: number): Uint8Array {
  const out: number[] = [];
  let v = n;
  do {
    out.unshift(((v % 256) + 256) % 256);
    v = Math.floor(v / 256);
  } while (v !== 0 && v !== -1);
  if (n >= 0 && out[0] & 0x80) out.unshift(0);
  if (n < 0 && !(out[0] & 0x80)) out.unshift(0xff);
  return encodeDer(Tag.INTEGER, new Uint8Array(out));
}

/**
 * An OCTET STRING.
 *
 * @example
 * ```ts
 * import { encodeOctets } from "./der.ts";
 * console.log(encodeOctets(new Uint8Array(2)).length); // 4
 * ```
 */
export function encodeOctets(bytes: Uint8Array): Uint8Array {
  return encodeDer(Tag.OCTET_STRING, bytes);
}

/**
 * A GeneralString.
 *
 * @example
 * ```ts
 * import { encodeString } from "./der.ts";
 * console.log(encodeString("A")); // Uint8Array [27, 1, 65]
 * ```
 */
export function encodeString(s: string): Uint8Array {
  return encodeDer(Tag.GENERAL_STRING, new TextEncoder().encode(s));
}

/**
 * A KerberosTime from epoch milliseconds (whole seconds; the microseconds go elsewhere).
 *
 * @example
 * ```ts
 * import { encodeTime } from "./der.ts";
 * console.log(encodeTime(0).length); // 17
 * ```
 */
export function encodeTime(ms: number): Uint8Array {
  const s = new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/[-:T]/g, "")
    .replace(/\.\d+Z$/, "Z");
  return encodeDer(Tag.GENERALIZED_TIME, new TextEncoder().encode(s));
}

/**
 * A 32-bit KerberosFlags BIT STRING.
 *
 * @example
 * ```ts
 * import { encodeFlags } from "./der.ts";
 * console.log(encodeFlags(0).length); // 7
 * ```
 */
export function encodeFlags(flags: number): Uint8Array {
  const v = new Uint8Array(5);
  new DataView(v.buffer).setUint32(1, flags >>> 0);
  return encodeDer(Tag.BIT_STRING, v);
}
