// Load on a broker process: a thousand connections held and each served again, and senders that
// trickle their frames one byte a second while other clients are served. Figures are printed,
// not asserted (README's reliability section); `deno task load` runs larger ones.
import { assertEquals } from "../assert.ts";
import { startBrokerProcess } from "./broker_process.ts";
import { holdConnections, slowSenders } from "./load.ts";

Deno.test({
  name: "load: 1,000 connections held are all served; slow senders hold no one else up",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using broker = await startBrokerProcess();
    const held = await holdConnections(broker, { connections: 1000, samples: 200 });
    assertEquals(held.served, 1000);
    const slow = await slowSenders(broker, { senders: 20, seconds: 5 });
    assertEquals(slow.answered, 20);
    console.log(
      `1000 connections: probe p50 ${held.probe.p50.toFixed(2)} ms, p99 ${
        held.probe.p99.toFixed(2)
      } ms, broker RSS +${((held.rssHeld - held.rssBefore) / 1048576).toFixed(1)} MiB; ` +
        `20 slow senders: probe p99 ${slow.probe.p99.toFixed(2)} ms`,
    );
    assertEquals(broker.stderr, []);
  },
});
