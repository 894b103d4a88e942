/**
 * `deno task broker`: runs Brook's embedded Kafka broker from the command line.
 *
 * Prints exactly one line on stdout, `listening on HOST:PORT[,HOST:PORT...]`, once every node accepts
 * connections; everything else goes to stderr. Stops cleanly on SIGINT or SIGTERM (exit 0). Bad
 * arguments print one line and exit 2.
 *
 * @example
 * ```sh
 * deno task broker --brokers 3 --partitions 6 --port 9092 --metrics-port 9404 --faults faults.json
 * ```
 *
 * @module
 */

import { parseArgs } from "node:util";
import { Broker, type BrokerOptions } from "../broker/mod.ts";
import { type FaultPlan, parseFaultPlan } from "../broker/faults_plan.ts";

const HELP = `Usage: deno task broker [options]

Runs an in-memory Kafka cluster (Brook's embedded broker) until SIGINT or SIGTERM.

Options:
  --host HOST              address to listen on and advertise (default 127.0.0.1)
  --port PORT              first node's port; node i listens on PORT+i-1; 0 picks free ports
                           (default 9092)
  --brokers N              number of nodes (default 1)
  --partitions N           partitions of auto-created topics (num.partitions, default 1)
  --replication-factor N   replication factor of new topics (default min(3, brokers))
  --topic NAME[:P[:RF]]    create a topic at start with P partitions and RF replicas
                           (repeatable)
  --metrics-port PORT      serve Prometheus metrics at http://127.0.0.1:PORT/metrics
                           (off by default; 0 picks a free port)
  --slow-request-ms MS     log requests slower than MS milliseconds to stderr
  --faults FILE            run the fault plan in FILE (JSON): {"faults": [steps]}
  --no-auto-create         refuse to create topics on Metadata and Produce requests
  -h, --help               print this help

Prints "listening on HOST:PORT[,HOST:PORT...]" once every node accepts connections.
`;

/** A command-line mistake: reported in one line, exit status 2. */
class UsageError extends Error {}

function integer(name: string, value: string | undefined, min: number, max: number) {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < min || n > max) {
    throw new UsageError(`--${name} must be an integer from ${min} to ${max}, got '${value}'`);
  }
  return n;
}

/** The broker options and fault plan the arguments ask for. */
export async function parseCommandLine(
  args: string[],
): Promise<{ help: true } | { help: false; options: BrokerOptions; plan?: FaultPlan }> {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        host: { type: "string" },
        port: { type: "string" },
        brokers: { type: "string" },
        partitions: { type: "string" },
        "replication-factor": { type: "string" },
        topic: { type: "string", multiple: true },
        "metrics-port": { type: "string" },
        "slow-request-ms": { type: "string" },
        faults: { type: "string" },
        "no-auto-create": { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    }));
  } catch (e) {
    throw new UsageError((e as Error).message.split("\n")[0]);
  }
  if (values.help) return { help: true };
  const brokers = integer("brokers", values.brokers, 1, 100) ?? 1;
  const port = integer("port", values.port, 0, 65535) ?? 9092;
  if (port > 0 && port + brokers - 1 > 65535) {
    throw new UsageError(`--port ${port} leaves no room for ${brokers} brokers`);
  }
  const options: BrokerOptions = {
    host: values.host ?? "127.0.0.1",
    port,
    nodes: brokers,
    defaultPartitions: integer("partitions", values.partitions, 1, 100000),
    defaultReplicationFactor: integer(
      "replication-factor",
      values["replication-factor"],
      1,
      brokers,
    ),
    metricsPort: integer("metrics-port", values["metrics-port"], 0, 65535),
    slowRequestMs: integer("slow-request-ms", values["slow-request-ms"], 0, 86400000),
    autoCreateTopics: !values["no-auto-create"],
    topics: {},
  };
  for (const spec of values.topic ?? []) {
    const [name, partitions, rf] = spec.split(":");
    if (!name) throw new UsageError(`--topic needs NAME[:PARTITIONS[:REPLICATION]], got '${spec}'`);
    options.topics![name] = {
      partitions: integer("topic partitions", partitions, 1, 100000),
      replicationFactor: integer("topic replication factor", rf, 1, brokers),
    };
  }
  if (values.faults === undefined) return { help: false, options };
  let plan: FaultPlan;
  try {
    plan = JSON.parse(await Deno.readTextFile(values.faults));
    parseFaultPlan(plan);
  } catch (e) {
    throw new UsageError(`--faults ${values.faults}: ${(e as Error).message.split("\n")[0]}`);
  }
  return { help: false, options, plan };
}

/** Runs the CLI; resolves with the exit status once the broker has stopped. */
export async function main(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = await parseCommandLine(args);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    console.error(`broker: ${e.message} (see --help)`);
    return 2;
  }
  if (parsed.help) {
    console.log(HELP);
    return 0;
  }
  let broker: Broker;
  try {
    broker = await Broker.start(parsed.options);
  } catch (e) {
    console.error(`broker: cannot start: ${(e as Error).message}`);
    return 1;
  }
  const stopped = Promise.withResolvers<void>();
  const stop = () => stopped.resolve();
  const signals: Deno.Signal[] = ["SIGINT", "SIGTERM"];
  for (const s of signals) Deno.addSignalListener(s, stop);
  try {
    // The plan's immediate faults are in place before clients learn where to connect.
    if (parsed.plan) broker.runFaultPlan(parsed.plan);
    if (broker.metricsAddress) {
      console.error(`metrics on http://${broker.metricsAddress}/metrics`);
    }
    console.log(`listening on ${broker.bootstrapServers}`);
    await stopped.promise;
  } finally {
    for (const s of signals) Deno.removeSignalListener(s, stop);
    await broker.close();
  }
  return 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
