/**
 * Client metrics as Kafka's Java client names them (record-send-rate, fetch-latency-avg,
 * connection-count, ...), in the same groups and with the same tags (client-id, node-id, topic,
 * partition), plus a per-API request latency histogram with the broker's buckets. Rates, averages and
 * maxima are windowed as Java's are (two samples of 30 s); totals are cumulative.
 *
 * @module
 */

import { API_INFO, type HistogramSnapshot, LatencyHistogram } from "../codec/mod.ts";

/** Java's default metrics.sample.window.ms and metrics.num.samples. */
const WINDOW_MS = 30000;
const SAMPLES = 2;

/** One metric's value, as {@linkcode ClientMetrics.snapshot} lists it. */
export interface MetricValue {
  /** Java's metric group, e.g. "producer-metrics", "consumer-fetch-manager-metrics". */
  group: string;
  /** Java's metric name, e.g. "record-send-rate". */
  name: string;
  /** client-id, and node-id, topic or partition where Java has them. */
  tags: Record<string, string>;
  /** The reading. */
  value: number;
  /** Java's description of the metric. */
  description: string;
}

/** What `client.metrics()` returns. */
export interface ClientMetricsSnapshot {
  /** The client's client.id. */
  clientId: string;
  /** Every registered metric's reading. */
  metrics: MetricValue[];
  /** Request latency (sent to answered) by API name, in the broker's histogram buckets. */
  requestLatency: Record<string, HistogramSnapshot>;
}

/**
 * A windowed statistic: rate, average and maximum over the last two 30 s samples, and a total.
 *
 * @example
 * ```ts
 * import { Stat } from "@brook/kafka/client";
 * const s = new Stat();
 * s.record(3);
 * console.log(s.total, s.avg(Date.now()));
 * ```
 */
export class Stat {
  /** Sum of every recorded value. */
  total = 0;
  /** How many values were recorded. */
  count = 0;
  #start = new Float64Array(SAMPLES);
  #sum = new Float64Array(SAMPLES);
  #count = new Float64Array(SAMPLES);
  #max = new Float64Array(SAMPLES).fill(-Infinity);
  #current = 0;

  constructor() {
    this.#start[0] = Date.now();
  }

  /** Records a value (a record count, a byte count, a latency). */
  record(value: number, now: number = Date.now()): void {
    this.total += value;
    this.count++;
    let i = this.#current;
    if (now - this.#start[i] >= WINDOW_MS) {
      i = this.#current = (i + 1) % SAMPLES;
      this.#start[i] = now;
      this.#sum[i] = 0;
      this.#count[i] = 0;
      this.#max[i] = -Infinity;
    }
    this.#sum[i] += value;
    this.#count[i]++;
    if (value > this.#max[i]) this.#max[i] = value;
  }

  #live(i: number, now: number): boolean {
    return this.#count[i] > 0 && now - this.#start[i] < WINDOW_MS * SAMPLES;
  }

