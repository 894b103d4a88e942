// deno-lint-ignore-file no-explicit-any -- the answers are JSON read in the assertions
import { clusterOf } from "../../broker/broker_internals.ts";
import { assertEquals, assertOk } from "../assert.ts";
import { Broker } from "../../broker/mod.ts";
import { serveControl } from "../../broker/control/server.ts";
import { Admin, Consumer, Producer } from "../../client/mod.ts";

async function get(address: string, path: string): Promise<{ status: number; body: any }> {
  const res = await fetch(`http://${address}${path}`);
  const text = await res.text();
  return { status: res.status, body: text.startsWith("{") ? JSON.parse(text) : text };
}

const text = (b64: string | null) => b64 === null ? null : atob(b64);

Deno.test("console routes: messages newest first, by offset, by time and by search across partitions", async () => {
  await using broker = await Broker.start({ topics: { t: { partitions: 2 } } });
  await using control = await serveControl(broker);
  await using producer = new Producer({ bootstrapServers: broker.bootstrapServers, lingerMs: 1 });
  const base = Date.now() - 10_000;
  for (let i = 0; i < 6; i++) {
    await producer.send({
      topic: "t",
      partition: i % 2,
      key: `k${i}`,
      value: JSON.stringify({ n: i }),
      timestamp: BigInt(base + i * 1000),
      headers: i === 4 ? [{ key: "trace", value: "needle" }] : [],
    });
  }
  let r = await get(control.address, "/topics/t/messages?limit=4");
  assertEquals(r.status, 200);
  assertEquals(r.body.records.map((x: any) => text(x.key)), ["k5", "k4", "k3", "k2"]);
  r = await get(control.address, "/topics/t/messages?partition=0&offset=1");
  assertEquals(r.body.records.map((x: any) => [x.partition, x.offset]), [[0, 1], [0, 0]]);
  r = await get(control.address, `/topics/t/messages?timestamp=${base + 1000}`);
  assertEquals(r.body.records.map((x: any) => text(x.key)), ["k1", "k0"]);
  r = await get(control.address, "/topics/t/messages?search=NEEDLE&in=header");
  assertEquals(r.body.records.map((x: any) => text(x.key)), ["k4"]);
  r = await get(control.address, "/topics/t/messages?search=needle&in=value");
  assertEquals(r.body.records, []);
  r = await get(control.address, "/topics/t/messages?search=%22n%22%3A3");
  assertEquals(r.body.records.map((x: any) => text(x.value)), ['{"n":3}']);
  assertEquals(r.body.records[0].headers, []);
  r = await get(control.address, "/topics/t/messages?offset=1");
  assertEquals([r.status, r.body.error], [400, "Parameter 'offset' needs 'partition'"]);
  r = await get(control.address, "/topics/t/messages?partition=2");
  assertEquals(r.status, 404);
  r = await get(control.address, "/topics/nope/messages");
  assertEquals(r.status, 404);
  r = await get(control.address, "/topics/t/messages?in=body");
  assertEquals(r.status, 400);
});

Deno.test("console routes: a classic group's lag per partition, kept once the group is empty", async () => {
  await using broker = await Broker.start({ topics: { t: { partitions: 2 } } });
  await using control = await serveControl(broker);
  const bootstrapServers = broker.bootstrapServers;
  await using producer = new Producer({ bootstrapServers, lingerMs: 1 });
  for (let i = 0; i < 5; i++) await producer.send({ topic: "t", partition: 0, value: `v${i}` });
  {
    await using consumer = new Consumer({
      bootstrapServers,
      groupId: "g",
      clientId: "reader",
      autoOffsetReset: "earliest",
      autoCommit: false,
    });
    consumer.subscribe(["t"]);
    let seen = 0;
    for (let i = 0; i < 200 && seen < 2; i++) {
      for (const rec of await consumer.poll({ timeoutMs: 50 })) {
        seen++;
        if (seen === 2) {
          await consumer.commit([{ topic: "t", partition: 0, offset: rec.offset + 1n }]);
        }
      }
    }
    const { body } = await get(control.address, "/groups");
    const g = body.groups.find((x: any) => x.groupId === "g");
    assertEquals([g.type, g.state, g.members.length], ["classic", "Stable", 1]);
    assertEquals(g.members[0].clientId, "reader");
    assertEquals(g.members[0].assignment, [{ topic: "t", partitions: [0, 1] }]);
    assertEquals(g.offsets, [
      { topic: "t", partition: 0, committed: 2, logEndOffset: 5, lag: 3 },
      { topic: "t", partition: 1, committed: null, logEndOffset: 0, lag: null },
    ]);
  }
  const { body } = await get(control.address, "/groups");
  const g = body.groups.find((x: any) => x.groupId === "g");
  assertEquals([g.state, g.members.length], ["Empty", 0]);
  assertEquals(g.offsets, [{ topic: "t", partition: 0, committed: 2, logEndOffset: 5, lag: 3 }]);
});

