// Connection limits as Kafka's connection quotas and selector apply them: max.connections.per.ip
// (and its overrides) refuses connections past the limit, max.connections holds a new connection
// unanswered until another closes, connections.max.idle.ms closes a connection that stays silent.
import { assertEquals, assertOk } from "../assert.ts";
import { ApiKey } from "../../codec/mod.ts";
import { Broker } from "../../broker/mod.ts";
import { RawClient } from "./raw_client.ts";

const metadata = (c: RawClient) =>
  c.request(ApiKey.Metadata, 12, { topics: [], allowAutoTopicCreation: false });

/** Whether the broker answers on this connection (false: it was closed). */
async function answers(c: RawClient): Promise<boolean> {
  try {
    await metadata(c);
    return true;
  } catch {
    return false;
  }
}

Deno.test("connections: max.connections.per.ip refuses, and can be changed at run time", async () => {
  await using broker = await Broker.start({ configs: { "max.connections.per.ip": "2" } });
  await using a = await RawClient.connect(broker.bootstrapServers);
  await using b = await RawClient.connect(broker.bootstrapServers);
  await using c = await RawClient.connect(broker.bootstrapServers);
  assertEquals([await answers(a), await answers(b), await answers(c)], [true, true, false]);
  // A cluster-wide override for this address lifts the limit for new connections.
  const altered = await a.request(ApiKey.IncrementalAlterConfigs, 1, {
    resources: [{
      resourceType: 4,
      resourceName: "",
      configs: [{
        name: "max.connections.per.ip.overrides",
        configOperation: 0,
        value: "127.0.0.1:3",
      }],
    }],
    validateOnly: false,
  });
  assertEquals(altered.responses[0].errorCode, 0);
  await using d = await RawClient.connect(broker.bootstrapServers);
  assertOk(await answers(d));
});

Deno.test("connections: past max.connections a new one waits for a slot", async () => {
  await using broker = await Broker.start({ configs: { "max.connections": "1" } });
  const first = await RawClient.connect(broker.bootstrapServers);
  assertOk(await answers(first));
  await using second = await RawClient.connect(broker.bootstrapServers);
  let answered = false;
  const pending = metadata(second).then(() => answered = true);
  await new Promise((r) => setTimeout(r, 100));
  assertEquals(answered, false, "held while the only slot is taken");
  first.close();
  await pending;
  assertOk(answered);
});

Deno.test("connections: connections.max.idle.ms closes a silent connection", async () => {
  await using broker = await Broker.start({ configs: { "connections.max.idle.ms": "100" } });
  await using c = await RawClient.connect(broker.bootstrapServers);
  assertOk(await answers(c));
  await new Promise((r) => setTimeout(r, 250));
  assertEquals(await answers(c), false);
});
