import { assertEquals, assertOk } from "../assert.ts";
import {
  ApiKey,
  encodeRecordBatch,
  encodeRequestFrame,
  ErrorCode,
  Writer,
} from "../../codec/mod.ts";
import { Broker, type SlowRequest } from "../../broker/mod.ts";
import { firstErrorCode, LATENCY_BUCKETS_MS } from "../../broker/server/metrics.ts";
import { RawClient } from "./raw_client.ts";

const produceBody = (value: string) => ({
  acks: -1,
  timeoutMs: 1000,
  topicData: [{
    name: "t",
    partitionData: [{
      index: 0,
      records: encodeRecordBatch({ records: [{ value: new TextEncoder().encode(value) }] }),
    }],
  }],
});

Deno.test("metrics: requests, errors and bytes are counted per API", async () => {
  await using broker = await Broker.start({ topics: { t: {} } });
  await using client = await RawClient.connect(broker.bootstrapServers);
  // Bytes as the client sees them: the frames it writes and the frames it reads (+4 for the size).
  const w = new Writer();
  let sent = 0;
  let received = 0;
  for (let i = 0; i < 3; i++) {
    w.reset();
    const frame = encodeRequestFrame(w, {
      apiKey: ApiKey.Produce,
      apiVersion: 9,
      correlationId: i,
      clientId: "m",
      body: produceBody(`v${i}`),
    });
    sent += frame.length;
    const answer = await client.sendRaw(frame);
    received += answer!.length + 4;
  }
  broker.failNext("Metadata", "UNKNOWN_SERVER_ERROR");
  await client.request(ApiKey.Metadata, 12, { topics: [{ name: "t" }] });
  await client.request(ApiKey.Metadata, 12, { topics: [{ name: "t" }] });

  const m = broker.metrics();
  const produce = m.apis.Produce!;
  assertEquals([produce.apiKey, produce.requests, produce.errors], [0, 3, 0]);
  assertEquals([produce.bytesIn, produce.bytesOut], [sent, received]);
  const metadata = m.apis.Metadata!;
  assertEquals([metadata.requests, metadata.errors], [2, 1]);
  assertEquals(metadata.errorCodes, { UNKNOWN_SERVER_ERROR: 1 });
  assertEquals(m.apis.Fetch, undefined);
  for (const h of [produce.queueMs, produce.handleMs, produce.sendMs, produce.totalMs]) {
    assertEquals(h.count, 3);
    assertEquals(h.buckets.length, LATENCY_BUCKETS_MS.length + 1);
    assertEquals(h.buckets.at(-1), { leMs: Infinity, count: 3 });
    for (let i = 1; i < h.buckets.length; i++) {
      assertOk(h.buckets[i].count >= h.buckets[i - 1].count, "buckets are cumulative");
    }
    assertOk(h.sumMs >= 0 && h.maxMs <= h.sumMs && h.p50Ms <= h.p99Ms);
  }
  assertEquals(m.connections[1], { open: 1, accepted: 1 });
});

Deno.test("metrics: refused frames and closed connections are counted", async () => {
  await using broker = await Broker.start();
  for (let i = 0; i < 2; i++) {
    await using client = await RawClient.connect(broker.bootstrapServers);
    await client.send(new Uint8Array([0xff, 0xff, 0xff, 0xf0])); // a negative frame size
    assertOk(await client.closedWithin(2000));
  }
  // An unknown API key is refused too.
  await using client = await RawClient.connect(broker.bootstrapServers);
  await client.send(new Uint8Array([0, 0, 0, 8, 0x7f, 0x00, 0, 0, 0, 0, 0, 1]));
  assertOk(await client.closedWithin(2000));
  // Connection counts settle once the broker has seen each close.
  for (let i = 0; i < 200 && broker.metrics().connections[1].open > 0; i++) {
    await new Promise((r) => setTimeout(r, 5));
  }
  const m = broker.metrics();
  assertEquals(m.refusedFrames, 3);
  assertEquals(m.connections[1], { open: 0, accepted: 3 });
  assertEquals(Object.keys(m.apis), []);
});

