/**
 * Support for bench/run.ts: brokers in their own processes (Brook's CLI broker, franz-go's kfake,
 * a real Kafka 4.1.1), contender processes with a time limit, the machine's description and load,
 * and the statistics and Markdown of the results.
 *
 * @module
 */

import { Admin } from "../client/mod.ts";
import { startCliBroker } from "./cli_broker.ts";

/** A broker the contenders talk to; `stop` ends its process (or deletes what a shared one holds). */
export interface BenchBroker {
  /** Its short name: brook, kfake or kafka. */
  name: string;
  /** The bootstrap address. */
  bootstrap: string;
  /** Ends the broker's process, if the runner started it. */
  stop(): Promise<void>;
}

/** Where the runner found or built its helpers; a missing one is null with the reason beside it. */
export interface Tools {
  /** The Go contender binary (bench/go), or null. */
  go: string | null;
  /** Why `go` is null. */
  goMissing?: string;
  /** Whether confluent-kafka (librdkafka) imports in python3. */
  rdkafka: boolean;
  /** Why `rdkafka` is false. */
  rdkafkaMissing?: string;
  /** Versions, for the machine line. */
  versions: string[];
}

const here = new URL(".", import.meta.url).pathname;

/** Runs a command to completion, returning its stdout; rejects with its stderr's tail on failure. */
export async function output(
  cmd: string[],
  options: { cwd?: string; timeoutMs?: number } = {},
): Promise<string> {
  const result = await new Deno.Command(cmd[0], {
    args: cmd.slice(1),
    cwd: options.cwd,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(options.timeoutMs ?? 600_000),
  }).output();
  const text = new TextDecoder();
  if (!result.success) {
    const err = text.decode(result.stderr).trim().split("\n").slice(-3).join(" / ");
    throw new Error(`${cmd.slice(0, 3).join(" ")} exited ${result.code}: ${err}`);
  }
  return text.decode(result.stdout);
}

/** Builds the Go contender and checks for confluent-kafka; what is missing is said, not fatal. */
export async function prepareTools(): Promise<Tools> {
  const tools: Tools = { go: null, rdkafka: false, versions: [] };
  const binary = await Deno.makeTempFile({ prefix: "brook-bench-go-" });
  try {
    await output(["go", "build", "-o", binary, "."], { cwd: `${here}go` });
    tools.go = binary;
    const mod = await Deno.readTextFile(`${here}go/go.mod`);
    const franz = mod.match(/github\.com\/twmb\/franz-go (v\S+)/)?.[1];
    tools.versions.push(
      `${(await output(["go", "version"])).trim().split(" ")[2]}, franz-go ${franz}`,
    );
  } catch (e) {
    tools.goMissing = `the Go contender did not build: ${(e as Error).message}`;
  }
  try {
    const v = await output([
      "python3",
      "-c",
      "import confluent_kafka as c; v = c.version(); print(v if isinstance(v, str) else v[0], c.libversion()[0])",
    ]);
    const [python, lib] = v.trim().split(" ");
    tools.rdkafka = true;
    tools.versions.push(`librdkafka ${lib} (confluent-kafka ${python})`);
  } catch (e) {
    tools.rdkafkaMissing = `confluent-kafka is not importable (pip install confluent-kafka): ${
      (e as Error).message
    }`;
  }
  return tools;
}

/** The CPU model, its cores and the runtimes, for the record beside the figures. */
export async function machine(tools: Tools): Promise<string> {
  const cpuinfo = await Deno.readTextFile("/proc/cpuinfo").catch(() => "");
  const model = cpuinfo.match(/model name\s*:\s*(.*)/)?.[1] ?? "unknown CPU";
  const deno = `deno ${Deno.version.deno} (V8 ${Deno.version.v8})`;
  return [`${model}, ${navigator.hardwareConcurrency} cores`, deno, ...tools.versions].join("; ");
}

/** The 1-, 5- and 15-minute load averages, as /proc/loadavg gives them. */
export async function loadAverage(): Promise<string> {
  const text = await Deno.readTextFile("/proc/loadavg").catch(() => "? ? ?");
  return text.split(" ").slice(0, 3).join(" ");
}

/** Reads a child's stdout until a line starting with `prefix`; returns the rest of that line. */
async function lineStartingWith(
  stream: ReadableStream<Uint8Array>,
  prefix: string,
  timeoutMs: number,
): Promise<string> {
  const reader = stream.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  const timer = setTimeout(() => reader.cancel(), timeoutMs);
  try {
    while (true) {
      const line = text.split("\n").find((l) => l.startsWith(prefix));
      if (line !== undefined && text.includes("\n", text.indexOf(line))) {
        return line.slice(prefix.length).trim();
      }
      const { value, done } = await reader.read();
      if (done) throw new Error(`no "${prefix}" line in: ${text.slice(-300)}`);
      text += value;
    }
  } finally {
    clearTimeout(timer);
    reader.releaseLock();
  }
}

