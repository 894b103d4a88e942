/**
 * Load on a broker process, as many clients or slow ones put it: connections held by the thousand
 * while a probe measures what one more client waits, and senders that trickle a frame one byte a
 * second. Each returns its figures; tests/load/load_test.ts runs them bounded and
 * `deno task load` prints them.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { ApiKey, decodeResponseFrame, encodeRequestFrame, Writer } from "../../codec/mod.ts";
import { type BrokerProcess, startBrokerProcess } from "./broker_process.ts";
import { RawClient } from "../broker/raw_client.ts";

/** Latency percentiles of a probe, in milliseconds. */
export interface Latency {
  p50: number;
  p99: number;
  max: number;
}

function percentiles(samples: number[]): Latency {
  const sorted = samples.toSorted((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return { p50: at(0.5), p99: at(0.99), max: sorted[sorted.length - 1] };
}

const writer = new Writer();

function apiVersionsFrame(correlationId: number): Uint8Array {
  return encodeRequestFrame(writer, {
    apiKey: ApiKey.ApiVersions,
    apiVersion: 3,
    correlationId,
    clientId: "load",
    body: { clientSoftwareName: "brook-load", clientSoftwareVersion: "1" },
  }).slice();
}

/** Sends ApiVersions on `link` and checks its answer; the round trip in milliseconds. */
async function roundTrip(link: RawClient, correlationId: number): Promise<number> {
  const started = performance.now();
  const payload = await link.sendRaw(apiVersionsFrame(correlationId));
  if (payload === null) throw new Error("the broker closed the connection");
  const { header, body } = decodeResponseFrame(payload, ApiKey.ApiVersions, 3);
  if (header.correlationId !== correlationId || body.errorCode !== 0) {
    throw new Error(`a wrong answer: correlation ${header.correlationId}, error ${body.errorCode}`);
  }
  return performance.now() - started;
}

/** Figures of {@linkcode holdConnections}. */
export interface HeldConnections {
  connections: number;
  /** Every held connection answered again after all were open. */
  served: number;
  /** A probe's ApiVersions round trips while they were held. */
  probe: Latency;
  /** The broker's resident memory before and with the connections, in bytes. */
  rssBefore: number;
  rssHeld: number;
}

/** Measures `fn` `samples` times on a fresh probe connection. */
async function probe(address: string, samples: number): Promise<Latency> {
  const link = await RawClient.connect(address);
  try {
    const times: number[] = [];
    for (let i = 0; i < samples; i++) times.push(await roundTrip(link, i + 1));
    return percentiles(times);
  } finally {
    link.close();
  }
}

/**
 * Opens `connections` connections (each served one request), holds them while a probe measures its
 * round trips, then has each one served again.
 *
 * @example
 * ```ts
 * await using broker = await startBrokerProcess();
 * const held = await holdConnections(broker, { connections: 1000 });
 * console.log(held.served, held.probe.p99);
 * ```
 */
export async function holdConnections(
  broker: BrokerProcess,
  options: { connections?: number; samples?: number } = {},
): Promise<HeldConnections> {
  const count = options.connections ?? 1000;
  const rssBefore = await broker.rss();
  const links: RawClient[] = [];
  try {
    // Opened in waves, as a fleet of clients starts.
    for (let i = 0; i < count; i += 50) {
      const wave = await Promise.all(
        Array.from({ length: Math.min(50, count - i) }, () => RawClient.connect(broker.address)),
      );
      await Promise.all(wave.map((l, j) => roundTrip(l, i + j)));
      links.push(...wave);
    }
    const probed = await probe(broker.address, options.samples ?? 500);
    const rssHeld = await broker.rss();
    let served = 0;
    await Promise.all(links.map(async (l, i) => {
      await roundTrip(l, count + i);
      served++;
    }));
    return { connections: count, served, probe: probed, rssBefore, rssHeld };
  } finally {
    for (const l of links) l.close();
  }
}

/** Figures of {@linkcode slowSenders}. */
export interface SlowSenders {
  senders: number;
  /** Slow senders answered once their frames were whole. */
  answered: number;
  /** The probe's round trips while the senders trickled. */
  probe: Latency;
}

/**
 * `senders` connections send an ApiVersions frame one byte a second for `seconds`, then the rest at
 * once; a probe is served meanwhile, and each slow frame is answered when whole.
 *
 * @example
 * ```ts
 * await using broker = await startBrokerProcess();
 * const slow = await slowSenders(broker, { senders: 20, seconds: 5 });
 * console.log(slow.answered, slow.probe.p50);
 * ```
 */
export async function slowSenders(
  broker: BrokerProcess,
  options: { senders?: number; seconds?: number } = {},
): Promise<SlowSenders> {
  const count = options.senders ?? 50;
  const seconds = options.seconds ?? 10;
  const links = await Promise.all(
    Array.from({ length: count }, () => RawClient.connect(broker.address)),
  );
  try {
    let answered = 0;
    const trickling = Promise.all(links.map(async (l, i) => {
      const frame = apiVersionsFrame(i + 1);
      const slow = Math.min(seconds, frame.length - 1);
      for (let b = 0; b < slow; b++) {
        await l.send(frame.subarray(b, b + 1));
        await new Promise((r) => setTimeout(r, 1000));
      }
      const payload = await l.sendRaw(frame.subarray(slow));
      if (payload === null) throw new Error("the broker closed a slow sender's connection");
      const { header } = decodeResponseFrame(payload, ApiKey.ApiVersions, 3);
      if (header.correlationId === i + 1) answered++;
    }));
    // Probes keep going while the frames trickle in.
    const samples: Latency[] = [];
    let done = false;
    trickling.finally(() => (done = true));
    while (!done) {
      samples.push(await probe(broker.address, 20));
      await new Promise((r) => setTimeout(r, 200));
    }
    await trickling;
    return {
      senders: count,
      answered,
      probe: {
        p50: Math.max(...samples.map((s) => s.p50)),
        p99: Math.max(...samples.map((s) => s.p99)),
        max: Math.max(...samples.map((s) => s.max)),
      },
    };
  } finally {
    for (const l of links) l.close();
  }
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      connections: { type: "string", default: "1000" },
      "slow-senders": { type: "string", default: "50" },
      "slow-seconds": { type: "string", default: "10" },
    },
  });
  await using broker = await startBrokerProcess();
  const mib = (n: number) => (n / 1048576).toFixed(1);
  const ms = (l: Latency) => `p50 ${l.p50.toFixed(2)} ms, p99 ${l.p99.toFixed(2)} ms`;
  const held = await holdConnections(broker, { connections: Number(values.connections) });
  console.log(
    `${held.connections} connections held, ${held.served} served again; probe ${ms(held.probe)}; ` +
      `broker RSS ${mib(held.rssBefore)} -> ${mib(held.rssHeld)} MiB`,
  );
  const slow = await slowSenders(broker, {
    senders: Number(values["slow-senders"]),
    seconds: Number(values["slow-seconds"]),
  });
  console.log(
    `${slow.senders} senders at one byte a second, ${slow.answered} answered; probe ${
      ms(slow.probe)
    }`,
  );
}
