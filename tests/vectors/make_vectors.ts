/**
 * `deno task vectors`: makes the Java byte-equality vectors.
 *
 * For each Kafka release under codec/specs (or those named as arguments, e.g. `4.4.0`): draws random
 * messages from that release's specs (a fixed seed per message and version) for every API key, version
 * and direction, plus the headers and the consumer-protocol data types; asks that release's own
 * generated message classes (its kafka-clients, through tests/vectors/java) for their bytes; and writes
 * tests/vectors/java_vectors.jsonl.gz (4.1.1) or java_vectors_<release>.jsonl.gz: one line per message
 * with Kafka's JSON form and Java's hex.
 * Run it again after changing the random generator; CI runs it and checks that nothing changed.
 *
 * @module
 */

import fc from "fast-check";
import { gunzipSync, gzipSync } from "node:zlib";
import { messageArbitrary, specsOf, toKafkaJson, versionsOf } from "../codec/message_model.ts";

const PER_VERSION = Number(Deno.env.get("BROOK_VECTORS_PER_VERSION") ?? 20);
const here = new URL(".", import.meta.url).pathname;
const specsDir = new URL("../../codec/specs/", import.meta.url).pathname;

interface Vector {
  id: string;
  message: string;
  version: number;
  json: string;
}

/** The vectors file of a release. */
export function vectorsFile(kafka: string): string {
  return kafka === "4.1.1" ? "java_vectors.jsonl.gz" : `java_vectors_${kafka}.jsonl.gz`;
}

async function makeVectors(kafka: string): Promise<void> {
  const tmp = await Deno.makeTempDir({ prefix: "brook-vectors-" });
  const vectors: Vector[] = [];
  for (const spec of (await specsOf(kafka)).values()) {
    for (const version of versionsOf(spec)) {
      const arb = messageArbitrary(spec, version, { unknownTags: false, jsonSafe: true });
      const values = fc.sample(arb, {
        numRuns: PER_VERSION,
        seed: hash(`${spec.name}/${version}`),
      });
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
    env: { BROOK_VECTORS_KAFKA: kafka },
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
    const answer = a.error !== undefined
      ? `"error":${JSON.stringify(a.error)}`
      : `"hex":"${a.hex}"`;
    lines.push(`{"message":"${v.message}","version":${v.version},"json":${v.json},${answer}}`);
  }
  const out = `${here}${vectorsFile(kafka)}`;
  const text = lines.join("\n") + "\n";
  // Rewrite only when the content changed: gzip bytes may differ between zlib builds for the same text.
  const old = await Deno.readFile(out).then((b) => new TextDecoder().decode(gunzipSync(b))).catch(
    () => "",
  );
  if (old !== text) {
    await Deno.writeFile(out, gzipSync(new TextEncoder().encode(text), { level: 9 }));
  }
  console.log(old === text ? "vectors unchanged" : "vectors changed");
  await Deno.remove(tmp, { recursive: true });
  console.log(`${vectors.length} vectors (${refused} refused by Java) written to ${out}`);
}

if (import.meta.main) {
  let releases = Deno.args;
  if (releases.length === 0) {
    releases = [];
    for await (const e of Deno.readDir(specsDir)) if (e.isDirectory) releases.push(e.name);
    releases.sort();
  }
  for (const kafka of releases) await makeVectors(kafka);
}

function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}
