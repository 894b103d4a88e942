/**
 * `brook`: Brook's command line, one command with a subcommand per tool, as Kafka's scripts:
 * `brook broker` (an in-memory Kafka cluster), `brook produce` (kafka-console-producer),
 * `brook consume` (kafka-console-consumer), `brook topics` (kafka-topics), `brook groups`
 * (kafka-consumer-groups), `brook configs` (kafka-configs) and `brook acls` (kafka-acls).
 *
 * @example
 * ```sh
 * deno run -A jsr:@brook/kafka/cli broker
 * deno run -A jsr:@brook/kafka/cli topics --bootstrap-server 127.0.0.1:9092 --list
 * ```
 *
 * @module
 */

import { run, UsageError, VERSION } from "./common.ts";

type Tool = { main(args: string[]): Promise<void> };

/** The tools, loaded when chosen (literal specifiers, so that deno compile includes them). */
const TOOLS: Record<string, [string, () => Promise<Tool>]> = {
  produce: ["send stdin's lines as records (kafka-console-producer)", () => import("./produce.ts")],
  consume: ["print records (kafka-console-consumer)", () => import("./consume.ts")],
  topics: [
    "create, list, describe, alter, delete topics (kafka-topics)",
    () => import("./topics.ts"),
  ],
  groups: [
    "list, describe, reset, delete consumer groups (kafka-consumer-groups)",
    () => import("./groups.ts"),
  ],
  configs: ["describe and alter configs (kafka-configs)", () => import("./configs.ts")],
  acls: ["add, remove, list ACLs (kafka-acls)", () => import("./acls.ts")],
};

const HELP = `Usage: brook COMMAND [options]   (brook COMMAND --help for its options)

  broker     run an in-memory Kafka cluster
${Object.entries(TOOLS).map(([name, [what]]) => `  ${name.padEnd(10)} ${what}`).join("\n")}
  version    print Brook's version`;

/**
 * Runs `brook` with these arguments.
 *
 * @example
 * ```ts
 * import { main } from "./main.ts";
 * await main(["--version"]);
 * ```
 */
export async function main(args: string[]): Promise<void> {
  const [command, ...rest] = args;
  if (command === undefined || command === "--help" || command === "-h" || command === "help") {
    return console.log(HELP);
  }
  if (command === "--version" || command === "version") return console.log(VERSION);
  if (command === "broker") {
    const broker = await import("./broker.ts");
    Deno.exit(await broker.main(rest));
  }
  const tool = TOOLS[command];
  if (!tool) {
    throw new UsageError(
      `unknown command '${command}': use one of broker, ${Object.keys(TOOLS).join(", ")}`,
    );
  }
  await run(command, () => tool[1]().then((t) => t.main(rest)));
}

if (import.meta.main) await run("brook", () => main(Deno.args));
