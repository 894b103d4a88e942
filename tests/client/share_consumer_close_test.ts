// A share consumer leaves its group on close even when a heartbeat is on the wire at that moment
// (the close ends the heartbeat loop; the leave must still reach the coordinator).
import { assertEquals } from "../assert.ts";
import { Broker } from "../../broker/mod.ts";
import { Admin, ShareConsumer } from "../../client/mod.ts";
import { prepare } from "./share_consumer_scenarios.ts";

Deno.test("share consumer: close leaves the group while a heartbeat is in flight", async () => {
  await using broker = await Broker.start({
    configs: {
      "group.share.min.heartbeat.interval.ms": "20",
      "group.share.heartbeat.interval.ms": "20",
    },
  });
  const topic = "close-in-flight";
  await prepare(broker.bootstrapServers, topic);
  await using admin = new Admin({ bootstrapServers: broker.bootstrapServers });
  // Each heartbeat takes 200 ms and the next follows 20 ms later: a close almost always finds one
  // on the wire. Five groups, so that the old code (which then forgot its coordinator and never
  // sent the leave) fails with near certainty.
  broker.addLatency(200, { apiKey: "ShareGroupHeartbeat" });
  for (let i = 0; i < 5; i++) {
    const groupId = `${topic}-group-${i}`;
    await admin.incrementalAlterConfigs([{
      resource: { type: "group", name: groupId },
      ops: [{ name: "share.auto.offset.reset", op: "set", value: "earliest" }],
    }]);
    const consumer = new ShareConsumer({ bootstrapServers: broker.bootstrapServers, groupId });
    consumer.subscribe([topic]);
    for (const deadline = Date.now() + 20_000; Date.now() < deadline;) {
      if ((await consumer.poll({ timeoutMs: 100 })).length > 0) break;
    }
    await new Promise((r) => setTimeout(r, 50 + 37 * i));
    await consumer.close();
    const [group] = await admin.describeShareGroups([groupId]);
    assertEquals([group.state, group.members.length], ["Empty", 0], groupId);
  }
});