/** Starts Brook's broker (the CLI) in its own process. */
export async function startBrook(): Promise<BenchBroker> {
  const { bootstrap, process } = await startCliBroker([]);
  return {
    name: "brook",
    bootstrap,
    stop: async () => {
      process.kill();
      await process.status;
      await process.stdout.cancel().catch(() => {});
    },
  };
}

/** Starts franz-go's kfake (one node) in its own process; it runs until its stdin closes. */
export async function startKfake(tools: Tools): Promise<BenchBroker> {
  if (!tools.go) throw new Error(tools.goMissing);
  const process = new Deno.Command(tools.go, {
    args: ["kfake"],
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const bootstrap = await lineStartingWith(process.stdout, "listening on", 30_000);
  return {
    name: "kfake",
    bootstrap,
    stop: async () => {
      await process.stdin.close().catch(() => {});
      await process.status;
      await process.stdout.cancel().catch(() => {});
    },
  };
}

/**
 * A real Kafka 4.1.1: `bootstrap` if given (a running one, shared: only the topics the runner
 * made are deleted), else one started by tools/kafka/start.sh in its own process.
 */
export async function startKafka(bootstrap?: string): Promise<BenchBroker> {
  if (bootstrap) return { name: "kafka", bootstrap, stop: () => Promise.resolve() };
  const dir = await Deno.makeTempDir({ prefix: "brook-bench-kafka-" });
  const start = new Deno.Command("bash", {
    args: [new URL("../tools/kafka/start.sh", import.meta.url).pathname, dir],
    stdin: "null",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const address = await lineStartingWith(start.stdout, "listening on", 180_000);
  return {
    name: "kafka",
    bootstrap: address,
    stop: async () => {
      await output(["bash", new URL("../tools/kafka/stop.sh", import.meta.url).pathname, dir]);
      await start.status;
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
  };
}

/** Creates a one-partition topic (replication factor 1). */
export async function createTopic(bootstrap: string, topic: string): Promise<void> {
  await using admin = new Admin({ bootstrapServers: bootstrap });
  await admin.createTopics([{ name: topic, partitions: 1, replicationFactor: 1 }]);
}

/** Deletes a topic, so that a shared Kafka does not keep the runner's records. */
export async function deleteTopic(bootstrap: string, topic: string): Promise<void> {
  await using admin = new Admin({ bootstrapServers: bootstrap });
  await admin.deleteTopics([topic]);
}

/** The end offset of partition 0 of `topic`: how many records the broker holds for it. */
export async function endOffset(bootstrap: string, topic: string): Promise<number> {
  await using admin = new Admin({ bootstrapServers: bootstrap });
  const [end] = await admin.listOffsets([{ topic, partition: 0, spec: "latest" }]);
  return Number(end.offset);
}

/** What a contender process printed as its last line. */
export interface Measurement {
  /** The measure: records per second, or milliseconds for latency (p50). */
  value: number;
  /** The unit of `value`. */
  unit: string;
  /** Records acknowledged or read, as the contender counted them. */
  verified: number;
  /** Latency percentiles, for latency contenders. */
  p50?: number;
  /** The 99th percentile of latency. */
  p99?: number;
}

/** Runs one contender process; rejects if it fails, times out or prints no measurement. */
export async function runContender(
  cmd: string[],
  options: { cwd?: string; timeoutMs: number },
): Promise<Measurement> {
  const out = await output(cmd, options);
  const last = out.trim().split("\n").at(-1) ?? "";
  const parsed = JSON.parse(last) as Measurement;
  if (typeof parsed.value !== "number" || typeof parsed.verified !== "number") {
    throw new Error(`no measurement in: ${last}`);
  }
  return parsed;
}

/** Minimum, median and maximum. */
export function spread(values: number[]): { min: number; median: number; max: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { min: sorted[0], median, max: sorted[sorted.length - 1] };
}

/** A rate as M or k records/s; a latency in ms. */
export function formatValue(value: number, unit: string): string {
  if (unit === "ms") return `${value.toFixed(2)} ms`;
  if (unit === "B/s") return `${(value / 1e9).toFixed(2)} GB/s`;
  if (value >= 1e6) return `${(value / 1e6).toFixed(2)} M`;
  return `${(value / 1e6).toFixed(3)} M`;
}
