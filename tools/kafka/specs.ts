/**
 * `deno task specs [VERSION...]`: copies Kafka's JSON message specs out of a kafka-clients release.
 *
 * For each VERSION (default: every folder under `codec/specs/`), Maven fetches
 * `org.apache.kafka:kafka-clients:VERSION` into the local repository (`mvn dependency:get`), and
 * the jar's `common/message/*.json`, `LICENSE` and `NOTICE` replace `codec/specs/VERSION/`,
 * byte for byte. `deno task gen` generates the codec from the folder of the version it names.
 *
 * @example
 * ```sh
 * deno task specs 4.4.0
 * ```
 *
 * @module
 */

import { unzipEntries } from "./zip.ts";

const root = new URL("../../", import.meta.url).pathname;
const specsDir = `${root}codec/specs`;
/** The jar's entries that are copied, and their names in the copy. */
const copied = (entry: string): string | undefined =>
  /^common\/message\/[A-Za-z0-9]+\.json$/.test(entry)
    ? entry.slice("common/message/".length)
    : entry === "LICENSE" || entry === "NOTICE"
    ? entry
    : undefined;

/** The path of kafka-clients `version` in the local Maven repository, fetched there if absent. */
async function kafkaClientsJar(version: string): Promise<string> {
  if (!/^\d+\.\d+\.\d+$/.test(version)) throw new Error(`not a Kafka release: ${version}`);
  const out = await new Deno.Command("mvn", {
    args: ["-q", "-B", "dependency:get", `-Dartifact=org.apache.kafka:kafka-clients:${version}`],
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  if (!out.success) throw new Error(`mvn could not fetch kafka-clients ${version}`);
  const repo = Deno.env.get("MAVEN_REPOSITORY") ?? `${Deno.env.get("HOME")}/.m2/repository`;
  return `${repo}/org/apache/kafka/kafka-clients/${version}/kafka-clients-${version}.jar`;
}

/** Replaces `codec/specs/<version>/` with the specs of that release; returns how many files. */
async function extract(version: string): Promise<number> {
  const jar = await Deno.readFile(await kafkaClientsJar(version));
  const files = new Map<string, Uint8Array>();
  for (const { name, data } of await unzipEntries(jar, (name) => copied(name) !== undefined)) {
    files.set(copied(name)!, data);
  }
  if (![...files.keys()].some((f) => f.endsWith(".json"))) {
    throw new Error(`kafka-clients ${version} holds no common/message/*.json`);
  }
  const dir = `${specsDir}/${version}`;
  await Deno.remove(dir, { recursive: true }).catch(() => {});
  await Deno.mkdir(dir, { recursive: true });
  for (const [name, data] of files) await Deno.writeFile(`${dir}/${name}`, data);
  return files.size;
}

if (import.meta.main) {
  let versions = Deno.args;
  if (versions.length === 0) {
    versions = [];
    for await (const e of Deno.readDir(specsDir)) if (e.isDirectory) versions.push(e.name);
    versions.sort();
  }
  for (const version of versions) {
    console.log(`codec/specs/${version}: ${await extract(version)} files from kafka-clients`);
  }
}
