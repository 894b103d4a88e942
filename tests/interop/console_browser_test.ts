// The web console in a real headless Chromium (BROOK_INTEROP=1; skipped where Debian's chromium
// package is not installed), driven over the DevTools Protocol: `deno task broker --console-port 0`
// serves the page, Brook's client produces and consumes, and the page must show what they did;
// a fault injected by clicking the page's button must reach the client. Screenshots are kept in
// /tmp/brook-console/ as test artefacts.
import { assertEquals, assertOk } from "../assert.ts";
import { Consumer, Producer } from "../../client/mod.ts";
import { Browser, findChromium } from "./cdp.ts";

const enabled = Deno.env.get("BROOK_INTEROP") === "1";
const chromium = findChromium();
const root = new URL("../../", import.meta.url).pathname;
const SHOTS = "/tmp/brook-console";

/** Starts the CLI broker with a console; resolves with its addresses once it prints them. */
async function startBroker() {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-net",
      "--allow-read",
      "--allow-env",
      `${root}cli/broker.ts`,
      "--port",
      "0",
      "--brokers",
      "2",
      "--console-port",
      "0",
      "--topic",
      "orders:2",
    ],
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  const deadline = Date.now() + 30_000;
  while (!/console on (\S+)/.test(text) && Date.now() < deadline) {
    const { value, done } = await lines.read();
    if (done) break;
    text += value;
  }
  const bootstrap = /listening on (\S+)/.exec(text)?.[1];
  const console = /console on (\S+)/.exec(text)?.[1];
  if (!bootstrap || !console) {
    child.kill("SIGTERM");
    await child.status;
    throw new Error(`The broker did not start: ${text}`);
  }
  // Keep reading so the broker never blocks on a full pipe.
  (async () => {
    while (!(await lines.read()).done);
  })();
  return {
    bootstrapServers: bootstrap,
    url: console,
    async [Symbol.asyncDispose]() {
      child.kill("SIGTERM");
      await child.status;
    },
  };
}

Deno.test({
  name:
    "console in Chromium: loads cleanly, shows a produced record, a group's lag, and a fault clicked in the page reaches the client" +
    (chromium ? "" : " (ignored: no chromium on PATH; apt-get install chromium)"),
  ignore: !enabled || chromium === undefined,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await Deno.mkdir(SHOTS, { recursive: true });
    await Deno.remove(`${SHOTS}/failure.png`).catch(() => {});
    await using broker = await startBroker();
    const { bootstrapServers } = broker;
    await using browser = await Browser.launch(chromium!);
    await browser.goto(broker.url);
    try {
      await drive(browser, bootstrapServers);
    } catch (e) {
      // What the page showed when it went wrong, for the test's log and artefacts.
      await browser.screenshot(`${SHOTS}/failure.png`, { fullPage: true }).catch(() => {});
      const status = await browser.evaluate(`document.getElementById("status").textContent`)
        .catch(() => "");
      throw new Error(
        `${(e as Error).message} (page status: ${status}; errors: ${browser.errors})`,
      );
    }
    assertEquals(browser.errors, []);
  },
});

