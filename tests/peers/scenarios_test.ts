// The conformance matrix's scenarios (BROOK_INTEROP=1): every peer client — Java kafka-clients,
// franz-go, confluent-kafka, kafka-python, kcat, KafkaJS, @platformatic/kafka — runs the same
// scenarios against Brook's broker (three nodes), and Brook's client runs them against Brook's
// broker and a real Kafka 4.1.1. One test per peer, one step per scenario; tools/matrix.ts turns
// the run's JUnit report into README's matrix.
import { assertEquals } from "../assert.ts";
import { Broker } from "../../broker/mod.ts";
import { startKafka } from "../interop/kafka_server.ts";
import { hasKcat } from "../kcat.ts";
import { brookScenarios } from "./brook_scenarios.ts";
import { kafkajsScenarios } from "./kafkajs_scenarios.ts";
import { kcatScenarios } from "./kcat_scenarios.ts";
import { platformaticScenarios } from "./platformatic_scenarios.ts";
import { EXPECTED, type ScenarioResults, SCENARIOS } from "./scenarios.ts";

const enabled = Deno.env.get("BROOK_INTEROP") === "1";
const here = new URL(".", import.meta.url).pathname;
const run = `m${Date.now() % 100000}`;

/** A driver run as a child process: its last stdout line is the JSON results. */
async function child(command: string, args: string[], cwd = here): Promise<ScenarioResults> {
  const out = await new Deno.Command(command, { args, cwd, stdout: "piped", stderr: "piped" })
    .output();
  const stdout = new TextDecoder().decode(out.stdout).trim();
  if (!out.success) {
    throw new Error(`${command} failed: ${new TextDecoder().decode(out.stderr).slice(-2000)}`);
  }
  return JSON.parse(stdout.split("\n").pop()!);
}

async function javaLibs(): Promise<string> {
  const out = await new Deno.Command("bash", {
    args: [new URL("../../tools/kafka/install.sh", import.meta.url).pathname],
    stderr: "inherit",
  }).output();
  return new TextDecoder().decode(out.stdout).trim();
}

const PEERS: {
  name: string;
  run: (bootstrap: string, prefix: string) => Promise<ScenarioResults>;
}[] = [
  {
    name: "Java kafka-clients 4.1.1",
    run: async (b, p) =>
      child("java", ["-cp", `${await javaLibs()}/*`, "java/PeerScenarios.java", b, p]),
  },
  { name: "franz-go", run: (b, p) => child("go", ["run", ".", b, p], `${here}franzgo`) },
  {
    name: "confluent-kafka",
    run: (b, p) => child("python3", ["python_scenarios.py", "confluent-kafka", b, p]),
  },
  {
    name: "kafka-python",
    run: (b, p) => child("python3", ["python_scenarios.py", "kafka-python", b, p]),
  },
  { name: "kcat", run: kcatScenarios },
  { name: "KafkaJS", run: kafkajsScenarios },
  { name: "@platformatic/kafka", run: platformaticScenarios },
  { name: "Brook's client", run: brookScenarios },
];

/** One step per scenario: the peer's answer against what Kafka promises on `brokers` nodes. */
async function checkAll(t: Deno.TestContext, results: ScenarioResults, brokers: number) {
  for (const scenario of SCENARIOS) {
    const got = results[scenario];
    // A scenario the peer cannot express is reported as skipped, with its reason in the name.
    const why = typeof got === "string" ? ` (not expressible: ${got})` : "";
    // Codecs a client does not implement (KafkaJS without plugins) are named, not failed.
    const missing = scenario === "compression"
      ? Object.entries(got as Record<string, unknown>).filter(([, v]) => typeof v === "string")
        .map(([codec]) => codec)
      : [];
    const without = missing.length > 0 ? ` (without ${missing.join(", ")})` : "";
    await t.step({
      name: `${scenario}${why}${without}`,
      ignore: why !== "",
      fn: () => {
        if (scenario === "metadata") assertEquals(got, { brokers });
        else if (scenario === "group") {
          // Clients that commit after processing may read a record again after a rebalance.
          const g = got as Exclude<ScenarioResults["group"], string>;
          const want = EXPECTED.group as typeof g;
          assertEquals(
            {
              before: g.before,
              split: g.split,
              distinct: g.read - g.duplicates,
              committed: g.committed,
            },
            {
              before: want.before,
              split: want.split,
              distinct: want.read,
              committed: want.committed,
            },
          );
        } else if (scenario === "compression") {
          const supported = Object.entries(got as Record<string, unknown>)
            .filter(([, v]) => typeof v === "number");
          assertEquals(
            Object.fromEntries(supported),
            Object.fromEntries(
              supported.map(([codec]) => [codec, 5]),
            ),
          );
          assertEquals(supported.length > 0, true);
        } else assertEquals(got, EXPECTED[scenario]);
      },
    });
  }
}

for (const peer of PEERS) {
  Deno.test({
    name: `matrix: ${peer.name} on Brook's broker`,
    ignore: !enabled || (peer.name === "kcat" && !hasKcat),
    sanitizeResources: false,
    sanitizeOps: false,
    async fn(t) {
      await using broker = await Broker.start({ nodes: 3 });
      const prefix = `${run}-${peer.name.replace(/[^a-z]/gi, "").toLowerCase()}`;
      await checkAll(t, await peer.run(broker.bootstrapServers, prefix), 3);
    },
  });
}

Deno.test({
  name: "matrix: Brook's client on a real Kafka 4.1.1",
  ignore: !enabled,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    await using kafka = await startKafka();
    await checkAll(t, await brookScenarios(kafka.bootstrapServers, `${run}-brook`), 1);
  },
});

Deno.test({
  name: "matrix: Brook's client on franz-go's kfake",
  ignore: !enabled,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    const kfake = new Deno.Command("go", {
      args: ["run", "."],
      cwd: `${here}kfake`,
      stdin: "piped",
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    try {
      const reader = kfake.stdout.pipeThrough(new TextDecoderStream()).getReader();
      let line = "";
      while (!line.includes("\n")) {
        const { value, done } = await reader.read();
        if (done) throw new Error("kfake did not start");
        line += value;
      }
      reader.releaseLock();
      const bootstrap = line.trim().replace("listening on ", "");
      await checkAll(t, await brookScenarios(bootstrap, `${run}-kfake`), 3);
    } finally {
      await kfake.stdin.close();
      await kfake.status;
      await kfake.stdout.cancel().catch(() => {});
    }
  },
});
