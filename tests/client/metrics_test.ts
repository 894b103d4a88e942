import { assertEquals, assertOk } from "../assert.ts";
import { ClientMetrics, prometheusText, Stat } from "../../client/mod.ts";

Deno.test("metrics: a Stat's rate, average and maximum cover two 30 s samples, as Java's", () => {
  const s = new Stat();
  const t = Date.now();
  s.record(10, t);
  s.record(20, t + 1000);
  assertEquals(s.avg(t + 1000), 15);
  assertEquals(s.max(t + 1000), 20);
  // Less than a window elapsed: the rate is over one full window (30 s), as Java's Rate.
  assertEquals(s.rate(t + 1000), 1);
  assertEquals(s.countRate(t + 1000), 2 / 30);
  s.record(5, t + 31_000);
  assertEquals(s.avg(t + 31_000), 35 / 3);
  assertEquals(s.max(t + 31_000), 20);
  assertOk(Math.abs(s.rate(t + 31_000) - 35 / 31) < 0.01);
  // The first sample is over 60 s old: only the second counts.
  assertEquals(s.avg(t + 61_000), 5);
  assertEquals(s.max(t + 61_000), 5);
  // Nothing recent: no average or maximum (NaN, as Java), a zero rate, the totals stay.
  assertOk(Number.isNaN(s.avg(t + 100_000)) && Number.isNaN(s.max(t + 100_000)));
  assertEquals(s.rate(t + 100_000), 0);
  assertEquals([s.total, s.count], [35, 3]);
});

Deno.test("metrics: registry snapshot, removal by tag and Prometheus text", () => {
  const m = new ClientMetrics('app "1"');
  const sends = m.register(new Stat(), {
    group: "producer-metrics",
    total: "record-send-total",
    avg: "batch-size-avg",
  });
  m.gauge(() => 7, {
    group: "consumer-fetch-manager-metrics",
    name: "records-lag",
    tags: { topic: "t", partition: "0" },
  });
  sends.record(3);
  m.latency(0).observe(2);
  assertEquals(m.value("record-send-total"), 3);
  assertEquals(m.value("records-lag", { topic: "t", partition: "0" }), 7);
  const text = prometheusText(m.snapshot());
  assertOk(
    text.includes('kafka_producer_metrics_record_send_total{client_id="app \\"1\\""} 3'),
    text,
  );
  assertOk(
    text.includes(
      'kafka_consumer_fetch_manager_metrics_records_lag{client_id="app \\"1\\"",topic="t",partition="0"} 7',
    ),
    text,
  );
  assertOk(
    text.includes(
      'kafka_client_request_latency_seconds_bucket{client_id="app \\"1\\"",api="Produce",le="0.0025"} 1',
    ),
    text,
  );
  assertOk(text.includes("# TYPE kafka_client_request_latency_seconds histogram"), text);
  m.remove({ topic: "t" });
  assertOk(Number.isNaN(m.value("records-lag")));
});
