// Brook's command-line tools beside Kafka 4.1.1's own (kafka-topics, kafka-console-producer and
// -consumer, kafka-consumer-groups, kafka-configs, kafka-acls from the kafka-tools jar that
// tools/kafka/install.sh installs), on a real Kafka 4.1.1 and on Brook's broker (BROOK_INTEROP=1):
// the same operation prints the same through both tools, on each cluster, and the whole
// sequence prints the same on both clusters.
import { assertEquals } from "../assert.ts";
import { Broker } from "../../broker/mod.ts";
import { installed } from "../installed.ts";
import { runTool } from "../cli/cli_run.ts";
import { startKafka } from "./kafka_server.ts";

const interop = Deno.env.get("BROOK_INTEROP") === "1";
const home = Deno.env.get("HOME") ?? "";
const libs = `${Deno.env.get("BROOK_CACHE") ?? `${home}/.cache/brook`}/kafka-4.1.1/libs`;
const java = interop && await installed("java", ["-version"]);
const tools = java &&
  await Deno.stat(`${libs}/kafka-tools-4.1.1.jar`).then(() => true, () => false);

/** Kafka's class behind each script. */
const KAFKA_TOOL = {
  topics: "org.apache.kafka.tools.TopicCommand",
  groups: "org.apache.kafka.tools.consumer.group.ConsumerGroupCommand",
  share: "org.apache.kafka.tools.consumer.group.ShareGroupCommand",
  configs: "kafka.admin.ConfigCommand",
  acls: "org.apache.kafka.tools.AclCommand",
  produce: "org.apache.kafka.tools.ConsoleProducer",
  consume: "org.apache.kafka.tools.consumer.ConsoleConsumer",
} as const;
type Tool = keyof typeof KAFKA_TOOL;

interface Printed {
  code: number;
  stdout: string;
  /** Without the JVM's logging and stack traces. */
  stderr: string;
}

