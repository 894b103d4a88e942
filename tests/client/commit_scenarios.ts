// What a group consumer commits, on Brook's broker (tests/client/consumer_commit_test.ts) and on a
// real Kafka 4.1.1 (tests/interop/consumer_commit_kafka_test.ts): exactly the records the application
// was given (Kafka's consumed position), with manual commits, auto-commit and the iterator, in both
// group protocols; and at-least-once across consumers killed and restarted.
import { assertEquals, assertOk } from "../assert.ts";
import { Admin, Consumer, type ConsumerOptions, Producer } from "../../client/mod.ts";

/** The group protocols a scenario runs with. */
export type GroupProtocol = "classic" | "consumer";

async function topicWith(
  bootstrapServers: string,
  name: string,
  partitions: number,
  count: number,
) {
  await using admin = new Admin({ bootstrapServers });
  // The cluster's default replication factor: 1 on one node, 3 on a three-node cluster.
  await admin.createTopics([{ name, partitions }]);
  await using producer = new Producer({
    bootstrapServers,
    lingerMs: 1,
    maxInFlightPerPartition: 1,
  });
  await producer.send(
    Array.from(
      { length: count },
      (_, i) => ({ topic: name, partition: i % partitions, value: `${i}` }),
    ),
  );
}

async function committedOffset(bootstrapServers: string, groupId: string, topic: string) {
  await using reader = new Consumer({ bootstrapServers, groupId });
  return (await reader.committed([{ topic, partitions: [0] }])).get(topic)?.get(0);
}

/** Polls until a poll returns records (the first polls may only join the group). */
async function firstRecords(consumer: Consumer, maxRecords: number) {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const records = await consumer.poll({ timeoutMs: 500, maxRecords });
    if (records.length > 0) return records;
    assertOk(Date.now() < deadline, "no records within a minute");
  }
}

/**
 * A thousand records in one partition; the application takes ten at a time. A commit (manual, automatic
 * at close, or after leaving a `for await` loop) covers what it took and nothing more.
 */
export async function commitsCoverWhatWasTaken(
  bootstrapServers: string,
  protocol: GroupProtocol,
): Promise<void> {
  const topic = `commits-${protocol}-${crypto.randomUUID().slice(0, 8)}`;
  await topicWith(bootstrapServers, topic, 1, 1000);
  const options = (groupId: string, autoCommit: boolean): ConsumerOptions => ({
    bootstrapServers,
    groupId,
    groupProtocol: protocol,
    autoOffsetReset: "earliest",
    autoCommit,
    autoCommitIntervalMs: 600_000,
    fetchMaxWaitMs: 100,
  });

  // Manual commit: the ten records polled, not the thousand fetched.
  {
    await using consumer = new Consumer(options(`${topic}-manual`, false));
    consumer.subscribe([topic]);
    const first = await firstRecords(consumer, 10);
    assertEquals(first.map((r) => r.offset), Array.from({ length: 10 }, (_, i) => BigInt(i)));
    assertEquals(consumer.position(topic, 0), 10n);
    await consumer.commit();
    const committed = await consumer.committed([{ topic, partitions: [0] }]);
    assertEquals(committed.get(topic)?.get(0), 10n);
    // Taken but not committed: closing without auto-commit leaves the commit where it was.
    assertEquals((await consumer.poll({ maxRecords: 10 })).length, 10);
  }
  assertEquals(await committedOffset(bootstrapServers, `${topic}-manual`, topic), 10n);

  // Auto-commit: close commits the twenty records taken.
  {
    await using consumer = new Consumer(options(`${topic}-auto`, true));
    consumer.subscribe([topic]);
    await firstRecords(consumer, 10);
    assertEquals((await consumer.poll({ maxRecords: 10 })).length, 10);
  }
  assertEquals(await committedOffset(bootstrapServers, `${topic}-auto`, topic), 20n);

  // The iterator: records count once the loop's body has been given them.
  {
    await using consumer = new Consumer(options(`${topic}-loop`, true));
    consumer.subscribe([topic]);
    let seen = 0;
    for await (const _ of consumer) {
      if (++seen === 5) break;
    }
  }
  assertEquals(await committedOffset(bootstrapServers, `${topic}-loop`, topic), 5n);
}

