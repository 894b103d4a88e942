// The client's timeouts come from its options, as Kafka's clients take request.timeout.ms: the
// Produce request asks the leader to wait for acks as long as the producer waits for the answer.
import { assertEquals } from "../assert.ts";
import { Broker } from "../../broker/mod.ts";
import { Producer } from "../../client/mod.ts";
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
