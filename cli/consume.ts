/**
 * `brook consume`: prints records like kafka-console-consumer.sh (same flags), or with a
 * kcat-style `--format` or as `--json` lines. Exits after `--max-messages` records, after
 * `--timeout-ms` without a record, or on SIGINT/SIGTERM: then it stops fetching, commits what it
 * printed (with a group), leaves the group and prints "Processed a total of N messages".
 *
 * @example
 * ```sh
 * brook consume --bootstrap-server 127.0.0.1:9092 --topic t --from-beginning --max-messages 10 \
 *   --property print.key=true --property print.offset=true
 * ```
 *
 * @module
 */

import { Consumer, type ConsumerOptions, KafkaClient } from "../client/mod.ts";
import {
  integer,
  oneOf,
  parse,
  properties,
  readPropertiesFile,
  run,
  UsageError,
  VERSION,
} from "./common.ts";
import { clientSettings, CONNECTION_FLAGS, CONNECTION_HELP, intProperty } from "./connection.ts";
import { type Formatter, jsonFormatter, kafkaFormatter, kcatFormatter } from "./consume/format.ts";

const HELP =
  `Usage: brook consume --bootstrap-server HOST:PORT (--topic T | --include REGEX) [options]
${CONNECTION_HELP}
  --topic T                      the topic to read
  --include REGEX                the topics to read, by regular expression (a group is made up
                                 when none is given)
  --group G                      read as a member of group G (commits what it printed)
  --from-beginning               start at the earliest offset when there is no committed one
  --partition N                  read only partition N (no group)
  --offset OFFSET                with --partition: earliest, latest (default) or an offset
  --max-messages N               exit after N records
  --timeout-ms MS                exit when no record arrives for MS milliseconds
  --isolation-level LEVEL        read_uncommitted (default) or read_committed
  --property KEY=VALUE           Kafka's formatter settings (also --formatter-property):
                                   print.timestamp, print.partition, print.offset, print.headers,
                                   print.key, print.value=true|false, key.separator (a tab),
                                   line.separator (\\n), headers.separator (,), null.literal (null)
  --formatter-config FILE        formatter settings from a properties file
  --format FMT                   kcat-style: %t topic %p partition %o offset %k key %s value
                                   %h headers %T timestamp %K/%S key/value size, \\n \\t
  --json                         one JSON object a line
  --consumer-property KEY=VALUE  a consumer config (also --command-property)
  --consumer.config FILE         consumer configs from a properties file`;

