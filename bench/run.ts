/**
 * Comparative benchmarks that cannot flatter: every contender runs in its own process (so none
 * inherits another's garbage or JIT state), interleaved over several rounds (A B C A B C ...), each
 * verifying the records it acknowledged or read; the runner reports min/median/max per contender and
 * the ratio of medians to a named baseline as Markdown, with the machine and its load average before
 * and after each round.
 *
 * Measures: `codec` (a batch of 1000 records encoded and decoded: Brook, KafkaJS,
 * @platformatic/kafka), `crc` (CRC-32C of 1 MiB: Brook, KafkaJS, @platformatic/kafka's JavaScript
 * fallback, and native `@node-rs/crc32` as the practical limit), `produce` (Brook with arrays and with one send per record, franz-go,
 * librdkafka, @platformatic/kafka, KafkaJS into Brook's broker, franz-go's kfake and a real Kafka
 * 4.1.1), `consume` (the same clients reading the same records), `latency` (produce at a fixed rate,
 * acks=1: Brook and franz-go).
 *
 * Run: deno task bench:compare [--rounds 5] [--records 1000000] [--warmup 100000]
 *   [--kafkajs-records 100000] [--measures codec,crc,produce,consume,latency]
 *   [--brokers brook,kfake,kafka] [--kafka HOST:PORT] [--latency-seconds 5] [--write bench/README.md]
 *
 * `--kafka` (or BROOK_KAFKA_BOOTSTRAP) reuses a running Kafka; otherwise tools/kafka/start.sh starts
 * one. `--smoke` is one round of 10,000 records: it checks that every contender runs and verifies its
 * records, and says nothing about speed. Exits 1 if any contender failed.
 *
 * @module
 */

import { parseArgs } from "node:util";
import {
  type BenchBroker,
  createTopic,
  deleteTopic,
  endOffset,
  formatValue,
  loadAverage,
  machine,
  type Measurement,
  prepareTools,
  runContender,
  spread,
  startBrook,
  startKafka,
  startKfake,
} from "./run_support.ts";

const { values: args } = parseArgs({
  args: Deno.args,
  options: {
    rounds: { type: "string", default: "5" },
    records: { type: "string", default: "1000000" },
    warmup: { type: "string", default: "100000" },
    "kafkajs-records": { type: "string", default: "100000" },
    measures: { type: "string", default: "codec,crc,produce,consume,latency" },
    brokers: { type: "string", default: "brook,kfake,kafka" },
    kafka: { type: "string" },
    "latency-rate": { type: "string", default: "1000" },
    "latency-seconds": { type: "string", default: "5" },
    write: { type: "string" },
    smoke: { type: "boolean", default: false },
  },
});
const smoke = args.smoke;
const rounds = smoke ? 1 : Number(args.rounds);
const records = smoke ? 10_000 : Number(args.records);
const warmup = smoke ? 1_000 : Number(args.warmup);
const kafkajsRecords = Math.min(records, smoke ? 10_000 : Number(args["kafkajs-records"]));
const latencyRate = Number(args["latency-rate"]);
const latencySeconds = smoke ? 1 : Number(args["latency-seconds"]);
const measures = new Set(args.measures!.split(","));
const brokerNames = args.brokers!.split(",");
const timeoutMs = 300_000;
const here = new URL(".", import.meta.url).pathname;
const log = (line: string) => console.error(`[${new Date().toISOString().slice(11, 19)}] ${line}`);

/** A contender's command line, or why it cannot run here. */
type Command = { cmd: string[]; cwd?: string } | { skip: string };

interface Contender {
  name: string;
  command: (bootstrap: string, topic: string, n: number, warm: number) => Command;
  /** Records it handles, when scaled down from `records` because it is slow. */
  records?: number;
}

interface Row {
  group: string;
  contender: string;
  records?: number;
  values: Measurement[];
  failures: string[];
}

interface Table {
  title: string;
  unit: string;
  groupLabel: string;
  baseline: string;
  command: string;
  rows: Row[];
  loads: string[];
  notes: string[];
}

const tools = await prepareTools();
const deno = (script: string, ...rest: (string | number)[]) => ({
  cmd: [Deno.execPath(), "run", "-A", `${here}contenders/${script}`, ...rest.map(String)],
});
const go = (...rest: (string | number)[]): Command =>
  tools.go ? { cmd: [tools.go, ...rest.map(String)] } : { skip: tools.goMissing! };
