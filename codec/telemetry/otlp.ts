/**
 * OpenTelemetry's OTLP `MetricsData` (opentelemetry/proto/metrics/v1), the payload of KIP-714's
 * PushTelemetry: gauges and sums of number data points with their attributes, under a resource.
 * Histograms, exponential histograms and summaries are skipped when read (Kafka's clients send
 * none).
 *
 * @module
 */

import { fieldDouble, fieldText, type ProtoField, ProtoWriter, readFields } from "./protobuf.ts";

/** An attribute value: OTLP's string, bool, int (bigint), double. */
export type OtlpValue = string | boolean | bigint | number;

/** One number data point. */
export interface OtlpDataPoint {
  attributes: Record<string, OtlpValue>;
  /** Start of the interval (sums), nanoseconds since the epoch; 0n when absent. */
  startTimeUnixNano: bigint;
  timeUnixNano: bigint;
  /** A double (`as_double`) or an integer (`as_int`, a bigint). */
  value: number | bigint;
}

/** One metric: a gauge, or a sum with its temporality. */
export interface OtlpMetric {
  name: string;
  description: string;
  unit: string;
  kind: "gauge" | "sum";
  /** Sums only: delta or cumulative, and whether they only grow. */
  temporality?: "delta" | "cumulative";
  monotonic?: boolean;
  dataPoints: OtlpDataPoint[];
}

/** Metrics under one resource and one instrumentation scope. */
export interface OtlpResourceMetrics {
  resource: Record<string, OtlpValue>;
  scope: { name: string; version: string };
  metrics: OtlpMetric[];
}

const TEMPORALITY = { delta: 1, cumulative: 2 } as const;

function writeAttributes(w: ProtoWriter, field: number, attrs: Record<string, OtlpValue>): void {
  for (const [key, value] of Object.entries(attrs)) {
    w.message(field, (kv) => {
      kv.string(1, key);
      kv.message(2, (any) => {
        if (typeof value === "string") any.bytes(1, new TextEncoder().encode(value));
        else if (typeof value === "boolean") any.varint(2, value ? 1 : 0);
        else if (typeof value === "bigint") any.varint(3, value);
        else any.double(4, value);
      });
    });
  }
}

/**
 * Encodes metrics as an OTLP `MetricsData` message.
 *
 * @example
 * ```ts
 * import { encodeMetricsData } from "./otlp.ts";
 * const bytes = encodeMetricsData([{
 *   resource: { "client_id": "app" },
 *   scope: { name: "brook", version: "" },
 *   metrics: [{
 *     name: "org.apache.kafka.producer.record.send.total", description: "", unit: "",
 *     kind: "sum", temporality: "delta", monotonic: true,
 *     dataPoints: [{ attributes: {}, startTimeUnixNano: 0n, timeUnixNano: 1n, value: 3 }],
 *   }],
 * }]);
 * ```
 */
export function encodeMetricsData(resources: readonly OtlpResourceMetrics[]): Uint8Array {
  const w = new ProtoWriter();
  for (const rm of resources) {
    w.message(1, (r) => {
      r.message(1, (res) => writeAttributes(res, 1, rm.resource));
      r.message(2, (sm) => {
        sm.message(1, (scope) => {
          scope.string(1, rm.scope.name);
          scope.string(2, rm.scope.version);
        });
        for (const m of rm.metrics) sm.message(2, (mw) => writeMetric(mw, m));
      });
    });
  }
  return w.finish();
}

function writeMetric(w: ProtoWriter, m: OtlpMetric): void {
  w.string(1, m.name);
  w.string(2, m.description);
  w.string(3, m.unit);
  w.message(m.kind === "gauge" ? 5 : 7, (data) => {
    for (const p of m.dataPoints) {
      data.message(1, (pw) => {
        pw.fixed64(2, p.startTimeUnixNano);
        pw.fixed64(3, p.timeUnixNano);
        if (typeof p.value === "bigint") pw.fixed64(6, p.value);
        else pw.double(4, p.value);
        writeAttributes(pw, 7, p.attributes);
      });
    }
    if (m.kind === "sum") {
      data.varint(2, TEMPORALITY[m.temporality ?? "cumulative"]);
      data.varint(3, m.monotonic ?? false);
    }
  });
}