/** How the members of a restart scenario commit. */
export type CommitMode = "manual" | "auto";

/** Options of {@linkcode survivesRestarts}. */
export interface RestartOptions {
  protocol: GroupProtocol;
  mode: CommitMode;
  /** Records produced (over three partitions). */
  records: number;
  /** How many times a member is stopped and another started. */
  restarts: number;
  /** Stop members with SIGKILL as well as SIGTERM (needs a short session timeout on the broker). */
  kill: boolean;
  /** session.timeout.ms of classic members. */
  sessionTimeoutMs?: number;
}

const worker = new URL("./commit_worker.ts", import.meta.url).pathname;

/** A member process: prints "partition offset" for each record it processes. */
class Member {
  readonly child: Deno.ChildProcess;
  readonly done: Promise<void>;

  constructor(args: string[], processed: (partition: number, offset: bigint) => void) {
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "--allow-net=127.0.0.1", "--allow-env", worker, ...args],
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    this.child = child;
    this.done = (async () => {
      let rest = "";
      for await (const chunk of child.stdout.pipeThrough(new TextDecoderStream())) {
        const lines = (rest + chunk).split("\n");
        rest = lines.pop()!;
        for (const line of lines) {
          const [p, o] = line.split(" ");
          processed(Number(p), BigInt(o));
        }
      }
      await child.status;
    })();
  }

  async stop(signal: Deno.Signal): Promise<void> {
    try {
      this.child.kill(signal);
    } catch {
      // Already gone.
    }
    await this.done;
  }
}

/**
 * Three member processes read a topic of three partitions; one at a time is stopped (SIGTERM, or
 * SIGKILL as a crash) and another started. Every record must be processed at least once; duplicates
 * (records processed again after a crash or a rebalance) are counted and returned.
 */
export async function survivesRestarts(
  bootstrapServers: string,
  options: RestartOptions,
): Promise<{ duplicates: number }> {
  const topic = `restarts-${options.protocol}-${options.mode}-${crypto.randomUUID().slice(0, 8)}`;
  await topicWith(bootstrapServers, topic, 3, options.records);
  const perPartition = [0, 1, 2].map((p) => Math.ceil((options.records - p) / 3));
  const seen = [0, 1, 2].map((p) => new Uint8Array(perPartition[p]));
  let processed = 0;
  let distinct = 0;
  const record = (partition: number, offset: bigint) => {
    processed++;
    const counts = seen[partition];
    if (counts[Number(offset)] === 0) distinct++;
    counts[Number(offset)] = 1;
  };
  const args = [
    bootstrapServers,
    topic,
    `${topic}-group`,
    options.protocol,
    options.mode,
    String(options.sessionTimeoutMs ?? 6000),
  ];
  const members = [0, 1, 2].map(() => new Member(args, record));
  try {
    for (let i = 0; i < options.restarts; i++) {
      // Let the group make progress, then stop one member and start another.
      const before = distinct;
      const deadline = Date.now() + 30_000;
      while (
        distinct - before < options.records / (options.restarts * 4) && distinct < options.records
      ) {
        assertOk(
          Date.now() < deadline,
          `no progress after restart ${i}: ${options.records - distinct} records never processed`,
        );
        await new Promise((r) => setTimeout(r, 50));
      }
      const signal = options.kill && i % 2 === 1 ? "SIGKILL" : "SIGTERM";
      await members[i % 3].stop(signal);
      members[i % 3] = new Member(args, record);
    }
    const deadline = Date.now() + 120_000;
    while (distinct < options.records && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    await Promise.all(members.map((m) => m.stop("SIGTERM")));
  }
  assertEquals(distinct, options.records, `records never processed: ${options.records - distinct}`);
  return { duplicates: processed - distinct };
}