const rdkafka = (...rest: (string | number)[]): Command =>
  tools.rdkafka
    ? { cmd: ["python3", `${here}rdkafka.py`, ...rest.map(String)] }
    : { skip: tools.rdkafkaMissing! };

const producers: Contender[] = [
  {
    name: "Brook, arrays of 1000",
    command: (b, t, n, w) => deno("clients.ts", "produce", "brook-arrays", b, t, n, w),
  },
  {
    name: "Brook, one send per record",
    command: (b, t, n, w) => deno("clients.ts", "produce", "brook-send", b, t, n, w),
  },
  { name: "franz-go", command: (b, t, n, w) => go("produce", b, t, n, w) },
  { name: "librdkafka", command: (b, t, n, w) => rdkafka("produce", b, t, n, w) },
  {
    name: "@platformatic/kafka",
    command: (b, t, n, w) => deno("clients.ts", "produce", "platformatic", b, t, n, w),
  },
  {
    name: "KafkaJS",
    records: kafkajsRecords,
    command: (b, t, n, w) => deno("clients.ts", "produce", "kafkajs", b, t, n, w),
  },
];
const consumers: Contender[] = [
  { name: "Brook", command: (b, t, n) => deno("clients.ts", "consume", "brook", b, t, n) },
  { name: "franz-go", command: (b, t, n) => go("consume", b, t, n) },
  { name: "librdkafka", command: (b, t, n) => rdkafka("consume", b, t, n) },
  {
    name: "@platformatic/kafka",
    command: (b, t, n) => deno("clients.ts", "consume", "platformatic", b, t, n),
  },
  { name: "KafkaJS", command: (b, t, n) => deno("clients.ts", "consume", "kafkajs", b, t, n) },
];
const latencyProbes: Contender[] = [
  {
    name: "Brook",
    command: (b, t) => deno("clients.ts", "latency", "brook", b, t, latencyRate, latencySeconds),
  },
  { name: "franz-go", command: (b, t) => go("latency", b, t, latencyRate, latencySeconds) },
];

let sharedKafka: BenchBroker | undefined;
async function startBroker(name: string): Promise<BenchBroker> {
  if (name === "brook") return await startBrook();
  if (name === "kfake") return await startKfake(tools);
  if (name === "kafka") {
    sharedKafka ??= await startKafka(args.kafka ?? Deno.env.get("BROOK_KAFKA_BOOTSTRAP"));
    return { ...sharedKafka, stop: () => Promise.resolve() };
  }
  throw new Error(`unknown broker ${name}`);
}

function rowOf(table: Table, group: string, contender: string, n?: number): Row {
  let row = table.rows.find((r) => r.group === group && r.contender === contender);
  if (!row) {
    row = { group, contender, records: n, values: [], failures: [] };
    table.rows.push(row);
  }
  return row;
}

/** Runs one contender; its measurement counts only if `verify` accepts it. */
async function attempt(
  row: Row,
  command: Command,
  verify: (m: Measurement) => Promise<string | null>,
): Promise<void> {
  if ("skip" in command) {
    if (!row.failures.includes(command.skip)) row.failures.push(command.skip);
    return;
  }
  try {
    const m = await runContender(command.cmd, { cwd: command.cwd, timeoutMs });
    const wrong = await verify(m);
    if (wrong) throw new Error(wrong);
    row.values.push(m);
    log(
      `${row.group} / ${row.contender}: ${formatValue(m.value, m.unit)} (${m.verified} verified)`,
    );
  } catch (e) {
    const message = (e as Error).message.slice(0, 300);
    row.failures.push(message);
    log(`${row.group} / ${row.contender}: FAILED ${message}`);
  }
}

const commandLine = `deno task bench:compare ${
  Deno.args.filter((a, i, all) =>
    !/^--(write|measures)$/.test(a) && !/^--(write|measures)$/.test(all[i - 1] ?? "")
  ).join(" ")
}`
  .trim();

async function roundLoad<T>(table: Table, round: number, body: () => Promise<T>): Promise<T> {
  const before = await loadAverage();
  const result = await body();
  table.loads.push(`round ${round + 1}: ${before} → ${await loadAverage()}`);
  return result;
}

