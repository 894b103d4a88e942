// The metadata quorum as Java kafka-clients 4.1.1's Admin.describeMetadataQuorum reads it, from a
// three-node Brook cluster and from a real Kafka 4.1.1 (BROOK_INTEROP=1): a leader among the voters,
// every voter with a directory id, caught up, fetched lately, and listed among the nodes.
import { assertEquals, assertOk } from "../assert.ts";
import { Broker } from "../../broker/mod.ts";
import { startKafka } from "../interop/kafka_server.ts";
import { installJavaLibs, javaLibsDir } from "./group_peer.ts";

const enabled = Deno.env.get("BROOK_INTEROP") === "1";

interface JavaQuorum {
  leaderId: number;
  leaderEpoch: number;
  highWatermark: number;
  voters: {
    id: number;
    directoryId: boolean;
    logEndOffset: number;
    lastFetch: number;
    lastCaughtUp: number;
  }[];
  observers: number;
  nodes: number[];
}

async function describeWithJava(bootstrapServers: string): Promise<JavaQuorum> {
  await installJavaLibs();
  const out = await new Deno.Command("java", {
    args: [
      "-Xmx256m",
      "-XX:+UseSerialGC",
      "-cp",
      `${javaLibsDir()}/*`,
      new URL("./java/DescribeQuorum.java", import.meta.url).pathname,
      bootstrapServers,
    ],
    stderr: "inherit",
  }).output();
  assertOk(out.success, "DescribeQuorum.java failed");
  const lines = new TextDecoder().decode(out.stdout).trim().split("\n");
  return JSON.parse(lines[lines.length - 1]);
}

function assertQuorum(q: JavaQuorum, voterIds: number[]): void {
  assertEquals(q.voters.map((v) => v.id), voterIds);
  assertEquals(q.nodes, voterIds);
  assertEquals(q.observers, 0);
  assertOk(voterIds.includes(q.leaderId), `leader ${q.leaderId}`);
  assertOk(q.leaderEpoch >= 1 && q.highWatermark > 0);
  const now = Date.now();
  for (const v of q.voters) {
    assertOk(v.directoryId, `voter ${v.id} has a directory id`);
    assertEquals(v.logEndOffset, q.highWatermark);
    assertOk(Math.abs(now - v.lastFetch) < 60_000 && v.lastCaughtUp > 0, JSON.stringify(v));
  }
}

Deno.test({
  name: "java admin: describeMetadataQuorum of a three-node Brook cluster and of a real Kafka",
  ignore: !enabled,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    await t.step("Brook's broker", async () => {
      await using broker = await Broker.start({ nodes: 3 });
      assertQuorum(await describeWithJava(broker.bootstrapServers), [1, 2, 3]);
    });
    await t.step("real Kafka 4.1.1", async () => {
      await using kafka = await startKafka();
      assertQuorum(await describeWithJava(kafka.bootstrapServers), [1]);
    });
  },
});
