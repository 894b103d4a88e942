// A Kafka Streams 4.4.0 application with the streams rebalance protocol (group.protocol=streams,
// KIP-1071) on Brook's broker and on a real Kafka 4.4.0 alike (BROOK_INTEROP=1): two instances of a
// word count (tests/interop/java/WordCount.java) share its six tasks, count the words produced,
// and when one stops the other takes its tasks and counts on. Skips, saying why, without Java or
// Maven.
import { Broker } from "../../broker/mod.ts";
import { Admin, Consumer, Producer } from "../../client/mod.ts";
import { assertEquals, assertOk } from "../assert.ts";
import { startKafka } from "./kafka_server.ts";

const interop = Deno.env.get("BROOK_INTEROP") === "1";
const root = new URL("../../", import.meta.url).pathname;

function missingTool(): string | null {
  for (const tool of ["java", "javac", "mvn"]) {
    try {
      new Deno.Command(tool, { args: ["-version"], stdout: "null", stderr: "null" }).outputSync();
    } catch {
      return `${tool} is not installed`;
    }
  }
  return null;
}

const missing = interop ? missingTool() : null;
if (missing) console.log(`streams application test skipped: ${missing}`);

async function run(command: string, args: string[]): Promise<string> {
  const out = await new Deno.Command(command, { args, cwd: root, stdout: "piped", stderr: "piped" })
    .output();
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  assertOk(out.success, `${command}: ${text}`);
  return new TextDecoder().decode(out.stdout);
}

/** Compiles the word count against Kafka Streams 4.4.0 (from Maven); returns its classpath. */
async function compile(): Promise<{ classpath: string; dir: string }> {
  const libs = (await run("bash", ["tools/kafka/streams/install.sh"])).trim().split("\n").pop()!;
  const dir = await Deno.makeTempDir({ prefix: "brook-streams-java-" });
  await run("javac", ["-cp", `${libs}/*`, "-d", dir, "tests/interop/java/WordCount.java"]);
  return { classpath: `${dir}:${libs}/*`, dir };
}

/** One instance of the application in its own JVM, reporting its state and active tasks. */
class Instance {
  readonly #child: Deno.ChildProcess;
  readonly #stdin: WritableStreamDefaultWriter<Uint8Array>;
  readonly #read: Promise<void>;
  state = "";
  tasks: string[] = [];
  closed = false;
  errors: string[] = [];

  constructor(classpath: string, args: string[]) {
    this.#child = new Deno.Command("java", {
      args: [
        "-Xmx256m",
        "-XX:+UseSerialGC",
        "-XX:TieredStopAtLevel=1",
        "-cp",
        classpath,
        "WordCount",
        ...args,
      ],
      stdin: "piped",
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    this.#stdin = this.#child.stdin.getWriter();
    this.#read = this.#lines();
  }

  async #lines(): Promise<void> {
    let buffered = "";
    for await (const chunk of this.#child.stdout.pipeThrough(new TextDecoderStream())) {
      buffered += chunk;
      let at;
      while ((at = buffered.indexOf("\n")) >= 0) {
        const line = buffered.slice(0, at).trim();
        buffered = buffered.slice(at + 1);
        if (line.startsWith("STATE ")) this.state = line.slice(6);
        else if (line.startsWith("TASKS ")) this.tasks = line.slice(6).split(",").filter(Boolean);
        else if (line === "CLOSED") this.closed = true;
        else if (line.startsWith("ERROR ")) this.errors.push(line);
      }
    }
  }

  async stop(): Promise<void> {
    await this.#stdin.write(new TextEncoder().encode("stop\n")).catch(() => {});
    await this.#stdin.close().catch(() => {});
    const timer = setTimeout(() => this.#child.kill("SIGKILL"), 30_000);
    await this.#child.status;
    clearTimeout(timer);
    await this.#read;
  }
}

