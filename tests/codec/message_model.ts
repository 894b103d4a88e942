/**
 * Test support: Kafka's message specs as a model, random messages drawn from it with fast-check, and
 * conversion to and from the JSON form that Kafka's own generated JSON converters read and write.
 *
 * @module
 */

import fc from "fast-check";
import {
  contains,
  type FieldSpec,
  type FieldType,
  intersect,
  isEmpty,
  type MessageSpec,
  parseMessage,
  readSpecs,
  type StructSpec,
} from "../../gen/spec.ts";
import * as codec from "../../codec/mod.ts";
import { Reader, uuidToString, Writer } from "../../codec/mod.ts";

// deno-lint-ignore no-explicit-any
type Value = any;

const specsUrl = new URL("../generated/specs.json", import.meta.url);
const rawSpecs: Record<string, unknown> = JSON.parse(Deno.readTextFileSync(specsUrl));

/** Every spec that has versions to encode, by name. */
export const SPECS: Map<string, MessageSpec> = new Map(
  Object.entries(rawSpecs)
    .map(([file, json]) => parseMessage(file, JSON.stringify(json)))
    .filter((s) => !isEmpty(s.validVersions))
    .map((s) => [s.name, s]),
);

/**
 * Every spec of a Kafka release that has versions to encode, by name, read from
 * `codec/specs/<version>/` (the release the codec is generated from has the same as {@linkcode SPECS}).
 */
export async function specsOf(version: string): Promise<Map<string, MessageSpec>> {
  const dir = new URL(`../../codec/specs/${version}`, import.meta.url).pathname;
  // In file name order, as tests/generated/specs.json has them.
  const specs = (await readSpecs(dir)).sort((a, b) => a.file < b.file ? -1 : 1);
  return new Map(specs.filter((s) => !isEmpty(s.validVersions)).map((s) => [s.name, s]));
}

/** Every version of a spec. */
export function versionsOf(spec: MessageSpec): number[] {
  const out: number[] = [];
  for (let v = spec.validVersions.lo; v <= spec.validVersions.hi; v++) out.push(v);
  return out;
}

/** The generated encoder and decoder of a spec. */
export function codecOf(spec: MessageSpec): {
  encode: (w: Writer, v: Value, version: number) => void;
  decode: (r: Reader, version: number) => Value;
} {
  const all = codec as unknown as Record<string, unknown>;
  const encode = all[`encode${spec.name}`] as (w: Writer, v: Value, version: number) => void;
  const decode = all[`decode${spec.name}`] as (r: Reader, version: number) => Value;
  if (!encode || !decode) throw new Error(`no codec exported for ${spec.name}`);
  return { encode, decode };
}

/** Encodes with the generated encoder into a fresh byte array. */
export function encodeToBytes(spec: MessageSpec, value: Value, version: number): Uint8Array {
  const w = new Writer({ initialSize: 64 });
  codecOf(spec).encode(w, value, version);
  return w.toUint8Array();
}

/** Decodes with the generated decoder, requiring that every byte is consumed. */
export function decodeBytes(spec: MessageSpec, bytes: Uint8Array, version: number): Value {
  const r = new Reader(bytes);
  const v = codecOf(spec).decode(r, version);
  if (r.pos !== bytes.length) throw new Error(`${bytes.length - r.pos} bytes left over`);
  return v;
}

/** Options for random messages. */
export interface RandomOptions {
  /** Longest array. Default 3. */
  maxArray?: number;
  /** Add unknown tagged fields in flexible versions. Default true. */
  unknownTags?: boolean;
  /** Values JSON can carry exactly to a Java peer: no NaN, infinities or negative zero. Default false. */
  jsonSafe?: boolean;
}

/** An arbitrary of complete decoded values of `spec` at `version`. */
export function messageArbitrary(
  spec: MessageSpec,
  version: number,
  options: RandomOptions = {},
): fc.Arbitrary<Value> {
  const flexible = contains(spec.flexibleVersions, version);
  const opts = {
    maxArray: options.maxArray ?? 3,
    unknownTags: options.unknownTags ?? true,
    jsonSafe: options.jsonSafe ?? false,
  };
  const structArb = (s: StructSpec): fc.Arbitrary<Value> => {
    const fields: Record<string, fc.Arbitrary<Value>> = {};
    for (const f of s.fields) {
      fields[f.prop] = contains(f.versions, version)
        ? fieldArb(f)
        : fc.constant(undefined).map(() => defaultValue(f));
    }
    let arb: fc.Arbitrary<Value> = fc.record(fields, { noNullPrototype: true });
    if (flexible && opts.unknownTags) {
      const tags = fc.uniqueArray(fc.integer({ min: 64, max: 70000 }), { maxLength: 2 });
      arb = fc.tuple(arb, tags, fc.uint8Array({ maxLength: 5 })).map(([v, t, data]) => {
        if (t.length > 0) {
          v.unknownTaggedFields = [...t].sort((a, b) => a - b).map((tag) => ({ tag, data }));
        }
        return v;
      });
    }
    return arb;
  };
  const typeArb = (t: FieldType): fc.Arbitrary<Value> => {
    if (t.kind === "array") return fc.array(typeArb(t.element), { maxLength: opts.maxArray });
    if (t.kind === "struct") return structArb(t.struct);
    return primitiveArb(t.name, opts.jsonSafe);
  };
  const fieldArb = (f: FieldSpec): fc.Arbitrary<Value> => {
    const base = typeArb(f.type);
    return contains(f.nullableVersions, version) ? fc.option(base, { nil: null, freq: 4 }) : base;
  };
  return structArb(spec.root);
}

