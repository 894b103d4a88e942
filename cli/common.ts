/**
 * What Brook's command-line tools share: Kafka-style flags (`--bootstrap-server`, `--property k=v`),
 * one-line errors, and exit codes (2 for usage mistakes, 1 for failures).
 *
 * @module
 */

import { parseArgs, type ParseArgsConfig } from "node:util";

/** A command-line mistake: one line on stderr, exit status 2. */
export class UsageError extends Error {}

/** Parses `args` with node:util's parseArgs, turning its errors into UsageError. */
export function parse<T extends NonNullable<ParseArgsConfig["options"]>>(
  args: string[],
  options: T,
) {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: false }).values;
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

/** `--property key=value` pairs as a map. */
export function properties(list: string[] | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const p of list ?? []) {
    const eq = p.indexOf("=");
    if (eq <= 0) throw new UsageError(`--property takes key=value, got '${p}'`);
    out.set(p.slice(0, eq), p.slice(eq + 1));
  }
  return out;
}

/** A whole number flag within [min, max], or undefined when absent. */
export function integer(
  name: string,
  value: string | undefined,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^-?\d+$/.test(value) || n < min || n > max) {
    throw new UsageError(`--${name} must be an integer from ${min} to ${max}, got '${value}'`);
  }
  return n;
}

/** Runs a tool's main: usage mistakes exit 2, other errors 1, each as one line on stderr. */
export async function run(main: () => Promise<void>): Promise<void> {
  try {
    await main();
  } catch (e) {
    console.error(`Error: ${(e as Error).message}`);
    Deno.exit(e instanceof UsageError ? 2 : 1);
  }
}
