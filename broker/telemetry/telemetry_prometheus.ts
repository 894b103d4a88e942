/**
 * The metrics clients pushed (KIP-714) in Prometheus' text format, on the broker's metrics port:
 * one sample per data point, named by Kafka's telemetry name and labelled with the client instance,
 * the client id and the data point's attributes.
 *
 * @module
 */

import type { ClientTelemetryReport } from "./client_telemetry.ts";

const escape = (v: string) => v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
/** Attribute names as Prometheus labels: letters, digits and underscores, not starting with a digit. */
const label = (k: string) => `attr_${k.replace(/[^a-zA-Z0-9_]/g, "_")}`;

/**
 * Exposition lines for the latest pushed metrics (empty text when there are none).
 *
 * @example
 * ```ts
 * import { telemetryPrometheus } from "./telemetry_prometheus.ts";
 * console.log(telemetryPrometheus([]) === ""); // true
 * ```
 */
export function telemetryPrometheus(reports: readonly ClientTelemetryReport[]): string {
  if (reports.length === 0) return "";
  const name = "brook_client_telemetry";
  const lines = [
    `# HELP ${name} The latest value of each metric a client pushed (KIP-714), by its Kafka name.`,
    `# TYPE ${name} gauge`,
  ];
  for (const r of reports) {
    for (const m of r.metrics) {
      const labels = [
        `client_instance_id="${escape(r.clientInstanceId)}"`,
        `client_id="${escape(r.clientId ?? "")}"`,
        `metric="${escape(m.name)}"`,
        ...Object.entries(m.attributes).map(([k, v]) => `${label(k)}="${escape(v)}"`),
      ];
      const value = Number.isFinite(m.value)
        ? String(m.value)
        : m.value > 0
        ? "+Inf"
        : m.value < 0
        ? "-Inf"
        : "NaN";
      lines.push(`${name}{${labels.join(",")}} ${value}`);
    }
  }
  return lines.join("\n") + "\n";
}
