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
