import { assertEquals, assertOk } from "../assert.ts";
import { Broker } from "../../broker/mod.ts";
import { Admin, Producer } from "../../client/mod.ts";
import { RunningTool, runTool } from "./cli_run.ts";

async function fill(bootstrapServers: string, topic: string, count: number) {
  await using producer = new Producer({ bootstrapServers, lingerMs: 0 });
  await producer.send(
    Array.from({ length: count }, (_, i) => ({
      topic,
      key: `k${i}`,
      value: `v${i}`,
      headers: i === 0 ? [{ key: "h", value: "x" }, { key: "n", value: null }] : [],
    })),
  );
}

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  Deno.test(`consume --group on ${signal}: commits what it printed, leaves the group, says how many, exits 0`, async () => {
    await using broker = await Broker.start({ topics: { sig: { partitions: 1 } } });
    const bootstrapServers = broker.bootstrapServers;
    await fill(bootstrapServers, "sig", 7);
    const tool = new RunningTool("consume", [
      "--bootstrap-server",
      bootstrapServers,
      "--topic",
      "sig",
      "--group",
      "g",
      "--from-beginning",
      // The group would otherwise keep a silent member for its whole session timeout.
      "--consumer-property",
      "session.timeout.ms=45000",
    ]);
    await tool.waitForLines(7);
    tool.kill(signal);
    const ran = await tool.finished();
    assertEquals(ran.code, 0, ran.stderr);
    assertEquals(ran.stdout, Array.from({ length: 7 }, (_, i) => `v${i}\n`).join(""));
    assertEquals(ran.stderr, "Processed a total of 7 messages\n");
    await using admin = new Admin({ bootstrapServers });
    const offsets = await admin.listConsumerGroupOffsets("g");
    assertEquals(offsets.map((o) => [o.topic, o.partition, o.offset]), [["sig", 0, 7n]]);
    const [group] = await admin.describeGroups(["g"]);
    assertEquals([group.state, group.members.length], ["Empty", 0]);
  });
}

Deno.test("consume: Kafka's print.* properties and separators, kcat --format, --json", async () => {
  await using broker = await Broker.start({ topics: { fmt: { partitions: 2 } } });
  const b = ["--bootstrap-server", broker.bootstrapServers];
  await using producer = new Producer({ bootstrapServers: broker.bootstrapServers });
  // Recent timestamps: the broker's retention (7 days) would delete older records.
  const t0 = Date.now();
  await producer.send([
    {
      topic: "fmt",
      partition: 1,
      key: "k",
      value: "v",
      headers: [{ key: "h", value: "x" }, { key: "n", value: null }],
      timestamp: t0,
    },
    { topic: "fmt", partition: 1, key: null, value: null, timestamp: t0 + 1 },
  ]);
  const read = [
    "--topic",
    "fmt",
    "--partition",
    "1",
    "--offset",
    "earliest",
    "--max-messages",
    "2",
  ];
  const all = await runTool("consume", [
    ...b,
    ...read,
    "--property",
    "print.timestamp=true",
    "--property",
    "print.partition=true",
    "--property",
    "print.offset=true",
    "--property",
    "print.headers=true",
    "--property",
    "print.key=true",
    "--property",
    "key.separator=|",
    "--property",
    "headers.separator=;",
    "--property",
    "null.literal=<null>",
  ]);
  assertEquals(all.code, 0, all.stderr);
  assertEquals(
    all.stdout,
    `CreateTime:${t0}|Partition:1|Offset:0|h:x;n:<null>|k|v\n` +
      `CreateTime:${t0 + 1}|Partition:1|Offset:1|NO_HEADERS|<null>|<null>\n`,
  );
  assertEquals(all.stderr, "Processed a total of 2 messages\n");
  // Without the value, the last column ends the line.
  const noValue = await runTool("consume", [
    ...b,
    ...read,
    "--formatter-property",
    "print.value=false",
    "--formatter-property",
    "print.offset=true",
  ]);
  assertEquals(noValue.stdout, "Offset:0\nOffset:1\n");
  const kcat = await runTool("consume", [
    ...b,
    ...read,
    "--format",
    "%t/%p@%o %k=%s [%h] %T %K %S\\n",
  ]);
  assertEquals(
    kcat.stdout,
    `fmt/1@0 k=v [h=x,n=] ${t0} 1 1\nfmt/1@1 = [] ${t0 + 1} -1 -1\n`,
  );
  const json = await runTool("consume", [...b, ...read, "--json"]);
  assertEquals(json.stdout.trim().split("\n").map((l) => JSON.parse(l)), [
    {
      topic: "fmt",
      partition: 1,
      offset: 0,
      timestamp: t0,
      key: "k",
      value: "v",
      headers: [{ key: "h", value: "x" }, { key: "n", value: null }],
    },
    {
      topic: "fmt",
      partition: 1,
      offset: 1,
      timestamp: t0 + 1,
      key: null,
      value: null,
      headers: [],
    },
  ]);
  const fromOffset = await runTool("consume", [
    ...b,
    "--topic",
    "fmt",
    "--partition",
    "1",
    "--offset",
    "1",
    "--timeout-ms",
    "500",
    "--format",
    "%o",
  ]);
  assertEquals([fromOffset.code, fromOffset.stdout], [0, "1\n"]);
});

Deno.test("consume: Kafka's flag rules are usage errors (exit 2, one line)", async () => {
  const b = ["--bootstrap-server", "127.0.0.1:1"];
  for (
    const args of [
      [...b, "--topic", "t", "--offset", "3"],
      [...b, "--topic", "t", "--partition", "0", "--group", "g"],
      [...b, "--topic", "t", "--timeout-ms", "abc"],
      [...b, "--topic", "t", "--max-messages", "-1"],
      [...b, "--topic", "t", "--format", "%q"],
      [...b, "--topic", "t", "--isolation-level", "dirty"],
      [...b],
    ]
  ) {
    const ran = await runTool("consume", args);
    assertEquals(ran.code, 2, `${args.join(" ")}: ${ran.stderr}`);
    assertEquals(ran.stderr.trim().split("\n").length, 1, ran.stderr);
    assertOk(ran.stderr.startsWith("consume: "), ran.stderr);
  }
});
