import { assertEquals, assertOk } from "../assert.ts";
import { Broker } from "../../broker/mod.ts";
import { Admin, Consumer, Producer, ShareConsumer } from "../../client/mod.ts";
import { runTool } from "./cli_run.ts";

Deno.test("groups: --list, --describe with LAG, --members, --state, --reset-offsets, --delete-offsets, --delete", async () => {
  await using broker = await Broker.start({ topics: { orders: { partitions: 2 } } });
  const bootstrapServers = broker.bootstrapServers;
  const b = ["--bootstrap-server", bootstrapServers];
  {
    await using producer = new Producer({ bootstrapServers });
    await producer.send(
      Array.from({ length: 10 }, (_, i) => ({ topic: "orders", partition: i % 2, value: `${i}` })),
    );
  }
  {
    await using admin = new Admin({ bootstrapServers });
    await admin.alterConsumerGroupOffsets("billing", [
      { topic: "orders", partition: 0, offset: 2n },
      { topic: "orders", partition: 1, offset: 5n },
    ]);
  }
  const run = async (...args: string[]) => {
    const r = await runTool("groups", [...b, ...args]);
    assertEquals(r.code, 0, r.stderr);
    return r.stdout;
  };
  assertEquals(await run("--list"), "billing\n");
  // Kafka's layout: its column widths and the notice on stderr.
  assertEquals(
    await run("--list", "--state"),
    `${"GROUP".padEnd(25)} ${"STATE".padEnd(20)}\n${"billing".padEnd(25)} ${"Empty".padEnd(20)}\n`,
  );
  const described = await runTool("groups", [...b, "--describe", "--group", "billing"]);
  assertEquals(described.stderr, "\nConsumer group 'billing' has no active members.\n");
  const row = (cells: string[]) =>
    [15, 15, 10, 15, 15, 15, 15, 15, 0].map((w, i) => cells[i].padEnd(w)).join(" ");
  assertEquals(
    described.stdout,
    "\n" + [
      row(["GROUP", "TOPIC", "PARTITION", "CURRENT-OFFSET", "LOG-END-OFFSET", "LAG"].concat(
        ["CONSUMER-ID", "HOST", "CLIENT-ID"],
      )),
      row(["billing", "orders", "0", "2", "5", "3", "-", "-", "-"]),
      row(["billing", "orders", "1", "5", "5", "0", "-", "-", "-"]),
    ].join("\n") + "\n",
  );
  // A live member: its id, host and client id, and its partitions.
  {
    await using consumer = new Consumer({ bootstrapServers, groupId: "live", clientId: "c1" });
    consumer.subscribe(["orders"]);
    for (let i = 0; i < 50 && consumer.assignment().length < 2; i++) {
      await consumer.poll({ timeoutMs: 100 });
    }
    const members = await run("--describe", "--group", "live", "--members", "--verbose");
    const [header, row] = members.trim().split("\n");
    assertEquals(header.trim().split(/\s+/), [
      "GROUP",
      "CONSUMER-ID",
      "HOST",
      "CLIENT-ID",
      "#PARTITIONS",
      "CURRENT-EPOCH",
      "CURRENT-ASSIGNMENT",
      "TARGET-EPOCH",
      "TARGET-ASSIGNMENT",
    ]);
    const cells = row.trim().split(/\s+/);
    assertEquals([cells[0], cells[3], cells[4], cells[5], cells[6], cells[7], cells[8]], [
      "live",
      "c1",
      "2",
      "-",
      "orders:0,1",
      "-",
      "-",
    ]);
    const state = await run("--describe", "--group", "live", "--state");
    assertOk(/^live\s+127\.0\.0\.1:\d+ {2}\(\d+\)\s+\S+\s+Stable\s+1$/m.test(state), state);
    const refused = await runTool("groups", [
      ...b,
      "--reset-offsets",
      "--group",
      "live",
      "--topic",
      "orders",
      "--to-earliest",
      "--execute",
    ]);
    assertEquals(refused.code, 1);
    assertOk(/inactive, but the current state is Stable/.test(refused.stderr), refused.stderr);
  }
  const dry = await run(
    "--reset-offsets",
    "--group",
    "billing",
    "--topic",
    "orders",
    "--to-earliest",
    "--dry-run",
  );
  const plan = (cells: string[]) => [30, 30, 10, 15].map((w, i) => cells[i].padEnd(w)).join(" ");
  assertEquals(
    dry,
    "\n" + [
      plan(["GROUP", "TOPIC", "PARTITION", "NEW-OFFSET"]),
      plan(["billing", "orders", "0", "0"]),
      plan(["billing", "orders", "1", "0"]),
    ].join("\n") + "\n",
  );
  await using admin = new Admin({ bootstrapServers });
  const committed = async () =>
    (await admin.listConsumerGroupOffsets("billing")).map((o) => [o.partition, o.offset]).sort();
  assertEquals(await committed(), [[0, 2n], [1, 5n]]);
  await run(
    "--reset-offsets",
    "--group",
    "billing",
    "--topic",
    "orders:1",
    "--shift-by",
    "-2",
    "--execute",
  );
  assertEquals(await committed(), [[0, 2n], [1, 3n]]);
  await run(
    "--reset-offsets",
    "--group",
    "billing",
    "--topic",
    "orders",
    "--to-offset",
    "99",
    "--execute",
  );
  assertEquals(await committed(), [[0, 5n], [1, 5n]]);
  await run(
    "--reset-offsets",
    "--group",
    "billing",
    "--all-topics",
    "--by-duration",
    "P1D",
    "--execute",
  );
  assertEquals(await committed(), [[0, 0n], [1, 0n]]);
  await run(
    "--reset-offsets",
    "--group",
    "billing",
    "--topic",
    "orders",
    "--to-datetime",
    "2999-01-01T00:00:00.000Z",
    "--execute",
  );
  assertEquals(await committed(), [[0, 5n], [1, 5n]]);
  await run("--delete-offsets", "--group", "billing", "--topic", "orders:0");
  assertEquals(await committed(), [[1, 5n]]);
  assertEquals(
    await run("--delete", "--group", "billing"),
    "Deletion of requested consumer groups ('billing') was successful.\n",
  );
  const gone = await runTool("groups", [...b, "--describe", "--group", "billing"]);
  // As kafka-consumer-groups 4.1.1: its message on stdout, exit 0.
  assertEquals([gone.code, gone.stdout], [
    0,
    "\nError: Executing consumer group command failed due to org.apache.kafka.common.errors.GroupIdNotFoundException: Group billing not found.\n",
  ]);
  const usage = await runTool("groups", [...b, "--reset-offsets", "--group", "g", "--topic", "t"]);
  assertEquals(usage.code, 2, usage.stderr);
});

