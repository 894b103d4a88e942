/**
 * KIP-714 on the client side, as Java's `enable.metrics.push` does it: once connected, the client
 * asks a broker that advertises GetTelemetrySubscriptions for its subscription (the broker assigns
 * the client instance id), pushes the metrics it asks for on its interval (the first push after
 * 0.5 to 1.5 intervals, so that clients started together spread out), compressed with the first
 * compression the broker accepts, and sends a terminating push when it closes. Errors follow
 * Java's rules: UNKNOWN_SUBSCRIPTION_ID and UNSUPPORTED_COMPRESSION_TYPE ask again at once,
 * THROTTLING_QUOTA_EXCEEDED and TELEMETRY_TOO_LARGE wait an interval, INVALID_REQUEST,
 * INVALID_RECORD, UNSUPPORTED_VERSION and the rest turn telemetry off.
 *
 * @module
 */

import { ApiKey, compress, type CompressionCodec, ErrorCode, ZERO_UUID } from "../../codec/mod.ts";
import type { KafkaConnection } from "../network/connection.ts";
import type { ClientMetricsSnapshot } from "../metrics.ts";
import type { LogLevel } from "../instrumentation.ts";
import { selector, TelemetryCollector } from "./telemetry_metrics.ts";
import { TELEMETRY_CLOSE_TIMEOUT_MS } from "../defaults.ts";

/** Java's default push interval, used when the broker gives none. */
const DEFAULT_PUSH_INTERVAL_MS = 300_000;
/** Compressions Brook's client can write, by Kafka id. */
const WRITABLE = new Set([0, 1, 2, 3, 4]);

/** What the sender needs of its client. */
export interface TelemetryHost {
  /** A connection to a broker (the one telemetry requests go to). */
  connection(): Promise<KafkaConnection>;
  /** The client's metrics now. */
  metrics(): ClientMetricsSnapshot;
  /** Logs through the client's logger. */
  log(level: LogLevel, message: string, fields?: Record<string, unknown>): void;
}

interface Subscription {
  id: number;
  intervalMs: number;
  compression: number;
  delta: boolean;
  maxBytes: number;
  select: (name: string) => boolean;
  wantsMetrics: boolean;
}

/** Java's wait after a telemetry error; Infinity turns telemetry off. */
export function errorIntervalMs(errorCode: number, intervalMs: number): number {
  switch (errorCode) {
    case ErrorCode.UNKNOWN_SUBSCRIPTION_ID:
    case ErrorCode.UNSUPPORTED_COMPRESSION_TYPE:
      return 0;
    case ErrorCode.TELEMETRY_TOO_LARGE:
    case ErrorCode.THROTTLING_QUOTA_EXCEEDED:
      return intervalMs >= 0 ? intervalMs : DEFAULT_PUSH_INTERVAL_MS;
    default:
      return Infinity;
  }
}

/**
 * Pushes a client's metrics to the brokers that take them (KIP-714).
 *
 * @example
 * ```ts
 * import { KafkaClient } from "@brook/kafka/client";
 * // Every client runs one unless enableMetricsPush is false; it reports its instance id:
 * const client = new KafkaClient({ bootstrapServers: "127.0.0.1:9092" });
 * console.log(client.clientInstanceId); // undefined until a broker assigned one
 * ```
 */
export class TelemetrySender {
  readonly #host: TelemetryHost;
  readonly #collector: TelemetryCollector;
  #instanceId = ZERO_UUID;
  #subscription: Subscription | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #step: Promise<void> | undefined;
  #started = false;
  #stopped = false;

  /** `resource`: the OTLP resource's attributes (client_rack, group_id, transactional_id). */
  constructor(host: TelemetryHost, resource: Record<string, string>) {
    this.#host = host;
    this.#collector = new TelemetryCollector(resource);
  }

  /** The client instance id the broker assigned, once it did. */
  get clientInstanceId(): string | undefined {
    return this.#instanceId === ZERO_UUID ? undefined : this.#instanceId;
  }

  /** Starts asking for a subscription (once; later calls do nothing). */
  start(): void {
    if (this.#started || this.#stopped) return;
    this.#started = true;
    this.#schedule(0);
  }

  #schedule(ms: number): void {
    if (this.#stopped || !Number.isFinite(ms)) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#step = this.#run().finally(() => this.#step = undefined);
    }, ms);
    // Telemetry alone never keeps a program running.
    Deno.unrefTimer(this.#timer);
  }