const FLAGS = {
  ...CONNECTION_FLAGS,
  topic: { type: "string" },
  include: { type: "string" },
  group: { type: "string" },
  "from-beginning": { type: "boolean" },
  partition: { type: "string" },
  offset: { type: "string" },
  "max-messages": { type: "string" },
  "timeout-ms": { type: "string" },
  "isolation-level": { type: "string" },
  property: { type: "string", multiple: true },
  "formatter-property": { type: "string", multiple: true },
  "formatter-config": { type: "string" },
  formatter: { type: "string" },
  format: { type: "string" },
  json: { type: "boolean" },
  "consumer-property": { type: "string", multiple: true },
  "command-property": { type: "string", multiple: true },
  "consumer.config": { type: "string" },
  "skip-message-on-error": { type: "boolean" },
  "key-deserializer": { type: "string" },
  "value-deserializer": { type: "string" },
  version: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

/**
 * Runs `brook consume` with these arguments.
 *
 * @example
 * ```ts
 * import { main } from "./consume.ts";
 * await main(["--bootstrap-server", "127.0.0.1:9092", "--topic", "t", "--max-messages", "1"]);
 * ```
 */
export async function main(args: string[]): Promise<void> {
  const v = parse(args, FLAGS);
  if (v.help) return console.log(HELP);
  if (v.version) return console.log(VERSION);
  if (!v.topic === !v.include) throw new UsageError("give exactly one of --topic and --include");
  const max = integer("--max-messages", v["max-messages"], 1) ?? Infinity;
  const timeoutMs = integer("--timeout-ms", v["timeout-ms"], 0);
  const partition = integer("--partition", v.partition, 0, 2 ** 31 - 1);
  if (partition !== undefined && !v.topic) {
    throw new UsageError("The topic is required when partition is specified.");
  }
  if (v.offset !== undefined && partition === undefined) {
    throw new UsageError("The partition is required when offset is specified.");
  }
  if (v.offset !== undefined && v["from-beginning"]) {
    throw new UsageError("Options from-beginning and offset cannot be specified together.");
  }
  const offset = v.offset === undefined || v.offset === "latest" || v.offset === "earliest"
    ? v.offset
    : BigInt(integer("--offset", v.offset, 0)!);
  if (
    [v.format !== undefined, v.json === true, v.formatter !== undefined].filter((x) => x).length > 1
  ) {
    throw new UsageError("give at most one of --format, --json and --formatter");
  }
  if (v.formatter !== undefined && !/DefaultMessageFormatter$/.test(v.formatter)) {
    throw new UsageError(
      `--formatter ${v.formatter}: only Kafka's DefaultMessageFormatter is built in`,
    );
  }
  for (const flag of ["key-deserializer", "value-deserializer"] as const) {
    if (v[flag] !== undefined && !/StringDeserializer$/.test(v[flag])) {
      throw new UsageError(`--${flag} ${v[flag]}: records are printed as UTF-8 text`);
    }
  }
  const formatProps = v["formatter-config"] === undefined
    ? new Map<string, string>()
    : await readPropertiesFile(v["formatter-config"], "formatter-config");
  properties(v.property, "property", formatProps);
  properties(v["formatter-property"], "formatter-property", formatProps);
  const format: Formatter = v.json ? jsonFormatter() : v.format !== undefined
    ? kcatFormatter(
      v.format.endsWith("\n") || v.format.endsWith("\\n") ? v.format : v.format + "\n",
    )
    : kafkaFormatter(formatProps);
  const settings = await clientSettings(v, {
    files: { "consumer.config": v["consumer.config"] },
    overrides: {
      "consumer-property": v["consumer-property"],
      "command-property": v["command-property"],
    },
  });
  const props = settings.props;
  if (v.group !== undefined) {
    const other = props.get("group.id");
    if (other !== undefined && other !== v.group) {
      throw new UsageError(
        `The group ids provided in different places do not match: '${v.group}', '${other}'`,
      );
    }
    props.set("group.id", v.group);
  }
  const isolation = v["isolation-level"] ?? props.get("isolation.level");
  const reset = props.get("auto.offset.reset");
  if (v["from-beginning"] && reset !== undefined && reset !== "earliest") {
    throw new UsageError(
      `Can't simultaneously specify --from-beginning and 'auto.offset.reset=${reset}'`,
    );
  }
  let groupId = props.get("group.id");
  if (groupId !== undefined && partition !== undefined) {
    throw new UsageError("Options group and partition cannot be specified together.");
  }
  // A pattern needs a group; as Kafka's tool, a made-up one that commits nothing.
  const madeUpGroup = groupId === undefined && v.include !== undefined;
  if (madeUpGroup) groupId = `console-consumer-${Math.floor(Math.random() * 100000)}`;
  const options: ConsumerOptions = {
    ...settings.client,
    clientId: settings.client.clientId ?? "console-consumer",
    groupId,
    groupInstanceId: props.get("group.instance.id"),
    autoOffsetReset: oneOf(
      "auto.offset.reset",
      v["from-beginning"] ? "earliest" : reset ?? "latest",
      [
        "earliest",
        "latest",
        "none",
      ],
    ),
    autoCommit: madeUpGroup ? false : oneOf("enable.auto.commit", props.get("enable.auto.commit"), [
      "true",
      "false",
    ]) !== "false",
    autoCommitIntervalMs: intProperty(props, "auto.commit.interval.ms", 0),
    sessionTimeoutMs: intProperty(props, "session.timeout.ms", 1),
    heartbeatIntervalMs: intProperty(props, "heartbeat.interval.ms", 1),
    maxPollIntervalMs: intProperty(props, "max.poll.interval.ms", 1),
    groupProtocol: oneOf("group.protocol", props.get("group.protocol")?.toLowerCase(), [
      "classic",
      "consumer",
    ]),
    groupRemoteAssignor: props.get("group.remote.assignor"),
    fetchMinBytes: intProperty(props, "fetch.min.bytes", 0),
    fetchMaxBytes: intProperty(props, "fetch.max.bytes", 0),
    fetchMaxWaitMs: intProperty(props, "fetch.max.wait.ms", 0) ?? 200,
    maxPartitionFetchBytes: intProperty(props, "max.partition.fetch.bytes", 0),
    isolationLevel: oneOf("--isolation-level", isolation, ["read_uncommitted", "read_committed"]),
  };
  if (offset === "earliest" || offset === "latest") options.autoOffsetReset = offset;
  for (const k of Object.keys(options) as (keyof ConsumerOptions)[]) {
    if (options[k] === undefined) delete options[k];
  }
  const client = new KafkaClient(settings.client);
  try {
    await consume(client, options, { topic: v.topic, include: v.include, partition, offset }, {
      max,
      timeoutMs,
      format,
      commit: groupId !== undefined && !madeUpGroup,
    });
  } finally {
    await client.close();
  }
}

interface Source {
  topic?: string;
  include?: string;
  partition?: number;
  offset?: bigint | "earliest" | "latest";
}

async function consume(
  client: KafkaClient,
  options: ConsumerOptions,
  source: Source,
  how: { max: number; timeoutMs?: number; format: Formatter; commit: boolean },
): Promise<void> {
  let partitions: number[] = [];
  if (source.topic !== undefined) {
    const md = await client.metadata([source.topic]);
    const topic = md.topics.get(source.topic);
    if (!topic || topic.errorCode !== 0) throw new Error(`Topic ${source.topic} does not exist`);
    partitions = topic.partitions.map((p) => p.partition);
    if (source.partition !== undefined && !partitions.includes(source.partition)) {
      throw new Error(`Topic ${source.topic} has no partition ${source.partition}`);
    }
  }
  const consumer = new Consumer(options, client);
  let stopping = false;
  let interrupted = 0;
  const stop = () => {
    // A second signal means now.
    if (++interrupted > 1) Deno.exit(130);
    stopping = true;
  };
  const signals: Deno.Signal[] = Deno.build.os === "windows" ? ["SIGINT"] : ["SIGINT", "SIGTERM"];
  for (const s of signals) Deno.addSignalListener(s, stop);
  let printed = 0;
  try {
    if (source.include !== undefined) {
      let pattern: RegExp;
      try {
        pattern = new RegExp(`^(?:${source.include})$`);
      } catch (e) {
        throw new UsageError(`--include: ${(e as Error).message}`);
      }
      consumer.subscribe(pattern);
    } else if (options.groupId !== undefined) {
      consumer.subscribe([source.topic!]);
    } else {
      const chosen = source.partition === undefined ? partitions : [source.partition];
      consumer.assign(chosen.map((partition) => ({
        topic: source.topic!,
        partition,
        offset: typeof source.offset === "bigint" ? source.offset : undefined,
      })));
    }
    const encoder = new TextEncoder();
    let last = Date.now();
    while (printed < how.max && !stopping) {
      // Never more than will be printed: what the group commits is what was printed.
      const records = await consumer.poll({
        timeoutMs: 200,
        maxRecords: Math.min(500, how.max - printed),
      });
      if (records.length > 0) last = Date.now();
      else if (how.timeoutMs !== undefined && Date.now() - last >= how.timeoutMs) break;
      let out = "";
      for (const r of records) out += how.format(r);
      try {
        await writeAll(encoder.encode(out));
      } catch (e) {
        // The reader went away (a pipe into head): stop as if interrupted.
        if (e instanceof Deno.errors.BrokenPipe) break;
        throw e;
      }
      printed += records.length;
    }
    if (how.commit) await consumer.commit().catch(() => {});
  } finally {
    // The consumer leaves its group before the connections it shares close.
    await consumer.close().catch(() => {});
    for (const s of signals) Deno.removeSignalListener(s, stop);
    console.error(`Processed a total of ${printed} messages`);
  }
}

async function writeAll(bytes: Uint8Array): Promise<void> {
  for (let at = 0; at < bytes.length;) at += await Deno.stdout.write(bytes.subarray(at));
}

if (import.meta.main) await run("consume", () => main(Deno.args));
