// brook produce and brook consume against kcat on the same Brook broker (a separate process):
// records/s and peak memory (max RSS, from /usr/bin/time). Not a test: figures for
// bench/README.md. Run: deno run -A bench/cli_compare.ts [--mib 200] [--runs 3]
import { parseArgs } from "node:util";

const { values } = parseArgs({
  args: Deno.args,
  options: { mib: { type: "string", default: "200" }, runs: { type: "string", default: "3" } },
});
const mib = Number(values.mib);
const runs = Number(values.runs);
const cli = (name: string) => new URL(`../cli/${name}.ts`, import.meta.url).pathname;
const deno = Deno.execPath();

// The input: 100-byte lines, "<number> x..." (as the 200 MiB file of 2.08 M records).
const input = await Deno.makeTempFile({ prefix: "brook-cli-bench-", suffix: ".txt" });
{
  const file = await Deno.open(input, { write: true });
  const pad = "x".repeat(88);
  const encoder = new TextEncoder();
  let written = 0;
  for (let i = 0; written < mib * 1024 * 1024; i++) {
    let chunk = "";
    for (let j = 0; j < 10000; j++) chunk += `${String(i * 10000 + j).padStart(10, "0")} ${pad}\n`;
    written += await file.write(encoder.encode(chunk));
  }
  file.close();
}
const lines = (await Deno.stat(input)).size / 100;

const broker = new Deno.Command(deno, {
  args: ["run", "-A", cli("broker"), "--port", "0", "--partitions", "3"],
  stdout: "piped",
  stderr: "null",
}).spawn();
const reader = broker.stdout.pipeThrough(new TextDecoderStream()).getReader();
let bootstrap = "";
while (!bootstrap) {
  const { value } = await reader.read();
  bootstrap = /listening on (\S+)/.exec(value ?? "")?.[1] ?? "";
}

/** Runs a command under /usr/bin/time: seconds and max RSS in MB. */
async function measure(cmd: string[], stdinFile?: string) {
  const start = performance.now();
  const child = new Deno.Command("/usr/bin/time", {
    args: ["-f", "%M", ...cmd],
    stdin: stdinFile ? "piped" : "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  if (stdinFile) (await Deno.open(stdinFile)).readable.pipeTo(child.stdin);
  const out = await child.output();
  const seconds = (performance.now() - start) / 1000;
  const err = new TextDecoder().decode(out.stderr).trim().split("\n");
  if (!out.success) throw new Error(`${cmd.join(" ")} failed: ${err.join(" ")}`);
  return { seconds, rssMb: Number(err.at(-1)) / 1024 };
}

const rows: string[] = [];
for (let run = 0; run < runs; run++) {
  const t1 = `brook-${run}`;
  const t2 = `kcat-${run}`;
  const cases: [string, string[], string?][] = [
    ["brook produce", [
      deno,
      "run",
      "-A",
      cli("produce"),
      "--bootstrap-server",
      bootstrap,
      "--topic",
      t1,
    ], input],
    ["kcat -P", ["kcat", "-P", "-b", bootstrap, "-t", t2], input],
    [
      "brook consume",
      [
        deno,
        "run",
        "-A",
        cli("consume"),
        "--bootstrap-server",
        bootstrap,
        "--topic",
        t1,
        "--from-beginning",
        "--max-messages",
        String(lines),
      ],
    ],
    ["kcat -C", ["kcat", "-C", "-b", bootstrap, "-t", t2, "-o", "beginning", "-e", "-q"]],
  ];
  for (const [name, cmd, stdin] of cases) {
    const m = await measure(cmd, stdin);
    rows.push(
      `| ${name} | ${run + 1} | ${m.seconds.toFixed(1)} s | ${Math.round(lines / m.seconds)} | ${
        Math.round(m.rssMb)
      } MB |`,
    );
    console.error(rows.at(-1));
  }
}
broker.kill("SIGTERM");
await broker.status;
await Deno.remove(input);
console.log(`${lines} records (${mib} MiB), broker ${bootstrap}\n`);
console.log("| tool | run | time | records/s | peak RSS |\n| --- | --: | --: | --: | --: |");
console.log(rows.join("\n"));
