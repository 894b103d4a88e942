/**
 * Benchmark support: Brook's broker in its own process (the CLI), so that it does not share the
 * benchmark's event loop.
 *
 * @module
 */

/** Starts the CLI broker with `args`; resolves with its bootstrap address once it listens. */
export async function startCliBroker(
  args: string[],
): Promise<{ bootstrap: string; process: Deno.ChildProcess }> {
  const process = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      new URL("../cli/broker.ts", import.meta.url).pathname,
      "--port",
      "0",
      ...args,
    ],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = process.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let line = "";
  while (!line.includes("\n")) line += (await reader.read()).value ?? "";
  reader.releaseLock();
  return { bootstrap: line.trim().replace("listening on ", ""), process };
}