async function kafka(tool: Tool, args: string[], input?: string): Promise<Printed> {
  const child = new Deno.Command("java", {
    args: ["-cp", `${libs}/*`, KAFKA_TOOL[tool], ...args],
    stdin: input === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (input !== undefined) {
    const w = child.stdin.getWriter();
    await w.write(new TextEncoder().encode(input));
    await w.close();
  }
  const out = await child.output();
  return {
    code: out.code,
    stdout: new TextDecoder().decode(out.stdout),
    stderr: new TextDecoder().decode(out.stderr).split("\n")
      .filter((l) => !/^\s+at |^SLF4J|^Caused by|Exception/.test(l)).join("\n"),
  };
}

async function brook(tool: Tool, args: string[], input?: string): Promise<Printed> {
  // One Brook tool for consumer and share groups.
  return await runTool(tool === "share" ? "groups" : tool, args, input);
}

/** Kafka's tool and Brook's, one after the other, on the same cluster: what each printed. */
async function both(tool: Tool, args: string[]): Promise<[Printed, Printed]> {
  return [await kafka(tool, args), await brook(tool, args)];
}

/** ACL listings as sets: Kafka orders resources and ACLs by hash codes that change per run. */
function aclBlocks(text: string): string[] {
  return text.split("\n\n").map((block) => {
    const [head, ...acls] = block.split("\n").filter((l) => l !== "");
    return [head, ...acls.map((a) => a.trim()).sort()].join("\n");
  }).filter((b) => b !== "").sort();
}

/**
 * The operations on one cluster, each through Kafka's tool and Brook's; returns what they printed,
 * with this run's names, topic id and coordinator address made the same on every cluster.
 */
async function scenario(bootstrapServers: string, suffix: string): Promise<string[]> {
  const b = ["--bootstrap-server", bootstrapServers];
  const topic = `kt-${suffix}`;
  const [g1, g2] = [`kg1-${suffix}`, `kg2-${suffix}`];
  const norm = (s: string) =>
    s.replaceAll(topic, "T").replaceAll(g1, "G").replaceAll(g2, "G")
      .replace(/TopicId: \S+/g, "TopicId: X")
      .replaceAll(bootstrapServers, "HOST:PORT");
  const shown: string[] = [];
  /** The same operation through both tools prints the same, on stdout and stderr. */
  const same = async (tool: Tool, args: string[]) => {
    const [k, o] = await both(tool, args);
    const what = `${tool} ${args.join(" ")}`;
    assertEquals(o.code, k.code, `${what}: ${o.stderr}`);
    assertEquals([o.stdout, o.stderr.trim()], [k.stdout, k.stderr.trim()], what);
    shown.push(norm(k.stdout), norm(k.stderr.trim()));
  };
  /** One group through Kafka's tool, its twin through Brook's: the same once the names are. */
  const twins = async (tool: Tool, args: (group: string) => string[]) => {
    const k = await kafka(tool, [...b, ...args(g1)]);
    const o = await brook(tool, [...b, ...args(g2)]);
    const what = `${tool} ${args("G").join(" ")}`;
    assertEquals(o.code, k.code, `${what}: ${o.stderr}`);
    assertEquals(norm(o.stdout), norm(k.stdout), what);
    shown.push(norm(k.stdout));
  };

  const created = await kafka("topics", [
    ...b,
    "--create",
    "--topic",
    topic,
    "--partitions",
    "2",
    "--config",
    "retention.ms=86400000",
    "--config",
    "cleanup.policy=compact,delete",
  ]);
  assertEquals(created.code, 0, created.stderr);
  await same("topics", [...b, "--describe", "--topic", topic]);
  const altered = await brook("topics", [...b, "--alter", "--topic", topic, "--partitions", "3"]);
  assertEquals(altered.code, 0, altered.stderr);
  await same("topics", [...b, "--describe", "--topic", topic]);
  await same("configs", [...b, "--describe", "--entity-type", "topics", "--entity-name", topic]);

  // Keyed records through each producer, read back by each consumer in a group of its own.
  const lines = (from: number, n: number) =>
    Array.from({ length: n }, (_, i) => `k${(from + i) % 4}\tv${from + i}`).join("\n") + "\n";
  const keyed = ["--topic", topic, "--property", "parse.key=true"];
  assertEquals((await kafka("produce", [...b, ...keyed], lines(0, 6))).code, 0);
  assertEquals((await brook("produce", [...b, ...keyed, "--sync"], lines(6, 6))).code, 0);
  const reading = (group: string) => [
    ...b,
    "--topic",
    topic,
    "--group",
    group,
    "--from-beginning",
    "--max-messages",
    "12",
    "--timeout-ms",
    "20000",
    "--property",
    "print.key=true",
    "--property",
    "print.partition=true",
    "--property",
    "print.offset=true",
  ];
  const read = [await kafka("consume", reading(g1)), await brook("consume", reading(g2))];
  const sorted = (p: Printed) => p.stdout.split("\n").sort().join("\n");
  assertEquals(sorted(read[1]), sorted(read[0]));
  assertEquals(read[1].stderr.trim(), read[0].stderr.trim());
  shown.push(sorted(read[0]), read[0].stderr.trim());
  // Two records more: each group lags by them.
  assertEquals((await brook("produce", [...b, ...keyed, "--sync"], lines(12, 2))).code, 0);

  for (const group of [g1, g2]) {
    await same("groups", [...b, "--describe", "--group", group]);
    await same("groups", [...b, "--describe", "--group", group, "--verbose"]);
    await same("groups", [...b, "--describe", "--group", group, "--members", "--verbose"]);
    await same("groups", [...b, "--describe", "--group", group, "--state"]);
  }
  await twins("groups", (g) => ["--describe", "--group", g]);
  await same("groups", [...b, "--describe", "--group", `none-${suffix}`]);
  await same("groups", [
    ...b,
    "--reset-offsets",
    "--group",
    g1,
    "--topic",
    topic,
    "--to-earliest",
    "--dry-run",
  ]);
  await same("groups", [
    ...b,
    "--reset-offsets",
    "--group",
    g1,
    "--topic",
    topic,
    "--to-datetime",
    "2000-01-01T00:00:00.000",
  ]);
  await twins("groups", (g) => [
    "--reset-offsets",
    "--group",
    g,
    "--topic",
    `${topic}:0,2`,
    "--shift-by",
    "-1",
    "--execute",
  ]);
  await twins("groups", (g) => [
    "--reset-offsets",
    "--group",
    g,
    "--topic",
    topic,
    "--to-offset",
    "1",
    "--execute",
  ]);
  await twins("groups", (g) => ["--describe", "--group", g]);
  await twins("groups", (g) => ["--delete-offsets", "--group", g, "--topic", `${topic}:1`]);
  await twins("groups", (g) => ["--describe", "--group", g]);
  await twins("groups", (g) => ["--delete", "--group", g]);
  await same("groups", [...b, "--describe", "--group", g1]);
  assertEquals((await brook("topics", [...b, "--delete", "--topic", topic])).code, 0);
  return shown;
}

Deno.test({
  name:
    "cli interop: Brook's tools print what Kafka 4.1.1's kafka-topics, console producer and consumer, kafka-consumer-groups and kafka-configs print, on Kafka and on Brook's broker",
  ignore: !tools,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const suffix = crypto.randomUUID().slice(0, 8);
    await using kafkaServer = await startKafka();
    await using broker = await Broker.start();
    const real = await scenario(kafkaServer.bootstrapServers, suffix);
    const ours = await scenario(broker.bootstrapServers, suffix);
    assertEquals(ours, real);
  },
});

/** ACLs added, listed and removed through both tools; the listings as sets of ACLs. */
async function aclScenario(bootstrapServers: string, suffix: string): Promise<string[][]> {
  const b = ["--bootstrap-server", bootstrapServers];
  const topic = `ka-${suffix}`;
  const group = `kag-${suffix}`;
  const shown: string[][] = [];
  const norm = (s: string) => s.replaceAll(topic, "T").replaceAll(group, "G");
  for (
    const args of [
      ["--add", "--allow-principal", "User:alice", "--operation", "Read", "--topic", topic],
      ["--add", "--allow-principal", "User:bob", "--consumer", "--topic", topic, "--group", group],
      [
        "--add",
        "--allow-principal",
        "User:carol",
        "--allow-host",
        "10.0.0.1",
        "--producer",
        "--topic",
        topic,
        "--resource-pattern-type",
        "prefixed",
      ],
      ["--list", "--topic", topic],
      ["--list", "--group", group],
      ["--list", "--topic", topic, "--resource-pattern-type", "prefixed"],
      ["--list", "--topic", topic, "--resource-pattern-type", "match"],
      ["--list", "--principal", "User:bob", "--topic", topic],
      ["--remove", "--force", "--allow-principal", "User:bob", "--topic", topic, "--group", group],
      ["--list", "--topic", topic],
      ["--remove", "--force", "--topic", topic],
      ["--remove", "--force", "--topic", topic, "--resource-pattern-type", "prefixed"],
      ["--list", "--topic", topic, "--resource-pattern-type", "any"],
    ]
  ) {
    // Adding and removing twice changes nothing the second time, so each tool takes its turn.
    const [k, o] = await both("acls", [...b, ...args]);
    const what = `acls ${args.join(" ")}`;
    assertEquals([o.code, o.stderr.trim()], [k.code, k.stderr.trim()], what);
    assertEquals(aclBlocks(o.stdout), aclBlocks(k.stdout), what);
    shown.push(aclBlocks(norm(k.stdout)));
  }
  return shown;
}

Deno.test({
  name:
    "cli interop: Brook's acls prints the ACLs Kafka 4.1.1's kafka-acls prints, on a Kafka with its authorizer and on Brook's broker with one",
  ignore: !tools || !await installed("openssl", ["version"]),
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const suffix = crypto.randomUUID().slice(0, 8);
    // The secure Kafka's PLAINTEXT listener serves User:ANONYMOUS, one of its super users.
    await using kafkaServer = await startKafka({ secure: true });
    await using broker = await Broker.start({ authorizer: { superUsers: ["User:ANONYMOUS"] } });
    const real = await aclScenario(kafkaServer.bootstrapServers, suffix);
    const ours = await aclScenario(broker.bootstrapServers, suffix);
    assertEquals(ours, real);
  },
});

