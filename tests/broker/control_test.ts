import { clusterOf } from "../../broker/broker_internals.ts";
import { assertEquals, assertOk } from "../assert.ts";
import { Broker } from "../../broker/mod.ts";
import { serveControl } from "../../broker/control/server.ts";
import { BROWSE_ROUTES } from "../../broker/control/browse_routes.ts";
import { FAULT_ROUTES } from "../../broker/control/fault_routes.ts";
import { GROUP_ROUTES } from "../../broker/control/group_routes.ts";
import { STATE_ROUTES } from "../../broker/control/state_routes.ts";
import { TOPIC_ROUTES } from "../../broker/control/topic_routes.ts";
import { Admin, Producer } from "../../client/mod.ts";

/** A broker with its control API, and a way to call it. */
async function controlled(options: Parameters<typeof Broker.start>[0] = {}) {
  const broker = await Broker.start(options);
  const control = await serveControl(broker);
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`http://${control.address}${path}`, {
      method,
      body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
    });
    const text = await res.text();
    const type = res.headers.get("content-type") ?? "";
    // deno-lint-ignore no-explicit-any
    const json: any = type.startsWith("application/json") ? JSON.parse(text) : undefined;
    return { status: res.status, json, text };
  };
  return {
    broker,
    call,
    async [Symbol.asyncDispose]() {
      await control.shutdown();
      await broker.close();
    },
  };
}

/** A refusal: its status, and an error of one line. */
function refused(r: { status: number; json: { error?: string } }, status: number, part: string) {
  assertEquals(r.status, status, JSON.stringify(r.json));
  assertOk(typeof r.json.error === "string" && !r.json.error.includes("\n"), r.json.error);
  assertOk(r.json.error.includes(part), `'${r.json.error}' should say '${part}'`);
  assertOk(!/\bat .*\.ts:\d+/.test(r.json.error), "no stack trace");
}

Deno.test("control: the OpenAPI document names every route the server answers", async () => {
  await using c = await controlled();
  const doc = await c.call("GET", "/openapi.json");
  assertEquals(doc.status, 200);
  assertEquals(doc.json.openapi, "3.0.3");
  const paths = Object.keys(doc.json.paths).sort();
  assertEquals(paths, [
    "/cluster",
    "/fault-plans",
    "/faults",
    "/faults/{id}",
    "/groups",
    "/metrics",
    "/nodes",
    "/nodes/{nodeId}/restart",
    "/nodes/{nodeId}/stop",
    "/openapi.json",
    "/reset",
    "/security",
    "/telemetry",
    "/topics",
    "/topics/{topic}",
    "/topics/{topic}/messages",
    "/topics/{topic}/partitions/{partition}/leader",
    "/topics/{topic}/partitions/{partition}/records",
    "/transactions",
    "/wait",
  ]);
  const served = [
    ...STATE_ROUTES,
    ...TOPIC_ROUTES,
    ...BROWSE_ROUTES,
    ...GROUP_ROUTES,
    ...FAULT_ROUTES,
  ]
    .map((r) => `${r.method} ${r.path}`).sort();
  const documented = Object.entries(doc.json.paths as Record<string, object>)
    .flatMap(([path, item]) =>
      Object.keys(item).filter((k) => k !== "parameters").map((m) => `${m.toUpperCase()} ${path}`)
    ).sort();
  assertEquals(documented, served);
  refused(await c.call("GET", "/nothing"), 404, "No route /nothing");
  const wrongMethod = await c.call("PUT", "/reset");
  refused(wrongMethod, 405, "PUT is not allowed");
});

