/**
 * `deno task topics`: create, list, describe and delete topics, like kafka-topics.sh.
 *
 * @example
 * ```sh
 * deno task topics --bootstrap-server 127.0.0.1:9092 --create --topic orders --partitions 3
 * deno task topics --bootstrap-server 127.0.0.1:9092 --describe --topic orders
 * ```
 *
 * @module
 */

import { Admin } from "../client/mod.ts";
import { integer, parse, run, UsageError } from "./common.ts";

const HELP =
  `Usage: deno task topics --bootstrap-server HOST:PORT (--create|--list|--describe|--delete) [options]
  --topic T                the topic (required for create, delete; describe all when absent)
  --partitions N           partitions of a new topic (default: the broker's)
  --replication-factor N   replication factor of a new topic (default: the broker's)
  --config k=v             a topic config of a new topic (repeatable)
  --timeout-ms MS          how long to try (default 30000)`;

await run(async () => {
  const v = parse(Deno.args, {
    "bootstrap-server": { type: "string" },
    create: { type: "boolean" },
    list: { type: "boolean" },
    describe: { type: "boolean" },
    delete: { type: "boolean" },
    topic: { type: "string" },
    partitions: { type: "string" },
    "replication-factor": { type: "string" },
    config: { type: "string", multiple: true },
    "timeout-ms": { type: "string" },
    help: { type: "boolean", short: "h" },
  });
  if (v.help) return console.log(HELP);
  const actions = ["create", "list", "describe", "delete"].filter((a) => v[a as "create"]);
  if (actions.length !== 1) {
    throw new UsageError("give exactly one of --create, --list, --describe, --delete");
  }
  if (!v["bootstrap-server"]) throw new UsageError("--bootstrap-server is required");
  const timeoutMs = integer("--timeout-ms", v["timeout-ms"], 1) ?? 30000;
  await using admin = new Admin({
    bootstrapServers: v["bootstrap-server"],
    connectTimeoutMs: Math.min(timeoutMs, 10000),
  });
  const action = actions[0];
  if ((action === "create" || action === "delete") && !v.topic) {
    throw new UsageError(`--${action} needs --topic`);
  }
  if (action === "create") {
    const configs: Record<string, string> = {};
    for (const c of v.config ?? []) {
      const eq = c.indexOf("=");
      if (eq <= 0) throw new UsageError(`--config takes key=value, got '${c}'`);
      configs[c.slice(0, eq)] = c.slice(eq + 1);
    }
    await admin.createTopics([{
      name: v.topic!,
      partitions: integer("--partitions", v.partitions, 1),
      replicationFactor: integer("--replication-factor", v["replication-factor"], 1, 32767),
      configs,
    }], { timeoutMs });
    console.log(`Created topic ${v.topic}.`);
  } else if (action === "list") {
    for (const name of await admin.listTopics({ timeoutMs })) console.log(name);
  } else if (action === "delete") {
    await admin.deleteTopics([v.topic!], { timeoutMs });
  } else {
    const names = v.topic ? [v.topic] : await admin.listTopics({ timeoutMs });
    for (const t of await admin.describeTopics(names, { timeoutMs })) {
      const rf = t.partitions[0]?.replicas.length ?? 0;
      console.log(
        `Topic: ${t.name}\tTopicId: ${t.topicId}\tPartitionCount: ${t.partitions.length}\tReplicationFactor: ${rf}\tConfigs: `,
      );
      for (const p of t.partitions) {
        console.log(
          `\tTopic: ${t.name}\tPartition: ${p.partition}\tLeader: ${p.leader}\tReplicas: ${
            p.replicas.join(",")
          }\tIsr: ${p.isr.join(",")}`,
        );
      }
    }
  }
});
