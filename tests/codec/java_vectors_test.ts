import { gunzipSync } from "node:zlib";
import { assertEquals, assertOk } from "../assert.ts";
import {
  decodeBytes,
  defaultValue,
  encodeToBytes,
  fromHex,
  fromKafkaJson,
  SPECS,
  specsOf,
  toHex,
  versionsOf,
} from "./message_model.ts";
import { contains, type FieldSpec, type FieldType, type StructSpec } from "../../gen/spec.ts";

// Vectors made by Apache Kafka's own generated message classes from random messages, one file per
// release (kafka-clients 4.1.1 and 4.4.0): `deno task vectors` remakes them, and CI checks that
// remaking changes nothing. Each release's vectors are read with that release's specs and checked
// against the codec, whichever release it is generated from: every version a release has must be
// encoded and decoded byte for byte.
const RELEASES = [
  { kafka: "4.1.1", file: "java_vectors.jsonl.gz" },
  { kafka: "4.4.0", file: "java_vectors_4.4.0.jsonl.gz" },
];

interface Vector {
  message: string;
  version: number;
  /** Kafka's JSON form of the message, as text (int64 values must keep every digit). */
  json: string;
  hex?: string;
  error?: string;
  kafka: string;
}

function loadVectors(kafka: string, file: string): Vector[] {
  const url = new URL(`../vectors/${file}`, import.meta.url);
  const text = new TextDecoder().decode(gunzipSync(Deno.readFileSync(url)));
  return text.split("\n").filter((l) => l !== "").map((line) => {
    const head = JSON.parse(line.slice(0, line.indexOf(',"json":')) + "}");
    const tail = Math.max(line.lastIndexOf(',"hex":"'), line.lastIndexOf(',"error":"'));
    const answer = JSON.parse("{" + line.slice(tail + 1));
    return { ...head, json: line.slice(line.indexOf(',"json":') + 8, tail), ...answer, kafka };
  });
}

// deno-lint-ignore no-explicit-any
type Value = any;

/**
 * A value read with one release's spec as the codec's spec holds it. A field may be renamed between
 * releases (TxnOffsetCommit's GenerationId became GenerationIdOrMemberEpoch) but not moved: at one
 * version, fields match by their order, and tagged fields by their tag.
 */
function asCodecValue(from: StructSpec, to: StructSpec, value: Value, version: number): Value {
  const present = (s: StructSpec) => s.fields.filter((f) => contains(f.versions, version));
  const tagged = (f: FieldSpec) => contains(f.taggedVersions, version);
  const fromFields = present(from);
  const untagged = fromFields.filter((f) => !tagged(f));
  const out: Record<string, Value> = {};
  let next = 0;
  for (const f of to.fields) {
    if (!contains(f.versions, version)) {
      out[f.prop] = defaultValue(f);
      continue;
    }
    const source = tagged(f)
      ? fromFields.find((g) => tagged(g) && g.tag === f.tag)
      : untagged[next++];
    if (source === undefined) throw new Error(`${to.name}.${f.name} v${version} has no match`);
    out[f.prop] = convert(source.type, f.type, value[source.prop], version);
  }
  return out;
}

function convert(from: FieldType, to: FieldType, value: Value, version: number): Value {
  if (value === null) return null;
  if (from.kind === "array" && to.kind === "array") {
    return value.map((e: Value) => convert(from.element, to.element, e, version));
  }
  if (from.kind === "struct" && to.kind === "struct") {
    return asCodecValue(from.struct, to.struct, value, version);
  }
  return value;
}

const vectors = [];
for (const { kafka, file } of RELEASES) {
  const specs = await specsOf(kafka);
  for (const v of loadVectors(kafka, file)) vectors.push({ ...v, spec: specs.get(v.message)! });
}
const byMessage = Map.groupBy(vectors, (v) => v.message);

Deno.test("java vectors: every message, version and direction is covered at least 20 times", () => {
  for (const spec of SPECS.values()) {
    const mine = byMessage.get(spec.name) ?? [];
    for (const version of versionsOf(spec)) {
      const n = mine.filter((v) => v.version === version).length;
      assertOk(n >= 20, `${spec.name} v${version} has ${n} vectors`);
    }
  }
});

for (const [name, list] of byMessage) {
  const spec = SPECS.get(name);
  Deno.test({
    name: `java vectors: ${name} encodes to Kafka's bytes and decodes to the same values`,
    // A message the codec does not have (newer than the release it is generated from).
    ignore: spec === undefined,
    fn() {
      for (const v of list) {
        const { version, json } = v;
        // A version newer than the codec's.
        if (!contains(spec!.validVersions, version)) continue;
        const read = fromKafkaJson(v.spec, json, version);
        const value = asCodecValue(v.spec.root, spec!.root, read, version);
        assertOk(v.hex !== undefined, `Java ${v.kafka} refused ${name} v${version}: ${v.error}`);
        const where = `${name} v${version} (${v.kafka}) ${json.slice(0, 200)}`;
        assertEquals(toHex(encodeToBytes(spec!, value, version)), v.hex, where);
        assertEquals(decodeBytes(spec!, fromHex(v.hex!), version), value, where);
      }
    },
  });
}
