/**
 * What the runs of foreign Go clients' own test suites share (franz-go's pkg/kgo, sarama's
 * functional tests): whether Go is here, running a command for its output, and the outcome of each
 * test that `go test -v` reports.
 *
 * @module
 */

/** The output of `go version`, or undefined when Go does not run here. */
export async function goVersion(): Promise<string | undefined> {
  try {
    const out = await new Deno.Command("go", { args: ["version"], stdout: "piped" }).output();
    return out.success ? new TextDecoder().decode(out.stdout).trim() : undefined;
  } catch {
    return undefined;
  }
}

/** Runs `command` and resolves with its stdout; rejects with its stderr when it fails. */
export async function run(
  command: string,
  args: string[],
  options: Deno.CommandOptions = {},
): Promise<string> {
  const out = await new Deno.Command(command, {
    args,
    stdout: "piped",
    stderr: "piped",
    ...options,
  })
    .output();
  if (!out.success) {
    throw new Error(`${command} ${args.join(" ")}: ${new TextDecoder().decode(out.stderr)}`);
  }
  return new TextDecoder().decode(out.stdout);
}

/** The outcome (PASS, FAIL, SKIP) of every top-level test that `go test -v` reports. */
export function outcomes(output: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const m of output.matchAll(/^--- (PASS|FAIL|SKIP): (\w+) /gm)) found.set(m[2], m[1]);
  return found;
}
