import { assertEquals, assertOk } from "../assert.ts";
import { Broker } from "../../broker/mod.ts";
import { runTool } from "./cli_run.ts";

Deno.test("brook: one command, a subcommand per tool; --version is deno.json's", async () => {
  const denoJson = await Deno.readTextFile(new URL("../../deno.json", import.meta.url));
  const version = /"version":\s*"([^"]+)"/.exec(denoJson)![1];
  for (
    const args of [["--version"], ["version"], ["topics", "--version"], ["produce", "--version"]]
  ) {
    const ran = await runTool("main", args);
    assertEquals([ran.code, ran.stdout], [0, `${version}\n`], args.join(" "));
  }
  const help = await runTool("main", []);
  for (const tool of ["broker", "produce", "consume", "topics", "groups", "configs", "acls"]) {
    assertOk(new RegExp(`^  ${tool} `, "m").test(help.stdout), help.stdout);
  }
  const unknown = await runTool("main", ["nope"]);
  assertEquals(unknown.code, 2);
  assertEquals(unknown.stderr.trim().split("\n").length, 1);
});

Deno.test("brook topics --alter --partitions, and usage errors exit 2 with one line", async () => {
  await using broker = await Broker.start({ topics: { t: { partitions: 1 } } });
  const b = ["--bootstrap-server", broker.bootstrapServers];
  const altered = await runTool("main", [
    "topics",
    ...b,
    "--alter",
    "--topic",
    "t",
    "--partitions",
    "3",
  ]);
  assertEquals(altered.code, 0, altered.stderr);
  const described = await runTool("main", ["topics", ...b, "--describe", "--topic", "t"]);
  assertOk(described.stdout.includes("\tPartitionCount: 3\t"), described.stdout);
  for (
    const [tool, args] of [
      ["topics", [...b, "--list", "--timeout-ms", "abc"]],
      ["topics", [...b, "--create", "--topic", "x", "--partitions", "1.5"]],
      ["produce", [...b, "--topic", "t", "--request-required-acks", "2"]],
      ["produce", [...b, "--topic", "t", "--producer-property", "linger.ms=soon"]],
      ["produce", [...b, "--topic", "t", "--command-config", "/nonexistent/client.properties"]],
      ["consume", [...b, "--topic", "t", "--timeout-ms", "abc"]],
      ["groups", [...b, "--describe"]],
      ["configs", [...b, "--describe", "--entity-type", "widgets"]],
      ["acls", [...b, "--add", "--topic", "t"]],
    ] as const
  ) {
    const ran = await runTool("main", [tool, ...args]);
    assertEquals(ran.code, 2, `${tool} ${args.join(" ")}: ${ran.stderr}`);
    assertEquals(ran.stderr.trim().split("\n").length, 1, ran.stderr);
    assertOk(
      ran.stderr.startsWith(`${tool}: `) && ran.stderr.endsWith(" (see --help)\n"),
      ran.stderr,
    );
  }
});
