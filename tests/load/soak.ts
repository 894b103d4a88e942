/**
 * A soak run: a broker process with time-based retention takes a steady stream of records for
 * `--minutes`, a consumer group reads them back and checks that none is lost, duplicated or out of
 * order, and the broker's memory is sampled: once retention deletes as fast as records arrive, it
 * must stay flat.
 *
 *   deno task soak [--minutes 30] [--rate-mb 4] [--retention-seconds 20]
 *
 * Ends with "N passed, N failed" (1 passed when every check holds).
 *
 * @module
 */

import { parseArgs } from "node:util";
import { Admin, Consumer, Producer } from "../../client/mod.ts";
import { startBrokerProcess } from "./broker_process.ts";

/** Options of {@linkcode soak}. */
export interface SoakOptions {
  minutes: number;
  /** Megabytes a second produced. */
  rateMb: number;
  /** log.retention.ms, in seconds. */
  retentionSeconds: number;
  /** A line every sample, on stderr. */
  verbose?: boolean;
}

/** What a soak run saw. */
export interface SoakReport {
  produced: number;
  consumed: number;
  /** Records never read (skipped in a partition's sequence, or missing at its end). */
  lost: number;
  duplicates: number;
  /** The broker's resident memory, sampled every five seconds, in bytes. */
  rss: number[];
  /** Median memory of the middle and the last third of the run, in bytes. */
  middleRss: number;
  lastRss: number;
  problems: string[];
}

const median = (xs: number[]) => xs.toSorted((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

/**
 * Runs a soak against a fresh broker process.
 *
 * @example
 * ```ts
 * const report = await soak({ minutes: 1, rateMb: 2, retentionSeconds: 10 });
 * console.log(report.problems);
 * ```
 */
export async function soak(options: SoakOptions): Promise<SoakReport> {
  await using broker = await startBrokerProcess([
    "--config",
    `log.retention.ms=${options.retentionSeconds * 1000}`,
    "--config",
    "log.segment.bytes=1048576",
    "--config",
    "log.retention.check.interval.ms=1000",
  ]);
  const bootstrapServers = broker.address;
  const topic = "soak";
  const partitions = 3;
  {
    await using admin = new Admin({ bootstrapServers });
    await admin.createTopics([{ name: topic, partitions, replicationFactor: 1 }]);
  }
  const end = Date.now() + options.minutes * 60_000;
  const value = new Uint8Array(1000);
  const perTick = Math.max(1, Math.round(options.rateMb * 1e6 / value.length / 10));
  const next = new Array(partitions).fill(0);
  let produced = 0;
  const producing = (async () => {
    await using producer = new Producer({ bootstrapServers, lingerMs: 5 });
    while (Date.now() < end) {
      const tick = Date.now();
      await producer.send(Array.from({ length: perTick }, (_, i) => {
        const partition = i % partitions;
        return { topic, partition, key: String(next[partition]++), value };
      }));
      produced += perTick;
      await new Promise((r) => setTimeout(r, Math.max(0, 100 - (Date.now() - tick))));
    }
  })();
  let consumed = 0;
  let duplicates = 0;
  let skipped = 0;
  const expected = new Array(partitions).fill(0);
  const consuming = (async () => {
    await using consumer = new Consumer({
      bootstrapServers,
      groupId: "soak",
      autoOffsetReset: "earliest",
      fetchMaxWaitMs: 100,
    });
    consumer.subscribe([topic]);
    const done = () => Date.now() > end + 5000 || expected.every((e, p) => e === next[p]);
    while (Date.now() < end || !done()) {
      for (const r of await consumer.poll({ timeoutMs: 200, maxRecords: 10_000 })) {
        const index = Number(new TextDecoder().decode(r.key!));
        consumed++;
        if (index < expected[r.partition]) duplicates++;
        else if (index > expected[r.partition]) skipped += index - expected[r.partition];
        expected[r.partition] = Math.max(expected[r.partition], index + 1);
      }
    }
  })();
  const rss: number[] = [];
  while (Date.now() < end) {
    await new Promise((r) => setTimeout(r, Math.min(5000, Math.max(0, end - Date.now()))));
    rss.push(await broker.rss());
    if (options.verbose) {
      console.error(
        `${produced} produced, ${consumed} consumed, broker RSS ${
          (rss.at(-1)! / 1048576).toFixed(1)
        } MiB`,
      );
    }
  }
  await producing;
  await consuming;
  const third = Math.max(1, Math.floor(rss.length / 3));
  const middleRss = median(rss.slice(third, 2 * third));
  const lastRss = median(rss.slice(2 * third));
  const lost = next.reduce((n, total, p) => n + total - expected[p], 0) + skipped;
  const problems: string[] = [];
  if (lost > 0) problems.push(`${lost} records never read`);
  if (duplicates > 0) problems.push(`${duplicates} records read twice`);
  if (broker.stderr.length > 0) problems.push(`the broker wrote: ${broker.stderr.join(" | ")}`);
  // Flat: what the last third holds is about what the middle third held (GC moves it a little).
  if (rss.length >= 6 && lastRss > middleRss * 1.25 + 32 * 1048576) {
    problems.push(`broker memory grew from ${middleRss} to ${lastRss} bytes`);
  }
  return { produced, consumed, lost, duplicates, rss, middleRss, lastRss, problems };
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      minutes: { type: "string", default: "30" },
      "rate-mb": { type: "string", default: "4" },
      "retention-seconds": { type: "string", default: "20" },
    },
  });
  const numbers = [values.minutes, values["rate-mb"], values["retention-seconds"]].map(Number);
  if (numbers.some((n) => !(n > 0))) {
    console.error("soak: --minutes, --rate-mb and --retention-seconds need positive numbers");
    Deno.exit(2);
  }
  const [minutes, rateMb, retentionSeconds] = numbers;
  const report = await soak({ minutes, rateMb, retentionSeconds, verbose: true });
  const mib = (n: number) => (n / 1048576).toFixed(1);
  console.log(
    `${minutes} min at ${rateMb} MB/s, retention ${retentionSeconds} s: ${report.produced} produced, ` +
      `${report.consumed} consumed, ${report.lost} lost, ${report.duplicates} duplicated; broker RSS ` +
      `median ${mib(report.middleRss)} MiB (middle third), ${
        mib(report.lastRss)
      } MiB (last third), ` +
      `max ${mib(Math.max(...report.rss))} MiB`,
  );
  for (const p of report.problems) console.log(`FAILURE: ${p}`);
  console.log(`${report.problems.length === 0 ? 1 : 0} passed, ${report.problems.length} failed`);
  Deno.exit(report.problems.length === 0 ? 0 : 1);
}
