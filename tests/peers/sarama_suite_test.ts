// sarama's own functional tests, unchanged, against Brook's broker: the module's source comes from
// the Go module proxy at the version tests/peers/sarama/go.mod names, its test binary is built here
// (`-tags functional`), and a bounded selection runs against five Brook nodes behind toxiproxy, as
// sarama runs them against its five-node Kafka cluster: the brokers advertise the proxies'
// addresses (127.0.0.1:29091-29095, fixed by sarama), which the tests cut and slow to make brokers
// fail. Where a test stops or starts a broker with `docker compose stop|start kafka-N`, a stand-in
// (tests/peers/sarama/docker) stops or restarts that Brook node through the control API; tests
// that read broker logs or run Kafka's tools in containers are not selected. Every selected test
// must pass (BROOK_INTEROP=1 and Go; part of deno task test:interop).
import { assertEquals } from "../assert.ts";
import { goVersion, outcomes, run } from "./go_suite.ts";

const interop = Deno.env.get("BROOK_INTEROP") === "1";
const root = new URL("../../", import.meta.url).pathname;

const go = interop ? await goVersion() : undefined;
if (interop && !go) console.warn("sarama's suite skipped: Go is not installed");

/** sarama's functional tests that run here, each in seconds on Brook. */
const SELECTED = [
  "TestFuncAdminQuotas",
  "TestFuncAdminDescribeGroups",
  "TestFuncAdminListConsumerGroups",
  "TestFuncAdminListConsumerGroupOffsets",
  "TestFuncAdminListConsumerGroupOffsetsBatch",
  "TestFuncAdminListOffsets",
  "TestFuncAdminDeleteRecords",
  "TestFuncAdminAlterConsumerGroupOffsets",
  "TestFuncAdminDescribeLogDirs",
  "TestFuncAdminDescribeConfig",
  "TestFuncAdminDeleteGroup",
  "TestFuncAdminDeleteTopic",
  "TestFuncAdminElectLeadersV1",
  "TestFuncAdminAlterPartitionReassignments",
  "TestFuncAdminIncrementalAlterConfigs",
  "TestFuncAdminAlterConfig",
  "TestFuncAdminUpdateFeatures",
  "TestFuncConnectionFailure",
  "TestFuncAdminNetworkErrorClosesControllerConnection",
  "TestFuncClientMetadata",
  "TestFuncClientCoordinator",
  "TestFuncConsumerGroupCooperative",
  "TestFuncJoinGroupVersionSelection",
  "TestFuncConsumerGroupPartitioning",
  "TestFuncConsumerGroupPartitioningStateful",
  "TestFuncConsumerGroupExcessConsumers",
  "TestFuncConsumerGroupRebalanceAfterAddingPartitions",
  "TestFuncConsumerGroupOffsetDeletion",
  "TestFuncConsumerGroupStaticMembership_Basic",
  "TestFuncConsumerGroupStaticMembership_RejoinAndLeave",
  "TestFuncConsumerGroupStaticMembership_Fenced",
  "TestFuncConsumerOffsetOutOfRange",
  "TestConsumerHighWaterMarkOffset",
  "TestConsumerPartialBatchRecovery",
  "TestVersionMatrix",
  "TestVersionMatrixLZ4",
  "TestVersionMatrixZstd",
  "TestVersionMatrixIdempotent",
  "TestFuncDescribeProducers",
  "TestFuncDescribeTransactions",
  "TestFuncListTransactions",
  "TestFuncOffsetManager",
  "TestFuncProducing",
  "TestFuncProducingGzip",
  "TestFuncProducingSnappy",
  "TestFuncProducingZstd",
  "TestFuncProducingNoResponse",
  "TestFuncProducingFlushing",
  "TestFuncMultiPartitionProduce",
  "TestFuncProducingToInvalidTopic",
  "TestFuncProducingIdempotentWithBrokerFailure",
  "TestFuncTxnProduceNoBegin",
  "TestFuncTxnCommitNoMessages",
  "TestFuncTxnProduce",
  "TestFuncTxnAbortedProduce",
  "TestFuncTxnProduceEpochBump",
  "TestFuncInitProducerId3",
  "TestFuncTxnProduceMultiTxn",
  "TestFuncTxnProduceWithBrokerFailure",
  "TestConsumerFetchFollowerFailover",
];

/** The source directory of `module` at the version tests/peers/sarama/go.mod names. */
async function moduleDir(module: string): Promise<string> {
  const mod = await Deno.readTextFile(`${root}tests/peers/sarama/go.mod`);
  const version = mod.match(new RegExp(`${module.replaceAll(".", "\\.")} (v[\\w.-]+)`))?.[1];
  if (!version) throw new Error(`tests/peers/sarama/go.mod names no version of ${module}`);
  return JSON.parse(await run("go", ["mod", "download", "-json", `${module}@${version}`])).Dir;
}