  async #run(): Promise<void> {
    let conn: KafkaConnection;
    try {
      conn = await this.#host.connection();
    } catch {
      this.#subscription = undefined;
      return this.#schedule(DEFAULT_PUSH_INTERVAL_MS);
    }
    const v = conn.brokerVersions;
    if (!v.has(ApiKey.GetTelemetrySubscriptions) || !v.has(ApiKey.PushTelemetry)) {
      this.#host.log("debug", "the broker takes no client telemetry", { broker: conn.address });
      return;
    }
    try {
      if (this.#subscription?.wantsMetrics) await this.#push(conn, false);
      else await this.#subscribe(conn);
    } catch (e) {
      if (this.#stopped) return;
      this.#host.log("debug", "client telemetry request failed", { error: e });
      const interval = this.#subscription?.intervalMs ?? DEFAULT_PUSH_INTERVAL_MS;
      this.#subscription = undefined;
      this.#schedule(interval);
    }
  }

  async #subscribe(conn: KafkaConnection): Promise<void> {
    const previous = this.#subscription;
    const answer = await conn.request(ApiKey.GetTelemetrySubscriptions, {
      clientInstanceId: this.#instanceId,
    });
    if (this.#stopped) return;
    if (answer.errorCode !== ErrorCode.NONE) {
      this.#subscription = undefined;
      return this.#schedule(errorIntervalMs(answer.errorCode, previous?.intervalMs ?? -1));
    }
    this.#instanceId = answer.clientInstanceId;
    if (previous && previous.delta !== answer.deltaTemporality) this.#collector.reset();
    const intervalMs = answer.pushIntervalMs > 0 ? answer.pushIntervalMs : DEFAULT_PUSH_INTERVAL_MS;
    const compression = answer.acceptedCompressionTypes.find((c) => WRITABLE.has(c)) ?? 0;
    this.#subscription = {
      id: answer.subscriptionId,
      intervalMs,
      compression,
      delta: answer.deltaTemporality,
      maxBytes: answer.telemetryMaxBytes,
      select: selector(answer.requestedMetrics),
      wantsMetrics: answer.requestedMetrics.length > 0,
    };
    this.#host.log("debug", "client telemetry subscription", {
      clientInstanceId: this.#instanceId,
      requestedMetrics: answer.requestedMetrics,
      pushIntervalMs: intervalMs,
    });
    if (!this.#subscription.wantsMetrics) return this.#schedule(intervalMs);
    // The first push comes after 0.5 to 1.5 intervals, as Java staggers it.
    const first = previous === undefined;
    this.#schedule(first ? Math.round((0.5 + Math.random()) * intervalMs) : intervalMs);
  }

  async #push(conn: KafkaConnection, terminating: boolean): Promise<void> {
    const sub = this.#subscription!;
    const payload = this.#collector.collect(this.#host.metrics(), {
      select: sub.select,
      delta: sub.delta,
    });
    const answer = await conn.request(ApiKey.PushTelemetry, {
      clientInstanceId: this.#instanceId,
      subscriptionId: sub.id,
      terminating,
      compressionType: sub.compression,
      metrics: compress(sub.compression as CompressionCodec, payload),
    });
    if (terminating || this.#stopped) return;
    if (answer.errorCode !== ErrorCode.NONE) {
      this.#subscription = undefined;
      return this.#schedule(errorIntervalMs(answer.errorCode, sub.intervalMs));
    }
    this.#schedule(sub.intervalMs);
  }

  /** Stops pushing; sends the terminating push first when a subscription asks for metrics. */
  async close(timeoutMs: number = TELEMETRY_CLOSE_TIMEOUT_MS): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    clearTimeout(this.#timer);
    // Without a subscription that wants metrics there is nothing to say; a step in flight ends alone.
    if (!this.#subscription?.wantsMetrics) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<void>((resolve) => timer = setTimeout(resolve, timeoutMs));
    try {
      await Promise.race([this.#step, deadline]);
      if (!this.#subscription?.wantsMetrics) return;
      const terminating = this.#host.connection().then((conn) => this.#push(conn, true));
      await Promise.race([
        terminating.catch((e) => {
          this.#host.log("debug", "terminating telemetry push failed", { error: e });
        }),
        deadline,
      ]);
    } finally {
      clearTimeout(timer);
    }
  }
}
