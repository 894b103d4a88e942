// Brook's client on a real three-node Kafka 4.1.1 cluster whose brokers are killed (SIGKILL) and
// restarted mid-stream, leadership moving each time: an idempotent producer stores every record
// exactly once and in order per partition, and a transactional copy (consume-transform-produce,
// read_committed) produces every input exactly once.
import { assertEquals, assertOk } from "../assert.ts";
import { Admin, Consumer, Producer } from "../../client/mod.ts";
import { type KafkaCluster, startKafkaCluster } from "./kafka_cluster.ts";
import { survivesRestarts } from "../client/commit_scenarios.ts";

const PARTITIONS = 6;
const RECORDS = Number(Deno.env.get("BROOK_VOLUME") ?? 200_000);

/** Reads a topic to its end; fails on a duplicate or a record out of order in its partition. */
async function readAll(
  bootstrapServers: string,
  topic: string,
  expected: number,
): Promise<Set<number>> {
  await using consumer = new Consumer({
    bootstrapServers,
    autoOffsetReset: "earliest",
    isolationLevel: "read_committed",
    fetchMaxWaitMs: 200,
  });
  consumer.assign(Array.from({ length: PARTITIONS }, (_, partition) => ({ topic, partition })));
  const seen = new Set<number>();
  const last = new Array(PARTITIONS).fill(-1);
  const deadline = Date.now() + 120_000;
  while (seen.size < expected && Date.now() < deadline) {
    for (const r of await consumer.poll({ timeoutMs: 500, maxRecords: 10_000 })) {
      const index = Number(new TextDecoder().decode(r.value!));
      assertOk(!seen.has(index), `record ${index} stored twice`);
      assertOk(last[r.partition] < index, `record ${index} after ${last[r.partition]}`);
      last[r.partition] = index;
      seen.add(index);
    }
  }
  return seen;
}

/**
 * Runs the crashes of `plan` in order, each when `progress()` passes its mark (0-1); `hold()` is true
 * while the work must wait for a crash or restart that is due, so that each one happens mid-stream.
 */
function crashes(
  cluster: KafkaCluster,
  progress: () => number,
  plan: { at: number; action: "kill" | "restart"; node: number }[],
): { done: Promise<void>; hold: () => boolean } {
  let step = 0;
  const done = (async () => {
    for (; step < plan.length; step++) {
      while (progress() < plan[step].at) await new Promise((r) => setTimeout(r, 20));
      const { action, node } = plan[step];
      if (action === "kill") await cluster.kill(node);
      else await cluster.restart(node);
    }
  })();
  return { done, hold: () => step < plan.length && progress() >= plan[step].at };
}

/** Waits while `hold()` is true. */
async function held(hold: () => boolean): Promise<void> {
  while (hold()) await new Promise((r) => setTimeout(r, 20));
}