async function codec(): Promise<Table> {
  const table: Table = {
    title: "Record batches: encode and decode a batch of 1000 records",
    unit: "rec/s",
    groupLabel: "operation",
    baseline: "Brook",
    command: `${commandLine} --measures codec`,
    rows: [],
    loads: [],
    notes: [
      "~10-byte keys, 100-byte random values, no headers, no compression; about 2 s measured after 1 s of warm-up in each process. Every decoder reads the same bytes, written by Brook; an encoded batch is decoded back and its records counted. Neither KafkaJS nor @platformatic/kafka checks CRCs when decoding, so `Brook` skips the check too and `Brook + CRC` (Kafka's check.crcs, on by default in Brook's consumer) stands beside it.",
    ],
  };
  const contenders: [string, string, string][] = [
    ["encode", "Brook", "brook"],
    ["encode", "KafkaJS", "kafkajs"],
    ["encode", "@platformatic/kafka", "platformatic"],
    ["decode", "Brook", "brook"],
    ["decode", "Brook + CRC", "brook-crc"],
    ["decode", "KafkaJS", "kafkajs"],
    ["decode", "@platformatic/kafka", "platformatic"],
  ];
  for (let round = 0; round < rounds; round++) {
    await roundLoad(table, round, async () => {
      for (const [operation, name, id] of contenders) {
        await attempt(
          rowOf(table, operation, name),
          deno("codec.ts", id, operation),
          (m) => Promise.resolve(m.verified === 1000 ? null : `verified ${m.verified} of 1000`),
        );
      }
    });
  }
  return table;
}

async function crc(): Promise<Table> {
  const table: Table = {
    title: "CRC-32C of 1 MiB (bytes/s)",
    unit: "B/s",
    groupLabel: "operation",
    baseline: "Brook",
    command: `${commandLine} --measures crc`,
    rows: [],
    loads: [],
    notes: [
      "About 2 s measured after 1 s of warm-up in each process; each implementation first checks RFC 3720's test vector and agrees with Brook on the input. Native `@node-rs/crc32` (SSE4.2) is the practical limit; @platformatic/kafka's figure is its JavaScript fallback.",
    ],
  };
  const contenders: [string, string][] = [
    ["Brook", "brook"],
    ["KafkaJS", "kafkajs"],
    ["@platformatic/kafka (JavaScript)", "platformatic"],
    ["native @node-rs/crc32", "native"],
  ];
  for (let round = 0; round < rounds; round++) {
    await roundLoad(table, round, async () => {
      for (const [name, id] of contenders) {
        await attempt(
          rowOf(table, "crc32c", name),
          deno("crc.ts", id),
          (m) => Promise.resolve(m.verified === 1 ? null : "wrong checksum"),
        );
      }
    });
  }
  return table;
}

async function produce(): Promise<Table> {
  const table: Table = {
    title: "Producer throughput (records/s)",
    unit: "rec/s",
    groupLabel: "broker",
    baseline: "franz-go",
    command: `${commandLine} --measures produce`,
    rows: [],
    loads: [],
    notes: [
      `${records.toLocaleString("en")} records of 100 B (no keys) after ${
        warmup.toLocaleString("en")
      } of warm-up, into one partition, acks=1, no idempotence, linger 2 ms where the client has one; a fresh broker process (Brook, kfake) or a fresh topic (Kafka) per run. A run counts only if the contender counted every record acknowledged and the partition's end offset is warm-up + records.`,
    ],
  };
  for (let round = 0; round < rounds; round++) {
    await roundLoad(table, round, async () => {
      for (const brokerName of brokerNames) {
        for (const contender of producers) {
          const n = contender.records ?? records;
          const warm = Math.min(warmup, Math.ceil(n / 10));
          const row = rowOf(table, brokerName, contender.name, n);
          let broker: BenchBroker;
          try {
            broker = await startBroker(brokerName);
          } catch (e) {
            row.failures.push(`${brokerName} did not start: ${(e as Error).message}`);
            continue;
          }
          const topic = `bench-produce-${crypto.randomUUID().slice(0, 8)}`;
          try {
            await createTopic(broker.bootstrap, topic);
            await attempt(row, contender.command(broker.bootstrap, topic, n, warm), async (m) => {
              if (m.verified !== n) return `acknowledged ${m.verified} of ${n}`;
              const end = await endOffset(broker.bootstrap, topic);
              return end === n + warm ? null : `end offset ${end}, expected ${n + warm}`;
            });
          } catch (e) {
            row.failures.push((e as Error).message.slice(0, 300));
          } finally {
            if (brokerName === "kafka") await deleteTopic(broker.bootstrap, topic).catch(() => {});
            await broker.stop();
          }
        }
      }
    });
  }
  return table;
}

