/**
 * `deno task vectors`: makes the Java byte-equality vectors.
 *
 * Draws random messages (a fixed seed per message and version) for every API key, version and direction,
 * plus the headers and the consumer-protocol data types; asks Apache Kafka's own generated message classes
 * (kafka-clients 4.1.1, through tests/vectors/java) for their bytes; and writes
 * tests/vectors/java_vectors.jsonl.gz: one line per message with Kafka's JSON form and Java's hex.
 * Run it again after changing the random generator; CI runs it and checks that nothing changed.
 *
 * @module
 */

import fc from "fast-check";
import { gunzipSync, gzipSync } from "node:zlib";
import { messageArbitrary, SPECS, toKafkaJson, versionsOf } from "../codec/message_model.ts";

const PER_VERSION = Number(Deno.env.get("BROOK_VECTORS_PER_VERSION") ?? 20);
const here = new URL(".", import.meta.url).pathname;
const tmp = await Deno.makeTempDir({ prefix: "brook-vectors-" });

interface Vector {
  id: string;
  message: string;
  version: number;
  json: string;
}

const vectors: Vector[] = [];
for (const spec of SPECS.values()) {
  for (const version of versionsOf(spec)) {
    const arb = messageArbitrary(spec, version, { unknownTags: false, jsonSafe: true });
    const values = fc.sample(arb, { numRuns: PER_VERSION, seed: hash(`${spec.name}/${version}`) });
    values.forEach((value, i) => {
      vectors.push({
        id: `${spec.name}/${version}/${i}`,
        message: spec.name,
        version,
        json: toKafkaJson(spec, value, version),
      });
    });
  }
}

const input =
  vectors.map((v) =>
    `{"id":${JSON.stringify(v.id)},"message":${
      JSON.stringify(v.message)
    },"version":${v.version},"json":${v.json}}`
  ).join("\n") + "\n";
await Deno.writeTextFile(`${tmp}/in.jsonl`, input);
const run = await new Deno.Command("bash", {
  args: [`${here}java/run.sh`, `${tmp}/in.jsonl`, `${tmp}/out.jsonl`],
  stdout: "inherit",
  stderr: "inherit",
}).output();
if (!run.success) throw new Error("the Java vector tool failed");

const answers = new Map<string, { hex?: string; error?: string }>();
for (const line of (await Deno.readTextFile(`${tmp}/out.jsonl`)).split("\n")) {
  if (line.trim() === "") continue;
  const a = JSON.parse(line);
  answers.set(a.id, a);
}
const lines: string[] = [];
let refused = 0;
for (const v of vectors) {
  const a = answers.get(v.id);
  if (!a) throw new Error(`no answer from Java for ${v.id}`);
  if (a.error !== undefined) refused++;
  const answer = a.error !== undefined ? `"error":${JSON.stringify(a.error)}` : `"hex":"${a.hex}"`;
  lines.push(`{"message":"${v.message}","version":${v.version},"json":${v.json},${answer}}`);
}
const out = `${here}java_vectors.jsonl.gz`;
const text = lines.join("\n") + "\n";
// Rewrite only when the content changed: gzip bytes may differ between zlib builds for the same text.
const old = await Deno.readFile(out).then((b) => new TextDecoder().decode(gunzipSync(b))).catch(
  () => "",
);
if (old !== text) await Deno.writeFile(out, gzipSync(new TextEncoder().encode(text), { level: 9 }));
console.log(old === text ? "vectors unchanged" : "vectors changed");
await Deno.remove(tmp, { recursive: true });
console.log(`${vectors.length} vectors (${refused} refused by Java) written to ${out}`);

function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}