function primitiveArb(name: string, jsonSafe: boolean): fc.Arbitrary<Value> {
  switch (name) {
    case "bool":
      return fc.boolean();
    case "int8":
      return fc.integer({ min: -128, max: 127 });
    case "int16":
      return fc.integer({ min: -32768, max: 32767 });
    case "uint16":
      return fc.integer({ min: 0, max: 65535 });
    case "int32":
      return fc.integer();
    case "uint32":
      return fc.integer({ min: 0, max: 0xffffffff });
    case "int64":
      return fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n });
    case "float64":
      return jsonSafe
        ? fc.double({ noNaN: true, noDefaultInfinity: true }).filter((d) => !Object.is(d, -0))
        : fc.double();
    case "uuid":
      return fc.uint8Array({ minLength: 16, maxLength: 16 }).map((b) => uuidToString(b));
    case "string":
      return fc.oneof(
        { weight: 3, arbitrary: fc.string({ unit: "grapheme-ascii", maxLength: 12 }) },
        { weight: 1, arbitrary: fc.string({ unit: "grapheme", maxLength: 6 }) },
      );
    case "bytes":
    case "records":
      return fc.uint8Array({ maxLength: 24 });
  }
  throw new Error(`no arbitrary for ${name}`);
}

/** A field's default as a decoded value. */
export function defaultValue(f: FieldSpec): Value {
  const d = f.defaultText;
  const t = f.type;
  if (d === "null") return null;
  if (t.kind === "array") return [];
  if (t.kind === "struct") {
    const out: Record<string, Value> = {};
    for (const sf of t.struct.fields) out[sf.prop] = defaultValue(sf);
    return out;
  }
  switch (t.name) {
    case "bool":
      return d === "true";
    case "int64":
      return d === undefined ? 0n : BigInt(d);
    case "string":
      return d ?? "";
    case "uuid":
      return d ?? codec.ZERO_UUID;
    case "bytes":
      return new Uint8Array(0);
    case "records":
      return null;
    default:
      return d === undefined ? 0 : Number(d);
  }
}

/** The JSON text Kafka's JSON converter reads for `value` at `version` (int64 as exact integers). */
export function toKafkaJson(spec: MessageSpec, value: Value, version: number): string {
  const struct = (s: StructSpec, v: Value): string => {
    const parts: string[] = [];
    for (const f of s.fields) {
      if (!contains(f.versions, version)) continue;
      parts.push(`${JSON.stringify(f.prop)}:${typed(f.type, v[f.prop])}`);
    }
    return `{${parts.join(",")}}`;
  };
  const typed = (t: FieldType, v: Value): string => {
    if (v === null) return "null";
    if (t.kind === "array") return `[${v.map((e: Value) => typed(t.element, e)).join(",")}]`;
    if (t.kind === "struct") return struct(t.struct, v);
    switch (t.name) {
      case "int64":
        return String(v);
      case "bytes":
      case "records":
        return JSON.stringify(btoa(String.fromCharCode(...v)));
      default:
        return JSON.stringify(v);
    }
  };
  return struct(spec.root, value);
}

/** Reads Kafka-converter JSON back into a complete decoded value of `spec` at `version`. */
export function fromKafkaJson(spec: MessageSpec, text: string, version: number): Value {
  const json = JSON.parse(
    text,
    (_k, v, ctx?: { source?: string }) => typeof v === "number" ? { $number: ctx!.source! } : v,
  );
  const struct = (s: StructSpec, j: Value): Value => {
    const out: Record<string, Value> = {};
    for (const f of s.fields) {
      out[f.prop] = contains(f.versions, version) && j[f.prop] !== undefined
        ? typed(f.type, j[f.prop])
        : defaultValue(f);
    }
    return out;
  };
  const typed = (t: FieldType, j: Value): Value => {
    if (j === null) return null;
    if (t.kind === "array") return j.map((e: Value) => typed(t.element, e));
    if (t.kind === "struct") return struct(t.struct, j);
    switch (t.name) {
      case "int64":
        return BigInt(j.$number);
      case "bytes":
      case "records":
        return Uint8Array.from(atob(j), (c) => c.charCodeAt(0));
      default:
        return typeof j === "object" && j !== null && "$number" in j ? Number(j.$number) : j;
    }
  };
  return struct(spec.root, json);
}

/** Fields that only exist where tagged fields are written, for tests that need to find them. */
export function hasTaggedFields(spec: MessageSpec, version: number): boolean {
  return spec.structs.some((s) =>
    s.fields.some((f) =>
      !isEmpty(intersect(intersect(f.taggedVersions, f.versions), { lo: version, hi: version }))
    )
  );
}

/** Lower-case hex of bytes. */
export function toHex(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += b.toString(16).padStart(2, "0");
  return s;
}

/** Bytes of lower-case hex. */
export function fromHex(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}
