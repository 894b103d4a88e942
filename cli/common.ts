/**
 * What Brook's command-line tools share: Kafka-style flags (`--bootstrap-server`, `--property k=v`),
 * one-line errors, and exit codes (2 for usage mistakes, 1 for failures).
 *
 * @module
 */

import { parseArgs, type ParseArgsConfig } from "node:util";

/** Brook's version, as `--version` prints it (deno.json's; a test keeps them equal). */
export const VERSION = "0.1.0";

/**
 * A command-line mistake: one line on stderr, exit status 2.
 *
 * @example
 * ```ts
 * import { UsageError } from "./common.ts";
 * throw new UsageError("--topic is required");
 * ```
 */
export class UsageError extends Error {}

/** Options of a tool's flags, as node:util's parseArgs takes them. */
export type FlagOptions = NonNullable<ParseArgsConfig["options"]>;

/**
 * Parses `args` with node:util's parseArgs, turning its errors into UsageError.
 *
 * @example
 * ```ts
 * import { parse } from "./common.ts";
 * const v = parse(["--topic", "t"], { topic: { type: "string" } });
 * console.log(v.topic); // "t"
 * ```
 */
export function parse<T extends FlagOptions>(args: string[], options: T) {
  // A negative number is a value, as Kafka's tools read `--shift-by -2`.
  const joined: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const name = args[i].startsWith("--") ? args[i].slice(2) : undefined;
    if (name && options[name]?.type === "string" && /^-\d/.test(args[i + 1] ?? "")) {
      joined.push(`${args[i]}=${args[++i]}`);
    } else joined.push(args[i]);
  }
  try {
    return parseArgs({ args: joined, options, strict: true, allowPositionals: false }).values;
  } catch (e) {
    throw new UsageError(firstLine((e as Error).message));
  }
}

/**
 * `key=value` pairs (of `--property`, `--producer-property`...) as a map; later pairs win.
 *
 * @example
 * ```ts
 * import { properties } from "./common.ts";
 * console.log(properties(["parse.key=true"], "property").get("parse.key")); // "true"
 * ```
 */
export function properties(
  list: string[] | undefined,
  flag: string,
  into: Map<string, string> = new Map(),
): Map<string, string> {
  for (const p of list ?? []) {
    const eq = p.indexOf("=");
    if (eq <= 0) throw new UsageError(`--${flag} takes key=value, got '${p}'`);
    into.set(p.slice(0, eq).trim(), p.slice(eq + 1));
  }
  return into;
}

/**
 * A Java properties file's entries (`key=value`, `key: value`, `#` and `!` comments, `\` line
 * continuations and escapes), as Kafka's `--command-config` files are written.
 *
 * @example
 * ```ts
 * import { parseProperties } from "./common.ts";
 * const p = parseProperties("security.protocol=SASL_SSL\nsasl.mechanism = PLAIN\n");
 * console.log(p.get("sasl.mechanism")); // "PLAIN"
 * ```
 */
export function parseProperties(text: string): Map<string, string> {
  const out = new Map<string, string>();
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i].replace(/^\s+/, "");
    if (line === "" || line[0] === "#" || line[0] === "!") continue;
    // An odd number of trailing backslashes continues the line.
    while (/(^|[^\\])(\\\\)*\\$/.test(line) && i + 1 < lines.length) {
      line = line.slice(0, -1) + lines[++i].replace(/^\s+/, "");
    }
    const m = /^((?:\\.|[^=:\s\\])*)\s*[=:]?\s*(.*)$/.exec(line)!;
    out.set(unescape(m[1]), unescape(m[2]));
  }
  return out;
}

function unescape(s: string): string {
  return s.replace(/\\(u[0-9a-fA-F]{4}|.)/g, (_, c: string) => {
    if (c.length === 5) return String.fromCharCode(parseInt(c.slice(1), 16));
    return c === "n" ? "\n" : c === "t" ? "\t" : c === "r" ? "\r" : c === "f" ? "\f" : c;
  });
}

/**
 * Reads a properties file named by a flag; a missing or unreadable file is a usage error.
 *
 * @example
 * ```ts
 * import { readPropertiesFile } from "./common.ts";
 * const p = await readPropertiesFile("client.properties", "command-config");
 * ```
 */
export async function readPropertiesFile(path: string, flag: string): Promise<Map<string, string>> {
  try {
    return parseProperties(await Deno.readTextFile(path));
  } catch (e) {
    throw new UsageError(`--${flag} ${path}: ${firstLine((e as Error).message)}`);
  }
}

/**
 * A whole number flag within [min, max], or undefined when absent.
 *
 * @example
 * ```ts
 * import { integer } from "./common.ts";
 * console.log(integer("partitions", "3", 1)); // 3
 * ```
 */
export function integer(
  name: string,
  value: string | undefined,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^-?\d+$/.test(value.trim()) || n < min || n > max) {
    throw new UsageError(`${name} must be an integer from ${min} to ${max}, got '${value}'`);
  }
  return n;
}

/**
 * One of a set of words, or undefined when absent.
 *
 * @example
 * ```ts
 * import { oneOf } from "./common.ts";
 * console.log(oneOf("--isolation-level", "read_committed", ["read_committed", "read_uncommitted"]));
 * ```
 */
export function oneOf<T extends string>(
  name: string,
  value: string | undefined,
  choices: readonly T[],
): T | undefined {
  if (value === undefined) return undefined;
  if (!(choices as readonly string[]).includes(value)) {
    throw new UsageError(`${name} must be one of ${choices.join(", ")}, got '${value}'`);
  }
  return value as T;
}

/** An error's message as one line. */
export function firstLine(message: string): string {
  return message.split("\n").map((l) => l.trim()).filter((l) => l !== "").join(" ") || "failed";
}

/**
 * Runs a tool's main: usage mistakes exit 2, other errors 1, each as one line on stderr in the
 * style of `brook broker` (`<tool>: <message>`, usage mistakes pointing at `--help`), never a stack
 * trace.
 *
 * @example
 * ```ts
 * import { run } from "./common.ts";
 * await run("hello", async () => console.log("hello"));
 * ```
 */
export async function run(tool: string, main: () => Promise<void>): Promise<void> {
  // An error that escapes a callback would otherwise print Deno's stack trace.
  const fail = (e: unknown) => {
    const message = firstLine(e instanceof Error ? e.message : String(e));
    const usage = e instanceof UsageError;
    console.error(`${tool}: ${message}${usage ? " (see --help)" : ""}`);
    Deno.exit(usage ? 2 : 1);
  };
  globalThis.addEventListener("unhandledrejection", (ev) => {
    ev.preventDefault();
    fail(ev.reason);
  });
  globalThis.addEventListener("error", (ev) => {
    ev.preventDefault();
    fail(ev.error);
  });
  try {
    await main();
  } catch (e) {
    fail(e);
  }
}
