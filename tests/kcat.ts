/**
 * Test support: kcat (librdkafka's command-line client), when installed.
 *
 * @module
 */

import { has } from "./installed.ts";

/** True when `kcat` runs on this machine (a missing kcat is not an error: see installed.ts). */
export const hasKcat: boolean = has("kcat");

/** Runs kcat with `args` (and `input` on stdin), killed after 20 s; its status and output. */
export async function runKcat(
  args: string[],
  input?: string,
): Promise<{ ok: boolean; out: string; err: string }> {
  const child = new Deno.Command("kcat", {
    args,
    stdin: input === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (input !== undefined) {
    const w = child.stdin.getWriter();
    await w.write(new TextEncoder().encode(input));
    await w.close();
  }
  const timer = setTimeout(() => child.kill(), 20000);
  const out = await child.output();
  clearTimeout(timer);
  const d = new TextDecoder();
  return { ok: out.success, out: d.decode(out.stdout), err: d.decode(out.stderr) };
}
