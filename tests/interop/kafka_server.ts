/**
 * Test support: a real Apache Kafka 4.1.1 for interop tests, started by tools/kafka/start.sh.
 *
 * @module
 */

/** A running Kafka. */
export interface KafkaServer extends AsyncDisposable {
  /** "127.0.0.1:PORT". */
  readonly bootstrapServers: string;
  stop(): Promise<void>;
}

const tools = new URL("../../tools/kafka/", import.meta.url).pathname;

/**
 * Starts a real Kafka in a temporary folder (or returns the one named by env BROOK_KAFKA_BOOTSTRAP).
 *
 * @example
 * ```ts
 * await using kafka = await startKafka();
 * console.log(kafka.bootstrapServers);
 * ```
 */
export async function startKafka(): Promise<KafkaServer> {
  const given = Deno.env.get("BROOK_KAFKA_BOOTSTRAP");
  if (given) {
    return {
      bootstrapServers: given,
      stop: () => Promise.resolve(),
      [Symbol.asyncDispose]: () => Promise.resolve(),
    };
  }
  const dir = await Deno.makeTempDir({ prefix: "brook-kafka-" });
  const out = await new Deno.Command("bash", { args: [`${tools}start.sh`, dir], stderr: "inherit" })
    .output();
  const line = new TextDecoder().decode(out.stdout).trim();
  if (!out.success || !line.startsWith("listening on ")) {
    throw new Error(`Kafka did not start: ${line}`);
  }
  const stop = async () => {
    await new Deno.Command("bash", { args: [`${tools}stop.sh`, dir] }).output();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  };
  return {
    bootstrapServers: line.slice("listening on ".length),
    stop,
    [Symbol.asyncDispose]: stop,
  };
}
