/**
 * A small driver for profiling Brook's client against a broker in another process (`deno task
 * broker --port 0`, or a real Kafka): one producer or consumer run, printing its rate and the
 * client's CPU time per record (user and system, every thread), which a loaded machine disturbs
 * less than the rate. Run it under `--cpu-prof` or `--v8-flags=--trace-gc` to see where the time
 * goes (bench/README.md, "Where the time goes").
 *
 * Run: `deno run -A bench/client_profile.ts MODE BOOTSTRAP TOPIC RECORDS`, MODE one of
 * - `arrays`, `send`: acks=1, no idempotence, 100-byte values, no keys, linger 2 ms, 64 KiB
 *   batches; arrays of 1000 records per send, or one send per record; at most 64 sends of 1000
 *   records in flight; RECORDS / 5 (at most 100,000) records of warm-up first
 * - `idem-arrays`, `idem-send`: the same with acks=all and idempotence
 * - `consume`: partition 0 from offset 0 until RECORDS records were read (at most 120 s)
 *
 * With `BROOK_BENCH_NO_METRICS=1` the client's metrics record nothing (to measure their cost).
 *
 * @module
 */

import process from "node:process";
import { Consumer, Producer } from "../client/mod.ts";
import { Stat } from "../client/metrics.ts";
import { LatencyHistogram } from "../codec/mod.ts";

// BROOK_BENCH_NO_METRICS=1: the client's metrics record nothing, so that a run with and a run
// without them measure what keeping them costs.
if (Deno.env.get("BROOK_BENCH_NO_METRICS") === "1") {
  Stat.prototype.record = () => {};
  LatencyHistogram.prototype.observe = () => {};
}

const [mode, bootstrap, topic, records] = Deno.args;
const count = Number(records);
const value = new Uint8Array(100).map((_, i) => i);
const CHUNK = 1000;

/** CPU nanoseconds per record since `start` (process.cpuUsage counts microseconds). */
function cpuNsPerRecord(start: NodeJS.CpuUsage, n: number): number {
  const used = process.cpuUsage(start);
  return Math.round(((used.user + used.system) * 1000) / n);
}

if (mode === "consume") {
  const cpu = process.cpuUsage();
  const start = performance.now();
  let read = 0;
  await using consumer = new Consumer({ bootstrapServers: bootstrap, autoOffsetReset: "earliest" });
  consumer.assign([{ topic, partition: 0 }]);
  const deadline = Date.now() + 120_000;
  while (read < count && Date.now() < deadline) {
    read += (await consumer.poll({ timeoutMs: 1000, maxRecords: 100_000 })).length;
  }
  const seconds = (performance.now() - start) / 1000;
  console.log(JSON.stringify({
    mode,
    rate: Math.round(read / seconds),
    cpuNsPerRecord: cpuNsPerRecord(cpu, read),
    read,
  }));
} else if (["arrays", "send", "idem-arrays", "idem-send"].includes(mode)) {
  const idempotent = mode.startsWith("idem");
  const arrays = mode.endsWith("arrays");
  await using producer = new Producer({
    bootstrapServers: bootstrap,
    acks: idempotent ? -1 : 1,
    idempotent,
    lingerMs: 2,
    batchSize: 64 * 1024,
  });
  const run = async (n: number): Promise<number> => {
    let acknowledged = 0;
    const inFlight: Promise<void>[] = [];
    for (let sent = 0; sent < n; sent += CHUNK) {
      if (inFlight.length >= 64) await inFlight.shift();
      const size = Math.min(CHUNK, n - sent);
      const chunk = arrays
        ? producer.send(Array.from({ length: size }, () => ({ topic, value })))
        : Promise.all(Array.from({ length: size }, () => producer.send({ topic, value })));
      inFlight.push(chunk.then((acks) => void (acknowledged += acks.length)));
    }
    await Promise.all(inFlight);
    return acknowledged;
  };
  await run(Math.min(100_000, Math.floor(count / 5)));
  const cpu = process.cpuUsage();
  const start = performance.now();
  const acknowledged = await run(count);
  const seconds = (performance.now() - start) / 1000;
  console.log(JSON.stringify({
    mode,
    rate: Math.round(acknowledged / seconds),
    cpuNsPerRecord: cpuNsPerRecord(cpu, acknowledged),
    acknowledged,
  }));
} else {
  console.error(
    "usage: client_profile.ts arrays|send|idem-arrays|idem-send|consume BOOTSTRAP TOPIC RECORDS",
  );
  Deno.exit(2);
}