  /** Values per second over the samples (at least one full window, as Java's Rate). */
  rate(now: number = Date.now()): number {
    let sum = 0;
    let oldest = now;
    for (let i = 0; i < SAMPLES; i++) {
      if (!this.#live(i, now)) continue;
      sum += this.#sum[i];
      oldest = Math.min(oldest, this.#start[i]);
    }
    const elapsed = Math.max(now - oldest, WINDOW_MS * (SAMPLES - 1));
    return sum / (elapsed / 1000);
  }

  /** Recordings per second (e.g. requests per second when each records its size). */
  countRate(now: number = Date.now()): number {
    let n = 0;
    let oldest = now;
    for (let i = 0; i < SAMPLES; i++) {
      if (!this.#live(i, now)) continue;
      n += this.#count[i];
      oldest = Math.min(oldest, this.#start[i]);
    }
    return n / (Math.max(now - oldest, WINDOW_MS * (SAMPLES - 1)) / 1000);
  }

  /** The average over the samples; NaN when nothing was recorded in them, as Java. */
  avg(now: number = Date.now()): number {
    let sum = 0;
    let n = 0;
    for (let i = 0; i < SAMPLES; i++) {
      if (!this.#live(i, now)) continue;
      sum += this.#sum[i];
      n += this.#count[i];
    }
    return n === 0 ? NaN : sum / n;
  }

  /** The maximum over the samples; NaN when nothing was recorded in them, as Java. */
  max(now: number = Date.now()): number {
    let max = -Infinity;
    for (let i = 0; i < SAMPLES; i++) if (this.#live(i, now)) max = Math.max(max, this.#max[i]);
    return max === -Infinity ? NaN : max;
  }
}

interface Definition {
  group: string;
  name: string;
  tags: Record<string, string>;
  description: string;
  read: (now: number) => number;
}

/** Which readings of a {@linkcode Stat} to publish, by metric name. */
export interface StatNames {
  /** The name of the per-second rate of recorded values' sum (e.g. "byte-rate"). */
  rate?: string;
  /** The name of the per-second rate of recordings (e.g. "record-send-rate"). */
  countRate?: string;
  /** The name of the sum of recorded values since the start (e.g. "byte-total"). */
  total?: string;
  /** The name of the count of recordings since the start (e.g. "record-send-total"). */
  count?: string;
  /** The name of the average of values recorded in the window (e.g. "request-latency-avg"). */
  avg?: string;
  /** The name of the greatest value recorded in the window (e.g. "request-latency-max"). */
  max?: string;
}

/** Where a metric is published: Java's metric group and the tags beside client-id. */
export interface MetricPlace {
  /** Java's metric group, e.g. "producer-metrics". */
  group: string;
  /** Tags beside client-id (node-id, topic, partition); default none. */
  tags?: Record<string, string>;
}

/**
 * A client's metrics registry. Producers, consumers and connections register their statistics;
 * `snapshot()` reads them all.
 *
 * @example
 * ```ts
 * import { ClientMetrics, Stat } from "@brook/kafka/client";
 * const metrics = new ClientMetrics("my-app");
 * const sends = new Stat();
 * metrics.register(sends, {
 *   group: "producer-metrics",
 *   rate: "record-send-rate",
 *   total: "record-send-total",
 * });
 * sends.record(10);
 * console.log(metrics.value("record-send-total")); // 10
 * ```
 */
export class ClientMetrics {
  /** The client's client.id, a tag of every metric. */
  readonly clientId: string;
  #defs: Definition[] = [];
  #latency: (LatencyHistogram | undefined)[] = [];

  /** Creates an empty registry for the client `clientId`. */
  constructor(clientId: string) {
    this.clientId = clientId;
  }

  /** Publishes readings of `stat` under Java's names, in `group`, with extra `tags`. */
  register(stat: Stat, names: MetricPlace & StatNames): Stat {
    const { group, tags = {} } = names;
    const all = { "client-id": this.clientId, ...tags };
    const add = (name: string | undefined, description: string, read: (now: number) => number) => {
      if (name) this.#defs.push({ group, name, tags: all, description, read });
    };
    add(names.rate, "per second, over the last 30 to 60 s", (now) => stat.rate(now));
    add(names.countRate, "per second, over the last 30 to 60 s", (now) => stat.countRate(now));
    add(names.total, "total since the client started", () => stat.total);
    add(names.count, "count since the client started", () => stat.count);
    add(names.avg, "average over the last 30 to 60 s", (now) => stat.avg(now));
    add(names.max, "maximum over the last 30 to 60 s", (now) => stat.max(now));
    return stat;
  }

  /** Publishes a value read when the snapshot is taken (e.g. buffer-available-bytes). */
  gauge(read: (now: number) => number, place: MetricPlace & { name: string }): void {
    const { group, name, tags = {} } = place;
    this.#defs.push({
      group,
      name,
      tags: { "client-id": this.clientId, ...tags },
      description: "current value",
      read,
    });
  }

  /** Whether a metric with these tags is registered (per-node and per-partition metrics). */
  has(group: string, name: string, tags: Record<string, string>): boolean {
    return this.#defs.some((d) => d.group === group && d.name === name && sameTags(d.tags, tags));
  }

  /** Removes the metrics whose tags include `tags` (a partition no longer assigned). */
  remove(tags: Record<string, string>, group?: string): void {
    this.#defs = this.#defs.filter((d) =>
      !(sameTags(d.tags, tags) && (group === undefined || d.group === group))
    );
  }

  /** Changes a tag's value where it is `from` (a bootstrap connection's node, once its id is known). */
  retag(tag: string, from: string, to: string): void {
    for (const d of this.#defs) if (d.tags[tag] === from) d.tags = { ...d.tags, [tag]: to };
  }

  /** The request latency histogram of an API. */
  latency(apiKey: number): LatencyHistogram {
    return this.#latency[apiKey] ??= new LatencyHistogram();
  }

  /** Every metric's current value. */
  snapshot(): ClientMetricsSnapshot {
    const now = Date.now();
    const metrics = this.#defs.map((d) => ({
      group: d.group,
      name: d.name,
      tags: { ...d.tags },
      value: d.read(now),
      description: d.description,
    }));
    const requestLatency: Record<string, HistogramSnapshot> = {};
    this.#latency.forEach((h, key) => {
      if (h) {
        requestLatency[(API_INFO as readonly { name: string }[])[key]?.name ?? `ApiKey${key}`] = h
          .snapshot();
      }
    });
    return { clientId: this.clientId, metrics, requestLatency };
  }

  /** The value of the first metric named `name` whose tags include `tags` (NaN when none). */
  value(name: string, tags: Record<string, string> = {}): number {
    const now = Date.now();
    const d = this.#defs.find((d) =>
      d.name === name && Object.entries(tags).every(([k, v]) => d.tags[k] === v)
    );
    return d ? d.read(now) : NaN;
  }

  /** The latency histograms by API key, for Prometheus. */
  get latencies(): ReadonlyArray<LatencyHistogram | undefined> {
    return this.#latency;
  }
}