Deno.test({
  name:
    "cluster crashes: an idempotent producer and a transactional copy keep every record exactly once while Kafka brokers are killed and restarted; a group restarted 20 times loses nothing",
  ignore: Deno.env.get("BROOK_INTEROP") !== "1",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using cluster = await startKafkaCluster();
    const bootstrapServers = cluster.bootstrapServers;
    const input = `crash-in-${crypto.randomUUID().slice(0, 8)}`;
    const output = `crash-out-${crypto.randomUUID().slice(0, 8)}`;
    {
      await using admin = new Admin({ bootstrapServers });
      await admin.createTopics([input, output].map((name) => ({
        name,
        partitions: PARTITIONS,
        replicationFactor: 3,
        configs: { "min.insync.replicas": "2" },
      })));
    }

    // 1. The idempotent producer, arrays of 500 with 8 in flight, through two crashes.
    let acknowledged = 0;
    {
      await using producer = new Producer({ bootstrapServers, lingerMs: 5 });
      let sentSoFar = 0;
      const faults = crashes(cluster, () => sentSoFar / RECORDS, [
        { at: 0.2, action: "kill", node: 2 },
        { at: 0.4, action: "restart", node: 2 },
        { at: 0.55, action: "kill", node: 3 },
        { at: 0.75, action: "restart", node: 3 },
      ]);
      const inFlight = new Set<Promise<void>>();
      for (let start = 0; start < RECORDS; start += 500) {
        await held(faults.hold);
        const batch = Array.from({ length: Math.min(500, RECORDS - start) }, (_, i) => ({
          topic: input,
          partition: (start + i) % PARTITIONS,
          value: String(start + i),
        }));
        const sent: Promise<void> = producer.send(batch).then(() => {
          acknowledged += batch.length;
          inFlight.delete(sent);
        });
        inFlight.add(sent);
        sentSoFar += batch.length;
        if (inFlight.size >= 8) await Promise.race(inFlight);
      }
      await Promise.all(inFlight);
      await faults.done;
      assertEquals(acknowledged, RECORDS);
    }
    const stored = await readAll(bootstrapServers, input, RECORDS);
    assertEquals(stored.size, RECORDS, "records lost by the idempotent producer");

    // 2. A transactional copy of the input, through a third crash (the coordinators' node among them).
    let copied = 0;
    {
      await using consumer = new Consumer({
        bootstrapServers,
        groupId: `${output}-copier`,
        autoOffsetReset: "earliest",
        autoCommit: false,
        isolationLevel: "read_committed",
        fetchMaxWaitMs: 200,
      });
      await using producer = new Producer({ bootstrapServers, transactionalId: `${output}-tx` });
      await producer.initTransactions();
      consumer.subscribe([input]);
      const faults = crashes(cluster, () => copied / RECORDS, [
        { at: 0.3, action: "kill", node: 1 },
        { at: 0.6, action: "restart", node: 1 },
      ]);
      const deadline = Date.now() + 300_000;
      let aborted = 0;
      while (copied < RECORDS) {
        await held(faults.hold);
        assertOk(Date.now() < deadline, `the copy stalled at ${copied} records`);
        const records = await consumer.poll({ timeoutMs: 500, maxRecords: 2000 });
        if (records.length === 0) continue;
        producer.beginTransaction();
        try {
          const sends = producer.send(records.map((r) => ({
            topic: output,
            partition: r.partition,
            value: r.value,
          })));
          // Rejected when the transaction aborts; awaited once it commits.
          sends.catch(() => {});
          const next = new Map<number, bigint>();
          for (const r of records) next.set(r.partition, r.offset + 1n);
          await producer.sendOffsetsToTransaction(
            [...next].map(([partition, offset]) => ({ topic: input, partition, offset })),
            consumer.groupMetadata(),
          );
          await producer.commitTransaction();
          await sends;
          copied += records.length;
        } catch (e) {
          // An abortable failure: abort, and read again from the group's committed offsets.
          await producer.abortTransaction();
          const committed = await consumer.committed([{
            topic: input,
            partitions: [...new Set(records.map((r) => r.partition))],
          }]);
          for (const partition of new Set(records.map((r) => r.partition))) {
            consumer.seek(input, partition, committed.get(input)?.get(partition) ?? 0n);
          }
          aborted++;
          console.log(`transaction aborted and retried: ${(e as Error).message}`);
        }
      }
      await faults.done;
      console.log(`${aborted} transactions aborted and retried`);
    }
    const copy = await readAll(bootstrapServers, output, RECORDS);
    assertEquals(copy.size, RECORDS, "inputs missing from the transactional copy");
    console.log(`${RECORDS} records produced and copied through three broker crashes`);

    // 3. A group of three consumer processes, one stopped and another started 20 times (every
    // other time with SIGKILL): every record processed at least once, duplicates counted.
    const { duplicates } = await survivesRestarts(bootstrapServers, {
      protocol: "classic",
      mode: "manual",
      records: 60_000,
      restarts: 20,
      kill: true,
      sessionTimeoutMs: 6000,
    });
    console.log(`a group restarted 20 times: 60000 records, ${duplicates} processed twice`);
  },
});