Deno.test("metrics: the metrics port serves Prometheus text", async () => {
  await using broker = await Broker.start({ topics: { t: {} }, metricsPort: 0 });
  assertOk(broker.metricsAddress?.startsWith("127.0.0.1:"));
  await using client = await RawClient.connect(broker.bootstrapServers);
  await client.request(ApiKey.Produce, 9, produceBody("x"));
  broker.failNext("Produce", "NOT_LEADER_OR_FOLLOWER");
  await client.request(ApiKey.Produce, 9, produceBody("y"));

  const res = await fetch(`http://${broker.metricsAddress}/metrics`);
  assertEquals(res.status, 200);
  assertOk(res.headers.get("content-type")!.startsWith("text/plain; version=0.0.4"));
  const text = await res.text();
  const lines = text.split("\n");
  const value = (series: string) => {
    const line = lines.find((l) => l.startsWith(series + " "));
    return line === undefined ? undefined : Number(line.slice(series.length + 1));
  };
  assertEquals(value('brook_requests_total{api="Produce"}'), 2);
  assertEquals(
    value('brook_request_errors_total{api="Produce",error="NOT_LEADER_OR_FOLLOWER"}'),
    1,
  );
  assertEquals(value('brook_request_queue_seconds_bucket{api="Produce",le="+Inf"}'), 2);
  assertEquals(value('brook_request_handle_seconds_count{api="Produce"}'), 2);
  assertEquals(value('brook_response_send_seconds_count{api="Produce"}'), 2);
  assertOk(value('brook_request_bytes_total{api="Produce",direction="in"}')! > 0);
  assertEquals(value('brook_connections{node="1"}'), 1);
  // Every sample line is "name{labels} number", and every family is declared before its samples.
  const declared = new Set<string>();
  for (const line of lines.filter((l) => l !== "")) {
    if (line.startsWith("# TYPE ")) declared.add(line.split(" ")[2]);
    if (line.startsWith("#")) continue;
    assertOk(/^[a-z_]+(\{[^}]*\})? -?[0-9.e+-]+$/.test(line), line);
    const name = line.split(/[{ ]/)[0].replace(/_(bucket|sum|count)$/, "");
    assertOk(declared.has(name) || declared.has(line.split(/[{ ]/)[0]), `undeclared ${line}`);
  }
  const missing = await fetch(`http://${broker.metricsAddress}/other`);
  await missing.body?.cancel();
  assertEquals(missing.status, 404);
});

Deno.test("metrics: no metrics listener unless asked for", async () => {
  await using broker = await Broker.start();
  assertEquals(broker.metricsAddress, undefined);
  assertOk(broker.prometheusMetrics().includes("# TYPE brook_requests_total counter"));
});

Deno.test("metrics: slow requests are reported with their API, client and timings", async () => {
  const slow: SlowRequest[] = [];
  await using broker = await Broker.start({
    slowRequestMs: 5,
    onSlowRequest: (r) => slow.push(r),
  });
  broker.addLatency(20, { apiKey: "Metadata", count: 1 });
  await using client = await RawClient.connect(broker.bootstrapServers);
  await client.request(ApiKey.Metadata, 12, { topics: null }, "slow-client");
  const metadata = slow.filter((s) => s.apiName === "Metadata");
  assertEquals(metadata.length, 1);
  const s = metadata[0];
  assertEquals([s.apiKey, s.apiVersion, s.clientId, s.nodeId], [3, 12, "slow-client", 1]);
  assertOk(s.connectionId.startsWith("127.0.0.1:"));
  assertOk(Math.abs(s.queueMs + s.handleMs + s.sendMs - s.totalMs) < 1e-6);
  assertOk(s.totalMs >= 5);
});

Deno.test("metrics: the default slow request report is one console.warn line", async () => {
  const warnings: string[] = [];
  const warn = console.warn;
  console.warn = (...args: unknown[]) => warnings.push(args.join(" "));
  try {
    await using broker = await Broker.start({ slowRequestMs: 1 });
    broker.addLatency(5, { apiKey: "Metadata", count: 1 });
    await using client = await RawClient.connect(broker.bootstrapServers);
    await client.request(ApiKey.Metadata, 12, { topics: null }, "warned");
  } finally {
    console.warn = warn;
  }
  const line = warnings.find((w) => w.includes("Metadata v12"));
  assertOk(line?.includes("client 'warned'") && line.includes("queue"), `${warnings}`);
});

Deno.test("metrics: firstErrorCode finds nested errors and ignores other fields", () => {
  assertEquals(firstErrorCode({ errorCode: 0, throttleTimeMs: 5 }), 0);
  assertEquals(firstErrorCode({ errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE }), 15);
  assertEquals(
    firstErrorCode({
      responses: [{
        name: "t",
        partitionResponses: [{ index: 3, errorCode: 0 }, { errorCode: 6 }],
      }],
    }),
    6,
  );
  assertEquals(firstErrorCode({ results: [{ partitionErrorCode: 49 }] }), 49);
  assertEquals(firstErrorCode({ records: new Uint8Array([1, 2]), leaderId: 3 }), 0);
});
