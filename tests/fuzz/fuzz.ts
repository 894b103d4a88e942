/**
 * A protocol fuzzer for Brook's broker: mutated frames of every API key and version go to a broker
 * process over many connections while a well-behaved producer writes to the same broker; then its
 * records are read back and checked. A failure is a crash, a hang (no answer and no close within
 * 5 s; long polls and frames still waiting for their announced bytes excepted), an answer that does
 * not decode for its request or carries another correlation id, a line on the broker's stderr, or a
 * record of the good producer lost, duplicated or out of order. Each failing frame is kept in
 * tests/fuzz/found/ and replayed by tests/fuzz/found_test.ts.
 *
 *   deno task fuzz [--frames 100000] [--connections 16] [--seed 1] [--keep DIR]
 *
 * @module
 */

import { parseArgs } from "node:util";
import {
  API_CODECS,
  ApiKey,
  type CodecApiKey,
  decodeResponseFrame,
  Reader,
  readRequestHeader,
} from "../../codec/mod.ts";
import { HANDLERS } from "../../broker/handlers/mod.ts";
import { Admin, Consumer, Producer } from "../../client/mod.ts";
import { mutate, random, seedFrames } from "./frames.ts";
import { startBrokerProcess } from "../load/broker_process.ts";
import { RawClient } from "../broker/raw_client.ts";

/** Options of {@linkcode runFuzz}. */
export interface FuzzOptions {
  /** Mutated frames to send. Default 100,000. */
  frames?: number;
  /** Connections sending them at once. Default 16. */
  connections?: number;
  /** The seed of the frames and mutations. Default 1. */
  seed?: number;
  /** Where failing frames are written; default not written. */
  keep?: string;
  /** Records the good producer writes meanwhile. Default 20,000. */
  goodRecords?: number;
  /** Progress lines on stderr. */
  verbose?: boolean;
}

/** A frame the broker mishandled. */
export interface FuzzFailure {
  kind: "hang" | "bad-answer" | "crash" | "stderr" | "good-client";
  detail: string;
  /** The frame at fault; for a line on stderr, the frames sent just before it. */
  frames?: Uint8Array[];
}

/** What a fuzz run saw. */
export interface FuzzReport {
  frames: number;
  answered: number;
  closed: number;
  /** Frames left without an answer as Kafka leaves them: long polls, partial frames, acks=0. */
  unanswered: number;
  seconds: number;
  failures: FuzzFailure[];
}

/** How long an answer (or a close) may take. */
export const HANG_MS = 5000;
/** Requests a broker may hold for as long as they ask (long polls, rebalances). */
export const LONG_POLLS: ReadonlySet<number> = new Set<number>([
  ApiKey.Fetch,
  ApiKey.JoinGroup,
  ApiKey.SyncGroup,
  ApiKey.ShareFetch,
]);

type Outcome = "answer" | "closed" | "silent";

/**
 * One fuzzing connection: sends a frame, then reads its answer, a close, or nothing.
 *
 * @example
 * ```ts
 * const conn = new FuzzConnection("127.0.0.1:9092");
 * const [outcome] = await conn.exchange(new Uint8Array([0, 0, 0, 0]), 1000);
 * conn.drop();
 * ```
 */
export class FuzzConnection {
  #link: RawClient | undefined;
  readonly #address: string;

  constructor(address: string) {
    this.#address = address;
  }

  /** Gives up the connection (after a frame that is rightly left unanswered, or a close). */
  drop(): void {
    this.#link?.close();
    this.#link = undefined;
  }

