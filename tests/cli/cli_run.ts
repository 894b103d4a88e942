// Runs Brook's command-line tools as a user would: a separate Deno process, stdin fed, exit code
// and output collected.

/** The path of a tool's script. */
export const cli = (name: string) => new URL(`../../cli/${name}.ts`, import.meta.url).pathname;

/** What a tool printed and how it exited. */
export interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a tool with `args`, writing `input` (text or chunks) to its stdin. */
export async function runTool(
  tool: string,
  args: string[],
  input?: string | Iterable<Uint8Array>,
): Promise<Ran> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-net", "--allow-read", "--allow-env", cli(tool), ...args],
    stdin: input === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const output = child.output();
  if (input !== undefined) {
    const w = child.stdin.getWriter();
    const chunks = typeof input === "string" ? [new TextEncoder().encode(input)] : input;
    try {
      for (const chunk of chunks) await w.write(chunk);
      await w.close();
    } catch {
      // The tool stopped reading (it failed); its exit code tells.
    }
  }
  const out = await output;
  return {
    code: out.code,
    stdout: new TextDecoder().decode(out.stdout),
    stderr: new TextDecoder().decode(out.stderr),
  };
}

/** A tool running in the background: its stdout read as it comes, signals sent on demand. */
export class RunningTool {
  readonly #child: Deno.ChildProcess;
  readonly #stderr: Promise<string>;
  #stdout = "";
  readonly #reading: Promise<void>;

  constructor(tool: string, args: string[]) {
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "--allow-net", "--allow-read", "--allow-env", cli(tool), ...args],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    this.#child = child;
    this.#stderr = new Response(child.stderr).text();
    this.#reading = (async () => {
      const decoder = new TextDecoder();
      for await (const chunk of child.stdout) {
        this.#stdout += decoder.decode(chunk, { stream: true });
      }
    })();
  }

  /** What it printed so far. */
  get stdout(): string {
    return this.#stdout;
  }

  /** Waits (at most `timeoutMs`) until stdout has `lines` lines. */
  async waitForLines(lines: number, timeoutMs = 20000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.#stdout.split("\n").length - 1 < lines) {
      if (Date.now() > deadline) throw new Error(`no ${lines} lines in time: ${this.#stdout}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Sends a signal. */
  kill(signal: Deno.Signal): void {
    this.#child.kill(signal);
  }

  /** Its exit, with everything it printed. */
  async finished(): Promise<Ran> {
    const status = await this.#child.status;
    await this.#reading;
    return { code: status.code, stdout: this.#stdout, stderr: await this.#stderr };
  }
}
