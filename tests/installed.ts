/**
 * Test support: the programs that hermetic tests run beside Brook when this machine has them
 * (kcat, openssl). A test that needs an absent one is ignored, and why is printed once per run:
 * `deno task test` passes on a machine that has only Deno.
 *
 * @module
 */

/**
 * Whether `command` starts on this machine and exits 0 with `args`: false when it is not on
 * PATH or not allowed to run.
 *
 * @example Probe a program
 * ```ts
 * import { installed } from "./installed.ts";
 *
 * if (await installed("openssl", ["version"])) console.log("openssl is here");
 * ```
 */
export async function installed(command: string, args: string[]): Promise<boolean> {
  try {
    // Spawning throws synchronously (NotFound, NotCapable) when the program cannot start.
    const out = await new Deno.Command(command, {
      args,
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).output();
    return out.success;
  } catch {
    return false;
  }
}

/** The programs hermetic tests may run, with the arguments that prove each one starts. */
const PROBES = {
  kcat: ["-V"],
  openssl: ["version"],
} as const;

/** A program that hermetic tests may run. */
export type Program = keyof typeof PROBES;

const present: Record<Program, boolean> = Object.fromEntries(
  await Promise.all(
    Object.entries(PROBES).map(async ([name, args]) => [name, await installed(name, [...args])]),
  ),
);

/**
 * `ignore` for a test that needs `programs`: true when one of them is not installed, printing
 * "skipped: <program> not installed" the first time in the test run.
 *
 * @example A test that needs kcat
 * ```ts
 * import { missing } from "./installed.ts";
 *
 * Deno.test("kcat lists the brokers", { ignore: missing("kcat") }, async () => {
 *   // runs kcat
 * });
 * ```
 */
export function missing(...programs: Program[]): boolean {
  const absent = programs.filter((p) => !present[p]);
  for (const program of absent) {
    // Each test file is a module of its own, but all share the process's environment.
    if (firstNote(`BROOK_NOTED_MISSING_${program.toUpperCase()}`)) {
      console.log(`skipped: ${program} not installed (tests that need it are ignored)`);
    }
  }
  return absent.length > 0;
}

function firstNote(name: string): boolean {
  try {
    if (Deno.env.get(name) !== undefined) return false;
    Deno.env.set(name, "1");
  } catch {
    // Without --allow-env each test file says it again.
  }
  return true;
}

/**
 * Whether `program` is installed (probed once when this module loads).
 *
 * @example
 * ```ts
 * import { has } from "./installed.ts";
 *
 * console.log(has("kcat") ? "kcat found" : "no kcat");
 * ```
 */
export function has(program: Program): boolean {
  return present[program];
}
