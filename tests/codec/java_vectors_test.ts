import { gunzipSync } from "node:zlib";
import { assertEquals, assertOk } from "../assert.ts";
import {
  decodeBytes,
  encodeToBytes,
  fromHex,
  fromKafkaJson,
  SPECS,
  toHex,
  versionsOf,
} from "./message_model.ts";

// Vectors made by Apache Kafka's own generated message classes (kafka-clients 4.1.1) from random
// messages: `deno task vectors` remakes them, and CI checks that remaking changes nothing.
const file = new URL("../vectors/java_vectors.jsonl.gz", import.meta.url);

interface Vector {
  message: string;
  version: number;
  /** Kafka's JSON form of the message, as text (int64 values must keep every digit). */
  json: string;
  hex?: string;
  error?: string;
}

function loadVectors(): Vector[] {
  const text = new TextDecoder().decode(gunzipSync(Deno.readFileSync(file)));
  return text.split("\n").filter((l) => l !== "").map((line) => {
    const head = JSON.parse(line.slice(0, line.indexOf(',"json":')) + "}");
    const tail = Math.max(line.lastIndexOf(',"hex":"'), line.lastIndexOf(',"error":"'));
    const answer = JSON.parse("{" + line.slice(tail + 1));
    return { ...head, json: line.slice(line.indexOf(',"json":') + 8, tail), ...answer };
  });
}

const vectors = loadVectors();
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
  const spec = SPECS.get(name)!;
  Deno.test(`java vectors: ${name} encodes to Kafka's bytes and decodes to the same values`, () => {
    for (const v of list) {
      const { version, json } = v;
      const value = fromKafkaJson(spec, json, version);
      assertOk(v.hex !== undefined, `Java refused ${name} v${version}: ${v.error}`);
      const where = `${name} v${version} ${json.slice(0, 200)}`;
      assertEquals(toHex(encodeToBytes(spec, value, version)), v.hex, where);
      assertEquals(decodeBytes(spec, fromHex(v.hex!), version), value, where);
    }
  });
}
