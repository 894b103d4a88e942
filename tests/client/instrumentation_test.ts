import { assertEquals, assertOk, assertRejects } from "../assert.ts";
import { Broker } from "../../broker/mod.ts";
import {
  KafkaClient,
  KafkaConnectionError,
  type LogLevel,
  prometheusText,
  type RequestEvent,
  type ResponseEvent,
} from "../../client/mod.ts";

function recordingLogger() {
  const lines: { level: LogLevel; message: string; fields: Record<string, unknown> }[] = [];
  const at = (level: LogLevel) => (message: string, fields: Record<string, unknown>) =>
    lines.push({ level, message, fields });
  return {
    lines,
    logger: { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") },
  };
}

Deno.test("client: request and response events carry the API, sizes and timings", async () => {
  await using broker = await Broker.start({ topics: { t: { partitions: 2 } } });
  await using client = new KafkaClient({ bootstrapServers: broker.bootstrapServers });
  const requests: RequestEvent[] = [];
  const responses: ResponseEvent[] = [];
  client.on("request", (e) => requests.push(e));
  const off = client.on("response", (e) => responses.push(e));
  await client.metadata(["t"], { force: true });
  // ApiVersions first (twice when the broker asks for a lower version), then Metadata.
  assertEquals(requests.at(-1)?.apiName, "Metadata");
  assertOk(requests.slice(0, -1).every((e) => e.apiName === "ApiVersions"));
  assertEquals(responses.map((e) => e.apiName), requests.map((e) => e.apiName));
  const metadata = responses.at(-1)!;
  assertEquals(metadata.broker, broker.bootstrapServers);
  assertEquals(metadata.correlationId, requests.at(-1)!.correlationId);
  assertOk(metadata.bytes > 0 && metadata.responseBytes > 0 && metadata.durationMs >= 0);
  assertEquals(metadata.error, undefined);
  const seen = responses.length;
  off();
  await client.metadata(["t"], { force: true });
  assertEquals(responses.length, seen);
  assertEquals(requests.length, seen + 1);
});

Deno.test("client: connection metrics as Kafka's Java client names them, per client and node", async () => {
  await using broker = await Broker.start({ topics: { t: { partitions: 1 } } });
  await using client = new KafkaClient({
    bootstrapServers: broker.bootstrapServers,
    clientId: "m1",
  });
  let requests = 0;
  client.on("request", () => requests++);
  await client.metadata(["t"], { force: true });
  await client.metadata(["t"], { force: true });
  const m = client.instrumentation.metrics;
  assertEquals(m.value("connection-count"), 1);
  assertEquals(m.value("request-total", { "client-id": "m1" }), requests);
  assertEquals(m.value("response-total"), requests);
  assertOk(m.value("outgoing-byte-total") > 0 && m.value("incoming-byte-total") > 0);
  assertOk(m.value("request-rate") > 0 && m.value("incoming-byte-rate") > 0);
  assertOk(m.value("request-latency-max") >= m.value("request-latency-avg"));
  const snapshot = client.metrics();
  const node = snapshot.metrics.filter((x) => x.group === "admin-client-node-metrics");
  assertOk(node.length > 0);
  // The bootstrap connection serves node 1: its metrics carry the id metadata gave.
  assertOk(node.every((x) => x.tags["node-id"] === "node-1"), JSON.stringify(node[0].tags));
  assertEquals(snapshot.requestLatency.Metadata.count, 2);
  assertEquals(snapshot.requestLatency.ApiVersions.count, requests - 2);
  const text = prometheusText(snapshot);
  assertOk(
    text.includes(`kafka_admin_client_metrics_request_total{client_id="m1"} ${requests}`),
    text,
  );
  assertOk(
    text.includes(
      'kafka_client_request_latency_seconds_count{client_id="m1",api="Metadata"} 2',
    ),
    text,
  );
  await client.close();
  assertEquals(m.value("connection-count"), 0);
});

Deno.test("client: logs through the logger option, above its level; silent without one", async () => {
  const { lines, logger } = recordingLogger();
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = listener.addr.port;
  listener.close();
  await using client = new KafkaClient({
    bootstrapServers: `127.0.0.1:${port}`,
    logger,
    logLevel: "warn",
    clientId: "logged",
  });
  await assertRejects(() => client.metadata(null), KafkaConnectionError);
  const warn = lines.find((l) => l.message === "cannot connect");
  assertOk(warn, JSON.stringify(lines));
  assertEquals(warn.level, "warn");
  assertEquals(warn.fields.broker, `127.0.0.1:${port}`);
  assertEquals(warn.fields.clientId, "logged");
  assertOk(lines.every((l) => l.level === "warn" || l.level === "error"));
});
