/**
 * `deno task produce`: reads records from stdin, one per line, and sends them, like
 * kafka-console-producer.sh.
 *
 * @example
 * ```sh
 * printf 'k1:hello\nk2:world\n' | deno task produce --bootstrap-server 127.0.0.1:9092 --topic t \
 *   --property parse.key=true --property key.separator=: --compression zstd
 * ```
 *
 * @module
 */

import { type CompressionName, Producer } from "../client/mod.ts";
import { parse, properties, run, UsageError } from "./common.ts";

const HELP = `Usage: deno task produce --bootstrap-server HOST:PORT --topic T [options] < lines
  --property parse.key=true      read "key<separator>value" lines
  --property key.separator=SEP   the separator (default a tab)
  --compression CODEC            none, gzip, snappy, lz4 or zstd (default none)
  --acks ACKS                    0, 1, -1 or all (default all)
  --timeout-ms MS                delivery timeout (default 120000)`;

await run(async () => {
  const v = parse(Deno.args, {
    "bootstrap-server": { type: "string" },
    topic: { type: "string" },
    property: { type: "string", multiple: true },
    compression: { type: "string" },
    acks: { type: "string" },
    "timeout-ms": { type: "string" },
    help: { type: "boolean", short: "h" },
  });
  if (v.help) return console.log(HELP);
  if (!v["bootstrap-server"] || !v.topic) {
    throw new UsageError("--bootstrap-server and --topic are required");
  }
  const props = properties(v.property);
  const parseKey = props.get("parse.key") === "true";
  const separator = props.get("key.separator") ?? "\t";
  const compression = (v.compression ?? "none") as CompressionName;
  if (!["none", "gzip", "snappy", "lz4", "zstd"].includes(compression)) {
    throw new UsageError(`unknown --compression '${v.compression}'`);
  }
  const acksText = v.acks ?? "all";
  if (!["0", "1", "-1", "all"].includes(acksText)) {
    throw new UsageError(`--acks must be 0, 1, -1 or all, got '${acksText}'`);
  }
  const acks = acksText === "all" ? -1 : Number(acksText) as 0 | 1 | -1;
  const deliveryTimeoutMs = Number(v["timeout-ms"] ?? 120000);
  await using producer = new Producer({
    bootstrapServers: v["bootstrap-server"],
    compression,
    acks,
    idempotent: acks === -1,
    deliveryTimeoutMs,
    maxBlockMs: Math.min(deliveryTimeoutMs, 60000),
  });
  const sends: Promise<unknown>[] = [];
  let rest = "";
  const decoder = new TextDecoder();
  const sendLine = (line: string) => {
    if (line === "") return;
    let key: string | null = null;
    let value = line;
    if (parseKey) {
      const at = line.indexOf(separator);
      if (at < 0) throw new UsageError(`No key separator found on line: ${line}`);
      key = line.slice(0, at);
      value = line.slice(at + separator.length);
    }
    sends.push(producer.send({ topic: v.topic!, key, value }));
  };
  for await (const chunk of Deno.stdin.readable) {
    const lines = (rest + decoder.decode(chunk, { stream: true })).split("\n");
    rest = lines.pop()!;
    for (const line of lines) sendLine(line.replace(/\r$/, ""));
  }
  sendLine(rest);
  await Promise.all(sends);
});
