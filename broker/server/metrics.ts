/**
 * Request metrics of Brook's broker: per-API request, error and byte counts, and latency histograms
 * of the three phases Kafka's RequestChannel metrics split a request into: queue time (frame received
 * to handler start), handling time, and response send time. Recording costs a few additions and no
 * allocation per request; slow requests are reported through a callback.
 *
 * @module
 */

import { API_INFO, errorInfo } from "../../codec/mod.ts";
import {
  type HistogramSnapshot,
  LatencyHistogram as Histogram,
} from "../../codec/metrics/latency_histogram.ts";
import type { Cluster } from "../metadata/cluster.ts";
import { clusterPrometheus } from "./cluster_prometheus.ts";
import type { Interceptor } from "./interceptor.ts";
import { TopicTraffic } from "./topic_traffic.ts";

export {
  type HistogramSnapshot,
  LATENCY_BUCKETS_MS,
} from "../../codec/metrics/latency_histogram.ts";

/**
 * The timestamps and facts of one request as it goes through a connection. Each connection owns one
 * and reuses it for every request, so that recording allocates nothing.
 */
export class RequestTiming {
  /** performance.now() when the frame's last bytes were read. */
  received = 0;
  /** When the dispatcher started the handler (after decoding). */
  started = 0;
  /** When the handler (and any interceptor) answered. */
  handled = 0;
  /** When the response was written (or dropped). */
  sent = 0;
  /** The API key, or -1 for a frame refused before its key was known. */
  apiKey = -1;
  apiVersion = -1;
  clientId: string | null = null;
  /** The first non-zero error code of the response, 0 when none. */
  errorCode = 0;
  bytesIn = 0;
  bytesOut = 0;

  /** Forgets the previous request. */
  reset(received: number, bytesIn: number): void {
    this.received = received;
    this.started = received;
    this.handled = received;
    this.sent = received;
    this.apiKey = -1;
    this.apiVersion = -1;
    this.clientId = null;
    this.errorCode = 0;
    this.bytesIn = bytesIn;
    this.bytesOut = 0;
  }
}

/** A slow request, as {@linkcode BrokerMetricsOptions.onSlowRequest} receives it. */
export interface SlowRequest {
  /** The node that served it. */
  nodeId: number;
  /** The API key of the request. */
  apiKey: number;
  /** Kafka's name of the API, e.g. "Fetch". */
  apiName: string;
  /** The request's version. */
  apiVersion: number;
  /** The client.id in the request header, or null. */
  clientId: string | null;
  /** The connection's id, as Kafka's request log names it (local address, remote address, index). */
  connectionId: string;
  /** Received to taken up by the handler, in milliseconds (Kafka's RequestQueueTimeMs). */
  queueMs: number;
  /** Time in the handler, in milliseconds (Kafka's LocalTimeMs). */
  handleMs: number;
  /** Answer ready to written, in milliseconds (Kafka's ResponseSendTimeMs). */
  sendMs: number;
  /** Received to written, in milliseconds (Kafka's TotalTimeMs). */
  totalMs: number;
}

/** Options of {@linkcode BrokerMetrics}. */
export interface BrokerMetricsOptions {
  /** Requests taking at least this long, received to sent, are reported. Default: none are. */
  slowRequestMs?: number;
  /** Receives slow requests; default a console.warn line. */
  onSlowRequest?: (request: SlowRequest) => void;
}

/** One API's metrics. */
export interface ApiMetricsSnapshot {
  /** The API key. */
  apiKey: number;
  /** Requests served. */
  requests: number;
  /** Responses carrying a non-zero error code. */
  errors: number;
  /** Error responses by the name of their (first) error code. */
  errorCodes: Record<string, number>;
  /** Request bytes received. */
  bytesIn: number;
  /** Response bytes sent. */
  bytesOut: number;
  /** Queue times (Kafka's RequestQueueTimeMs). */
  queueMs: HistogramSnapshot;
  /** Handler times (Kafka's LocalTimeMs). */
  handleMs: HistogramSnapshot;
  /** Send times (Kafka's ResponseSendTimeMs). */
  sendMs: HistogramSnapshot;
  /** Total times, received to written (Kafka's TotalTimeMs). */
  totalMs: HistogramSnapshot;
}

/** What {@linkcode BrokerMetrics.snapshot} (and `broker.metrics()`) returns. */
export interface MetricsSnapshot {
  /** By API name ("Produce", "Fetch", ...), only APIs that were requested. */
  apis: Record<string, ApiMetricsSnapshot>;
  /** Open connections, connections accepted, by node id. */
  connections: Record<number, { open: number; accepted: number }>;
  /** Frames refused by closing the connection (bad size, unknown API, undecodable). */
  refusedFrames: number;
}

class ApiStats {
  requests = 0;
  errors = 0;
  bytesIn = 0;
  bytesOut = 0;
  readonly errorCodes = new Map<number, number>();
  readonly queue = new Histogram();
  readonly handle = new Histogram();
  readonly send = new Histogram();
  readonly total = new Histogram();
}

interface NodeStats {
  open: number;
  accepted: number;
}

