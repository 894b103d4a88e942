// The client's timeouts come from its options, as Kafka's clients take request.timeout.ms and
// default.api.timeout.ms: Produce asks the leader to wait for acks as long as the producer waits
// for the answer, and an admin call sends its own timeout in the requests that carry one.
import { assertEquals } from "../assert.ts";
import { Broker } from "../../broker/mod.ts";
import { Admin, Producer } from "../../client/mod.ts";
import { ApiKey } from "../../codec/mod.ts";

async function produceTimeouts(options: { requestTimeoutMs?: number }): Promise<number[]> {
  await using broker = await Broker.start({ topics: { t: { partitions: 1 } } });
  const seen: number[] = [];
  broker.intercept((request, next) => {
    if (request.apiKey === ApiKey.Produce) {
      seen.push((request.body as { timeoutMs: number }).timeoutMs);
    }
    return next();
  });
  await using producer = new Producer({ bootstrapServers: broker.bootstrapServers, ...options });
  await producer.send({ topic: "t", value: "v" });
  return seen;
}

Deno.test("request timeouts: Produce carries the producer's requestTimeoutMs (request.timeout.ms)", async () => {
  assertEquals(await produceTimeouts({ requestTimeoutMs: 12_345 }), [12_345]);
});

Deno.test("request timeouts: Produce carries Kafka's default request.timeout.ms, 30000", async () => {
  assertEquals(await produceTimeouts({}), [30_000]);
});

async function adminTimeouts(
  adminOptions: { defaultApiTimeoutMs?: number },
  callOptions: { timeoutMs?: number },
): Promise<Record<string, number[]>> {
  await using broker = await Broker.start({ topics: { t: { partitions: 1 } } });
  const seen: Record<string, number[]> = {};
  broker.intercept((request, next) => {
    const { timeoutMs } = request.body as { timeoutMs?: number };
    if (timeoutMs !== undefined) (seen[request.apiKey] ??= []).push(timeoutMs);
    return next();
  });
  await using admin = new Admin({ bootstrapServers: broker.bootstrapServers, ...adminOptions });
  await admin.createTopics([{ name: "u", partitions: 1 }], callOptions);
  await admin.deleteRecords([{ topic: "t", partition: 0, offset: 0n }], callOptions);
  await admin.listOffsets([{ topic: "t", partition: 0, spec: "latest" }], callOptions);
  return seen;
}

Deno.test("request timeouts: admin requests carry default.api.timeout.ms, 60000, as Kafka's admin", async () => {
  const seen = await adminTimeouts({}, {});
  assertEquals(seen[ApiKey.CreateTopics], [60_000]);
  assertEquals(seen[ApiKey.DeleteRecords], [60_000]);
  assertEquals(seen[ApiKey.ListOffsets], [60_000]);
});

Deno.test("request timeouts: an admin's defaultApiTimeoutMs and a call's timeoutMs are sent", async () => {
  const byAdmin = await adminTimeouts({ defaultApiTimeoutMs: 7_000 }, {});
  assertEquals(byAdmin[ApiKey.DeleteRecords], [7_000]);
  const byCall = await adminTimeouts({ defaultApiTimeoutMs: 7_000 }, { timeoutMs: 4_000 });
  assertEquals(byCall[ApiKey.CreateTopics], [4_000]);
  assertEquals(byCall[ApiKey.DeleteRecords], [4_000]);
  assertEquals(byCall[ApiKey.ListOffsets], [4_000]);
});
