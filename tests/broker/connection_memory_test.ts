// What an accepted connection costs the broker: an idle one holds only a small read buffer, and the
// buffers a large request or answer needed are given back once it is done.
import { nodesOf } from "../../broker/broker_internals.ts";
import { assertEquals, assertOk } from "../assert.ts";
import { ApiKey } from "../../codec/mod.ts";
import { Broker } from "../../broker/mod.ts";
import type { BrokerConnection } from "../../broker/server/connection.ts";
import { RawClient } from "./raw_client.ts";

/** The most an idle connection may hold for reading and writing. */
const IDLE_BYTES = 1024;

async function onlyConnection(broker: Broker): Promise<BrokerConnection> {
  for (let i = 0; i < 100; i++) {
    const [connection] = nodesOf(broker)[0].connections;
    if (connection) return connection;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error("the broker did not accept the connection");
}

Deno.test("connection memory: an idle connection holds a small read buffer and no writer", async () => {
  await using broker = await Broker.start();
  await using client = await RawClient.connect(broker.bootstrapServers);
  const connection = await onlyConnection(broker);
  // Let the broker reach its first read.
  await new Promise((resolve) => setTimeout(resolve, 20));
  assertOk(
    connection.bufferBytes <= IDLE_BYTES,
    `an idle connection holds ${connection.bufferBytes} bytes`,
  );
  client.close();
});

Deno.test("connection memory: buffers grown for a large request and answer are given back", async () => {
  await using broker = await Broker.start({ topics: { big: { partitions: 1 } } });
  await using client = await RawClient.connect(broker.bootstrapServers);
  const connection = await onlyConnection(broker);
  // A 4 MiB request (its batch is refused, but the frame is read whole).
  const produce = await client.request(ApiKey.Produce, 9, {
    acks: 1,
    timeoutMs: 5000,
    topicData: [{
      name: "big",
      partitionData: [{ index: 0, records: new Uint8Array(4 * 1024 * 1024) }],
    }],
  });
  assertEquals(produce.responses.length, 1);
  // A small request after it: the connection is back to its idle size (plus a small writer).
  await client.request(ApiKey.ApiVersions, 0, {});
  await new Promise((resolve) => setTimeout(resolve, 20));
  assertOk(
    connection.bufferBytes <= 4 * IDLE_BYTES,
    `after a large request the connection holds ${connection.bufferBytes} bytes`,
  );
});