Deno.test("configs: topics, brokers and user quotas, described as kafka-configs prints them", async () => {
  await using broker = await Broker.start({ topics: { t: { partitions: 1 } } });
  const b = ["--bootstrap-server", broker.bootstrapServers];
  const ok = async (...args: string[]) => {
    const r = await runTool("configs", [...b, ...args]);
    assertEquals(r.code, 0, r.stderr);
    return r.stdout;
  };
  assertEquals(
    await ok(
      "--alter",
      "--entity-type",
      "topics",
      "--entity-name",
      "t",
      "--add-config",
      "retention.ms=1234,cleanup.policy=[compact,delete]",
    ),
    "Completed updating config for topic t.\n",
  );
  const described = await ok("--describe", "--topic", "t");
  assertEquals(described.split("\n")[0], "Dynamic configs for topic t are:");
  assertOk(
    described.includes(
      "  retention.ms=1234 sensitive=false synonyms={DYNAMIC_TOPIC_CONFIG:retention.ms=1234}\n",
    ),
    described,
  );
  assertOk(
    described.includes(
      "  cleanup.policy=compact,delete sensitive=false synonyms={DYNAMIC_TOPIC_CONFIG:cleanup.policy=compact,delete, ",
    ),
    described,
  );
  await ok("--alter", "--topic", "t", "--delete-config", "retention.ms");
  assertOk(!(await ok("--describe", "--topic", "t")).includes("retention.ms"));
  // kafka-topics --describe shows the non-default configs.
  const topics = await runTool("topics", [...b, "--describe", "--topic", "t"]);
  assertOk(/\tConfigs: .*cleanup\.policy=compact,delete/.test(topics.stdout), topics.stdout);
  await ok(
    "--alter",
    "--entity-type",
    "brokers",
    "--entity-default",
    "--add-config",
    "log.retention.ms=3600000",
  );
  assertOk((await ok("--describe", "--entity-type", "brokers", "--entity-default")).startsWith(
    "Default configs for brokers in the cluster are:\n  log.retention.ms=3600000 sensitive=false synonyms={DYNAMIC_DEFAULT_BROKER_CONFIG:log.retention.ms=3600000",
  ));
  assertEquals(
    await ok(
      "--alter",
      "--user",
      "alice",
      "--add-config",
      "consumer_byte_rate=1024,producer_byte_rate=2048",
    ),
    "Completed updating config for user alice.\n",
  );
  assertEquals(
    await ok("--describe", "--entity-type", "users", "--entity-name", "alice"),
    "Quota configs for user-principal 'alice' are consumer_byte_rate=1024.0, producer_byte_rate=2048.0\n",
  );
  const bad = await runTool("configs", [
    ...b,
    "--alter",
    "--user",
    "alice",
    "--add-config",
    "consumer_byte_rate=abc",
  ]);
  assertEquals(bad.code, 2, bad.stderr);
});

