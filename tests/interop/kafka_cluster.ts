/**
 * Test support: a real Apache Kafka 4.1.1 cluster of three KRaft nodes (tools/kafka/cluster.sh),
 * whose brokers a test can kill and restart.
 *
 * @module
 */

const script = new URL("../../tools/kafka/cluster.sh", import.meta.url).pathname;

/** A running three-node Kafka cluster. */
export interface KafkaCluster extends AsyncDisposable {
  /** The three PLAINTEXT listeners, comma-separated. */
  readonly bootstrapServers: string;
  /** SIGKILLs node `n` (1-3), as a crash. */
  kill(n: number): Promise<void>;
  /** Starts node `n` again and waits for its listener. */
  restart(n: number): Promise<void>;
  stop(): Promise<void>;
}

async function run(args: string[]): Promise<string> {
  const out = await new Deno.Command("bash", { args: [script, ...args], stderr: "inherit" })
    .output();
  if (!out.success) throw new Error(`cluster.sh ${args.slice(1).join(" ")} failed`);
  return new TextDecoder().decode(out.stdout).trim();
}

/**
 * Starts the cluster in a temporary folder (about 20 s).
 *
 * @example
 * ```ts
 * await using cluster = await startKafkaCluster();
 * await cluster.kill(2);
 * await cluster.restart(2);
 * ```
 */
export async function startKafkaCluster(): Promise<KafkaCluster> {
  const dir = await Deno.makeTempDir({ prefix: "brook-kafka-cluster-" });
  const line = await run([dir, "start"]);
  if (!line.startsWith("listening on ")) throw new Error(`Kafka cluster did not start: ${line}`);
  const stop = async () => {
    await run([dir, "stop"]).catch(() => {});
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  };
  return {
    bootstrapServers: line.slice("listening on ".length),
    kill: async (n) => void await run([dir, "kill", String(n)]),
    restart: async (n) => void await run([dir, "restart", String(n)]),
    stop,
    [Symbol.asyncDispose]: stop,
  };
}