/** Waits (at most `ms`) until `done` holds, else fails saying what it waited for. */
async function until(done: () => boolean, ms: number, what: () => string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const ALL_TASKS = ["0_0", "0_1", "0_2", "1_0", "1_1", "1_2"];
const LINES = [
  "the quick brown fox",
  "jumps over the lazy dog",
  "the dog sleeps",
  "a fox and a dog",
  "brown is the fox",
  "lazy lazy dog",
];

/** The words' counts after `lines`, as the application's last output for each word says. */
function expectedCounts(lines: string[]): Map<string, bigint> {
  const counts = new Map<string, bigint>();
  for (const w of lines.join(" ").split(/\s+/)) counts.set(w, (counts.get(w) ?? 0n) + 1n);
  return counts;
}

/**
 * The word count with two instances, one of which stops, against one cluster; `exactlyOnce` runs
 * it with transactions (processing.guarantee exactly_once_v2, offsets by TxnOffsetCommit).
 */
async function wordCount(
  bootstrapServers: string,
  classpath: string,
  exactlyOnce = false,
): Promise<void> {
  const app = `wc${Date.now() % 100000}`;
  const input = `${app}-lines`, output = `${app}-counts`;
  {
    await using admin = new Admin({ bootstrapServers });
    await admin.createTopics([
      { name: input, partitions: 3, replicationFactor: 1 },
      { name: output, partitions: 1, replicationFactor: 1 },
    ]);
  }
  const counts = new Map<string, bigint>();
  await using consumer = new Consumer({
    bootstrapServers,
    groupId: `${app}-reader`,
    autoOffsetReset: "earliest",
    fetchMaxWaitMs: 100,
    isolationLevel: exactlyOnce ? "read_committed" : "read_uncommitted",
  });
  consumer.subscribe([output]);
  const read = async (want: Map<string, bigint>, ms: number) => {
    const deadline = Date.now() + ms;
    const same = () => [...want].every(([w, n]) => counts.get(w) === n);
    while (!same() && Date.now() < deadline) {
      for (const r of await consumer.poll({ timeoutMs: 200 })) {
        const word = new TextDecoder().decode(r.key!);
        counts.set(word, new DataView(r.value!.buffer, r.value!.byteOffset).getBigInt64(0));
      }
    }
    assertEquals(
      Object.fromEntries([...want.keys()].map((w) => [w, counts.get(w)])),
      Object.fromEntries(want),
    );
  };
  await using producer = new Producer({ bootstrapServers, lingerMs: 1 });
  const produce = (lines: string[]) =>
    producer.send(lines.map((value, i) => ({ topic: input, key: `k${i}`, value })));

  const args = [
    bootstrapServers,
    app,
    input,
    output,
    exactlyOnce ? "exactly_once_v2" : "at_least_once",
  ];
  const a = new Instance(classpath, args);
  const b = new Instance(classpath, args);
  try {
    const split = () => [...a.tasks, ...b.tasks].sort().join(",");
    await until(
      () => a.state === "RUNNING" && b.state === "RUNNING" && split() === ALL_TASKS.join(","),
      90_000,
      () =>
        `both running with the tasks split (a: ${a.state} ${a.tasks}, b: ${b.state} ${b.tasks})`,
    );
    assertOk(a.tasks.length > 0 && b.tasks.length > 0, "each instance runs tasks");
    await produce(LINES);
    await read(expectedCounts(LINES), 60_000);

    await a.stop();
    assertOk(a.closed, "the first instance closed");
    await until(
      () => b.tasks.join(",") === ALL_TASKS.join(","),
      90_000,
      () => `the second instance with every task (${b.state} ${b.tasks})`,
    );
    const more = ["the end of the fox", "dog"];
    await produce(more);
    await read(expectedCounts([...LINES, ...more]), 60_000);
    assertEquals([...a.errors, ...b.errors], []);
  } finally {
    await a.stop();
    await b.stop();
  }
}

Deno.test({
  name: "streams groups: a Kafka Streams 4.4.0 word count runs on Brook's broker as on Kafka 4.4.0",
  ignore: !interop || missing !== null,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    const { classpath, dir } = await compile();
    try {
      await t.step("on Brook's broker", async () => {
        await using broker = await Broker.start({});
        await wordCount(broker.bootstrapServers, classpath);
      });
      await t.step("on a real Kafka 4.4.0", async () => {
        await using kafka = await startKafka({ version: "4.4.0" });
        await wordCount(kafka.bootstrapServers, classpath);
      });
      await t.step("exactly once, on Brook's broker", async () => {
        await using broker = await Broker.start({});
        await wordCount(broker.bootstrapServers, classpath, true);
      });
      await t.step("exactly once, on a real Kafka 4.4.0", async () => {
        await using kafka = await startKafka({ version: "4.4.0" });
        await wordCount(kafka.bootstrapServers, classpath, true);
      });
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
