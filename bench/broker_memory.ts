/**
 * Memory of Brook's broker per stored record: the broker runs alone in its own process (started with
 * `--expose-gc`), a producer in another writes 100-byte records into one partition, and the broker's
 * resident set size after a full collection is compared with the bytes its logs hold
 * (brook_topic_log_size_bytes). Prints one JSON line per round.
 *
 * Run: deno run -A bench/broker_memory.ts [--records 1000000] [--rounds 3] [--producer brook|rdkafka]
 *
 * @module
 */

import { parseArgs } from "node:util";
import { Broker } from "../broker/mod.ts";

const here = new URL(".", import.meta.url).pathname;

/** The broker's side: serves until stdin closes, answering each stdin line with its memory. */
async function serve(): Promise<void> {
  const broker = await Broker.start({ topics: { mem: { partitions: 1 } } });
  const gc = (globalThis as { gc?: () => void }).gc;
  const rss = () =>
    Number(/VmRSS:\s+(\d+)/.exec(Deno.readTextFileSync("/proc/self/status"))?.[1] ?? 0) * 1024;
  const sample = () => {
    const rssBeforeGc = rss();
    gc?.();
    gc?.();
    let stored = 0;
    for (const line of broker.prometheusMetrics().split("\n")) {
      if (line.startsWith("brook_topic_log_size_bytes")) stored += Number(line.split(" ").pop());
    }
    return { rssBeforeGc, rss: rss(), stored, heapUsed: Deno.memoryUsage().heapUsed };
  };
  console.log(`listening on ${broker.bootstrapServers}`);
  const lines = Deno.stdin.readable.pipeThrough(new TextDecoderStream());
  for await (const chunk of lines) {
    for (let i = 0; i < chunk.split("\n").length - 1; i++) console.log(JSON.stringify(sample()));
  }
  await broker.close();
}

/** Reads one line from a child's stdout. */
async function readLine(reader: ReadableStreamDefaultReader<string>, held: { text: string }) {
  while (!held.text.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) throw new Error("the broker process exited");
    held.text += value;
  }
  const at = held.text.indexOf("\n");
  const line = held.text.slice(0, at);
  held.text = held.text.slice(at + 1);
  return line;
}

interface Sample {
  rssBeforeGc: number;
  rss: number;
  stored: number;
  heapUsed: number;
}

/** One round: a fresh broker process, `records` records produced into it, its growth measured. */
async function round(records: number, producer: string): Promise<Record<string, number>> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--v8-flags=--expose-gc", `${here}broker_memory.ts`, "--serve"],
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  const held = { text: "" };
  const writer = child.stdin.getWriter();
  const measure = async (): Promise<Sample> => {
    await writer.write(new TextEncoder().encode("\n"));
    return JSON.parse(await readLine(reader, held));
  };
  try {
    const bootstrap = (await readLine(reader, held)).replace("listening on ", "");
    const before = await measure();
    const cmd = producer === "rdkafka"
      ? ["python3", `${here}rdkafka.py`, "produce", bootstrap, "mem", `${records}`, "0"]
      : [
        Deno.execPath(),
        "run",
        "-A",
        `${here}contenders/clients.ts`,
        "produce",
        "brook-arrays",
        bootstrap,
        "mem",
        `${records}`,
        "0",
      ];
    const out = await new Deno.Command(cmd[0], {
      args: cmd.slice(1),
      stdout: "piped",
      stderr: "inherit",
      signal: AbortSignal.timeout(300_000),
    }).output();
    if (!out.success) throw new Error(`the producer exited ${out.code}`);
    const after = await measure();
    const stored = after.stored - before.stored;
    return {
      records,
      storedMB: stored / 1e6,
      rssGrowthMB: (after.rss - before.rss) / 1e6,
      rssRatio: (after.rss - before.rss) / stored,
      rssRatioBeforeGc: (after.rssBeforeGc - before.rssBeforeGc) / stored,
      heapRatio: (after.heapUsed - before.heapUsed) / stored,
    };
  } finally {
    await writer.close().catch(() => {});
    await reader.cancel().catch(() => {});
    await child.status;
  }
}

if (import.meta.main) {
  const { values: args } = parseArgs({
    args: Deno.args,
    options: {
      serve: { type: "boolean", default: false },
      records: { type: "string", default: "1000000" },
      rounds: { type: "string", default: "3" },
      producer: { type: "string", default: "brook" },
    },
  });
  if (args.serve) {
    await serve();
  } else {
    for (let i = 0; i < Number(args.rounds); i++) {
      console.log(JSON.stringify(await round(Number(args.records), args.producer)));
    }
  }
}
