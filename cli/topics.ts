/**
 * `brook topics`: create, list, describe, alter and delete topics, like kafka-topics.sh (same
 * flags). `--describe` shows each topic's non-default configs as Kafka's tool does.
 *
 * @example
 * ```sh
 * brook topics --bootstrap-server 127.0.0.1:9092 --create --topic orders --partitions 3
 * brook topics --bootstrap-server 127.0.0.1:9092 --alter --topic orders --partitions 6
 * brook topics --bootstrap-server 127.0.0.1:9092 --describe --topic orders
 * ```
 *
 * @module
 */

import { Admin } from "../client/mod.ts";
import { integer, parse, run, UsageError, VERSION } from "./common.ts";
import { hashSetOrder } from "../broker/metadata/java_hash_set.ts";
import { clientSettings, CONNECTION_FLAGS, CONNECTION_HELP } from "./connection.ts";

const HELP =
  `Usage: brook topics --bootstrap-server HOST:PORT (--create|--list|--describe|--alter|--delete) [options]
${CONNECTION_HELP}
  --topic T                the topic; a regular expression except with --create
  --partitions N           partitions of a new topic, or the new count with --alter
  --replication-factor N   replication factor of a new topic (default: the broker's)
  --config KEY=VALUE       a config of a new topic (repeatable)
  --if-exists              with --alter, --delete, --describe: no error when the topic is absent
  --if-not-exists          with --create: no error when the topic exists
  --exclude-internal       leave internal topics out of --list and --describe
  --topics-with-overrides  with --describe: only topics with non-default configs
  --under-replicated-partitions, --unavailable-partitions
                           with --describe: only such partitions
  --timeout-ms MS          how long to try (default 30000)`;

