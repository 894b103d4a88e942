// franz-go's own integration tests (pkg/kgo), unchanged, against Brook's broker: the module's source
// comes from the Go module proxy at the version tests/peers/franzgo/go.mod uses, its test binary is
// built here, and a bounded selection of its tests runs against a three-node broker started by
// Brook's command line (`brook broker --brokers 3`), as franz-go runs them against a Kafka cluster
// (KGO_SEEDS, replication factor 3), with share groups at Kafka 4.4's share.version 2 as a new 4.4
// cluster has them. Every selected test must pass, the share-group tests among them (franz-go runs
// them on a broker with ShareFetch and ShareAcknowledge v2) (BROOK_INTEROP=1 and Go; part of deno
// task test:interop).
import { assertEquals } from "../assert.ts";
import { goVersion, outcomes, run } from "./go_suite.ts";

const interop = Deno.env.get("BROOK_INTEROP") === "1";
const root = new URL("../../", import.meta.url).pathname;

const go = interop ? await goVersion() : undefined;
if (interop && !go) console.warn("franz-go's suite skipped: Go is not installed");

/** franz-go's tests run here: each needs a broker, finishes in well under a minute on Brook. */
const SELECTED = [
  "TestGroupETL",
  "TestTxnEtl",
  "TestIssue325",
  "TestConsumeTopicRetrieval",
  "TestConsumeRegex",
  "Test848RegexBrokerResolves",
  "TestIssue337",
  "TestDirectPartitionPurge",
  "TestIssue434",
  "TestAddRemovePartitions",
  "TestPauseIssue489",
  "TestPauseIssueOct2023",
  "TestIssue523",
  "TestIssue648",
  "TestIssue810",
  "TestIssue865",
  "TestIssueFetchLargerThanBrokerMaxReadBytes",
  "TestConsumeMaxDecompressBatchBytes",
  "TestGroupSimple",
  "TestLookbackMilli",
  "TestPooling",
  "TestHookPollStart",
  "TestPollWaitStateNoUnderflow",
  "TestPing",
  "TestMaxVersions",
  "TestUnknownGroupOffsetFetchPinned",
  "TestIssue1034",
  "TestEachTopicPreservesTopicID",
];

/** Share-group tests: franz-go runs them on a broker with ShareFetch v2 (Kafka 4.2+). */
const SHARE = [
  "TestShareGroup",
  "TestShareGroupETL",
  "TestShareGroupAckOnClose",
  "TestShareGroupOffsetsAdmin",
  "TestConsumeRegexShareSkipsInternal",
];

/** Downloads franz-go's module (source with its tests) and builds pkg/kgo's test binary. */
async function buildKgoTests(dir: string): Promise<string> {
  const mod = await Deno.readTextFile(`${root}tests/peers/franzgo/go.mod`);
  const version = mod.match(/github\.com\/twmb\/franz-go (v[\w.-]+)/)?.[1];
  if (!version) throw new Error("tests/peers/franzgo/go.mod names no franz-go version");
  const info = JSON.parse(
    await run("go", ["mod", "download", "-json", `github.com/twmb/franz-go@${version}`]),
  );
  const binary = `${dir}/kgo.test`;
  await run("go", ["test", "-c", "-o", binary, "."], { cwd: `${info.Dir}/pkg/kgo` });
  return binary;
}

/** Starts `brook broker` with three nodes; resolves its seeds and a way to stop it. */
async function startBrokers() {
  const child = new Deno.Command("deno", {
    args: [
      "run",
      "-A",
      `${root}cli/main.ts`,
      "broker",
      "--brokers",
      "3",
      "--port",
      "0",
      "--feature",
      "share.version=2",
    ],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let seen = "";
  while (!seen.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`brook broker did not start: ${seen}`);
    seen += value;
  }
  const line = seen.split("\n")[0];
  if (!line.startsWith("listening on ")) throw new Error(`brook broker: ${line}`);
  return {
    seeds: line.slice("listening on ".length),
    async stop() {
      child.kill("SIGTERM");
      await reader.cancel();
      await child.status;
    },
  };
}

Deno.test({
  name: "franz-go's pkg/kgo integration tests pass unchanged against Brook's broker (3 nodes)",
  ignore: !go,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "brook-kgo-" });
    try {
      const binary = await buildKgoTests(dir);
      const brokers = await startBrokers();
      try {
        const names = [...SELECTED, ...SHARE];
        const out = await new Deno.Command(binary, {
          args: [
            "-test.run",
            `^(${names.join("|")})$`,
            "-test.count",
            "1",
            "-test.timeout",
            "8m",
            "-test.v",
          ],
          env: {
            KGO_SEEDS: brokers.seeds,
            KGO_TEST_RF: "3",
            // Bounded: franz-go's default is 500000 records per ETL test.
            KGO_TEST_RECORDS: "20000",
            KGO_LOG_LEVEL: "none",
          },
          cwd: dir,
          stdout: "piped",
          stderr: "piped",
        }).output();
        const output = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
        const results = outcomes(output);
        const count = (what: string) => [...results.values()].filter((r) => r === what).length;
        console.log(
          `franz-go pkg/kgo on Brook: ${count("PASS")} passed, ${count("FAIL")} failed, ` +
            `${count("SKIP")} skipped`,
        );
        if (!out.success) {
          console.log(output.split("\n").filter((l) => /FAIL|panic/.test(l)).join("\n"));
        }
        assertEquals(
          names.map((n) => [n, results.get(n)]),
          names.map((n) => [n, "PASS"]),
        );
      } finally {
        await brokers.stop();
      }
    } finally {
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
  },
});
