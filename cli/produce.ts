/**
 * `brook produce`: reads records from stdin, one per line, and sends them, like
 * kafka-console-producer.sh (same flags). Stdin is read as a stream with a bounded number of bytes
 * in flight, so a file of any size goes through in bounded memory; a progress line goes to stderr
 * when it is a terminal (or with `--progress`) and a summary at the end. When records cannot be
 * delivered it says how many, and why, and exits 1.
 *
 * @example
 * ```sh
 * printf 'k1:hello\nk2:world\n' | brook produce --bootstrap-server 127.0.0.1:9092 --topic t \
 *   --property parse.key=true --property key.separator=: --compression-codec zstd
 * ```
 *
 * @module
 */

import { type CompressionName, Producer, type ProducerOptions } from "../client/mod.ts";
import {
  firstLine,
  integer,
  oneOf,
  parse,
  properties,
  run,
  UsageError,
  VERSION,
} from "./common.ts";
import { clientSettings, CONNECTION_FLAGS, CONNECTION_HELP, intProperty } from "./connection.ts";
import { LineReader, type LineRecord, type ReaderOptions } from "./produce/line_reader.ts";
import { Progress } from "./progress.ts";

const HELP = `Usage: brook produce --bootstrap-server HOST:PORT --topic T [options] < lines
${CONNECTION_HELP}
  --topic T                      the topic to send to (required)
  --property KEY=VALUE           how lines are read (also --reader-property):
                                   parse.key=true, key.separator (default a tab),
                                   parse.headers=true, headers.delimiter (a tab),
                                   headers.separator (,), headers.key.separator (:),
                                   null.marker, ignore.error=true
  --producer-property KEY=VALUE  a producer config (also --command-property), e.g. linger.ms=5
  --producer.config FILE         producer configs from a properties file
  --compression-codec CODEC      none, gzip (when no codec is named), snappy, lz4 or zstd
  --request-required-acks ACKS   0, 1, -1 or all (default -1)
  --sync                         send each record and wait for its acknowledgement
  --batch-size BYTES             batch.size (default 16384)
  --timeout MS                   linger.ms (default 5)
  --max-memory-bytes BYTES       buffer.memory (default 33554432)
  --max-block-ms MS              max.block.ms (default 60000)
  --request-timeout-ms MS        request.timeout.ms (default 30000)
  --timeout-ms MS                delivery.timeout.ms (default 120000)
  --progress                     print a progress line on stderr even when it is not a terminal`;

