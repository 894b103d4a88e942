/**
 * `deno task consume`: prints records, one per line, like kafka-console-consumer.sh; exits after
 * `--max-messages` records or `--timeout-ms` without a record.
 *
 * @example
 * ```sh
 * deno task consume --bootstrap-server 127.0.0.1:9092 --topic t --from-beginning --max-messages 10 \
 *   --property print.key=true
 * ```
 *
 * @module
 */

import { Consumer, KafkaClient } from "../client/mod.ts";
import { integer, parse, properties, run, UsageError } from "./common.ts";

const HELP = `Usage: deno task consume --bootstrap-server HOST:PORT --topic T [options]
  --group G                      consume as a member of group G (commits offsets)
  --from-beginning               start at the earliest offset when there is no committed one
  --max-messages N               exit after N records
  --timeout-ms MS                exit when no record arrives for MS milliseconds
  --property print.key=true      print "key<separator>value"
  --property key.separator=SEP   the separator (default a tab)`;

await run(async () => {
  const v = parse(Deno.args, {
    "bootstrap-server": { type: "string" },
    topic: { type: "string" },
    group: { type: "string" },
    "from-beginning": { type: "boolean" },
    "max-messages": { type: "string" },
    "timeout-ms": { type: "string" },
    property: { type: "string", multiple: true },
    help: { type: "boolean", short: "h" },
  });
  if (v.help) return console.log(HELP);
  if (!v["bootstrap-server"] || !v.topic) {
    throw new UsageError("--bootstrap-server and --topic are required");
  }
  const max = integer("--max-messages", v["max-messages"], 1) ?? Infinity;
  const timeoutMs = integer("--timeout-ms", v["timeout-ms"], 1);
  const props = properties(v.property, "property");
  const printKey = props.get("print.key") === "true";
  const separator = props.get("key.separator") ?? "\t";
  const bootstrapServers = v["bootstrap-server"];
  const client = new KafkaClient({ bootstrapServers });
  const md = await client.metadata([v.topic]);
  const topic = md.topics.get(v.topic);
  if (!topic || topic.errorCode !== 0) throw new Error(`Topic ${v.topic} does not exist`);
  await using consumer = new Consumer({
    bootstrapServers,
    groupId: v.group,
    autoOffsetReset: v["from-beginning"] ? "earliest" : "latest",
    fetchMaxWaitMs: 200,
  }, client);
  if (v.group) consumer.subscribe([v.topic]);
  else consumer.assign(topic.partitions.map((p) => ({ topic: v.topic!, partition: p.partition })));
  const decoder = new TextDecoder();
  const text = (b: Uint8Array | null) => (b === null ? "null" : decoder.decode(b));
  let printed = 0;
  let last = Date.now();
  while (printed < max) {
    // Never more than will be printed: what the group commits is what was printed.
    const records = await consumer.poll({
      timeoutMs: 200,
      maxRecords: Math.min(500, max - printed),
    });
    if (records.length > 0) last = Date.now();
    else if (timeoutMs !== undefined && Date.now() - last >= timeoutMs) break;
    for (const r of records) {
      console.log(printKey ? `${text(r.key)}${separator}${text(r.value)}` : text(r.value));
      if (++printed >= max) break;
    }
  }
  if (v.group) await consumer.commit().catch(() => {});
  // The consumer leaves its group before the connections it shares close.
  await consumer.close();
  console.error(`Processed a total of ${printed} messages`);
  await client.close();
});
