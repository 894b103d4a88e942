import { assertEquals, assertOk } from "../assert.ts";
import { Broker } from "../../broker/mod.ts";

const cli = (name: string) => new URL(`../../cli/${name}.ts`, import.meta.url).pathname;

async function run(tool: string, args: string[], input?: string) {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-net", "--allow-read", "--allow-env", cli(tool), ...args],
    stdin: input === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (input !== undefined) {
    const w = child.stdin.getWriter();
    await w.write(new TextEncoder().encode(input));
    await w.close();
  }
  const out = await child.output();
  return {
    code: out.code,
    stdout: new TextDecoder().decode(out.stdout),
    stderr: new TextDecoder().decode(out.stderr),
  };
}

Deno.test("cli: topics, produce and consume against Brook's broker", async () => {
  await using broker = await Broker.start({ nodes: 2 });
  const b = ["--bootstrap-server", broker.bootstrapServers];
  const created = await run("topics", [
    ...b,
    "--create",
    "--topic",
    "cli",
    "--partitions",
    "3",
    "--replication-factor",
    "2",
  ]);
  assertEquals([created.code, created.stdout], [0, "Created topic cli.\n"]);
  const described = await run("topics", [...b, "--describe", "--topic", "cli"]);
  assertOk(described.stdout.startsWith("Topic: cli\tTopicId: "), described.stdout);
  assertEquals(
    described.stdout.split("\n").filter((l) => l.startsWith("\tTopic: cli\tPartition: ")).length,
    3,
  );
  assertEquals((await run("topics", [...b, "--list"])).stdout, "cli\n");
  const produced = await run("produce", [
    ...b,
    "--topic",
    "cli",
    "--property",
    "parse.key=true",
    "--property",
    "key.separator=:",
    "--compression",
    "lz4",
  ], "k1:one\nk2:two\nk3:three\n");
  assertEquals(produced.code, 0, produced.stderr);
  const consumed = await run("consume", [
    ...b,
    "--topic",
    "cli",
    "--from-beginning",
    "--max-messages",
    "3",
    "--property",
    "print.key=true",
  ]);
  assertEquals(consumed.code, 0);
  assertEquals(consumed.stdout.trim().split("\n").sort(), ["k1\tone", "k2\ttwo", "k3\tthree"]);
  const grouped = await run("consume", [
    ...b,
    "--topic",
    "cli",
    "--group",
    "g",
    "--from-beginning",
    "--timeout-ms",
    "1000",
  ]);
  assertEquals(grouped.stdout.trim().split("\n").sort(), ["one", "three", "two"]);
  assertEquals((await run("topics", [...b, "--delete", "--topic", "cli"])).code, 0);
});

Deno.test("cli: errors are one line and a non-zero exit, never a hang", async () => {
  await using broker = await Broker.start();
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const closed = `127.0.0.1:${(listener.addr as Deno.NetAddr).port}`;
  listener.close();
  const unreachable = await run("topics", [
    "--bootstrap-server",
    closed,
    "--list",
    "--timeout-ms",
    "2000",
  ]);
  assertEquals(unreachable.code, 1);
  assertEquals(unreachable.stderr.trim().split("\n").length, 1);
  assertOk(/No broker is reachable/.test(unreachable.stderr));
  const badFlag = await run("topics", ["--bootstrap-server", broker.bootstrapServers, "--bogus"]);
  assertEquals(badFlag.code, 2);
  const unknown = await run("topics", [
    "--bootstrap-server",
    broker.bootstrapServers,
    "--delete",
    "--topic",
    "nope",
  ]);
  assertEquals(unknown.code, 1);
  assertEquals(unknown.stderr, "topics: Topic 'nope' does not exist as expected\n");
  const noTopic = await run("consume", [
    "--bootstrap-server",
    broker.bootstrapServers,
    "--topic",
    "missing",
    "--timeout-ms",
    "500",
  ]);
  assertOk(noTopic.code !== 0);
});

Deno.test("cli: consume --group --max-messages commits what it printed, and the next run goes on from there", async () => {
  await using broker = await Broker.start({ topics: { steps: { partitions: 1 } } });
  const b = ["--bootstrap-server", broker.bootstrapServers];
  const lines = Array.from({ length: 10 }, (_, i) => `step ${i}`);
  assertEquals((await run("produce", [...b, "--topic", "steps"], lines.join("\n") + "\n")).code, 0);
  const group = [...b, "--topic", "steps", "--group", "g", "--from-beginning"];
  const first = await run("consume", [...group, "--max-messages", "3"]);
  assertEquals(first.stdout.trim().split("\n"), lines.slice(0, 3));
  const rest = await run("consume", [...group, "--timeout-ms", "1000"]);
  assertEquals(rest.stdout.trim().split("\n"), lines.slice(3));
});