  async exchange(frame: Uint8Array, waitMs: number): Promise<[Outcome, Uint8Array?]> {
    const link = this.#link ??= await RawClient.connect(this.#address);
    try {
      await link.send(frame);
    } catch {
      this.drop();
      return ["closed"];
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<"late">((resolve) => {
      timer = setTimeout(() => resolve("late"), waitMs);
    });
    const payload = await Promise.race([link.readFrame(), late]);
    clearTimeout(timer);
    if (payload === "late") return ["silent"];
    if (payload === null) {
      this.drop();
      return ["closed"];
    }
    return ["answer", payload];
  }
}

/**
 * What the broker may do with a frame, read from the frame itself.
 *
 * @example
 * ```ts
 * expectation(new Uint8Array([0, 0, 0, 2, 0, 3])).partial; // false: the size says 2 and 2 came
 * ```
 */
export function expectation(frame: Uint8Array): {
  apiKey: number;
  apiVersion: number;
  correlationId: number;
  /** The broker waits for bytes the size announced and never gets. */
  partial: boolean;
  /** No answer comes: Produce with acks=0. */
  noAnswer: boolean;
  /** Changes that would disturb the good producer (broker configs, quotas, features). */
  disturbs: boolean;
} {
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  const size = frame.length >= 4 ? view.getInt32(0) : 0;
  const apiKey = frame.length >= 6 ? view.getInt16(4) : -1;
  const apiVersion = frame.length >= 8 ? view.getInt16(6) : -1;
  const correlationId = frame.length >= 12 ? view.getInt32(8) : -1;
  const partial = size > frame.length - 4 && size <= 100 * 1024 * 1024;
  let noAnswer = false;
  let disturbs = apiKey === ApiKey.AlterClientQuotas || apiKey === ApiKey.UpdateFeatures;
  const handler = HANDLERS[apiKey];
  if (!partial && handler && apiVersion >= handler.minVersion && apiVersion <= handler.maxVersion) {
    try {
      const r = new Reader(frame.subarray(4, 4 + size));
      readRequestHeader(r);
      // As the broker reads it (and Kafka): bytes after the body are not looked at.
      const body = API_CODECS[apiKey as CodecApiKey].decodeRequest(r, apiVersion) as {
        acks?: number;
        resources?: { resourceType: number }[];
      };
      if (apiKey === ApiKey.Produce && body.acks === 0) noAnswer = true;
      if (apiKey === ApiKey.AlterConfigs || apiKey === ApiKey.IncrementalAlterConfigs) {
        disturbs = (body.resources ?? []).some((res) => res.resourceType === 4);
      }
    } catch {
      // Undecodable: the broker must close the connection.
    }
  }
  return { apiKey, apiVersion, correlationId, partial, noAnswer, disturbs };
}

/**
 * Checks an answer against the frame it answers; a problem's description, or undefined.
 *
 * @example
 * ```ts
 * checkAnswer({ apiKey: 18, apiVersion: 3, correlationId: 7 }, new Uint8Array([0, 0, 0, 8]));
 * // "correlation id 8 answers 7"
 * ```
 */
export function checkAnswer(
  sent: { apiKey: number; apiVersion: number; correlationId: number },
  payload: Uint8Array,
): string | undefined {
  if (payload.length < 4) return "an answer shorter than a response header";
  const correlationId = new DataView(payload.buffer, payload.byteOffset).getInt32(0);
  if (correlationId !== sent.correlationId) {
    return `correlation id ${correlationId} answers ${sent.correlationId}`;
  }
  const handler = HANDLERS[sent.apiKey];
  if (API_CODECS[sent.apiKey as CodecApiKey] === undefined || !handler) {
    return `an answer to unknown API key ${sent.apiKey}`;
  }
  let version = sent.apiVersion;
  if (version < handler.minVersion || version > handler.maxVersion) {
    // Kafka answers an ApiVersions it cannot read with a version 0 answer; nothing else.
    if (sent.apiKey !== ApiKey.ApiVersions) {
      return `an answer to unsupported version ${version} of API ${sent.apiKey}`;
    }
    version = 0;
  }
  try {
    decodeResponseFrame(payload, sent.apiKey as CodecApiKey, version);
  } catch (e) {
    return `the answer does not decode: ${(e as Error).message}`;
  }
  return undefined;
}

/** Writes the good producer's records meanwhile, then reads them back and checks them. */
async function goodClient(address: string, records: number, stop: () => boolean) {
  const topic = `good-${crypto.randomUUID()}`;
  await using admin = new Admin({ bootstrapServers: address });
  await admin.createTopics([{ name: topic, partitions: 3, replicationFactor: 1 }]);
  const produced = async () => {
    await using producer = new Producer({ bootstrapServers: address, lingerMs: 2 });
    let sent = 0;
    while (sent < records) {
      const n = Math.min(100, records - sent);
      await producer.send(
        Array.from(
          { length: n },
          (_, i) => ({ topic, key: `${(sent + i) % 3}`, value: `${sent + i}` }),
        ),
      );
      sent += n;
      // Spread the records over the run, without outlasting it by much.
      if (!stop()) await new Promise((r) => setTimeout(r, 5));
    }
  };
  await produced();
  return async (): Promise<string | undefined> => {
    await using consumer = new Consumer({
      bootstrapServers: address,
      autoOffsetReset: "earliest",
      fetchMaxWaitMs: 100,
    });
    consumer.assign([0, 1, 2].map((partition) => ({ topic, partition })));
    const seen = new Set<number>();
    const last = new Map<number, number>();
    const deadline = Date.now() + 60_000;
    while (seen.size < records && Date.now() < deadline) {
      for (const r of await consumer.poll({ timeoutMs: 500, maxRecords: 10_000 })) {
        const index = Number(new TextDecoder().decode(r.value!));
        if (seen.has(index)) return `record ${index} stored twice`;
        if ((last.get(r.partition) ?? -1) > index) return `record ${index} out of order`;
        last.set(r.partition, index);
        seen.add(index);
      }
    }
    return seen.size === records ? undefined : `${records - seen.size} of ${records} records lost`;
  };
}

/**
 * Runs the fuzzer against a fresh broker process.
 *
 * @example
 * ```ts
 * const report = await runFuzz({ frames: 10_000 });
 * console.log(report.failures.length === 0 ? "clean" : report.failures);
 * ```
 */
export async function runFuzz(options: FuzzOptions = {}): Promise<FuzzReport> {
  const total = options.frames ?? 100_000;
  const seed = options.seed ?? 1;
  const seeds = seedFrames(seed);
  const failures: FuzzFailure[] = [];
  // The frames of the last half second: a line on the broker's stderr is blamed on them.
  const recent: { at: number; frame: Uint8Array }[] = [];
  const blamed = new Set<string>();
  const broker = await startBrokerProcess([], {
    onStderr: (line) => {
      // One failure per distinct message (not per line of a stack trace), with its suspects.
      if (blamed.has(line) || /^\s+at /.test(line)) return;
      blamed.add(line);
      const since = Date.now() - 500;
      failures.push({
        kind: "stderr",
        detail: line,
        frames: recent.filter((r) => r.at >= since).map((r) => r.frame).slice(-32),
      });
    },
  });
  let crashed = false;
  let stopping = false;
  broker.exited.then((s) => {
    if (stopping) return;
    crashed = true;
    failures.push({ kind: "crash", detail: `the broker exited with code ${s.code}` });
  });
  const started = Date.now();
  let sent = 0;
  let answered = 0;
  let closed = 0;
  let unanswered = 0;
  let fuzzing = true;
  const good = goodClient(broker.address, options.goodRecords ?? 20_000, () => !fuzzing);
  const next = random(seed);
  const worker = async () => {
    const conn = new FuzzConnection(broker.address);
    while (sent < total && !crashed && failures.length < 50) {
      const { frame, mutation, seed: from } = mutate(seeds, next);
      if (options.verbose && ++sent % 10_000 === 0) {
        console.error(`${sent} frames, ${((Date.now() - started) / 1000).toFixed(1)} s`);
      } else if (!options.verbose) sent++;
      const expect = expectation(frame);
      if (expect.disturbs) continue;
      recent.push({ at: Date.now(), frame });
      if (recent.length > 512) recent.splice(0, 256);
      const wait = expect.partial || expect.noAnswer ? 0 : HANG_MS;
      const [outcome, payload] = await conn.exchange(frame, wait);
      if (outcome === "answer") {
        answered++;
        const problem = checkAnswer(expect, payload!);
        if (problem) {
          failures.push({
            kind: "bad-answer",
            detail: `${problem} (API ${from.apiKey} v${from.apiVersion}, ${mutation})`,
            frames: [frame],
          });
          conn.drop();
        }
      } else if (outcome === "closed") {
        closed++;
      } else {
        if (!expect.partial && !expect.noAnswer && !LONG_POLLS.has(expect.apiKey)) {
          failures.push({
            kind: "hang",
            detail:
              `no answer and no close within ${HANG_MS} ms (API ${expect.apiKey} v${expect.apiVersion}, from API ${from.apiKey} v${from.apiVersion}, ${mutation})`,
            frames: [frame],
          });
        }
        unanswered++;
        conn.drop();
      }
    }
    conn.drop();
  };
  await Promise.all(Array.from({ length: options.connections ?? 16 }, worker));
  fuzzing = false;
  try {
    const check = await good;
    const problem = crashed ? undefined : await check();
    if (problem) failures.push({ kind: "good-client", detail: problem });
  } catch (e) {
    if (!crashed) failures.push({ kind: "good-client", detail: (e as Error).message });
  }
  stopping = true;
  await broker.stop();
  if (options.keep) {
    await Deno.mkdir(options.keep, { recursive: true });
    for (const f of failures) {
      for (const frame of f.frames ?? []) {
        const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new Uint8Array(frame)));
        const name = [...digest.subarray(0, 8)].map((b) => b.toString(16).padStart(2, "0")).join(
          "",
        );
        await Deno.writeFile(`${options.keep}/${f.kind}-${name}.bin`, frame);
      }
    }
  }
  return {
    frames: sent,
    answered,
    closed,
    unanswered,
    seconds: (Date.now() - started) / 1000,
    failures,
  };
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      frames: { type: "string", default: "100000" },
      connections: { type: "string", default: "16" },
      seed: { type: "string", default: "1" },
      keep: { type: "string", default: new URL("./found", import.meta.url).pathname },
    },
  });
  const numbers = ["frames", "connections", "seed"] as const;
  for (const name of numbers) {
    if (!/^\d+$/.test(values[name])) {
      console.error(`fuzz: --${name} needs a whole number, got '${values[name]}'`);
      Deno.exit(2);
    }
  }
  const report = await runFuzz({
    frames: Number(values.frames),
    connections: Number(values.connections),
    seed: Number(values.seed),
    keep: values.keep,
    verbose: true,
  });
  console.log(
    `${report.frames} frames in ${report.seconds.toFixed(1)} s: ${report.answered} answered, ` +
      `${report.closed} closed, ${report.unanswered} rightly unanswered`,
  );
  for (const f of report.failures) console.log(`FAILURE ${f.kind}: ${f.detail}`);
  console.log(`${report.failures.length === 0 ? 1 : 0} passed, ${report.failures.length} failed`);
  Deno.exit(report.failures.length === 0 ? 0 : 1);
}
