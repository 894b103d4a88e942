/**
 * Test support: a real Apache Kafka (4.1.1 unless a version is asked for) for interop tests, started
 * by tools/kafka/start.sh.
 *
 * @module
 */

/** A running Kafka. */
export interface KafkaServer extends AsyncDisposable {
  /** "127.0.0.1:PORT" of the PLAINTEXT listener. */
  readonly bootstrapServers: string;
  /** With `secure`: the SASL_SSL and SASL_PLAINTEXT listeners, and the CA of the TLS certificate. */
  readonly saslSsl?: string;
  readonly saslPlaintext?: string;
  readonly caCert?: string;
  /** With `secure`: an SSL listener that requires client certificates signed by the CA in `caDir`. */
  readonly sslMutual?: string;
  readonly caDir?: string;
  /** With `telemetry`: the file the broker's telemetry receiver appends each push to (JSON lines). */
  readonly telemetryFile?: string;
  stop(): Promise<void>;
}

const tools = new URL("../../tools/kafka/", import.meta.url).pathname;

/** Options of {@linkcode startKafka}. */
export interface StartKafkaOptions {
  /** SASL, TLS and ACL listeners too (see tools/kafka/start.sh). */
  secure?: boolean;
  /**
   * A client telemetry receiver (KIP-714, tools/kafka/telemetry/FileTelemetryReceiver.java): the
   * broker advertises GetTelemetrySubscriptions and PushTelemetry and writes what clients push to
   * `telemetryFile`. Always a Kafka of its own.
   */
  telemetry?: boolean;
  /**
   * Kafka's release, installed from Maven Central on first use: "4.1.1" (the default) or e.g. "4.4.0".
   * Env BROOK_KAFKA_BOOTSTRAP names a running 4.1.1 and BROOK_KAFKA_4_4_BOOTSTRAP a running 4.4.0.
   */
  version?: string;
}

/**
 * Starts a real Kafka in a temporary folder (or returns the one named by env BROOK_KAFKA_BOOTSTRAP, or
 * BROOK_KAFKA_4_4_BOOTSTRAP for version 4.4.0).
 *
 * @example
 * ```ts
 * await using kafka = await startKafka({ version: "4.4.0" });
 * console.log(kafka.bootstrapServers);
 * ```
 */
export async function startKafka(options: StartKafkaOptions = {}): Promise<KafkaServer> {
  const version = options.version ?? "4.1.1";
  const given = version === "4.1.1"
    ? Deno.env.get("BROOK_KAFKA_BOOTSTRAP")
    : version === "4.4.0"
    ? Deno.env.get("BROOK_KAFKA_4_4_BOOTSTRAP")
    : undefined;
  if (given && !options.secure && !options.telemetry) {
    return {
      bootstrapServers: given,
      stop: () => Promise.resolve(),
      [Symbol.asyncDispose]: () => Promise.resolve(),
    };
  }
  const dir = await Deno.makeTempDir({ prefix: "brook-kafka-" });
  const flags = [
    ...(options.secure ? ["--secure"] : []),
    ...(options.telemetry ? ["--telemetry"] : []),
  ];
  const args = [`${tools}start.sh`, dir, ...(flags.length > 0 ? ["0", ...flags] : [])];
  const out = await new Deno.Command("bash", {
    args,
    stderr: "inherit",
    env: { BROOK_KAFKA_VERSION: version },
  }).output();
  const lines = new TextDecoder().decode(out.stdout).trim().split("\n");
  const line = lines[0];
  if (!out.success || !line.startsWith("listening on ")) {
    throw new Error(`Kafka did not start: ${line}`);
  }
  const value = (prefix: string) => lines.find((l) => l.startsWith(prefix))?.slice(prefix.length);
  const caPath = value("ca ");
  const stop = async () => {
    await new Deno.Command("bash", {
      args: [`${tools}stop.sh`, dir],
      env: { BROOK_KAFKA_VERSION: version },
    })
      .output();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  };
  return {
    bootstrapServers: line.slice("listening on ".length),
    saslSsl: value("sasl_ssl on "),
    saslPlaintext: value("sasl_plaintext on "),
    sslMutual: value("ssl on "),
    caDir: caPath?.replace(/\/ca\.pem$/, ""),
    caCert: caPath && await Deno.readTextFile(caPath),
    telemetryFile: value("telemetry "),
    stop,
    [Symbol.asyncDispose]: stop,
  };
}
