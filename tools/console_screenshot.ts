// Makes README's console screenshot (docs/console.png): a broker with a few records and a
// consumer group, the console in headless Chromium, the Groups and Messages tabs.
// deno run -A tools/console_screenshot.ts
import { Broker } from "../broker/mod.ts";
import { serveControl } from "../broker/control/server.ts";
import { Consumer, Producer } from "../client/mod.ts";
import { Browser, findChromium } from "../tests/interop/cdp.ts";

const chromium = findChromium();
if (!chromium) throw new Error("No chromium on PATH");
await using broker = await Broker.start({ topics: { orders: { partitions: 3 }, payments: {} } });
await using web = await serveControl(broker, { console: true });
const bootstrapServers = broker.bootstrapServers;
await using producer = new Producer({ bootstrapServers, lingerMs: 1 });
const items = ["book", "lamp", "chair", "desk", "pen", "mug"];
for (let i = 1; i <= 24; i++) {
  await producer.send({
    topic: "orders",
    key: `order-${i}`,
    value: JSON.stringify({ id: i, item: items[i % items.length], qty: (i % 4) + 1 }),
    headers: [{ key: "source", value: i % 2 ? "web" : "app" }],
  });
}
await using consumer = new Consumer({
  bootstrapServers,
  groupId: "billing",
  clientId: "billing-1",
  autoOffsetReset: "earliest",
  autoCommit: false,
});
consumer.subscribe(["orders"]);
let seen = 0;
for (let i = 0; i < 200 && seen < 24; i++) seen += (await consumer.poll({ timeoutMs: 50 })).length;
await consumer.commit([{ topic: "orders", partition: 0, offset: 2n }]);
await using browser = await Browser.launch(chromium, { width: 1100, height: 560 });
await browser.send("Emulation.setDeviceMetricsOverride", {
  width: 1100,
  height: 560,
  deviceScaleFactor: 1,
  mobile: false,
});
await browser.goto(`http://${web.address}/`);
await browser.click('#tabs button[data-tab="messages"]');
await browser.fill("#msg-format", "json");
await browser.fill("#msg-limit", "4");
await browser.click("#msg-load");
await browser.waitFor(`document.querySelectorAll("#messages tr.record").length === 4`);
await browser.screenshot("docs/console.png");
console.log("docs/console.png");
