// The broker's KIP-714 side over raw connections: subscriptions from CLIENT_METRICS configs, the
// client instance id, push interval checks, the push errors in Kafka's order, and what it keeps.
import { ApiKey, compress, ZERO_UUID } from "../../codec/mod.ts";
import { encodeMetricsData } from "../../codec/telemetry/otlp.ts";
import { Broker } from "../../broker/mod.ts";
import { RawClient } from "../broker/raw_client.ts";
import { parseCommandLine } from "../../cli/broker.ts";
import { serveControl } from "../../broker/control/server.ts";
import { assertEquals, assertOk } from "../assert.ts";

const CLIENT_METRICS = 16;
const SET = 0, DELETE = 1;

async function subscribe(c: RawClient, name: string, configs: Record<string, string | null>) {
  const answer = await c.request(ApiKey.IncrementalAlterConfigs, 1, {
    resources: [{
      resourceType: CLIENT_METRICS,
      resourceName: name,
      configs: Object.entries(configs).map(([k, v]) => ({
        name: k,
        configOperation: v === null ? DELETE : SET,
        value: v,
      })),
    }],
    validateOnly: false,
  });
  return answer.responses[0];
}

const payload = () =>
  encodeMetricsData([{
    resource: { "client_id": "raw" },
    scope: { name: "test", version: "1" },
    metrics: [{
      name: "org.apache.kafka.producer.record.send.total",
      description: "",
      unit: "",
      kind: "sum",
      temporality: "delta",
      monotonic: true,
      dataPoints: [{
        attributes: { node_id: "1" },
        startTimeUnixNano: 1n,
        timeUnixNano: 2n,
        value: 7,
      }],
    }],
  }]);

Deno.test("telemetry: keys 71 and 72 are advertised only with client telemetry on", async () => {
  for (const on of [false, true]) {
    await using broker = await Broker.start({ clientTelemetry: on });
    await using c = await RawClient.connect(broker.bootstrapServers);
    const av = await c.request(ApiKey.ApiVersions, 3, {
      clientSoftwareName: "t",
      clientSoftwareVersion: "1",
    });
    const keys = av.apiKeys.map((k) => k.apiKey).filter((k) => k === 71 || k === 72);
    assertEquals(keys, on ? [71, 72] : []);
  }
});

Deno.test("telemetry: a subscription's metrics, interval and id; a push is kept", async () => {
  await using broker = await Broker.start({ clientTelemetry: true, metricsPort: 0 });
  await using c = await RawClient.connect(broker.bootstrapServers);
  await c.request(ApiKey.ApiVersions, 3, { clientSoftwareName: "t", clientSoftwareVersion: "1" });
  const stored = await subscribe(c, "producers", {
    metrics: "org.apache.kafka.producer.,org.apache.kafka.consumer.coordinator",
    "interval.ms": "1000",
  });
  assertEquals(stored.errorCode, 0);
  // The subscription id of Kafka 4.1.1 for this instance id and subscription (read from it).
  const got = await c.request(ApiKey.GetTelemetrySubscriptions, 0, {
    clientInstanceId: "5_eFbM0_SIOPilaGRg6opQ",
  });
  assertEquals(got.subscriptionId, 1860608803);
  assertEquals(got.requestedMetrics, [
    "org.apache.kafka.producer.",
    "org.apache.kafka.consumer.coordinator",
  ]);
  assertEquals(got.pushIntervalMs, 1000);
  assertEquals(got.acceptedCompressionTypes, [4, 3, 1, 2]);
  assertEquals(got.deltaTemporality, true);
  const again = await c.request(ApiKey.GetTelemetrySubscriptions, 0, {
    clientInstanceId: got.clientInstanceId,
  });
  assertEquals(again.errorCode, 89, "THROTTLING_QUOTA_EXCEEDED before the interval");
  const push = (body: Partial<{ subscriptionId: number; compressionType: number }> = {}) =>
    c.request(ApiKey.PushTelemetry, 0, {
      clientInstanceId: got.clientInstanceId,
      subscriptionId: got.subscriptionId,
      terminating: false,
      compressionType: 4,
      metrics: compress(4, payload()),
      ...body,
    });
  assertEquals((await push()).errorCode, 0);
  assertEquals((await push()).errorCode, 89, "a second push before the interval");
  const [report] = broker.clientTelemetry();
  assertEquals(report.clientInstanceId, got.clientInstanceId);
  assertEquals(report.clientId, "brook-test");
  assertEquals(report.softwareName, "t");
  assertEquals(report.compressionType, 4);
  assertEquals(report.resource, { client_id: "raw" });
  assertEquals(report.metrics, [{
    name: "org.apache.kafka.producer.record.send.total",
    kind: "sum",
    temporality: "delta",
    value: 7,
    attributes: { node_id: "1" },
  }]);
  const text = await (await fetch(`http://${broker.metricsAddress}/metrics`)).text();
  assertOk(
    text.includes(
      `brook_client_telemetry{client_instance_id="${got.clientInstanceId}",client_id="brook-test",metric="org.apache.kafka.producer.record.send.total",attr_node_id="1"} 7\n`,
    ),
    text.split("\n").filter((l) => l.includes("telemetry")).join("\n"),
  );
});