const FLAGS = {
  ...CONNECTION_FLAGS,
  create: { type: "boolean" },
  list: { type: "boolean" },
  describe: { type: "boolean" },
  alter: { type: "boolean" },
  delete: { type: "boolean" },
  topic: { type: "string" },
  partitions: { type: "string" },
  "replication-factor": { type: "string" },
  config: { type: "string", multiple: true },
  "if-exists": { type: "boolean" },
  "if-not-exists": { type: "boolean" },
  "exclude-internal": { type: "boolean" },
  "topics-with-overrides": { type: "boolean" },
  "under-replicated-partitions": { type: "boolean" },
  "unavailable-partitions": { type: "boolean" },
  "timeout-ms": { type: "string" },
  version: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

/**
 * Runs `brook topics` with these arguments.
 *
 * @example
 * ```ts
 * import { main } from "./topics.ts";
 * await main(["--bootstrap-server", "127.0.0.1:9092", "--list"]);
 * ```
 */
export async function main(args: string[]): Promise<void> {
  const v = parse(args, FLAGS);
  if (v.help) return console.log(HELP);
  if (v.version) return console.log(VERSION);
  const actions = (["create", "list", "describe", "alter", "delete"] as const).filter((a) => v[a]);
  if (actions.length !== 1) {
    throw new UsageError("give exactly one of --create, --list, --describe, --alter, --delete");
  }
  const action = actions[0];
  if (action !== "list" && action !== "describe" && !v.topic) {
    throw new UsageError(`--${action} needs --topic`);
  }
  const timeoutMs = integer("--timeout-ms", v["timeout-ms"], 1) ?? 30000;
  const partitions = integer("--partitions", v.partitions, 1, 2 ** 31 - 1);
  const replicationFactor = integer("--replication-factor", v["replication-factor"], 1, 32767);
  if (action === "alter" && partitions === undefined) {
    throw new UsageError("--alter needs --partitions (change configs with brook configs)");
  }
  const configs: Record<string, string> = {};
  for (const c of v.config ?? []) {
    const eq = c.indexOf("=");
    if (eq <= 0) throw new UsageError(`--config takes key=value, got '${c}'`);
    configs[c.slice(0, eq)] = c.slice(eq + 1);
  }
  if (action !== "create" && (replicationFactor !== undefined || v.config)) {
    throw new UsageError("--replication-factor and --config go with --create");
  }
  let pattern: RegExp | undefined;
  if (v.topic !== undefined && action !== "create") {
    try {
      pattern = new RegExp(`^(?:${v.topic})$`);
    } catch (e) {
      throw new UsageError(`--topic: ${(e as Error).message}`);
    }
  }
  const { client } = await clientSettings(v);
  await using admin = new Admin({
    ...client,
    connectTimeoutMs: client.connectTimeoutMs ?? Math.min(timeoutMs, 10000),
  });
  const call = { timeoutMs };
  if (action === "create") {
    if (
      v["if-not-exists"] &&
      (await admin.listTopics({ ...call, includeInternal: true })).includes(v.topic!)
    ) {
      return;
    }
    await admin.createTopics([{ name: v.topic!, partitions, replicationFactor, configs }], call);
    console.log(`Created topic ${v.topic}.`);
    return;
  }
  const all = await admin.listTopics({ ...call, includeInternal: !v["exclude-internal"] });
  const names = pattern ? all.filter((n) => pattern.test(n)) : all;
  if (names.length === 0 && v.topic !== undefined && !v["if-exists"]) {
    throw new Error(`Topic '${v.topic}' does not exist as expected`);
  }
  if (action === "list") {
    for (const name of names) console.log(name);
  } else if (action === "delete") {
    await admin.deleteTopics(names, call);
  } else if (action === "alter") {
    await admin.createPartitions(names.map((name) => ({ name, count: partitions! })), call);
  } else {
    await describe(admin, names, v, call);
  }
}

async function describe(
  admin: Admin,
  names: string[],
  v: {
    "topics-with-overrides"?: boolean;
    "under-replicated-partitions"?: boolean;
    "unavailable-partitions"?: boolean;
  },
  call: { timeoutMs: number },
): Promise<void> {
  if (names.length === 0) return;
  const topics = await admin.describeTopics(names, call);
  const configs = await admin.describeConfigs(
    names.map((name) => ({ type: "topic" as const, name })),
    call,
  );
  const overrides = new Map(configs.map((c) => [
    c.resource.name,
    c.entries.filter((e) => !e.isDefault).map((e) => `${e.name}=${e.value}`)
      .join(","),
  ]));
  const partitionFilter = v["under-replicated-partitions"] || v["unavailable-partitions"];
  // Kafka's tool prints the topics in the order of the hash map it describes them into.
  const byName = new Map(topics.map((t) => [t.name, t]));
  const ordered = hashSetOrder([...byName.keys()].sort()).map((name) => byName.get(name)!);
  for (const t of ordered) {
    const configText = overrides.get(t.name) ?? "";
    if (v["topics-with-overrides"] && configText === "") continue;
    const rf = t.partitions[0]?.replicas.length ?? 0;
    if (!partitionFilter) {
      console.log(
        `Topic: ${t.name}\tTopicId: ${t.topicId}\tPartitionCount: ${t.partitions.length}\tReplicationFactor: ${rf}\tConfigs: ${configText}`,
      );
    }
    for (const p of t.partitions) {
      const under = p.isr.length < p.replicas.length;
      const unavailable = p.leader < 0;
      if (v["under-replicated-partitions"] && !under) continue;
      if (v["unavailable-partitions"] && !unavailable) continue;
      console.log(
        `\tTopic: ${t.name}\tPartition: ${p.partition}\tLeader: ${
          p.leader < 0 ? "none" : p.leader
        }\tReplicas: ${p.replicas.join(",")}\tIsr: ${p.isr.join(",")}\tElr: \tLastKnownElr: ` +
          (p.offlineReplicas.length > 0 ? `\tOffline: ${p.offlineReplicas.join(",")}` : ""),
      );
    }
  }
}

if (import.meta.main) await run("topics", () => main(Deno.args));
