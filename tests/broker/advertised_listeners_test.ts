// advertised.listeners: clients are told the address they reach the broker at (a proxy's), not the
// one it listens on, in Metadata, FindCoordinator and DescribeCluster; the config shows both.
import { assertEquals, assertRejects, assertThrows } from "../assert.ts";
import { Broker } from "../../broker/mod.ts";
import { parseAdvertisedListeners, parseListeners } from "../../broker/security/options.ts";
import { Consumer, Producer } from "../../client/mod.ts";
import { ApiKey } from "../../codec/mod.ts";
import { RawClient } from "./raw_client.ts";

/** A TCP proxy on a free port to `target`; counts the connections it carried. */
function proxy(target: number) {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const open = new Set<Deno.Conn>();
  let connections = 0;
  const pipe = async (from: Deno.Conn, to: Deno.Conn) => {
    await from.readable.pipeTo(to.writable).catch(() => {});
    for (const c of [from, to]) {
      try {
        c.close();
      } catch {
        // already closed
      }
    }
  };
  const accepting = (async () => {
    for await (const client of listener) {
      connections++;
      const upstream = await Deno.connect({ hostname: "127.0.0.1", port: target });
      open.add(client).add(upstream);
      pipe(client, upstream);
      pipe(upstream, client);
    }
  })();
  return {
    port: (listener.addr as Deno.NetAddr).port,
    get connections() {
      return connections;
    },
    async [Symbol.asyncDispose]() {
      listener.close();
      await accepting.catch(() => {});
      for (const c of open) {
        try {
          c.close();
        } catch {
          // already closed
        }
      }
    },
  };
}

Deno.test("advertised listeners: Metadata, FindCoordinator and DescribeCluster name the advertised address", async () => {
  await using broker = await Broker.start({
    nodes: 2,
    advertisedListeners: ["PLAINTEXT://kafka.example:29091"],
  });
  await using c = await RawClient.connect(broker.bootstrapServers);
  const metadata = await c.request(ApiKey.Metadata, 12, { topics: null });
  assertEquals(
    metadata.brokers.map((b) => [b.nodeId, b.host, b.port]),
    [[1, "kafka.example", 29091], [2, "kafka.example", 29092]],
  );
  const cluster = await c.request(ApiKey.DescribeCluster, 1, {});
  assertEquals(cluster.brokers.map((b) => `${b.host}:${b.port}`), [
    "kafka.example:29091",
    "kafka.example:29092",
  ]);
  const coordinator = await c.request(ApiKey.FindCoordinator, 4, {
    keyType: 0,
    coordinatorKeys: ["g"],
  });
  assertEquals(coordinator.coordinators[0].host, "kafka.example");
  const configs = await c.request(ApiKey.DescribeConfigs, 4, {
    resources: [{ resourceType: 4, resourceName: "1", configurationKeys: null }],
  });
  const value = (name: string) => configs.results[0].configs.find((e) => e.name === name)?.value;
  const listening = broker.bootstrapServers.split(",")[0];
  assertEquals(value("listeners"), `PLAINTEXT://${listening}`);
  assertEquals(value("advertised.listeners"), "PLAINTEXT://kafka.example:29091");
});

Deno.test("advertised listeners: a client that reaches the broker through a proxy stays on it", async () => {
  // The proxy listens first, so that the broker can advertise its port.
  const placeholder = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const brokerPort = (placeholder.addr as Deno.NetAddr).port;
  placeholder.close();
  await using tcp = proxy(brokerPort);
  await using broker = await Broker.start({
    port: brokerPort,
    advertisedListeners: [`PLAINTEXT://127.0.0.1:${tcp.port}`],
  });
  const bootstrapServers = `127.0.0.1:${tcp.port}`;
  {
    await using producer = new Producer({ bootstrapServers });
    await producer.send([{ topic: "through", value: "a" }, { topic: "through", value: "b" }]);
  }
  await using consumer = new Consumer({ bootstrapServers, autoOffsetReset: "earliest" });
  consumer.assign([{ topic: "through", partition: 0 }]);
  const got: string[] = [];
  for (let i = 0; i < 100 && got.length < 2; i++) {
    for (const r of await consumer.poll({ timeoutMs: 100 })) {
      got.push(new TextDecoder().decode(r.value!));
    }
  }
  assertEquals(got, ["a", "b"]);
  // Every connection went through the proxy: none was opened to the port the broker listens on.
  assertEquals(broker.metrics().connections[1].accepted, tcp.connections);
});

Deno.test("advertised listeners: names must be listeners', once, as Kafka checks them", async () => {
  const listeners = parseListeners(["PLAINTEXT://127.0.0.1:0", "SSL://127.0.0.1:0"], {
    host: "127.0.0.1",
    port: 0,
  });
  assertEquals(
    [...parseAdvertisedListeners(["PLAINTEXT://a:1,SSL://b:2"], listeners)],
    [["PLAINTEXT", { host: "a", port: 1 }], ["SSL", { host: "b", port: 2 }]],
  );
  assertThrows(
    () => parseAdvertisedListeners(["SASL_SSL://a:1"], listeners),
    RangeError,
    /^advertised\.listeners listener names must be equal to or a subset of the ones defined in listeners\. Found SASL_SSL\. The valid options based on the current configuration are PLAINTEXT,SSL$/,
  );
  assertThrows(() => parseAdvertisedListeners(["PLAINTEXT://a"], listeners), RangeError);
  await assertRejects(
    () => Broker.start({ advertisedListeners: ["SSL://a:1"] }),
    RangeError,
    /Found SSL\./,
  );
});
