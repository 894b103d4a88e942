/**
 * A client's metrics as KIP-714 pushes them: Kafka's telemetry names (`org.apache.kafka.` then the
 * group without its `-metrics` suffix and the name, dashes as dots: `record-send-total` of
 * `producer-metrics` is `org.apache.kafka.producer.record.send.total`), tags as attributes (dashes
 * as underscores, client-id left out as Java leaves it out), totals as monotonic sums (deltas since
 * the last push when the broker asks for delta temporality) and everything else as gauges, each
 * metric under its own resource, as Java's client sends them.
 *
 * @module
 */

import type { ClientMetricsSnapshot } from "../metrics.ts";
import { encodeMetricsData, type OtlpResourceMetrics } from "../../codec/telemetry/otlp.ts";

/**
 * Kafka's telemetry name of a Java metric.
 *
 * @example
 * ```ts
 * import { telemetryName } from "./telemetry_metrics.ts";
 * console.log(telemetryName("producer-node-metrics", "request-latency-avg"));
 * // "org.apache.kafka.producer.node.request.latency.avg"
 * ```
 */
export function telemetryName(group: string, name: string): string {
  const clean = (s: string) => s.toLowerCase().replaceAll("-", ".");
  return `org.apache.kafka.${clean(group).replace(/\.(metrics)/g, "")}.${clean(name)}`;
}

/** Which metrics a subscription asks for: none, all (`*`), or those named with a prefix. */
export function selector(requested: readonly string[]): (name: string) => boolean {
  if (requested.length === 0) return () => false;
  if (requested.length === 1 && requested[0] === "*") return () => true;
  return (name) => requested.some((prefix) => name.startsWith(prefix));
}

/**
 * Turns snapshots into OTLP payloads, remembering each total's last value for delta sums.
 *
 * @example
 * ```ts
 * import { TelemetryCollector } from "./telemetry_metrics.ts";
 * import { ClientMetrics, Stat } from "../metrics.ts";
 * const metrics = new ClientMetrics("app");
 * metrics.register("producer-metrics", new Stat(), { total: "record-send-total" });
 * const collector = new TelemetryCollector({});
 * const bytes = collector.collect(metrics.snapshot(), { select: () => true, delta: true });
 * ```
 */
export class TelemetryCollector {
  readonly #resource: Record<string, string>;
  readonly #last = new Map<string, { value: number; at: bigint }>();
  readonly #started = BigInt(Date.now()) * 1_000_000n;

  /** `resource`: the OTLP resource's attributes (client_rack, group_id, transactional_id). */
  constructor(resource: Record<string, string>) {
    this.#resource = resource;
  }

  /** Forgets the last values (the broker changed its temporality). */
  reset(): void {
    this.#last.clear();
  }

  /** The selected metrics of `snapshot` as an OTLP MetricsData message. */
  collect(
    snapshot: ClientMetricsSnapshot,
    options: { select: (name: string) => boolean; delta: boolean; now?: number },
  ): Uint8Array {
    const now = BigInt(options.now ?? Date.now()) * 1_000_000n;
    const resources: OtlpResourceMetrics[] = [];
    for (const m of snapshot.metrics) {
      const name = telemetryName(m.group, m.name);
      if (!options.select(name) || !Number.isFinite(m.value)) continue;
      const attributes: Record<string, string> = {};
      for (const [k, v] of Object.entries(m.tags)) {
        if (k !== "client-id") attributes[k.replaceAll("-", "_")] = v;
      }
      const sum = m.name.endsWith("-total");
      let value = m.value, start = this.#started;
      if (sum && options.delta) {
        const key = `${name}\u0000${JSON.stringify(attributes)}`;
        const last = this.#last.get(key);
        this.#last.set(key, { value: m.value, at: now });
        if (last) {
          value = m.value - last.value;
          start = last.at;
        }
      }
      resources.push({
        resource: this.#resource,
        scope: { name: "", version: "" },
        metrics: [{
          name,
          description: "",
          unit: "",
          kind: sum ? "sum" : "gauge",
          ...(sum ? { temporality: options.delta ? "delta" : "cumulative", monotonic: true } : {}),
          dataPoints: [{
            attributes,
            startTimeUnixNano: sum ? start : 0n,
            timeUnixNano: now,
            value,
          }],
        }],
      });
    }
    return encodeMetricsData(resources);
  }
}