const fieldsOf = (fields: ProtoField[], n: number) => fields.filter((f) => f.field === n);

function readAttributes(fields: ProtoField[], n: number): Record<string, OtlpValue> {
  const out: Record<string, OtlpValue> = {};
  for (const kv of fieldsOf(fields, n)) {
    const parts = readFields(kv.bytes);
    const key = fieldsOf(parts, 1).map(fieldText).at(-1) ?? "";
    const any = fieldsOf(parts, 2).at(-1);
    if (!any) continue;
    const v = readFields(any.bytes).at(-1);
    if (!v) continue;
    if (v.field === 1) out[key] = fieldText(v);
    else if (v.field === 2) out[key] = v.int !== 0n;
    else if (v.field === 3) out[key] = BigInt.asIntN(64, v.int);
    else if (v.field === 4) out[key] = fieldDouble(v);
  }
  return out;
}

/**
 * Decodes an OTLP `MetricsData` message; throws a RangeError or TypeError on malformed bytes.
 *
 * @example
 * ```ts
 * import { decodeMetricsData, encodeMetricsData } from "./otlp.ts";
 * const back = decodeMetricsData(encodeMetricsData([]));
 * console.log(back.length); // 0
 * ```
 */
export function decodeMetricsData(bytes: Uint8Array): OtlpResourceMetrics[] {
  const out: OtlpResourceMetrics[] = [];
  for (const rmField of fieldsOf(readFields(bytes), 1)) {
    const rm = readFields(rmField.bytes);
    const resourceBytes = fieldsOf(rm, 1).at(-1);
    const resource = resourceBytes ? readAttributes(readFields(resourceBytes.bytes), 1) : {};
    for (const smField of fieldsOf(rm, 2)) {
      const sm = readFields(smField.bytes);
      const scopeField = fieldsOf(sm, 1).at(-1);
      const scopeParts = scopeField ? readFields(scopeField.bytes) : [];
      const scope = {
        name: fieldsOf(scopeParts, 1).map(fieldText).at(-1) ?? "",
        version: fieldsOf(scopeParts, 2).map(fieldText).at(-1) ?? "",
      };
      const metrics = fieldsOf(sm, 2).map((f) => readMetric(readFields(f.bytes)))
        .filter((m): m is OtlpMetric => m !== undefined);
      out.push({ resource, scope, metrics });
    }
  }
  return out;
}

function readMetric(fields: ProtoField[]): OtlpMetric | undefined {
  const text = (n: number) => fieldsOf(fields, n).map(fieldText).at(-1) ?? "";
  const gauge = fieldsOf(fields, 5).at(-1), sum = fieldsOf(fields, 7).at(-1);
  const data = gauge ?? sum;
  if (!data) return undefined;
  const parts = readFields(data.bytes);
  const metric: OtlpMetric = {
    name: text(1),
    description: text(2),
    unit: text(3),
    kind: gauge ? "gauge" : "sum",
    dataPoints: fieldsOf(parts, 1).map((p) => readPoint(readFields(p.bytes))),
  };
  if (!gauge) {
    const t = Number(fieldsOf(parts, 2).at(-1)?.int ?? 0n);
    metric.temporality = t === 1 ? "delta" : "cumulative";
    metric.monotonic = (fieldsOf(parts, 3).at(-1)?.int ?? 0n) !== 0n;
  }
  return metric;
}

function readPoint(fields: ProtoField[]): OtlpDataPoint {
  let value: number | bigint = 0;
  for (const f of fields) {
    if (f.field === 4) value = fieldDouble(f);
    else if (f.field === 6) value = BigInt.asIntN(64, f.int);
  }
  return {
    attributes: readAttributes(fields, 7),
    startTimeUnixNano: fieldsOf(fields, 2).at(-1)?.int ?? 0n,
    timeUnixNano: fieldsOf(fields, 3).at(-1)?.int ?? 0n,
    value,
  };
}
