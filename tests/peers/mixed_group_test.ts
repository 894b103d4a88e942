// Mixed consumer groups (BROOK_INTEROP=1): a Brook consumer and a foreign consumer (Java kafka-clients
// 4.1.1, librdkafka through confluent-kafka, franz-go) in one group, on Brook's broker and on a real Kafka 4.1.1.
// Each side must read the other's subscription and assignment bytes: whichever member leads, the
// partitions are split without overlap, every record is read exactly once, and commits hold.
import { assertEquals, assertOk } from "../assert.ts";
import { Broker } from "../../broker/mod.ts";
import { Admin, Consumer, Producer } from "../../client/mod.ts";
import { startKafka } from "../interop/kafka_server.ts";

const enabled = Deno.env.get("BROOK_INTEROP") === "1";
const installScript = new URL("../../tools/kafka/install.sh", import.meta.url).pathname;
let libs = "";

/** Installs kafka-clients from Maven Central on first use (the Java peer needs it). */
async function installJavaLibs(): Promise<void> {
  if (libs) return;
  const out = await new Deno.Command("bash", { args: [installScript], stderr: "inherit" }).output();
  if (!out.success) throw new Error("Installing Kafka's Java libraries failed");
  libs = new TextDecoder().decode(out.stdout).trim();
}
const PARTITIONS = 6;
const RECORDS = 300;

type PeerName = "java" | "librdkafka" | "franz-go";
type AssignorName = "range" | "roundrobin" | "cooperative-sticky";

/** A foreign group member in its own process, reporting its assignment and, at the end, its records. */
class PeerMember {
  readonly #child: Deno.ChildProcess;
  readonly #stdin: WritableStreamDefaultWriter<Uint8Array>;
  readonly #done: Promise<string[]>;
  assigned: number[] = [];

  constructor(peer: PeerName, args: string[]) {
    const command = peer === "java"
      ? new Deno.Command("java", {
        args: [
          "-Xmx256m",
          "-XX:+UseSerialGC",
          "-XX:TieredStopAtLevel=1",
          "-cp",
          `${libs}/*`,
          new URL("./java/GroupMember.java", import.meta.url).pathname,
          ...args,
        ],
        stdin: "piped",
        stdout: "piped",
        stderr: "inherit",
      })
      : peer === "franz-go"
      ? new Deno.Command("go", {
        args: ["run", ".", "member", ...args],
        cwd: new URL("./franzgo/", import.meta.url).pathname,
        stdin: "piped",
        stdout: "piped",
        stderr: "inherit",
      })
      : new Deno.Command("python3", {
        args: [new URL("./group_member.py", import.meta.url).pathname, ...args],
        stdin: "piped",
        stdout: "piped",
        stderr: "inherit",
      });
    this.#child = command.spawn();
    this.#stdin = this.#child.stdin.getWriter();
    this.#done = this.#read();
  }

  async #read(): Promise<string[]> {
    let buffered = "";
    for await (const chunk of this.#child.stdout.pipeThrough(new TextDecoderStream())) {
      buffered += chunk;
      let newline;
      while ((newline = buffered.indexOf("\n")) >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        const event = JSON.parse(line);
        if (event.event === "assigned") this.assigned = event.partitions;
        if (event.event === "done") return event.records;
      }
    }
    throw new Error("The peer member ended without reporting its records");
  }

  /** Asks the member to leave the group; resolves with the records it read. */
  async stop(): Promise<string[]> {
    await this.#stdin.write(new TextEncoder().encode("stop\n")).catch(() => {});
    await this.#stdin.close().catch(() => {});
    const timer = setTimeout(() => this.#child.kill(), 30_000);
    try {
      return await this.#done;
    } finally {
      clearTimeout(timer);
      await this.#child.status;
    }
  }
}