Deno.test("control: a fault injected over HTTP fails a producer's first sends and reports its hits", async () => {
  await using c = await controlled({ topics: { t: { partitions: 1 } } });
  const injected = await c.call("POST", "/faults", {
    kind: "error",
    apiKey: "Produce",
    errorCode: "NOT_LEADER_OR_FOLLOWER",
    topic: "t",
    count: 2,
  });
  assertEquals(injected.status, 201);
  assertEquals([injected.json.id, injected.json.hits, injected.json.remaining], [1, 0, 2]);
  await using producer = new Producer({ bootstrapServers: c.broker.bootstrapServers, lingerMs: 1 });
  const meta = await producer.send({ topic: "t", value: "v" });
  assertEquals(meta.offset, 0n);
  const status = await c.call("GET", "/faults/1");
  assertEquals([status.json.hits, status.json.remaining, status.json.active], [2, 0, false]);
  const latency = await c.call("POST", "/faults", { kind: "latency", apiKey: "Fetch", ms: 1 });
  assertEquals(latency.json.remaining, "unlimited");
  const listed = await c.call("GET", "/faults");
  assertEquals(listed.json.faults.map((f: { id: number }) => f.id), [1, 2]);
  const cancelled = await c.call("DELETE", "/faults/2");
  assertEquals(cancelled.json.active, false);
  await c.call("POST", "/faults", { kind: "drop", count: 1, clientId: "x" });
  await c.call("POST", "/faults", { kind: "close", when: "after", nodeId: 1 });
  assertEquals((await c.call("DELETE", "/faults")).json, { cleared: 4 });
  assertEquals((await c.call("GET", "/faults")).json.faults, []);
});

Deno.test("control: bad faults are refused with 4xx and one line", async () => {
  await using c = await controlled();
  refused(await c.call("POST", "/faults", "{not json"), 400, "not JSON");
  refused(await c.call("POST", "/faults", ""), 400, "got nothing");
  refused(await c.call("POST", "/faults", [1]), 400, "JSON object");
  refused(await c.call("POST", "/faults", { kind: "explode" }), 400, "kind");
  refused(await c.call("POST", "/faults", { kind: "error" }), 400, "errorCode is required");
  refused(
    await c.call("POST", "/faults", { kind: "error", errorCode: "NO_SUCH_ERROR" }),
    400,
    "Unknown error code",
  );
  refused(
    await c.call("POST", "/faults", { kind: "error", errorCode: 6, apiKey: "Nope" }),
    400,
    "Unknown API key",
  );
  refused(
    await c.call("POST", "/faults", { kind: "latency", ms: "5" }),
    400,
    "ms must be a number",
  );
  refused(
    await c.call("POST", "/faults", { kind: "drop", colour: "red" }),
    400,
    "unknown field 'colour'",
  );
  refused(await c.call("POST", "/faults", { kind: "close", count: 0 }), 400, "count");
  refused(await c.call("POST", "/faults", { kind: "close", clientId: 7 }), 400, "clientId");
  refused(await c.call("POST", "/faults", { kind: "close", atMs: 5 }), 400, "atMs");
  refused(await c.call("POST", "/faults", { kind: "close", partition: 1 }), 400, "needs 'topic'");
  refused(
    await c.call("POST", "/fault-plans", [{ kind: "drop", partition: 0 }]),
    400,
    "Step 0: Field 'partition' needs 'topic'",
  );
  refused(await c.call("POST", "/faults", { kind: "close", nodeId: 9 }), 404, "No node 9");
  refused(await c.call("GET", "/faults/7"), 404, "No fault 7");
  refused(await c.call("DELETE", "/faults/x"), 400, "Parameter 'id'");
});

