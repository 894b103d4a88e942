// Brook's client pushes its metrics (KIP-714) to Brook's broker when the broker takes them: the
// subscription's prefixes, interval, compression, delta sums, and the terminating push on close.
import { Broker } from "../../broker/mod.ts";
import { Admin, Consumer, Producer } from "../../client/mod.ts";
import { assertEquals, assertOk } from "../assert.ts";

async function subscribe(broker: Broker, name: string, configs: Record<string, string>) {
  await using admin = new Admin({ bootstrapServers: broker.bootstrapServers });
  await admin.incrementalAlterConfigs([{
    resource: { type: "client-metrics", name },
    ops: Object.entries(configs).map(([k, v]) => ({ name: k, op: "set" as const, value: v })),
  }]);
  const [described] = await admin.describeConfigs([{ type: "client-metrics", name }]);
  assertEquals(
    described.entries.filter((c) => c.name in configs).map((c) => [c.name, c.source]),
    Object.keys(configs).sort().map((k) => [k, "CLIENT_METRICS_CONFIG"]),
  );
}

async function until(ok: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 100 && !ok(); i++) await new Promise((r) => setTimeout(r, 50));
  assertOk(ok(), `timed out waiting for ${what}`);
}

Deno.test("client telemetry: a producer pushes the subscribed metrics and a terminating push", async () => {
  await using broker = await Broker.start({ clientTelemetry: true, topics: { t: {} } });
  await subscribe(broker, "producers", {
    metrics: "org.apache.kafka.producer.record.send,org.apache.kafka.producer.node.",
    "interval.ms": "100",
    match: "client_id=telemetry-.*",
  });
  const producer = new Producer({
    bootstrapServers: broker.bootstrapServers,
    clientId: "telemetry-producer",
  });
  for (let i = 0; i < 5; i++) await producer.send({ topic: "t", value: `v${i}` });
  await until(() => (broker.clientTelemetry()[0]?.pushes ?? 0) >= 2, "two pushes");
  const instance = producer.client.clientInstanceId;
  assertOk(instance, "the broker assigned an instance id");
  for (let i = 0; i < 3; i++) await producer.send({ topic: "t", value: `w${i}` });
  await producer.close();
  const [report] = broker.clientTelemetry();
  assertEquals(report.clientInstanceId, instance);
  assertEquals(report.clientId, "telemetry-producer");
  assertEquals(report.terminating, true);
  assertEquals(report.compressionType, 4);
  const names = new Set(report.metrics.map((m) => m.name));
  assertOk(names.has("org.apache.kafka.producer.record.send.total"), [...names].join("\n"));
  assertOk(names.has("org.apache.kafka.producer.node.request.latency.avg"), [...names].join("\n"));
  assertOk(
    [...names].every((n) =>
      n.startsWith("org.apache.kafka.producer.record.send") ||
      n.startsWith("org.apache.kafka.producer.node.")
    ),
    [...names].join("\n"),
  );
  const total = report.metrics.find((m) =>
    m.name === "org.apache.kafka.producer.record.send.total"
  )!;
  assertEquals([total.kind, total.temporality], ["sum", "delta"]);
  const node = report.metrics.find((m) => m.name.startsWith("org.apache.kafka.producer.node."))!;
  assertOk(node.attributes["node_id"], "per-node metrics carry node_id");
  assertOk(!("client_id" in node.attributes), "client_id is left out, as Java leaves it out");
});

Deno.test("client telemetry: nothing is pushed without a matching subscription or when off", async () => {
  await using broker = await Broker.start({ clientTelemetry: true, topics: { t: {} } });
  await subscribe(broker, "others", {
    metrics: "*",
    "interval.ms": "100",
    match: "client_id=other",
  });
  await using producer = new Producer({ bootstrapServers: broker.bootstrapServers });
  await using quiet = new Producer({
    bootstrapServers: broker.bootstrapServers,
    clientId: "other",
    enableMetricsPush: false,
  });
  await producer.send({ topic: "t", value: "x" });
  await quiet.send({ topic: "t", value: "x" });
  await until(() => producer.client.clientInstanceId !== undefined, "an instance id");
  await producer.close();
  await quiet.close();
  assertEquals(broker.clientTelemetry(), []);
  assertEquals(quiet.client.clientInstanceId, undefined);
});

Deno.test("client telemetry: a group consumer pushes its consumer metrics with its group id", async () => {
  await using broker = await Broker.start({ clientTelemetry: true, topics: { t: {} } });
  await subscribe(broker, "consumers", {
    metrics: "org.apache.kafka.consumer.",
    "interval.ms": "100",
  });
  {
    await using producer = new Producer({
      bootstrapServers: broker.bootstrapServers,
      enableMetricsPush: false,
    });
    for (let i = 0; i < 4; i++) await producer.send({ topic: "t", value: `v${i}` });
  }
  const consumer = new Consumer({
    bootstrapServers: broker.bootstrapServers,
    clientId: "telemetry-consumer",
    groupId: "g-telemetry",
    autoOffsetReset: "earliest",
  });
  consumer.subscribe(["t"]);
  let seen = 0;
  for (let i = 0; i < 50 && seen < 4; i++) seen += (await consumer.poll({ timeoutMs: 100 })).length;
  assertEquals(seen, 4);
  await until(() => broker.clientTelemetry().length > 0, "a push");
  await consumer.close();
  const [report] = broker.clientTelemetry();
  assertEquals(report.clientId, "telemetry-consumer");
  assertEquals(report.resource, { group_id: "g-telemetry" });
  assertEquals(report.terminating, true);
  const consumed = report.metrics.filter((m) =>
    m.name === "org.apache.kafka.consumer.fetch.manager.records.consumed.total"
  );
  assertOk(consumed.length > 0, report.metrics.map((m) => m.name).join("\n"));
  assertOk(report.metrics.every((m) => m.name.startsWith("org.apache.kafka.consumer.")));
});