async function consume(): Promise<Table> {
  const table: Table = {
    title: "Consumer throughput (records/s)",
    unit: "rec/s",
    groupLabel: "broker",
    baseline: "franz-go",
    command: `${commandLine} --measures consume`,
    rows: [],
    loads: [],
    notes: [
      `Every contender reads the same ${
        records.toLocaleString("en")
      } records of 100 B from offset 0 of one partition, written once per broker before the rounds by Brook's producer (64 KiB batches; KafkaJS 2.2.4 does not finish reading franz-go's larger ones, from Kafka as from Brook's broker); from the start of its consumer to the last record. Brook, franz-go and librdkafka assign the partition; KafkaJS and @platformatic/kafka have no manual assignment and join a fresh group. A run counts only if the contender read exactly that many records.`,
    ],
  };
  const brokers: BenchBroker[] = [];
  const topic = `bench-consume-${crypto.randomUUID().slice(0, 8)}`;
  try {
    for (const name of brokerNames) {
      try {
        const broker = await startBroker(name);
        brokers.push(broker);
        await createTopic(broker.bootstrap, topic);
        // Brook's producer writes batches of at most 64 KiB; KafkaJS 2.2.4 does not finish
        // reading franz-go's larger batches (from Kafka as from Brook's broker).
        const fill = producers[0].command(broker.bootstrap, topic, records, 0);
        if ("skip" in fill) throw new Error(fill.skip);
        await runContender(fill.cmd, { timeoutMs });
        const end = await endOffset(broker.bootstrap, topic);
        if (end !== records) throw new Error(`filled ${end} of ${records} records`);
        log(`consume: ${name} holds ${end} records`);
      } catch (e) {
        table.notes.push(`${name}: not measured (${(e as Error).message.slice(0, 200)})`);
        brokers.pop()?.stop();
      }
    }
    for (let round = 0; round < rounds; round++) {
      await roundLoad(table, round, async () => {
        for (const broker of brokers) {
          for (const contender of consumers) {
            await attempt(
              rowOf(table, broker.name, contender.name, records),
              contender.command(broker.bootstrap, topic, records, 0),
              (m) => Promise.resolve(m.verified === records ? null : `read ${m.verified}`),
            );
          }
        }
      });
    }
  } finally {
    for (const broker of brokers) {
      if (broker.name === "kafka") await deleteTopic(broker.bootstrap, topic).catch(() => {});
      await broker.stop();
    }
  }
  return table;
}

async function latency(): Promise<Table> {
  const table: Table = {
    title: `Produce latency at ${latencyRate} records/s, acks=1 (p99; lower is better)`,
    unit: "ms",
    groupLabel: "broker",
    baseline: "franz-go",
    command: `${commandLine} --measures latency`,
    rows: [],
    loads: [],
    notes: [
      `One 100-byte record per send, ${latencyRate} records/s for ${latencySeconds} s after 200 warm-up sends, no linger, acks=1, from send to its acknowledgement; a fresh broker process (Brook) or a fresh topic (Kafka) per run. A run counts only if every record was acknowledged.`,
    ],
  };
  const total = latencyRate * latencySeconds;
  for (let round = 0; round < rounds; round++) {
    await roundLoad(table, round, async () => {
      for (const brokerName of brokerNames.filter((b) => b !== "kfake")) {
        for (const contender of latencyProbes) {
          const row = rowOf(table, brokerName, contender.name, total);
          const broker = await startBroker(brokerName);
          const topic = `bench-latency-${crypto.randomUUID().slice(0, 8)}`;
          try {
            await createTopic(broker.bootstrap, topic);
            await attempt(row, contender.command(broker.bootstrap, topic, 0, 0), async (m) => {
              m.value = m.p99!; // the table compares tails; p50 stands beside it
              if (m.verified !== total) return `acknowledged ${m.verified} of ${total}`;
              const end = await endOffset(broker.bootstrap, topic);
              return end === total + 200 ? null : `end offset ${end}, expected ${total + 200}`;
            });
          } catch (e) {
            row.failures.push((e as Error).message.slice(0, 300));
          } finally {
            if (brokerName === "kafka") await deleteTopic(broker.bootstrap, topic).catch(() => {});
            await broker.stop();
          }
        }
      }
    });
  }
  return table;
}