Deno.test("telemetry: push errors in Kafka's order", async () => {
  await using broker = await Broker.start({
    clientTelemetry: true,
    configs: { "telemetry.max.bytes": "64" },
  });
  await using c = await RawClient.connect(broker.bootstrapServers);
  await subscribe(c, "all", { metrics: "*", "interval.ms": "100" });
  const get = () => c.request(ApiKey.GetTelemetrySubscriptions, 0, { clientInstanceId: ZERO_UUID });
  const push = (id: string, body: Record<string, unknown>) =>
    c.request(ApiKey.PushTelemetry, 0, {
      clientInstanceId: id,
      subscriptionId: 0,
      terminating: false,
      compressionType: 0,
      metrics: new Uint8Array(0),
      ...body,
    });
  assertEquals((await push(ZERO_UUID, {})).errorCode, 42, "the zero id: INVALID_REQUEST");
  let g = await get();
  assertEquals(g.requestedMetrics, ["*"]);
  assertEquals(g.telemetryMaxBytes, 64);
  assertEquals(
    (await push(g.clientInstanceId, { subscriptionId: g.subscriptionId + 1 })).errorCode,
    117,
  );
  g = await get();
  assertEquals(
    (await push(g.clientInstanceId, { subscriptionId: g.subscriptionId, compressionType: 9 }))
      .errorCode,
    76,
  );
  g = await get();
  assertEquals(
    (await push(g.clientInstanceId, {
      subscriptionId: g.subscriptionId,
      metrics: new Uint8Array(65),
    })).errorCode,
    118,
    "TELEMETRY_TOO_LARGE",
  );
  g = await get();
  assertEquals(
    (await push(g.clientInstanceId, {
      subscriptionId: g.subscriptionId,
      metrics: new Uint8Array([0xff, 0xff]),
    })).errorCode,
    87,
    "undecodable metrics: INVALID_RECORD",
  );
  g = await get();
  assertEquals(
    (await push(g.clientInstanceId, { subscriptionId: g.subscriptionId, terminating: true }))
      .errorCode,
    0,
  );
  assertEquals(
    (await push(g.clientInstanceId, { subscriptionId: g.subscriptionId, terminating: true }))
      .errorCode,
    42,
    "after the terminating push: INVALID_REQUEST",
  );
});

Deno.test("telemetry: CLIENT_METRICS resources are described, listed and checked", async () => {
  await using broker = await Broker.start();
  await using c = await RawClient.connect(broker.bootstrapServers);
  assertEquals(
    (await subscribe(c, "s", { bogus: "1" })).errorMessage,
    "Unknown client metrics configuration: bogus",
  );
  assertEquals((await subscribe(c, "s", { "interval.ms": "50" })).errorCode, 42);
  assertEquals((await subscribe(c, "s", { "interval.ms": "abc" })).errorCode, 40);
  assertEquals((await subscribe(c, "s", { match: "client_id=x=y" })).errorCode, 40);
  assertEquals((await subscribe(c, "s", { match: "foo=bar" })).errorCode, 40);
  assertEquals(
    (await subscribe(c, "", { metrics: "a" })).errorMessage,
    "Subscription name can't be empty",
  );
  assertEquals(
    (await subscribe(c, "s", {
      "interval.ms": " +300 ",
      match: " client_id = a.* , client_software_name=x",
    })).errorCode,
    0,
  );
  const described = await c.request(ApiKey.DescribeConfigs, 4, {
    resources: [{ resourceType: CLIENT_METRICS, resourceName: "s", configurationKeys: null }],
    includeSynonyms: true,
    includeDocumentation: false,
  });
  assertEquals(
    described.results[0].configs.map((e) => [e.name, e.value, e.configSource, e.synonyms.length]),
    [
      ["interval.ms", "300", 7, 1],
      ["match", "client_id = a.*,client_software_name=x", 7, 1],
      ["metrics", "", 5, 0],
    ],
  );
  const listed = await c.request(ApiKey.ListConfigResources, 1, {
    resourceTypes: [CLIENT_METRICS],
  });
  assertEquals(listed.configResources, [{ resourceName: "s", resourceType: CLIENT_METRICS }]);
  assertEquals((await subscribe(c, "s", { "interval.ms": null, match: null })).errorCode, 0);
  const after = await c.request(ApiKey.ListConfigResources, 1, { resourceTypes: [CLIENT_METRICS] });
  assertOk(after.configResources.length === 0, "a subscription without configs is gone");
});