/**
 * A share group with Kafka's console share consumer in it, then without: what kafka-share-groups
 * and Brook's groups print, with the member's id and the coordinator's address made the same.
 */
async function shareScenario(bootstrapServers: string, suffix: string): Promise<string[]> {
  const b = ["--bootstrap-server", bootstrapServers];
  const topic = `ks-${suffix}`;
  const group = `ksg-${suffix}`;
  const shown: string[] = [];
  let member = "";
  const norm = (s: string) =>
    s.replaceAll(topic, "T").replaceAll(group, "G").replaceAll(bootstrapServers, "HOST:PORT")
      .replaceAll(member === "" ? "\u0000" : member, "MEMBER");
  const same = async (args: string[]) => {
    const [k, o] = await both("share", [...b, ...args]);
    const what = `share ${args.join(" ")}`;
    assertEquals([o.code, o.stdout, o.stderr.trim()], [k.code, k.stdout, k.stderr.trim()], what);
    shown.push(norm(k.stdout), norm(k.stderr.trim()));
  };
  assertEquals(
    (await kafka("topics", [...b, "--create", "--topic", topic, "--partitions", "2"])).code,
    0,
  );
  const set = await brook("configs", [
    ...b,
    "--alter",
    "--entity-type",
    "groups",
    "--entity-name",
    group,
    "--add-config",
    "share.auto.offset.reset=earliest",
  ]);
  assertEquals(set.code, 0, set.stderr);
  // Keyed, so that both clusters put them in the same partitions.
  const keyed = ["--topic", topic, "--property", "parse.key=true"];
  assertEquals((await kafka("produce", [...b, ...keyed], "k0\ta\nk1\tb\nk2\tc\nk3\td\n")).code, 0);
  const consumer = new Deno.Command("java", {
    args: [
      "-cp",
      `${libs}/*`,
      "org.apache.kafka.tools.consumer.ConsoleShareConsumer",
      ...b,
      "--topic",
      topic,
      "--group",
      group,
    ],
    stdin: "null",
    stdout: "piped",
    stderr: "null",
  }).spawn();
  try {
    // The four records read (and so acknowledged), within a minute.
    const reader = consumer.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let read = "";
    const deadline = Date.now() + 60_000;
    while (read.split("\n").length <= 4 && Date.now() < deadline) {
      const { value, done } = await reader.read();
      if (done) break;
      read += value;
    }
    assertEquals(read.split("\n").slice(0, 4).sort(), ["a", "b", "c", "d"]);
    reader.releaseLock();
    // Acknowledgements land with the consumer's next fetch and the share state is written after
    // them: wait until the start offsets show and hold still.
    let last = "";
    for (let i = 0; i < 60; i++) {
      const now = (await brook("share", [...b, "--describe", "--group", group])).stdout;
      if (now === last && /\s\d+\n/.test(now)) break;
      last = now;
      await new Promise((r) => setTimeout(r, 300));
    }
    const members = await brook("share", [...b, "--describe", "--group", group, "--members"]);
    member = members.stdout.trim().split("\n")[1]?.split(/\s+/)[1] ?? "";
    for (
      const args of [[], ["--verbose"], ["--members"], ["--members", "--verbose"], ["--state"], [
        "--state",
        "--verbose",
      ]]
    ) {
      await same(["--describe", "--group", group, ...args]);
    }
  } finally {
    consumer.kill("SIGTERM");
    await consumer.status;
  }
  for (let i = 0; i < 100; i++) {
    const state = await brook("share", [...b, "--describe", "--group", group, "--state"]);
    if (/ Empty /.test(state.stdout)) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  for (const args of [[], ["--members"], ["--state"]]) {
    await same(["--describe", "--group", group, ...args]);
  }
  // Kafka 4.1.1's tool cannot reset a share group's offsets; Brook's refuses as well.
  const reset = ["--reset-offsets", "--group", group, "--topic", topic, "--to-earliest"];
  const [k, o] = await both("share", [...b, ...reset, "--execute"]);
  assertEquals(/--reset-offsets option is not yet implemented/.test(k.stdout), true, k.stdout);
  assertEquals(o.code, 1);
  assertEquals(/--reset-offsets option is not yet implemented/.test(o.stderr), true, o.stderr);
  // Deleting twice fails the second time: Brook's tool alone, its table compared across clusters.
  const deleted = await brook("share", [
    ...b,
    "--delete-offsets",
    "--group",
    group,
    "--topic",
    topic,
  ]);
  assertEquals(deleted.code, 0, deleted.stderr);
  shown.push(norm(deleted.stdout));
  assertEquals((await brook("topics", [...b, "--delete", "--topic", topic])).code, 0);
  return shown;
}

Deno.test({
  name:
    "cli interop: Brook's groups describes share groups as Kafka 4.1.1's kafka-share-groups does, on Kafka and on Brook's broker",
  ignore: !tools,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const suffix = crypto.randomUUID().slice(0, 8);
    await using kafkaServer = await startKafka();
    // Share groups are off on a new Kafka 4.1.1: turned on with Kafka's own kafka-features.
    const on = await new Deno.Command("java", {
      args: [
        "-cp",
        `${libs}/*`,
        "org.apache.kafka.tools.FeatureCommand",
        "--bootstrap-server",
        kafkaServer.bootstrapServers,
        "upgrade",
        "--feature",
        "share.version=1",
      ],
      stdout: "null",
      stderr: "piped",
    }).output();
    assertEquals(on.code, 0, new TextDecoder().decode(on.stderr));
    await using broker = await Broker.start({ features: { "share.version": 1 } });
    const real = await shareScenario(kafkaServer.bootstrapServers, suffix);
    const ours = await shareScenario(broker.bootstrapServers, suffix);
    assertEquals(ours, real);
  },
});