Deno.test("console routes: a KIP-848 group, transactions and producers, ACLs and SCRAM users", async () => {
  await using broker = await Broker.start({
    topics: { t: { partitions: 1 } },
    authorizer: { allowEveryoneIfNoAclFound: true },
  });
  await using control = await serveControl(broker);
  const bootstrapServers = broker.bootstrapServers;
  await using producer = new Producer({ bootstrapServers, transactionalId: "tx", lingerMs: 1 });
  await producer.initTransactions();
  producer.beginTransaction();
  await producer.send({ topic: "t", partition: 0, value: "open" });
  await using admin = new Admin({ bootstrapServers });
  await admin.alterUserScramCredentials([{
    op: "upsert",
    user: "carol",
    mechanism: "SCRAM-SHA-256",
    password: "pw",
  }]);
  await using consumer = new Consumer({
    bootstrapServers,
    groupId: "g848",
    groupProtocol: "consumer",
  });
  consumer.subscribe(["t"]);
  // Heartbeats go out from poll: poll until the group settles.
  for (
    let i = 0;
    i < 200 && clusterOf(broker).groups.consumerGroups.get("g848")?.state !== "Stable";
    i++
  ) {
    await consumer.poll({ timeoutMs: 50 });
  }
  const groups = (await get(control.address, "/groups")).body.groups;
  const g = groups.find((x: any) => x.groupId === "g848");
  assertEquals([g.type, g.state, g.members[0].assignment], ["consumer", "Stable", [{
    topic: "t",
    partitions: [0],
  }]]);
  const txns = (await get(control.address, "/transactions")).body;
  assertEquals(txns.transactions.map((t: any) => [t.transactionalId, t.state, t.partitions]), [
    ["tx", "Ongoing", [{ topic: "t", partition: 0 }]],
  ]);
  assertEquals(txns.producers.map((p: any) => [p.topic, p.partition, p.lastSequence]), [[
    "t",
    0,
    0,
  ]]);
  const security = (await get(control.address, "/security")).body;
  assertEquals(security.authorizer, true);
  assertEquals(security.scramUsers, [{
    user: "carol",
    credentials: [{ mechanism: "SCRAM-SHA-256", iterations: 4096 }],
  }]);
  await producer.abortTransaction();
});

Deno.test("console: the page and its files are served only on a console port", async () => {
  await using broker = await Broker.start();
  await using api = await serveControl(broker);
  await using web = await serveControl(broker, { console: true });
  assertEquals((await get(api.address, "/")).status, 404);
  const page = await get(web.address, "/");
  assertEquals(page.status, 200);
  assertOk(String(page.body).includes("<title>Brook console</title>"));
  for (const file of ["app.js", "data_views.js", "live_views.js", "plot.js", "style.css"]) {
    assertEquals((await get(web.address, `/console/${file}`)).status, 200, file);
  }
  assertEquals((await get(web.address, "/console/../deno.json")).status, 404);
  // Both ports share the broker's faults.
  await fetch(`http://${api.address}/faults`, {
    method: "POST",
    body: JSON.stringify({ kind: "error", apiKey: "Produce", errorCode: "NOT_LEADER_OR_FOLLOWER" }),
  }).then((r) => r.body?.cancel());
  assertEquals((await get(web.address, "/faults")).body.faults.length, 1);
});

/** One raw HTTP/1.1 request naming `host`, for Host headers fetch will not send; the status. */
async function statusWithHost(address: string, host: string, path: string): Promise<number> {
  const [hostname, port] = address.split(":");
  const conn = await Deno.connect({ hostname, port: Number(port) });
  try {
    const request = `GET ${path} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`;
    await conn.write(new TextEncoder().encode(request));
    const buf = new Uint8Array(256);
    const n = await conn.read(buf);
    return Number(new TextDecoder().decode(buf.subarray(0, n ?? 0)).split(" ")[1]);
  } finally {
    conn.close();
  }
}

Deno.test("console: pages of other sites and rebound DNS names cannot use the control API", async () => {
  await using broker = await Broker.start({ topics: { t: {} } });
  await using web = await serveControl(broker, { console: true });
  const post = (origin: string) =>
    fetch(`http://${web.address}/faults`, {
      method: "POST",
      headers: { origin },
      body: JSON.stringify({ kind: "close", apiKey: "Fetch" }),
    }).then(async (r) => [r.status, (await r.json()).error]);
  assertEquals(await post("https://example.com"), [
    403,
    "Requests from pages of https://example.com are refused",
  ]);
  assertEquals(await get(web.address, "/faults"), { status: 200, body: { faults: [] } });
  // The console's own page posts with its own origin.
  assertEquals((await post(`http://${web.address}`))[0], 201);
  const port = web.address.split(":")[1];
  assertEquals(await statusWithHost(web.address, `rebound.example:${port}`, "/cluster"), 403);
  assertEquals(await statusWithHost(web.address, `localhost:${port}`, "/cluster"), 200);
  assertEquals(await statusWithHost(web.address, web.address, "/cluster"), 200);
});

Deno.test("--console-port and --console-host: the console's address, loopback by default", async () => {
  const { parseCommandLine } = await import("../../cli/broker.ts");
  let parsed = await parseCommandLine(["--console-port", "0"]);
  assertOk(!parsed.help);
  assertEquals(parsed.console, { hostname: "127.0.0.1", port: 0, console: true });
  parsed = await parseCommandLine(["--console-port", "8080", "--console-host", "::1"]);
  assertOk(!parsed.help);
  assertEquals(parsed.console, { hostname: "::1", port: 8080, console: true });
  let error: Error | undefined;
  await parseCommandLine(["--console-host", "::1"]).catch((e) => error = e);
  assertEquals(error?.message, "--console-host needs --console-port");
});