Deno.test("control: nodes stop and restart, leaders move, fault plans run", async () => {
  await using c = await controlled({ nodes: 3, topics: { t: { partitions: 1 } } });
  const before = clusterOf(c.broker).partition("t", 0)!;
  const leader = before.leader;
  const stopped = await c.call("POST", `/nodes/${leader}/stop`);
  assertEquals([stopped.status, stopped.json.running], [200, false]);
  assertOk(clusterOf(c.broker).partition("t", 0)!.leader !== leader);
  const nodes = await c.call("GET", "/nodes");
  assertEquals(nodes.json.nodes.filter((n: { running: boolean }) => !n.running).length, 1);
  assertEquals((await c.call("POST", `/nodes/${leader}/restart`)).json.running, true);
  const moved = await c.call("POST", "/topics/t/partitions/0/leader", { nodeId: leader });
  assertEquals([moved.status, moved.json.leader], [200, leader]);
  assertEquals(moved.json.leaderEpoch, 2);
  refused(await c.call("POST", "/nodes/4/stop"), 404, "No node 4");
  refused(await c.call("POST", "/nodes/0/restart"), 400, "nodeId");
  refused(await c.call("POST", "/topics/t/partitions/0/leader", {}), 400, "'nodeId' is required");
  refused(
    await c.call("POST", "/topics/t/partitions/0/leader", { nodeId: "1" }),
    400,
    "must be an integer",
  );
  refused(await c.call("POST", "/topics/u/partitions/0/leader", { nodeId: 1 }), 404, "u-0");
  refused(await c.call("POST", "/topics/t/partitions/5/leader", { nodeId: 1 }), 404, "t-5");

  const plan = await c.call("POST", "/fault-plans", {
    faults: [
      { kind: "stopNode", nodeId: 2 },
      { kind: "error", apiKey: "Metadata", errorCode: "UNKNOWN_SERVER_ERROR", count: 1 },
    ],
  });
  assertEquals([plan.status, plan.json.steps], [202, 2]);
  assertEquals(c.broker.isRunning(2), false);
  refused(await c.call("POST", "/fault-plans", { steps: [] }), 400, "fault plan");
  refused(await c.call("POST", "/fault-plans", [{ kind: "stopNode" }]), 400, "Step 0: nodeId");
  refused(
    await c.call("POST", "/fault-plans", [{ kind: "restartNode", nodeId: 8 }]),
    404,
    "no node 8",
  );
  refused(
    await c.call("POST", "/fault-plans", { faults: [], extra: 1 }),
    400,
    "only the field 'faults'",
  );
});

