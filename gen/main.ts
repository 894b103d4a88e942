/**
 * `deno task gen`: generates Brook's Kafka protocol codec from Kafka's JSON message specs.
 *
 * Reads `codec/specs/<version>/`, the JSON specs of the Kafka release Brook is built from (copied
 * from its kafka-clients jar by `deno task specs`), or the folder given as the first argument, and writes
 * `codec/generated/` (one module per spec file, the API table, the identity fields of error
 * answers, an index) and `tests/generated/specs.json`
 * (the specs without their prose, so that the codec tests can generate random messages hermetically).
 * Output is formatted with `deno fmt`, so regenerating an unchanged spec set changes no byte.
 *
 * @module
 */

import { type MessageSpec, readSpecs, snakeCase, stripComments } from "./spec.ts";
import { MessageEmitter } from "./emit_message.ts";
import { codecSpecs, emitApiTable, emitIndex } from "./emit_tables.ts";
import { emitIdentities } from "./emit_identities.ts";
import { KAFKA_VERSION } from "./version.ts";

const root = new URL("..", import.meta.url).pathname;
const specDir = Deno.args[0] ?? `${root}codec/specs/${KAFKA_VERSION}`;
const outDir = `${root}codec/generated`;

const specs = await readSpecs(specDir);
await Deno.remove(outDir, { recursive: true }).catch(() => {});
await Deno.mkdir(`${outDir}/messages`, { recursive: true });

const written: string[] = [];
for (const spec of codecSpecs(specs)) {
  const path = `${outDir}/messages/${moduleName(spec)}.ts`;
  await Deno.writeTextFile(path, new MessageEmitter(spec).emit());
  written.push(path);
}
await Deno.writeTextFile(`${outDir}/apis.ts`, emitApiTable(specs, moduleName));
await Deno.writeTextFile(`${outDir}/mod.ts`, emitIndex(specs, moduleName));
await Deno.writeTextFile(`${outDir}/identities.ts`, emitIdentities(specs));
written.push(`${outDir}/apis.ts`, `${outDir}/mod.ts`, `${outDir}/identities.ts`);

await Deno.mkdir(`${root}tests/generated`, { recursive: true });
await Deno.writeTextFile(`${root}tests/generated/specs.json`, await specsWithoutProse(specDir));

const fmt = new Deno.Command("deno", {
  args: ["fmt", "--quiet", outDir, `${root}tests/generated`],
  cwd: root,
}).outputSync();
if (!fmt.success) {
  console.error(new TextDecoder().decode(fmt.stderr));
  Deno.exit(1);
}
console.log(`generated ${specs.length} message modules from ${specDir}`);

/** The module file name of a spec: its snake_case name. */
export function moduleName(spec: MessageSpec): string {
  return snakeCase(spec.name);
}

/** Every spec file's JSON, sorted by file name, without the `about` documentation strings. */
async function specsWithoutProse(dir: string): Promise<string> {
  const files: string[] = [];
  for await (const e of Deno.readDir(dir)) if (e.name.endsWith(".json")) files.push(e.name);
  files.sort();
  const out: Record<string, unknown> = {};
  for (const file of files) {
    const json = JSON.parse(stripComments(await Deno.readTextFile(`${dir}/${file}`)));
    out[file] = dropAbout(json);
  }
  return JSON.stringify(out, null, 1) + "\n";
}

function dropAbout(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(dropAbout);
  if (v !== null && typeof v === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (k !== "about") out[k] = dropAbout(x);
    return out;
  }
  return v;
}