async function drive(browser: Browser, bootstrapServers: string): Promise<void> {
  await browser.waitFor(
    `document.getElementById("cluster").textContent.includes("2/2 nodes up")`,
  );
  await browser.waitFor(`document.querySelector('#topics tr[data-topic="orders"]')`);
  await browser.click('#topics tr[data-topic="orders"]');
  await browser.waitFor(
    `document.querySelector("#topic-detail")?.textContent.includes("High watermark")`,
  );

  // A record produced by Brook's client appears in the message browser, newest first.
  await using producer = new Producer({ bootstrapServers, lingerMs: 1 });
  for (let i = 1; i <= 3; i++) {
    await producer.send({
      topic: "orders",
      partition: 0,
      key: `order-${i}`,
      value: JSON.stringify({ id: i, item: "book", qty: i * 2 }),
      headers: [{ key: "source", value: "console-test" }],
    });
  }
  // The topics view follows the partitions' offsets.
  await browser.waitFor(
    `document.querySelector('#topic-detail tbody tr')?.children[6].textContent === "3"`,
  );
  await browser.screenshot(`${SHOTS}/topics.png`);
  await browser.click('#tabs button[data-tab="messages"]');
  await browser.waitFor(`document.querySelectorAll("#messages tr.record").length === 3`);
  const keys = await browser.evaluate(
    `[...document.querySelectorAll("#messages tr.record")].map((r) => r.children[3].textContent)`,
  );
  assertEquals(keys, ["order-3", "order-2", "order-1"]);
  await browser.fill("#msg-format", "json");
  await browser.fill("#msg-search", "order-2");
  await browser.click("#msg-load");
  await browser.waitFor(`document.querySelectorAll("#messages tr.record").length === 1`);
  const shown = await browser.evaluate(
    `document.querySelector("#messages tr.record").textContent`,
  );
  assertOk(shown.includes('"item": "book"') && shown.includes("source: console-test"), shown);
  await browser.screenshot(`${SHOTS}/messages.png`);

  // A group's lag follows its commits.
  await browser.click('#tabs button[data-tab="groups"]');
  await using consumer = new Consumer({
    bootstrapServers,
    groupId: "billing",
    clientId: "billing-1",
    autoOffsetReset: "earliest",
    autoCommit: false,
  });
  consumer.subscribe(["orders"]);
  const seen = [];
  for (let i = 0; i < 200 && seen.length < 3; i++) {
    seen.push(...await consumer.poll({ timeoutMs: 50 }));
  }
  assertEquals(seen.length, 3);
  const lag = (n: number) =>
    `document.querySelector('[data-group="billing"] tr[data-topic="orders"][data-partition="0"]')?.dataset.lag === "${n}"`;
  await consumer.commit([{ topic: "orders", partition: 0, offset: 1n }]);
  await browser.waitFor(lag(2));
  await consumer.commit([{ topic: "orders", partition: 0, offset: 3n }]);
  await browser.waitFor(lag(0));
  const group = await browser.evaluate(
    `document.querySelector('[data-group="billing"]').textContent`,
  );
  assertOk(group.includes("Stable") && group.includes("billing-1"), group);
  await browser.screenshot(`${SHOTS}/groups.png`);

  // A fault injected with the page's button: the client's next Produce gets the error.
  await browser.click('#tabs button[data-tab="faults"]');
  await browser.waitFor(`document.querySelector("#nodes tbody tr")`);
  await browser.fill("#fault-kind", "error");
  await browser.fill("#fault-api", "Produce");
  await browser.fill("#fault-error", "POLICY_VIOLATION");
  await browser.fill("#fault-count", "1");
  await browser.click("#fault-inject");
  await browser.waitFor(`document.querySelector("#faults tr[data-fault]")`);
  const error = await producer.send({ topic: "orders", partition: 1, value: "refused" }).then(
    () => undefined,
    (e: Error) => e,
  );
  assertOk(error !== undefined, "the Produce after the fault should fail");
  assertOk(/POLICY_VIOLATION|policy/i.test(`${error.name} ${error.message}`), String(error));
  await browser.waitFor(
    `document.querySelector("#faults tr[data-fault] td:nth-child(4)")?.textContent === "1"`,
  );
  // The fault was used up: the next record is stored.
  const meta = await producer.send({ topic: "orders", partition: 1, value: "accepted" });
  assertEquals(meta.offset, 0n);
  await browser.screenshot(`${SHOTS}/faults.png`);
  // Stopping and restarting a node from the page.
  const node2 = `document.querySelectorAll("#nodes tbody tr")[1]`;
  await browser.click("#nodes tbody tr:nth-child(2) button");
  await browser.waitFor(`${node2}.textContent.includes("stopped")`);
  await browser.waitFor(`document.getElementById("cluster").textContent.includes("1/2 nodes up")`);
  await browser.click("#nodes tbody tr:nth-child(2) button");
  await browser.waitFor(`${node2}.textContent.includes("running")`);
  await browser.waitFor(`document.getElementById("cluster").textContent.includes("2/2 nodes up")`);

  // Transactions and producers, ACLs and SCRAM users render (the idempotent producer shows).
  await browser.click('#tabs button[data-tab="transactions"]');
  await browser.waitFor(
    `document.querySelector("#transactions")?.textContent.includes("orders-0")`,
  );
  await browser.click('#tabs button[data-tab="security"]');
  await browser.waitFor(
    `document.querySelector("#security")?.textContent.includes("No authorizer")`,
  );

  // The request plots are drawn from the metrics the page samples.
  await browser.click('#tabs button[data-tab="requests"]');
  await browser.waitFor(`document.querySelectorAll("#plots svg path").length > 0`);
  await browser.waitFor(`document.querySelector("#api-table")?.textContent.includes("Produce")`);
  await browser.screenshot(`${SHOTS}/requests.png`);
}
