// Producer integrity under continuous faults on Brook's broker (BROOK_INTEROP=1): while an idempotent
// producer sends 200,000 indexed records (BROOK_VOLUME / 5 in the long mode) to 6 partitions of a
// 3-node cluster, Produce requests fail with NOT_LEADER_OR_FOLLOWER, connections close before and
// after the append, answers are delayed and leaders move. The producer must finish with every record
// stored once and, per partition, in send order.
import { clusterOf } from "../../broker/broker_internals.ts";
import { assertEquals } from "../assert.ts";
import { Broker, type FaultHandle } from "../../broker/mod.ts";
import { Producer } from "../../client/producer/producer.ts";
import { integrity, readIndices, sendIndexed, type SendShape } from "../client/integrity.ts";

const enabled = Deno.env.get("BROOK_INTEROP") === "1";
const COUNT = Math.max(200_000, Number(Deno.env.get("BROOK_VOLUME") ?? 0) / 5);

/** A fixed seed, so that a failing run can be replayed. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

for (const shape of ["arrays", "singles"] as SendShape[]) {
  Deno.test({
    name: `interop: an idempotent producer under continuous faults on Brook's broker (${shape})`,
    ignore: !enabled,
    sanitizeOps: false,
    sanitizeResources: false,
    async fn() {
      await using broker = await Broker.start({ nodes: 3, topics: { f: { partitions: 6 } } });
      await using producer = new Producer({
        bootstrapServers: broker.bootstrapServers,
        retryBackoffMs: 5,
        reconnectBackoffMs: 5,
      });
      const next = random(shape === "arrays" ? 17 : 29);
      const counts = { error: 0, closeBefore: 0, closeAfter: 0, latency: 0, move: 0 };
      let sending = true;
      let pending: FaultHandle | undefined;
      const chaos = (async () => {
        // Bounded: a fault every 5 ms while the records are sent (at most 30,000), each injected
        // once the one before has struck, so that faults do not pile up while the producer backs off.
        for (let i = 0; sending && i < 30_000; i++) {
          await new Promise((r) => setTimeout(r, 5));
          const pick = next();
          const partition = Math.floor(next() * 6);
          if (pick < 0.8 && pending !== undefined && pending.remaining > 0) continue;
          // A fault strikes after some requests got through, or no request would ever succeed.
          const skip = 3 + Math.floor(next() * 12);
          if (pick < 0.3) {
            counts.error++;
            pending = broker.inject({
              kind: "error",
              apiKey: "Produce",
              errorCode: "NOT_LEADER_OR_FOLLOWER",
              skip,
              count: 1 + Math.floor(next() * 3),
            });
          } else if (pick < 0.45) {
            counts.closeBefore++;
            pending = broker.inject({ kind: "close", apiKey: "Produce", when: "before", skip });
          } else if (pick < 0.6) {
            counts.closeAfter++;
            pending = broker.inject({ kind: "close", apiKey: "Produce", when: "after", skip });
          } else if (pick < 0.8) {
            counts.latency++;
            pending = broker.inject({ kind: "latency", apiKey: "Produce", ms: 30, count: 5, skip });
          } else {
            counts.move++;
            const leader = clusterOf(broker).partition("f", partition)!.leader;
            broker.moveLeader("f", partition, leader % 3 + 1);
          }
        }
      })();
      const started = performance.now();
      const { failed, errors } = await sendIndexed(producer, "f", {
        count: COUNT,
        shape,
        arraySize: 500,
        window: shape === "arrays" ? 20 : 5000,
      });
      sending = false;
      await chaos;
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      const result = integrity(await readIndices(broker.bootstrapServers, "f"), COUNT);
      console.log(
        `${shape}: ${COUNT} records in ${seconds} s under faults ${JSON.stringify(counts)}: ${
          JSON.stringify(result)
        }`,
      );
      assertEquals({ failed, errors: [...errors], ...result }, {
        failed: 0,
        errors: [],
        stored: COUNT,
        distinct: COUNT,
        missing: 0,
        duplicates: 0,
        inversions: 0,
      });
    },
  });
}