function sameTags(a: Record<string, string>, b: Record<string, string>): boolean {
  return Object.entries(b).every(([k, v]) => a[k] === v);
}

/**
 * A metrics snapshot in Prometheus' text exposition format (version 0.0.4): every metric as a gauge
 * named `kafka_<group>_<name>` (dashes as underscores), its tags as labels, and the request latency
 * histogram as `kafka_client_request_latency_seconds{api=...}`.
 *
 * @example
 * ```ts
 * import { KafkaClient, prometheusText } from "@brook/kafka/client";
 * const client = new KafkaClient({ bootstrapServers: "127.0.0.1:9092" });
 * Deno.serve({ port: 9464 }, () => new Response(prometheusText(client.metrics())));
 * ```
 */
export function prometheusText(snapshot: ClientMetricsSnapshot): string {
  const lines: string[] = [];
  const families = new Map<string, MetricValue[]>();
  for (const m of snapshot.metrics) {
    const name = `kafka_${m.group}_${m.name}`.replace(/[^a-zA-Z0-9_]/g, "_");
    const list = families.get(name) ?? [];
    list.push(m);
    families.set(name, list);
  }
  for (const [name, list] of families) {
    lines.push(`# HELP ${name} ${list[0].name}: ${list[0].description}.`, `# TYPE ${name} gauge`);
    for (const m of list) {
      const labels = Object.entries(m.tags)
        .map(([k, v]) => `${k.replace(/-/g, "_")}="${escapeLabel(v)}"`).join(",");
      lines.push(`${name}{${labels}} ${formatValue(m.value)}`);
    }
  }
  const histogram = "kafka_client_request_latency_seconds";
  const apis = Object.entries(snapshot.requestLatency);
  if (apis.length > 0) {
    lines.push(`# HELP ${histogram} Request sent to answer received, by API.`);
    lines.push(`# TYPE ${histogram} histogram`);
    const client = `client_id="${escapeLabel(snapshot.clientId)}"`;
    for (const [api, h] of apis) {
      for (const b of h.buckets) {
        const le = b.leMs === Infinity ? "+Inf" : String(b.leMs / 1000);
        lines.push(`${histogram}_bucket{${client},api="${api}",le="${le}"} ${b.count}`);
      }
      lines.push(`${histogram}_sum{${client},api="${api}"} ${h.sumMs / 1000}`);
      lines.push(`${histogram}_count{${client},api="${api}"} ${h.count}`);
    }
  }
  return lines.join("\n") + "\n";
}

function formatValue(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Infinity) return "+Inf";
  if (v === -Infinity) return "-Inf";
  return String(v);
}

function escapeLabel(v: string): string {
  return v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}
