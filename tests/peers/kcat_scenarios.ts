/**
 * The peer conformance scenarios with kcat (librdkafka's command-line client). kcat has no topic
 * administration, so topics are made with Brook's admin client; what is checked (metadata,
 * compression, idempotence, a balanced-consumer group of two) is done by kcat alone.
 *
 * @module
 */

import { Admin } from "../../client/mod.ts";
import { runKcat } from "../kcat.ts";
import { duplicates, type ScenarioResults } from "./scenarios.ts";

const CODECS = ["none", "gzip", "snappy", "lz4", "zstd"];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs every scenario kcat can express against `bootstrap`, naming topics after `prefix`. */
export async function kcatScenarios(bootstrap: string, prefix: string): Promise<ScenarioResults> {
  await using admin = new Admin({ bootstrapServers: bootstrap });
  const b = ["-b", bootstrap];
  const out = { admin: "kcat has no topic administration" } as ScenarioResults;
  const listed = await runKcat([...b, "-L", "-J"]);
  out.metadata = listed.ok ? { brokers: JSON.parse(listed.out).brokers.length } : listed.err;

  const readAll = async (topic: string) => {
    const r = await runKcat([...b, "-C", "-t", topic, "-p", "0", "-o", "beginning", "-e", "-q"]);
    return r.out.split("\n").filter((l) => l !== "");
  };
  out.compression = {};
  for (const codec of CODECS) {
    const topic = `${prefix}-c-${codec}`;
    await admin.createTopics([{ name: topic, partitions: 1 }]);
    const want = Array.from({ length: 5 }, (_, i) => `${codec}-${i}`);
    const produced = await runKcat(
      [...b, "-P", "-t", topic, "-p", "0", "-z", codec],
      want.join("\n") + "\n",
    );
    const got = produced.ok ? await readAll(topic) : [];
    out.compression[codec] = !produced.ok
      ? produced.err
      : got.join() === want.join()
      ? 5
      : got.length;
  }

  const idem = `${prefix}-idem`;
  await admin.createTopics([{ name: idem, partitions: 1 }]);
  const values = Array.from({ length: 20 }, (_, i) => `idem-${i}`);
  const idemConfig = ["-X", "enable.idempotence=true", "-X", "acks=all"];
  await runKcat([...b, "-P", "-t", idem, ...idemConfig], values.join("\n") + "\n");
  const got = await readAll(idem);
  out.idempotent = { read: got.length, duplicates: duplicates(got) };

  out.group = await group(admin, bootstrap, prefix);
  return out;
}

/** A balanced consumer (kcat -G) and what its stderr says it was assigned. */
class Member implements AsyncDisposable {
  readonly child: Deno.ChildProcess;
  readonly values: string[] = [];
  assigned = 0;
  readonly #done: Promise<void>;

  constructor(bootstrap: string, groupId: string, topic: string) {
    this.child = new Deno.Command("kcat", {
      args: ["-b", bootstrap, "-u", "-G", groupId, topic, "-X", "auto.offset.reset=earliest"],
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const lines = async (stream: ReadableStream<Uint8Array>, each: (line: string) => void) => {
      let rest = "";
      for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
        const parts = (rest + chunk).split("\n");
        rest = parts.pop()!;
        parts.forEach(each);
      }
    };
    this.#done = Promise.all([
      lines(this.child.stdout, (l) => this.values.push(l)),
      lines(this.child.stderr, (l) => {
        // "% Group G rebalanced (memberid M): assigned: T [0], T [1]" (or "revoked: ...").
        const m = l.match(/rebalanced .*: (assigned|revoked): (.*)$/);
        if (m) this.assigned = m[1] === "assigned" ? m[2].split(",").length : 0;
      }),
    ]).then(() => {});
  }

  /** Stops the consumer as Ctrl-C would: it commits what it read and leaves the group. */
  async [Symbol.asyncDispose](): Promise<void> {
    try {
      this.child.kill("SIGINT");
    } catch {
      // Already gone.
    }
    await this.child.status;
    await this.#done;
  }
}

async function group(
  admin: Admin,
  bootstrap: string,
  prefix: string,
): Promise<ScenarioResults["group"]> {
  const topic = `${prefix}-group`, groupId = `${prefix}-g`;
  await admin.createTopics([{ name: topic, partitions: 4 }]);
  const deadline = Date.now() + 30000;
  const waitFor = async (condition: () => boolean) => {
    while (!condition() && Date.now() < deadline) await sleep(50);
  };
  let before: number, split: number[], seen: string[];
  {
    await using a = new Member(bootstrap, groupId, topic);
    await waitFor(() => a.assigned > 0);
    before = a.assigned;
    await using b = new Member(bootstrap, groupId, topic);
    await waitFor(() => a.assigned > 0 && b.assigned > 0 && a.assigned + b.assigned === 4);
    // Records are produced once the group is settled, each partition getting ten.
    for (let p = 0; p < 4; p++) {
      const values = Array.from({ length: 10 }, (_, i) => `g-${i * 4 + p}`);
      await runKcat(
        ["-b", bootstrap, "-P", "-t", topic, "-p", String(p)],
        values.join("\n") + "\n",
      );
    }
    await waitFor(() => a.values.length + b.values.length >= 40);
    split = [a.assigned, b.assigned].sort();
    seen = [...a.values, ...b.values];
  }
  const offsets = await admin.listConsumerGroupOffsets(groupId);
  const committed = offsets.reduce((sum, o) => sum + Number(o.offset), 0);
  return { before, split, read: seen.length, duplicates: duplicates(seen), committed };
}
