/**
 * Test support: Brook's broker as its own process, started from the CLI as a user runs it, with its
 * stderr lines collected and its resident memory readable.
 *
 * @module
 */

/** A broker process. */
export interface BrokerProcess extends AsyncDisposable {
  /** "127.0.0.1:PORT" of the first node. */
  readonly address: string;
  readonly pid: number;
  /** Every non-empty line the broker wrote to stderr so far. */
  readonly stderr: string[];
  /** Settles when the process exits. */
  readonly exited: Promise<Deno.CommandStatus>;
  /** Resident memory now, in bytes (0 where `ps` cannot tell). */
  rss(): Promise<number>;
  stop(): Promise<void>;
}

/**
 * Starts `cli/broker.ts --port 0` with more CLI arguments; `onStderr` sees each stderr line as it
 * comes.
 *
 * @example
 * ```ts
 * await using broker = await startBrokerProcess(["--config", "log.retention.ms=10000"]);
 * console.log(broker.address, broker.rss());
 * ```
 */
export async function startBrokerProcess(
  args: string[] = [],
  options: { onStderr?: (line: string) => void } = {},
): Promise<BrokerProcess> {
  const cli = new URL("../../cli/broker.ts", import.meta.url).pathname;
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-net", "--allow-read", "--allow-env", cli, "--port", "0", ...args],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const stderr: string[] = [];
  (async () => {
    let rest = "";
    for await (const chunk of child.stderr.pipeThrough(new TextDecoderStream())) {
      const lines = (rest + chunk).split("\n");
      rest = lines.pop()!;
      for (const line of lines.filter((l) => l.trim() !== "")) {
        stderr.push(line);
        options.onStderr?.(line);
      }
    }
  })();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let out = "";
  while (!out.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`the broker did not start: ${stderr.join(" ")}`);
    out += value;
  }
  const address = /listening on (\S+)/.exec(out)?.[1]?.split(",")[0];
  if (!address) throw new Error(`the broker said: ${out}`);
  (async () => {
    while (!(await reader.read()).done) { /* Drain. */ }
  })();
  const stop = async () => {
    try {
      child.kill("SIGTERM");
    } catch {
      // Already gone.
    }
    await child.status;
  };
  return {
    address,
    pid: child.pid,
    stderr,
    exited: child.status,
    async rss() {
      // Read with ps: Deno lets only --allow-all read /proc. 0 without ps (spawning it throws).
      try {
        const out = await new Deno.Command("ps", { args: ["-o", "rss=", "-p", String(child.pid)] })
          .output();
        return out.success ? Number(new TextDecoder().decode(out.stdout).trim()) * 1024 : 0;
      } catch {
        return 0;
      }
    },
    stop,
    [Symbol.asyncDispose]: stop,
  };
}