Deno.test("acls: --add, --list, --remove as kafka-acls", async () => {
  await using broker = await Broker.start({ authorizer: { allowEveryoneIfNoAclFound: true } });
  const b = ["--bootstrap-server", broker.bootstrapServers];
  const ok = async (...args: string[]) => {
    const r = await runTool("acls", [...b, ...args]);
    assertEquals(r.code, 0, r.stderr);
    return r.stdout;
  };
  await ok(
    "--add",
    "--allow-principal",
    "User:alice",
    "--operation",
    "Read",
    "--operation",
    "Describe",
    "--topic",
    "orders",
  );
  await ok(
    "--add",
    "--consumer",
    "--allow-principal",
    "User:bob",
    "--topic",
    "pay",
    "--group",
    "billing",
    "--resource-pattern-type",
    "prefixed",
  );
  const listed = await ok("--list", "--topic", "orders");
  // Kafka 4.1's layouts: "Adding" has a space after its colon and before the first ACL, "Current"
  // has none; nothing is listed after an --add.
  assertEquals(
    listed,
    "Current ACLs for resource `ResourcePattern(resourceType=TOPIC, name=orders, patternType=LITERAL)`:\n" +
      "\t(principal=User:alice, host=*, operation=READ, permissionType=ALLOW)\n" +
      "\t(principal=User:alice, host=*, operation=DESCRIBE, permissionType=ALLOW)\n\n",
  );
  assertEquals(
    await ok("--add", "--allow-principal", "User:carol", "--operation", "Write", "--topic", "x"),
    "Adding ACLs for resource `ResourcePattern(resourceType=TOPIC, name=x, patternType=LITERAL)`: \n" +
      " \t(principal=User:carol, host=*, operation=WRITE, permissionType=ALLOW)\n\n",
  );
  assertEquals(
    await ok("--list", "--principal", "User:carol"),
    "ACLs for principal `User:carol`\n" +
      "Current ACLs for resource `ResourcePattern(resourceType=TOPIC, name=x, patternType=LITERAL)`:\n" +
      "\t(principal=User:carol, host=*, operation=WRITE, permissionType=ALLOW)\n\n",
  );
  await ok("--remove", "--force", "--topic", "x");
  assertEquals(broker.authorizer?.size, 5);
  await ok(
    "--remove",
    "--force",
    "--allow-principal",
    "User:alice",
    "--operation",
    "Read",
    "--topic",
    "orders",
  );
  assertEquals(broker.authorizer?.size, 4);
  await ok(
    "--remove",
    "--force",
    "--topic",
    "pay",
    "--group",
    "billing",
    "--resource-pattern-type",
    "prefixed",
  );
  assertEquals(broker.authorizer?.size, 1);
  const bad = await runTool("acls", [...b, "--add", "--allow-principal", "alice", "--topic", "t"]);
  assertEquals(bad.code, 2, bad.stderr);
});