Deno.test("control: topics are created, described, read and deleted", async () => {
  await using c = await controlled();
  const created = await c.call("POST", "/topics", {
    name: "events",
    partitions: 2,
    configs: { "retention.ms": "60000" },
  });
  assertEquals([created.status, created.json.partitions], [201, 2]);
  refused(await c.call("POST", "/topics", { name: "events" }), 409, "already exists");
  refused(await c.call("POST", "/topics", { name: "bad name" }), 400, "invalid");
  refused(await c.call("POST", "/topics", { name: "x", partitions: 0 }), 400, "partitions");
  refused(await c.call("POST", "/topics", { name: "x", partitions: "2" }), 400, "partitions");
  refused(await c.call("POST", "/topics", { name: "x", replicationFactor: 2 }), 400, "from 1 to 1");
  refused(
    await c.call("POST", "/topics", { name: "x", configs: { "no.such": "1" } }),
    400,
    "no.such",
  );
  refused(
    await c.call("POST", "/topics", { name: "x", configs: { "retention.ms": 5 } }),
    400,
    "strings",
  );
  refused(await c.call("POST", "/topics", { name: "x", size: 1 }), 400, "Unknown field 'size'");
  refused(await c.call("POST", "/topics", { partitions: 1 }), 400, "'name' is required");
  refused(await c.call("POST", "/topics", { name: "__cluster_metadata" }), 400, "prohibited");

  await using producer = new Producer({ bootstrapServers: c.broker.bootstrapServers, lingerMs: 1 });
  await producer.send([
    { topic: "events", partition: 1, key: "k1", value: "héllo", headers: { h: "1" } },
    { topic: "events", partition: 1, key: null, value: new Uint8Array([0xff, 0x00]) },
    { topic: "events", partition: 1, value: "third" },
  ]);
  const topic = await c.call("GET", "/topics/events");
  assertEquals(topic.json.configs, { "retention.ms": "60000" });
  assertEquals(topic.json.partitions[1].highWatermark, 3);
  const all = await c.call("GET", "/topics/events/partitions/1/records");
  assertEquals(all.json.records.map((r: { value: string }) => r.value).slice(0, 1), ["héllo"]);
  assertEquals(all.json.records[0].key, "k1");
  assertEquals(all.json.records[0].headers, [{ key: "h", value: "1" }]);
  assertEquals(all.json.records[1].key, null);
  assertEquals(all.json.nextOffset, 3);
  const b64 = await c.call(
    "GET",
    "/topics/events/partitions/1/records?offset=1&limit=1&encoding=base64",
  );
  assertEquals(
    b64.json.records.map((r: { offset: number; value: string }) => [r.offset, r.value]),
    [
      [1, "/wA="],
    ],
  );
  assertEquals(b64.json.nextOffset, 2);
  const range = await c.call("GET", "/topics/events/partitions/1/records?offset=1&endOffset=2");
  assertEquals(range.json.records.map((r: { offset: number }) => r.offset), [1]);
  refused(
    await c.call("GET", "/topics/events/partitions/1/records?offset=9"),
    400,
    "past the high watermark",
  );
  refused(await c.call("GET", "/topics/events/partitions/1/records?offset=-1"), 400, "offset");
  refused(await c.call("GET", "/topics/events/partitions/1/records?limit=0"), 400, "limit");
  refused(await c.call("GET", "/topics/events/partitions/1/records?encoding=hex"), 400, "encoding");
  refused(
    await c.call("GET", "/topics/events/partitions/1/records?from=1"),
    400,
    "Unknown parameter",
  );
  refused(await c.call("GET", "/topics/events/partitions/2/records"), 404, "events-2");
  refused(await c.call("GET", "/topics/nope/partitions/0/records"), 404, "Unknown topic 'nope'");
  refused(await c.call("GET", "/topics/nope"), 404, "Unknown topic");

  const listed = await c.call("GET", "/topics");
  assertEquals(listed.json.topics.map((t: { name: string }) => t.name), ["events"]);
  refused(await c.call("GET", "/topics?internal=maybe"), 400, "internal");
  const deleted = await c.call("DELETE", "/topics/events");
  assertEquals(deleted.status, 204);
  refused(await c.call("DELETE", "/topics/events"), 404, "Unknown topic");
});

Deno.test("control: waits answer when the condition holds, 408 when the timeout passes", async () => {
  await using c = await controlled({ topics: { t: { partitions: 1 } } });
  const waiting = c.call("POST", "/wait", {
    kind: "offset",
    topic: "t",
    partition: 0,
    offset: 2,
    timeoutMs: 20_000,
  });
  await using producer = new Producer({
    bootstrapServers: c.broker.bootstrapServers,
    lingerMs: 1,
    clientId: "writer",
  });
  await producer.send([{ topic: "t", value: "a" }, { topic: "t", value: "b" }]);
  const reached = await waiting;
  assertEquals([reached.status, reached.json.met, reached.json.observed], [200, true, {
    highWatermark: 2,
  }]);
  const client = await c.call("POST", "/wait", { kind: "client", clientId: "writer" });
  assertEquals(client.json.observed, { connections: 1 });
  const late = await c.call("POST", "/wait", { kind: "group", groupId: "g", timeoutMs: 10 });
  refused(late, 408, "did not hold within 10 ms");
  assertEquals(late.json.observed, { state: "Dead", members: 0 });
  const txn = await c.call("POST", "/wait", {
    kind: "transaction",
    transactionalId: "x",
    timeoutMs: 0,
  });
  refused(txn, 408, "None");
  refused(await c.call("POST", "/wait", { kind: "sleep" }), 400, "kind");
  refused(
    await c.call("POST", "/wait", { kind: "offset", topic: "t" }),
    400,
    "'partition' is required",
  );
  refused(
    await c.call("POST", "/wait", { kind: "group", groupId: "g", state: "Happy" }),
    400,
    "state",
  );
  refused(await c.call("POST", "/wait", { kind: "client", timeoutMs: -1 }), 400, "timeoutMs");
  refused(await c.call("POST", "/wait", { kind: "client", clientid: "w" }), 400, "clientid");
});