const FLAGS = {
  ...CONNECTION_FLAGS,
  topic: { type: "string" },
  property: { type: "string", multiple: true },
  "reader-property": { type: "string", multiple: true },
  "producer-property": { type: "string", multiple: true },
  "command-property": { type: "string", multiple: true },
  "producer.config": { type: "string" },
  "compression-codec": { type: "string" },
  compression: { type: "string" },
  "request-required-acks": { type: "string" },
  acks: { type: "string" },
  sync: { type: "boolean" },
  "batch-size": { type: "string" },
  "max-partition-memory-bytes": { type: "string" },
  timeout: { type: "string" },
  "max-memory-bytes": { type: "string" },
  "max-block-ms": { type: "string" },
  "request-timeout-ms": { type: "string" },
  "timeout-ms": { type: "string" },
  "message-send-max-retries": { type: "string" },
  "retry-backoff-ms": { type: "string" },
  "metadata-expiry-ms": { type: "string" },
  progress: { type: "boolean" },
  version: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

/** At most this many bytes of records (plus 64 each) unacknowledged at once. */
const MAX_IN_FLIGHT_BYTES = 2 * 1024 * 1024;

/** `--compression-codec` alone means gzip, as in Kafka's console producer. */
function withDefaultCodec(args: string[]): string[] {
  const out = [...args];
  for (let i = 0; i < out.length; i++) {
    if (out[i] === "--compression-codec" && (i + 1 >= out.length || out[i + 1].startsWith("--"))) {
      out.splice(i + 1, 0, "gzip");
    }
  }
  return out;
}

/**
 * Runs `brook produce` with these arguments.
 *
 * @example
 * ```ts
 * import { main } from "./produce.ts";
 * await main(["--bootstrap-server", "127.0.0.1:9092", "--topic", "t"]);
 * ```
 */
export async function main(args: string[]): Promise<void> {
  const v = parse(withDefaultCodec(args), FLAGS);
  if (v.help) return console.log(HELP);
  if (v.version) return console.log(VERSION);
  if (!v.topic) throw new UsageError("--topic is required");
  const settings = await clientSettings(v, {
    files: { "producer.config": v["producer.config"] },
    overrides: {
      "producer-property": v["producer-property"],
      "command-property": v["command-property"],
    },
  });
  const props = settings.props;
  // Flags given explicitly win over the properties, as in Kafka's console producer.
  const flag = (name: keyof typeof v, key: string) => {
    const value = v[name];
    if (typeof value === "string") props.set(key, value);
  };
  flag("compression", "compression.type");
  flag("compression-codec", "compression.type");
  flag("acks", "acks");
  flag("request-required-acks", "acks");
  flag("max-partition-memory-bytes", "batch.size");
  flag("batch-size", "batch.size");
  flag("timeout", "linger.ms");
  flag("max-memory-bytes", "buffer.memory");
  flag("max-block-ms", "max.block.ms");
  flag("request-timeout-ms", "request.timeout.ms");
  flag("timeout-ms", "delivery.timeout.ms");
  flag("retry-backoff-ms", "retry.backoff.ms");
  flag("metadata-expiry-ms", "metadata.max.age.ms");
  integer("--message-send-max-retries", v["message-send-max-retries"], 0);
  const compression = oneOf(
    "compression.type",
    props.get("compression.type") ?? "none",
    ["none", "gzip", "snappy", "lz4", "zstd"] as CompressionName[],
  )!;
  const acksText = oneOf("acks", props.get("acks") ?? "all", ["0", "1", "-1", "all"])!;
  const acks = acksText === "all" ? -1 : Number(acksText) as 0 | 1 | -1;
  const idempotence = props.get("enable.idempotence");
  oneOf("enable.idempotence", idempotence, ["true", "false"]);
  if (idempotence === "true" && acks !== -1) {
    throw new UsageError("enable.idempotence=true needs acks=all (-1)");
  }
  const bufferMemory = intProperty(props, "buffer.memory", 1024) ?? 33554432;
  const deliveryTimeoutMs = intProperty(props, "delivery.timeout.ms", 1) ?? 120000;
  const options: ProducerOptions = {
    ...settings.client,
    compression,
    acks,
    idempotent: idempotence === undefined ? acks === -1 : idempotence === "true",
    lingerMs: intProperty(props, "linger.ms", 0),
    batchSize: intProperty(props, "batch.size", 1),
    bufferMemory,
    deliveryTimeoutMs,
    maxBlockMs: intProperty(props, "max.block.ms", 0),
    maxInFlightPerPartition: intProperty(props, "max.in.flight.requests.per.connection", 1),
  };
  for (const k of Object.keys(options) as (keyof ProducerOptions)[]) {
    if (options[k] === undefined) delete options[k];
  }
  const reader = new LineReader(
    readerOptions(
      properties(v["reader-property"], "reader-property", properties(v.property, "property")),
    ),
  );
  const progress = new Progress({ always: v.progress === true });
  let producer: Producer;
  try {
    producer = new Producer(options);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const outcome = await pump(producer, v.topic, reader, {
    // The producer's buffer.memory bounds what waits in it; the tool keeps less in flight (2 MiB
    // fill its batches and connections) so that its memory stays bounded whatever the input's size
    // (200 MiB of lines: 175 MB RSS with 2 MiB in flight, 617 MB with 32 MiB).
    maxInFlightBytes: Math.min(bufferMemory / 2, MAX_IN_FLIGHT_BYTES),
    sync: v.sync === true,
    progress,
    deliveryTimeoutMs,
  });
  // After a failure, records still waiting are not waited for: the exit ends them.
  if (!outcome.error) await producer.close().catch(() => {});
  progress.done();
  if (outcome.error) {
    const undelivered = outcome.read - outcome.delivered;
    throw new Error(
      `${undelivered} of ${outcome.read} records read were not delivered (${outcome.delivered} were): ${
        firstLine(outcome.error.message)
      }`,
    );
  }
  progress.summary(outcome.delivered, outcome.bytes, "sent");
}

function readerOptions(p: Map<string, string>): ReaderOptions {
  const bool = (k: string) => oneOf(k, p.get(k), ["true", "false"]) === "true";
  return {
    parseKey: bool("parse.key"),
    keySeparator: p.get("key.separator") ?? "\t",
    parseHeaders: bool("parse.headers"),
    headersDelimiter: p.get("headers.delimiter") ?? "\t",
    headersSeparator: p.get("headers.separator") ?? ",",
    headersKeySeparator: p.get("headers.key.separator") ?? ":",
    nullMarker: p.get("null.marker"),
    ignoreError: bool("ignore.error"),
  };
}

interface Outcome {
  read: number;
  delivered: number;
  bytes: number;
  error?: Error;
}

/**
 * Sends stdin's records; waits whenever more than `maxInFlightBytes` are unacknowledged, and stops
 * reading at the first record that fails.
 */
async function pump(
  producer: Producer,
  topic: string,
  reader: LineReader,
  options: {
    maxInFlightBytes: number;
    sync: boolean;
    progress: Progress;
    deliveryTimeoutMs: number;
  },
): Promise<Outcome> {
  const outcome: Outcome = { read: 0, delivered: 0, bytes: 0 };
  let inFlightBytes = 0;
  let threshold = 0;
  let drained: (() => void) | undefined;
  const settle = (bytes: number) => {
    inFlightBytes -= bytes;
    if (drained && (inFlightBytes <= threshold || outcome.error)) {
      drained();
      drained = undefined;
    }
  };
  // Records sent after the broker went away would each wait their own delivery.timeout.ms: when
  // nothing at all is acknowledged for that long, the tool gives up on them all.
  let lastAck = Date.now();
  let giveUp!: () => void;
  const gaveUp = new Promise<void>((r) => (giveUp = r));
  let checking = false;
  const watchdog = setInterval(async () => {
    if (checking || inFlightBytes <= 0 || Date.now() - lastAck < options.deliveryTimeoutMs) return;
    checking = true;
    // Why: what asking the cluster for the topic's metadata answers now (3 s at most).
    const why = await Promise.race([
      producer.client.metadata([topic], { force: true }).then(() => "", (e: Error) => e.message),
      new Promise<string>((r) => setTimeout(() => r("no answer to a metadata request"), 3000)),
    ]);
    outcome.error ??= new Error(
      `nothing was acknowledged for ${options.deliveryTimeoutMs} ms (delivery.timeout.ms)${
        why ? `: ${why}` : ""
      }`,
    );
    drained?.();
    giveUp();
  }, 1000);
  const send = (record: LineRecord) => {
    const size = record.size;
    // What a record costs beyond its bytes while it waits, roughly.
    const cost = size + 64;
    outcome.read++;
    inFlightBytes += cost;
    producer.send({ topic, key: record.key, value: record.value, headers: record.headers }).then(
      () => {
        lastAck = Date.now();
        outcome.delivered++;
        outcome.bytes += size;
        options.progress.update(outcome.delivered, outcome.bytes);
        settle(cost);
      },
      (e: Error) => {
        outcome.error ??= e;
        settle(cost);
      },
    );
  };
  try {
    reading: for await (const batch of reader.records(Deno.stdin.readable)) {
      for (const record of batch) {
        if (outcome.error) break reading;
        send(record);
        if (options.sync || inFlightBytes > options.maxInFlightBytes) {
          // Down to half of the limit, so that the producer fills whole batches while reading on.
          threshold = options.sync ? 0 : options.maxInFlightBytes / 2;
          await new Promise<void>((r) => (drained = r));
        }
      }
    }
  } catch (e) {
    outcome.error ??= e as Error;
  }
  // Every record sent is acknowledged or has failed (within delivery.timeout.ms) after flush.
  try {
    await Promise.race([producer.flush(), gaveUp]);
  } catch (e) {
    // The producer may also report its undelivered records when flushing.
    outcome.error ??= e as Error;
  } finally {
    clearInterval(watchdog);
  }
  return outcome;
}

if (import.meta.main) await run("produce", () => main(Deno.args));
