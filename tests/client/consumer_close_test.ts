// A closed group consumer leaves its group at once, as Kafka's does, in both group protocols:
// the group is Empty right after close, not after a session timeout.
import { assertEquals } from "../assert.ts";
import { Broker } from "../../broker/mod.ts";
import { Admin, Consumer, Producer } from "../../client/mod.ts";

for (const protocol of ["classic", "consumer"] as const) {
  Deno.test({
    name: `consumer close: a ${protocol} member leaves its group, which is Empty at once`,
    sanitizeResources: false,
    sanitizeOps: false,
    async fn() {
      await using broker = await Broker.start({ topics: { t: { partitions: 2 } } });
      const bootstrapServers = broker.bootstrapServers;
      {
        await using producer = new Producer({ bootstrapServers });
        await producer.send({ topic: "t", value: "x" });
      }
      await using admin = new Admin({ bootstrapServers });
      {
        await using consumer = new Consumer({
          bootstrapServers,
          groupId: `g-${protocol}`,
          groupProtocol: protocol,
          autoOffsetReset: "earliest",
          fetchMaxWaitMs: 100,
        });
        consumer.subscribe(["t"]);
        for (let i = 0; i < 100; i++) {
          if ((await consumer.poll({ timeoutMs: 100 })).length > 0) break;
        }
        const [joined] = await admin.describeGroups([`g-${protocol}`]);
        assertEquals(joined.members.length, 1);
      }
      const [left] = await admin.describeGroups([`g-${protocol}`]);
      assertEquals([left.state, left.members.length], ["Empty", 0]);
    },
  });
}