Deno.test("telemetry: an instance is forgotten when the connection that made it closes", async () => {
  await using broker = await Broker.start({ clientTelemetry: true });
  const id = "Brook1TelemetryTestIdA";
  const get = (c: RawClient) =>
    c.request(ApiKey.GetTelemetrySubscriptions, 0, { clientInstanceId: id });
  {
    await using first = await RawClient.connect(broker.bootstrapServers);
    assertEquals((await get(first)).errorCode, 0);
    await using other = await RawClient.connect(broker.bootstrapServers);
    assertEquals((await get(other)).errorCode, 89, "the instance lives while its connection does");
  }
  await using later = await RawClient.connect(broker.bootstrapServers);
  let answer = await get(later);
  // The broker notices the closed connection a moment after the client closed it.
  for (let i = 0; i < 50 && answer.errorCode !== 0; i++) {
    await new Promise((r) => setTimeout(r, 20));
    answer = await get(later);
  }
  assertEquals(answer.errorCode, 0);
});

Deno.test("telemetry: brook broker --client-telemetry turns it on", async () => {
  const parsed = async (...args: string[]) => {
    const result = await parseCommandLine(args);
    return result.help ? undefined : result.options.clientTelemetry;
  };
  assertEquals(await parsed("--client-telemetry"), true);
  assertEquals(await parsed(), undefined);
});

Deno.test("telemetry: the control API shows what clients pushed", async () => {
  await using broker = await Broker.start({ clientTelemetry: true });
  const control = await serveControl(broker);
  try {
    await using c = await RawClient.connect(broker.bootstrapServers);
    await subscribe(c, "all", { metrics: "*", "interval.ms": "100" });
    const got = await c.request(ApiKey.GetTelemetrySubscriptions, 0, {
      clientInstanceId: ZERO_UUID,
    });
    const pushed = await c.request(ApiKey.PushTelemetry, 0, {
      clientInstanceId: got.clientInstanceId,
      subscriptionId: got.subscriptionId,
      terminating: true,
      compressionType: 1,
      metrics: compress(1, payload()),
    });
    assertEquals(pushed.errorCode, 0);
    const res = await fetch(`http://${control.address}/telemetry`);
    const body = await res.json();
    assertEquals(body.enabled, true);
    assertEquals(
      body.clients.map((r: { clientInstanceId: string; terminating: boolean }) => [
        r.clientInstanceId,
        r.terminating,
      ]),
      [[got.clientInstanceId, true]],
    );
    assertEquals(body.clients[0].metrics[0].name, "org.apache.kafka.producer.record.send.total");
  } finally {
    await control.shutdown();
  }
});

Deno.test("telemetry: each node keeps its own client instances, as each Kafka broker does", async () => {
  await using broker = await Broker.start({ clientTelemetry: true, nodes: 2 });
  const [one, two] = broker.bootstrapServers.split(",");
  await using first = await RawClient.connect(one);
  await using second = await RawClient.connect(two);
  const get = (c: RawClient) =>
    c.request(ApiKey.GetTelemetrySubscriptions, 0, { clientInstanceId: "Brook1TelemetryTestIdA" });
  const a = await get(first), b = await get(second);
  assertEquals([a.errorCode, b.errorCode], [0, 0]);
  assertEquals(a.subscriptionId, b.subscriptionId, "the id depends on the subscription only");
  assertEquals((await get(second)).errorCode, 89);
});

Deno.test("telemetry: setting a subscription's configs to what they are matches no client again", async () => {
  await using broker = await Broker.start({ clientTelemetry: true });
  await using c = await RawClient.connect(broker.bootstrapServers);
  const get = async () =>
    (await c.request(ApiKey.GetTelemetrySubscriptions, 0, {
      clientInstanceId: "Brook7TelemetryTestIdA",
    })).errorCode;
  await subscribe(c, "s", { "interval.ms": "5000" });
  assertEquals(await get(), 0);
  await subscribe(c, "s", { "interval.ms": "5000" });
  assertEquals(await get(), 89, "unchanged: still throttled (Kafka 4.1.1 answers so)");
  await subscribe(c, "s", { "interval.ms": " 5000" });
  assertEquals(await get(), 0, "a changed value, even one that parses the same: matched again");
});