Deno.test("groups: a share group's members, state and start offsets", async () => {
  await using broker = await Broker.start({
    features: { "share.version": 1 },
    configs: {
      "group.share.min.heartbeat.interval.ms": "200",
      "group.share.heartbeat.interval.ms": "200",
    },
    topics: { jobs: { partitions: 1 } },
  });
  const bootstrapServers = broker.bootstrapServers;
  const b = ["--bootstrap-server", bootstrapServers];
  {
    await using producer = new Producer({ bootstrapServers });
    await producer.send([{ topic: "jobs", value: "a" }, { topic: "jobs", value: "b" }]);
  }
  // A share group starts at the log end unless its config says otherwise (set with brook configs).
  const set = await runTool("configs", [
    ...b,
    "--alter",
    "--group",
    "workers",
    "--add-config",
    "share.auto.offset.reset=earliest",
  ]);
  assertEquals(set.code, 0, set.stderr);
  await using consumer = new ShareConsumer({
    bootstrapServers,
    groupId: "workers",
    clientId: "w1",
  });
  consumer.subscribe(["jobs"]);
  let got = 0;
  for (let i = 0; i < 50 && got < 2; i++) got += (await consumer.poll({ timeoutMs: 200 })).length;
  assertEquals(got, 2);
  const run = async (...args: string[]) => {
    const r = await runTool("groups", [...b, ...args]);
    assertEquals(r.code, 0, r.stderr);
    return r.stdout;
  };
  assertOk(/^workers\s+Share\s*$/m.test(await run("--list", "--type")));
  const members = (await run("--describe", "--group", "workers", "--members", "--verbose")).trim()
    .split("\n")[1].split(/\s+/);
  // kafka-share-groups' columns: with --verbose, the member's epoch before its assignment.
  assertEquals([members[0], members[3], members[4], members[6]], ["workers", "w1", "1", "jobs:0"]);
  assertOk(
    /^workers\s+\S+ {2}\(\d+\)\s+Stable\s+1$/m.test(
      await run("--describe", "--group", "workers", "--state"),
    ),
  );
  const offsets = (await run("--describe", "--group", "workers")).trim().split("\n");
  // Without --verbose, no LEADER-EPOCH column (as kafka-share-groups).
  assertEquals(offsets[0].split(/\s+/), ["GROUP", "TOPIC", "PARTITION", "START-OFFSET"]);
  assertEquals(offsets[1].split(/\s+/).slice(0, 3), ["workers", "jobs", "0"]);
  // Kafka 4.1.1's kafka-share-groups has no --reset-offsets yet: refused, nothing committed.
  const reset = await runTool("groups", [
    ...b,
    "--reset-offsets",
    "--group",
    "workers",
    "--topic",
    "jobs",
    "--to-latest",
    "--execute",
  ]);
  assertEquals(reset.code, 1, reset.stdout);
  assertOk(
    /share group 'workers': --reset-offsets option is not yet implemented/.test(reset.stderr),
  );
  await using admin = new Admin({ bootstrapServers });
  assertEquals(await admin.listConsumerGroupOffsets("workers"), []);
});

Deno.test("topics: --describe prints the topics in the order Kafka's kafka-topics prints them", async () => {
  // Kafka's tool describes the topics into a hash map and prints them in its order: zz1 before
  // aa2 (as Kafka 4.1.1's tool printed these two).
  await using broker = await Broker.start({
    topics: { aa2: { partitions: 1 }, zz1: { partitions: 1 } },
  });
  const r = await runTool("topics", ["--bootstrap-server", broker.bootstrapServers, "--describe"]);
  assertEquals(r.code, 0, r.stderr);
  assertEquals(
    r.stdout.split("\n").filter((l) => l.startsWith("Topic:")).map((l) => l.split("\t")[0]),
    ["Topic: zz1", "Topic: aa2"],
  );
});
