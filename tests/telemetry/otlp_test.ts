// The OTLP MetricsData codec of PushTelemetry: what is written reads back the same, unknown
// fields are skipped, and malformed bytes are refused rather than misread.
import {
  decodeMetricsData,
  encodeMetricsData,
  type OtlpResourceMetrics,
} from "../../codec/telemetry/otlp.ts";
import { ProtoWriter, readFields } from "../../codec/telemetry/protobuf.ts";
import { assertEquals, assertThrows } from "../assert.ts";

const sample: OtlpResourceMetrics[] = [{
  resource: { group_id: "g", "big": 2n ** 62n, "flag": true, "ratio": 0.5 },
  scope: { name: "brook", version: "1" },
  metrics: [
    {
      name: "org.apache.kafka.consumer.fetch.manager.records.consumed.total",
      description: "d",
      unit: "1",
      kind: "sum",
      temporality: "delta",
      monotonic: true,
      dataPoints: [{
        attributes: { topic: "t", partition: "0" },
        startTimeUnixNano: 1_700_000_000_000_000_000n,
        timeUnixNano: 1_700_000_001_000_000_000n,
        value: 42,
      }],
    },
    {
      name: "org.apache.kafka.consumer.last.poll.seconds.ago",
      description: "",
      unit: "",
      kind: "gauge",
      dataPoints: [
        { attributes: {}, startTimeUnixNano: 0n, timeUnixNano: 5n, value: 0 },
        { attributes: {}, startTimeUnixNano: 0n, timeUnixNano: 6n, value: -3n },
      ],
    },
  ],
}];

Deno.test("otlp: metrics data reads back as written", () => {
  assertEquals(decodeMetricsData(encodeMetricsData(sample)), sample);
});

Deno.test("otlp: unknown fields are skipped, truncated messages refused", () => {
  const bytes = encodeMetricsData(sample);
  const w = new ProtoWriter();
  w.varint(15, 7); // a field MetricsData does not have
  w.bytes(1, readFields(bytes)[0].bytes);
  assertEquals(decodeMetricsData(w.finish()), sample);
  assertThrows(() => decodeMetricsData(bytes.subarray(0, bytes.length - 3)), RangeError);
  assertThrows(() => decodeMetricsData(new Uint8Array([0xff, 0xff, 0xff])), RangeError);
});