Deno.test("control: reset empties the broker, metrics answer in JSON and Prometheus text", async () => {
  await using c = await controlled({ topics: { keep: { partitions: 1 } } });
  await c.call("POST", "/topics", { name: "scratch" });
  await c.call("POST", "/faults", { kind: "latency", ms: 1 });
  await using producer = new Producer({ bootstrapServers: c.broker.bootstrapServers, lingerMs: 1 });
  await producer.send({ topic: "keep", value: "x" });
  const reset = await c.call("POST", "/reset");
  assertEquals(reset.status, 200);
  assertEquals(typeof reset.json.resetMs, "number");
  assertEquals((await c.call("GET", "/topics")).json.topics.map((t: { name: string }) => t.name), [
    "keep",
  ]);
  assertEquals((await c.call("GET", "/topics/keep")).json.partitions[0].highWatermark, 0);
  assertEquals((await c.call("GET", "/faults")).json.faults, []);
  const metrics = await c.call("GET", "/metrics");
  assertOk(metrics.json.apis.Produce.requests >= 1);
  await producer.send([{ topic: "keep", value: "a" }, { topic: "keep", value: "b" }]);
  await using admin = new Admin({ bootstrapServers: c.broker.bootstrapServers });
  await admin.alterConsumerGroupOffsets("idle", [{ topic: "keep", partition: 0, offset: 1n }]);
  const lag = (await c.call("GET", "/metrics")).json;
  assertEquals(
    lag.partitions.map((p: { topic: string; highWatermark: number }) => [p.topic, p.highWatermark]),
    [["keep", 2]],
  );
  assertEquals(lag.groups, [{
    groupId: "idle",
    protocol: "classic",
    state: "Empty",
    members: 0,
    totalLag: 1,
    lag: [{ topic: "keep", partition: 0, committedOffset: 1, highWatermark: 2, lag: 1 }],
  }]);
  const text = await c.call("GET", "/metrics?format=prometheus");
  assertOk(text.text.includes("# TYPE"), text.text.slice(0, 200));
  refused(await c.call("GET", "/metrics?format=xml"), 400, "format");
  const cluster = await c.call("GET", "/cluster");
  assertEquals(cluster.json.bootstrapServers, c.broker.bootstrapServers);
});

Deno.test("control: the CLI serves the control API with --control-port and prints its address", async () => {
  const cli = new URL("../../cli/broker.ts", import.meta.url).pathname;
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-net",
      "--allow-read",
      "--allow-env",
      cli,
      "--port",
      "0",
      "--control-port",
      "0",
      "--topic",
      "t:2",
    ],
    stdout: "piped",
    stderr: "null",
    stdin: "null",
  }).spawn();
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let out = "";
  const deadline = Date.now() + 30_000;
  while (out.split("\n").length < 3 && Date.now() < deadline) {
    const { value, done } = await lines.read();
    if (done) break;
    out += value;
  }
  try {
    const [listening, control] = out.split("\n");
    assertOk(/^listening on 127\.0\.0\.1:\d+$/.test(listening), out);
    const m = /^control on (127\.0\.0\.1:\d+)$/.exec(control);
    assertOk(m, out);
    const res = await fetch(`http://${m[1]}/topics/t`);
    assertEquals((await res.json()).partitions.length, 2);
  } finally {
    child.kill("SIGTERM");
    await lines.cancel();
    assertEquals((await child.status).code, 0);
  }
  const bad = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-net", "--allow-read", "--allow-env", cli, "--control-host", "0.0.0.0"],
    stdout: "null",
    stderr: "piped",
  }).output();
  assertEquals(bad.code, 2);
  assertOk(new TextDecoder().decode(bad.stderr).includes("--control-host needs --control-port"));
});