function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

/** Reads a child's stdout until its first `count` lines. */
async function firstLines(child: Deno.ChildProcess, count: number): Promise<string[]> {
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let seen = "";
  while (seen.split("\n").length <= count) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`exited before ${count} lines: ${seen}`);
    seen += value;
  }
  reader.releaseLock();
  return seen.split("\n").slice(0, count);
}

/** toxiproxy, then five Brook nodes advertised at the proxies' addresses, then the proxies. */
async function startCluster(dir: string) {
  const children: Deno.ChildProcess[] = [];
  const stop = async () => {
    for (const c of children) {
      try {
        c.kill("SIGTERM");
      } catch {
        // already gone
      }
      await c.status;
    }
  };
  try {
    const toxiPort = freePort();
    children.push(
      new Deno.Command(`${dir}/toxiproxy-server`, {
        args: ["-host", "127.0.0.1", "-port", String(toxiPort)],
        stdout: "null",
        stderr: "null",
      }).spawn(),
    );
    // As sarama's cluster: no auto-creation, replication factor 2 for new and internal topics.
    const brook = new Deno.Command("deno", {
      args: [
        "run",
        "-A",
        `${root}cli/main.ts`,
        "broker",
        "--brokers",
        "5",
        "--port",
        "0",
        "--control-port",
        "0",
        "--advertised-listener",
        "PLAINTEXT://127.0.0.1:29091",
        "--no-auto-create",
        "--config",
        "default.replication.factor=2",
        "--config",
        "offsets.topic.replication.factor=2",
        "--config",
        "transaction.state.log.replication.factor=2",
      ],
      stdout: "piped",
      stderr: "null",
    }).spawn();
    children.push(brook);
    const [line, controlLine] = await firstLines(brook, 2);
    if (!line.startsWith("listening on ")) throw new Error(`brook broker: ${line}`);
    if (!controlLine.startsWith("control on ")) throw new Error(`brook broker: ${controlLine}`);
    const ports = line.slice("listening on ".length).split(",").map((a) => a.split(":")[1]);
    const api = `http://127.0.0.1:${toxiPort}`;
    for (let wait = 0; wait < 100; wait++) {
      if (await fetch(`${api}/version`).then((r) => r.body?.cancel(), () => "down") !== "down") {
        break;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    for (const [i, port] of ports.entries()) {
      const res = await fetch(`${api}/proxies`, {
        method: "POST",
        body: JSON.stringify({
          name: `kafka${i + 1}`,
          listen: `127.0.0.1:${29091 + i}`,
          upstream: `127.0.0.1:${port}`,
        }),
      });
      await res.body?.cancel();
      if (!res.ok) throw new Error(`toxiproxy refused proxy kafka${i + 1}: ${res.status}`);
    }
    return { toxiproxy: api, control: controlLine.slice("control on ".length), stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

Deno.test({
  name:
    "sarama's functional tests pass unchanged against Brook's broker (5 nodes behind toxiproxy)",
  ignore: !go,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "brook-sarama-" });
    try {
      const sarama = await moduleDir("github.com/IBM/sarama");
      const toxiproxy = await moduleDir("github.com/Shopify/toxiproxy/v2");
      await run("go", ["test", "-c", "-tags", "functional", "-o", `${dir}/sarama.test`, "."], {
        cwd: sarama,
      });
      await run("go", ["build", "-o", `${dir}/toxiproxy-server`, "./cmd/server"], {
        cwd: toxiproxy,
      });
      const cluster = await startCluster(dir);
      try {
        const out = await new Deno.Command(`${dir}/sarama.test`, {
          args: [
            "-test.run",
            `^(${SELECTED.join("|")})$`,
            "-test.count",
            "1",
            "-test.timeout",
            "8m",
            "-test.v",
          ],
          env: {
            TOXIPROXY_ADDR: cluster.toxiproxy,
            KAFKA_VERSION: "4.1.1",
            BROOK_CONTROL: cluster.control,
            PATH: `${root}tests/peers/sarama:${Deno.env.get("PATH")}`,
          },
          cwd: dir,
          stdout: "piped",
          stderr: "piped",
        }).output();
        const output = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
        const results = outcomes(output);
        const count = (what: string) => [...results.values()].filter((r) => r === what).length;
        console.log(
          `sarama functional tests on Brook: ${count("PASS")} passed, ${count("FAIL")} failed, ` +
            `${count("SKIP")} skipped`,
        );
        if (!out.success) {
          console.log(output.split("\n").filter((l) => /FAIL|panic|Error:/.test(l)).join("\n"));
        }
        assertEquals(
          SELECTED.map((n) => [n, results.get(n)]),
          SELECTED.map((n) => [n, "PASS"]),
        );
      } finally {
        await cluster.stop();
      }
    } finally {
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
  },
});