/**
 * The broker's request metrics.
 *
 * @example
 * ```ts
 * import { Broker } from "@brook/kafka/broker";
 * await using broker = await Broker.start();
 * // ...clients send requests...
 * const produce = broker.metrics().apis.Produce;
 * console.log(produce?.requests, produce?.handleMs.p99Ms);
 * ```
 */
export class BrokerMetrics {
  readonly #apis: (ApiStats | undefined)[] = [];
  readonly #nodes = new Map<number, NodeStats>();
  readonly #slowMs: number;
  readonly #onSlow: (request: SlowRequest) => void;
  #refused = 0;
  #cluster: Cluster | undefined;
  #traffic: TopicTraffic | undefined;

  constructor(options: BrokerMetricsOptions = {}) {
    this.#slowMs = options.slowRequestMs ?? Infinity;
    this.#onSlow = options.onSlowRequest ?? warnSlowRequest;
  }

  /** Records one request whose response was sent (or withheld). */
  record(t: RequestTiming, nodeId: number, connectionId: string): void {
    const key = t.apiKey;
    if (key < 0) {
      this.#refused++;
      return;
    }
    const stats = this.#apis[key] ??= new ApiStats();
    stats.requests++;
    stats.bytesIn += t.bytesIn;
    stats.bytesOut += t.bytesOut;
    if (t.errorCode !== 0) {
      stats.errors++;
      stats.errorCodes.set(t.errorCode, (stats.errorCodes.get(t.errorCode) ?? 0) + 1);
    }
    const queue = t.started - t.received;
    const handle = t.handled - t.started;
    const send = t.sent - t.handled;
    const total = t.sent - t.received;
    stats.queue.observe(queue);
    stats.handle.observe(handle);
    stats.send.observe(send);
    stats.total.observe(total);
    if (total >= this.#slowMs) {
      this.#onSlow({
        nodeId,
        apiKey: key,
        apiName: API_INFO[key]?.name ?? `ApiKey${key}`,
        apiVersion: t.apiVersion,
        clientId: t.clientId,
        connectionId,
        queueMs: queue,
        handleMs: handle,
        sendMs: send,
        totalMs: total,
      });
    }
  }

  /**
   * Adds the cluster's state (partition offsets and log sizes, consumer group lag) to
   * {@linkcode BrokerMetrics.prometheus}; with `interceptors` (the broker's chain), also bytes and
   * records in and out per partition, counted by an interceptor put first in the chain.
   *
   * @example
   * ```ts
   * import { Cluster } from "../metadata/cluster.ts";
   * import { BrokerMetrics } from "./metrics.ts";
   * const metrics = new BrokerMetrics();
   * metrics.attach(new Cluster());
   * console.log(metrics.prometheus().includes("brook_topic_log_size_bytes")); // true
   * ```
   */
  attach(cluster: Cluster, options: { interceptors?: Interceptor[] } = {}): void {
    this.#cluster = cluster;
    if (options.interceptors) {
      this.#traffic = new TopicTraffic(cluster);
      options.interceptors.unshift(this.#traffic.intercept);
    }
  }

  /** Counts a frame refused by closing its connection. */
  refused(): void {
    this.#refused++;
  }

  /** Counts a connection opening (+1) or closing (-1) on a node. */
  connection(nodeId: number, delta: 1 | -1): void {
    let stats = this.#nodes.get(nodeId);
    if (!stats) this.#nodes.set(nodeId, stats = { open: 0, accepted: 0 });
    stats.open += delta;
    if (delta > 0) stats.accepted++;
  }

  /** The metrics as a plain object. */
  snapshot(): MetricsSnapshot {
    const apis: Record<string, ApiMetricsSnapshot> = {};
    this.#apis.forEach((s, key) => {
      if (!s) return;
      apis[API_INFO[key]?.name ?? `ApiKey${key}`] = {
        apiKey: key,
        requests: s.requests,
        errors: s.errors,
        errorCodes: Object.fromEntries(
          [...s.errorCodes].map(([code, n]) => [errorInfo(code).name, n]),
        ),
        bytesIn: s.bytesIn,
        bytesOut: s.bytesOut,
        queueMs: s.queue.snapshot(),
        handleMs: s.handle.snapshot(),
        sendMs: s.send.snapshot(),
        totalMs: s.total.snapshot(),
      };
    });
    const connections: Record<number, NodeStats> = {};
    for (const [id, s] of this.#nodes) connections[id] = { ...s };
    return { apis, connections, refusedFrames: this.#refused };
  }

  /** The metrics in Prometheus' text exposition format (version 0.0.4); latencies in seconds. */
  prometheus(): string {
    const lines: string[] = [];
    const family = (name: string, type: string, help: string) => {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    };
    const apis = [...this.#apis.entries()].filter((e): e is [number, ApiStats] => !!e[1]);
    const label = (key: number) => `api="${API_INFO[key]?.name ?? `ApiKey${key}`}"`;

    family("brook_requests_total", "counter", "Requests answered, by API.");
    for (const [k, s] of apis) lines.push(`brook_requests_total{${label(k)}} ${s.requests}`);
    family(
      "brook_request_errors_total",
      "counter",
      "Responses carrying a non-zero error code, by API and (first) error.",
    );
    for (const [k, s] of apis) {
      for (const [code, n] of s.errorCodes) {
        lines.push(`brook_request_errors_total{${label(k)},error="${errorInfo(code).name}"} ${n}`);
      }
    }
    family("brook_request_bytes_total", "counter", "Request and response bytes, by API.");
    for (const [k, s] of apis) {
      lines.push(`brook_request_bytes_total{${label(k)},direction="in"} ${s.bytesIn}`);
      lines.push(`brook_request_bytes_total{${label(k)},direction="out"} ${s.bytesOut}`);
    }
    const histograms: [string, string, (s: ApiStats) => Histogram][] = [
      ["brook_request_queue_seconds", "Frame received to handler start.", (s) => s.queue],
      ["brook_request_handle_seconds", "Handler start to response ready.", (s) => s.handle],
      ["brook_response_send_seconds", "Response ready to written.", (s) => s.send],
      ["brook_request_total_seconds", "Frame received to response written.", (s) => s.total],
    ];
    for (const [name, help, pick] of histograms) {
      family(name, "histogram", help);
      for (const [k, s] of apis) lines.push(...pick(s).prometheusLines(name, label(k)));
    }
    family(
      "brook_request_latency_seconds",
      "summary",
      "Frame received to response written, by API: quantiles since start (bucket upper bounds, at most the slowest seen).",
    );
    for (const [k, s] of apis) {
      const snap = s.total.snapshot();
      for (const q of QUANTILES) {
        lines.push(
          `brook_request_latency_seconds{${label(k)},quantile="${q}"} ${
            quantileMs(snap, q) / 1000
          }`,
        );
      }
      lines.push(`brook_request_latency_seconds_sum{${label(k)}} ${snap.sumMs / 1000}`);
      lines.push(`brook_request_latency_seconds_count{${label(k)}} ${snap.count}`);
    }
    family("brook_connections", "gauge", "Open client connections, by node.");
    for (const [id, s] of this.#nodes) lines.push(`brook_connections{node="${id}"} ${s.open}`);
    family("brook_connections_accepted_total", "counter", "Connections accepted, by node.");
    for (const [id, s] of this.#nodes) {
      lines.push(`brook_connections_accepted_total{node="${id}"} ${s.accepted}`);
    }
    family("brook_refused_frames_total", "counter", "Frames refused by closing the connection.");
    lines.push(`brook_refused_frames_total ${this.#refused}`);
    const text = lines.join("\n") + "\n";
    const cluster = this.#cluster ? clusterPrometheus(this.#cluster) : "";
    return text + cluster + (this.#traffic?.prometheus() ?? "");
  }
}

/** The quantiles of request latency on the Prometheus endpoint. */
const QUANTILES = [0.5, 0.95, 0.99];

/** The `q` quantile of a histogram: the upper bound of the bucket it falls in (its max past them). */
function quantileMs(h: HistogramSnapshot, q: number): number {
  if (h.count === 0) return 0;
  const rank = q * h.count;
  for (const b of h.buckets) {
    if (b.count >= rank) return Number.isFinite(b.leMs) ? Math.min(b.leMs, h.maxMs) : h.maxMs;
  }
  return h.maxMs;
}

function warnSlowRequest(r: SlowRequest): void {
  const ms = (v: number) => v.toFixed(1);
  console.warn(
    `Brook broker: slow request ${r.apiName} v${r.apiVersion} from client '${r.clientId}' ` +
      `(node ${r.nodeId}, ${r.connectionId}): total ${ms(r.totalMs)} ms = queue ${ms(r.queueMs)} ` +
      `+ handle ${ms(r.handleMs)} + send ${ms(r.sendMs)}`,
  );
}

/**
 * The first non-zero error code in a response body, looking at `errorCode`-like fields of the body and
 * of the elements of its arrays; 0 when there is none.
 */
export function firstErrorCode(body: unknown): number {
  if (typeof body !== "object" || body === null) return 0;
  const o = body as Record<string, unknown>;
  for (const k in o) {
    const v = o[k];
    if (typeof v === "number") {
      if (v !== 0 && (k === "errorCode" || k.endsWith("ErrorCode"))) return v;
    } else if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        const e = v[i];
        if (typeof e === "object" && e !== null && !(e instanceof Uint8Array)) {
          const code = firstErrorCode(e);
          if (code !== 0) return code;
        }
      }
    }
  }
  return 0;
}

/** Serves `/metrics` in Prometheus' format on `hostname` (default 127.0.0.1: loopback only). */
export function serveMetrics(
  metrics: BrokerMetrics,
  hostname: string | undefined,
  port: number,
): Deno.HttpServer<Deno.NetAddr> {
  return Deno.serve({ hostname: hostname ?? "127.0.0.1", port, onListen: () => {} }, (req) => {
    const path = new URL(req.url).pathname;
    if (path !== "/metrics" && path !== "/") return new Response("not found\n", { status: 404 });
    return new Response(metrics.prometheus(), {
      headers: { "content-type": "text/plain; version=0.0.4; charset=utf-8" },
    });
  });
}