const brokerTitles: Record<string, string> = {
  brook: "Brook's broker",
  kfake: "franz-go's kfake",
  kafka: "Kafka 4.1.1",
};

function markdown(table: Table): string {
  const latencyTable = table.unit === "ms";
  const lines = [`### ${table.title}`, "", "```sh", table.command, "```", "", ...table.notes, ""];
  const head = [
    table.groupLabel,
    "contender",
    "records",
    "runs",
    ...(latencyTable ? ["p50, median"] : []),
    "min",
    "median",
    "max",
    `median vs ${table.baseline}`,
  ];
  lines.push(`| ${head.join(" | ")} |`);
  lines.push(`| ${head.map((_, i) => (i < 2 ? "---" : "---:")).join(" | ")} |`);
  for (const row of table.rows) {
    const base = table.rows.find((r) => r.group === row.group && r.contender === table.baseline);
    const group = brokerTitles[row.group] ?? row.group;
    const runs = `${row.values.length}/${row.values.length + row.failures.length}`;
    const n = row.records?.toLocaleString("en") ?? (table.unit === "B/s" ? "(1 MiB)" : "1,000");
    if (!row.values.length) {
      const cells = latencyTable ? 5 : 4;
      const why = row.failures[0] ?? "not run";
      lines.push(
        `| ${group} | ${row.contender} | ${n} | ${runs} | ${"| ".repeat(cells - 1)}failed: ${
          why.replaceAll("|", "/")
        } |`,
      );
      continue;
    }
    const s = spread(row.values.map((m) => m.value));
    const ratio = base?.values.length
      ? `${(s.median / spread(base.values.map((m) => m.value)).median).toFixed(2)}x`
      : "";
    const p50 = latencyTable
      ? [formatValue(spread(row.values.map((m) => m.p50!)).median, "ms")]
      : [];
    const cells = [
      group,
      row.contender,
      n,
      runs,
      ...p50,
      ...[s.min, s.median, s.max].map((v) => formatValue(v, table.unit)),
      ratio,
    ];
    lines.push(`| ${cells.join(" | ")} |`);
  }
  const failed = table.rows.filter((r) => r.failures.length && r.values.length);
  for (const row of failed) {
    lines.push(
      "",
      `${row.contender} on ${row.group} failed ${row.failures.length} run(s): ${row.failures[0]}`,
    );
  }
  lines.push(
    "",
    `Load average (1, 5, 15 min) before → after each round: ${table.loads.join("; ")}.`,
    "",
  );
  return lines.join("\n");
}

const started = new Date();
const machineLine = await machine(tools);
const tables: Table[] = [];
try {
  if (measures.has("codec")) tables.push(await codec());
  if (measures.has("crc")) tables.push(await crc());
  if (measures.has("produce")) tables.push(await produce());
  if (measures.has("consume")) tables.push(await consume());
  if (measures.has("latency")) tables.push(await latency());
} finally {
  await sharedKafka?.stop();
  if (tools.go) await Deno.remove(tools.go).catch(() => {});
}

const minutes = ((Date.now() - started.getTime()) / 60_000).toFixed(1);
const report = [
  `Generated by \`${commandLine}\` on ${
    started.toISOString().slice(0, 16).replace("T", " ")
  } UTC (${minutes} min), ${rounds} round(s), each contender in its own process, rounds interleaved.`,
  "",
  `Machine: ${machineLine}.`,
  "",
  ...tables.map(markdown),
].join("\n");
console.log(report);

if (args.write) {
  const start = "<!-- bench:compare -->";
  const end = "<!-- /bench:compare -->";
  const text = await Deno.readTextFile(args.write);
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  if (from < 0 || to < from) throw new Error(`${args.write} has no ${start} ... ${end} section`);
  await Deno.writeTextFile(
    args.write,
    `${text.slice(0, from + start.length)}\n\n${report}\n${text.slice(to)}`,
  );
}
const anyFailed = tables.some((t) => t.rows.some((r) => r.failures.length));
if (anyFailed) Deno.exit(1);