async function until(what: string, check: () => boolean | Promise<boolean>, step: () => unknown) {
  const deadline = Date.now() + 60_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting until ${what}`);
    await step();
  }
}

/**
 * One scenario: the member named first joins first and leads the group; the other joins, the group
 * rebalances, then records are produced and both read until every partition's offset is committed.
 */
async function mixedGroup(
  bootstrapServers: string,
  peer: PeerName,
  assignor: AssignorName,
  leader: "brook" | "peer",
): Promise<void> {
  const topic = `mixed-${peer}-${assignor}-${leader}`;
  const group = `${topic}-group`;
  {
    await using admin = new Admin({ bootstrapServers });
    await admin.createTopics([{ name: topic, partitions: PARTITIONS, replicationFactor: 1 }]);
  }
  const brookRecords: string[] = [];
  await using consumer = new Consumer({
    bootstrapServers,
    groupId: group,
    assignors: [assignor],
    autoOffsetReset: "earliest",
    autoCommit: false,
    sessionTimeoutMs: 10_000,
    heartbeatIntervalMs: 500,
  });
  const poll = async () => {
    const records = await consumer.poll({ timeoutMs: 100 });
    for (const r of records) {
      brookRecords.push(`${r.partition}:${r.offset}:${new TextDecoder().decode(r.value!)}`);
    }
    if (records.length > 0) await consumer.commit();
  };
  consumer.subscribe([topic]);
  let member: PeerMember | undefined;
  try {
    if (leader === "brook") {
      await until("Brook's consumer owns every partition", () => {
        return consumer.assignment().length === PARTITIONS;
      }, poll);
      member = new PeerMember(peer, [bootstrapServers, topic, group, assignor]);
    } else {
      member = new PeerMember(peer, [bootstrapServers, topic, group, assignor]);
      const m = member;
      await until(
        "the peer owns every partition",
        () => m.assigned.length === PARTITIONS,
        () => new Promise((r) => setTimeout(r, 100)),
      );
    }
    const peerMember = member;
    const owned = () => {
      const mine = consumer.assignment().map((a) => a.partition);
      return [...mine, ...peerMember.assigned].sort((a, b) => a - b);
    };
    await until(
      "the partitions are split between both members",
      () =>
        consumer.assignment().length > 0 && peerMember.assigned.length > 0 &&
        owned().join() === [...Array(PARTITIONS).keys()].join(),
      poll,
    );
    const split = {
      brook: consumer.assignment().map((a) => a.partition),
      peer: peerMember.assigned,
    };
    {
      await using producer = new Producer({ bootstrapServers, lingerMs: 1 });
      await producer.send(
        Array.from({ length: RECORDS }, (_, i) => ({ topic, key: `k${i}`, value: `v${i}` })),
      );
    }
    const committedTotal = async () => {
      const committed = await consumer.committed([
        { topic, partitions: [...Array(PARTITIONS).keys()] },
      ]);
      let total = 0n;
      for (const offset of committed.values()) if (offset > 0n) total += offset;
      return total === BigInt(RECORDS);
    };
    let polls = 0;
    await until(
      "every record is committed",
      () => polls % 10 === 0 ? committedTotal() : false,
      () => {
        polls++;
        return poll();
      },
    );
    const peerRecords = await member.stop();
    member = undefined;
    const values = (list: string[]) => list.map((r) => r.split(":")[2]);
    const all = [...values(brookRecords), ...values(peerRecords)];
    assertEquals(new Set(all).size, RECORDS, "every record read");
    assertEquals(all.length, RECORDS, "no record read twice");
    const partitionsOf = (list: string[]) => new Set(list.map((r) => Number(r.split(":")[0])));
    assertOk([...partitionsOf(brookRecords)].every((p) => split.brook.includes(p)));
    assertOk([...partitionsOf(peerRecords)].every((p) => split.peer.includes(p)));
    assertOk(brookRecords.length > 0 && peerRecords.length > 0, "both members read records");
  } finally {
    await member?.stop();
  }
}

const scenarios: [PeerName, AssignorName, "brook" | "peer"][] = [
  ["java", "range", "peer"],
  ["java", "cooperative-sticky", "brook"],
  ["java", "roundrobin", "brook"],
  ["librdkafka", "range", "brook"],
  ["librdkafka", "cooperative-sticky", "peer"],
  ["franz-go", "range", "brook"],
  ["franz-go", "cooperative-sticky", "peer"],
];

Deno.test({
  name: "mixed groups: Brook and foreign consumers share a group on Brook's broker",
  ignore: !enabled,
  async fn(t) {
    await installJavaLibs();
    await using broker = await Broker.start();
    for (const [peer, assignor, leader] of scenarios) {
      await t.step(
        `${peer}, ${assignor}, ${leader} leads`,
        () => mixedGroup(broker.bootstrapServers, peer, assignor, leader),
      );
    }
  },
});

Deno.test({
  name: "mixed groups: Brook and foreign consumers share a group on a real Kafka 4.1.1",
  ignore: !enabled,
  async fn(t) {
    await installJavaLibs();
    await using kafka = await startKafka();
    for (const [peer, assignor, leader] of scenarios) {
      await t.step(
        `${peer}, ${assignor}, ${leader} leads`,
        () => mixedGroup(kafka.bootstrapServers, peer, assignor, leader),
      );
    }
  },
});
