// Connection creation rates on Brook's broker: the per-address quota (connection_creation_rate,
// compared with a real Kafka in tests/interop/quotas_kafka_test.ts) and the listener's
// max.connection.creation.rate, which delays accepting rather than refusing.
import { assertEquals, assertOk } from "../assert.ts";
import { ApiKey } from "../../codec/mod.ts";
import { Broker } from "../../broker/mod.ts";
import { connectionRateOutcomes } from "./connection_rate.ts";
import { RawClient } from "./raw_client.ts";

Deno.test("connection rate: past its address's quota a connection is held, then closed unanswered", async () => {
  await using broker = await Broker.start();
  const outcomes = await connectionRateOutcomes(broker.bootstrapServers, 16);
  // Ten fit a young rate of one a second (eleven if opening them took over a second), then none.
  const served = outcomes.findIndex((o) => !o.answered);
  assertOk(served >= 10 && served <= 11, `${served} connections served`);
  assertEquals(outcomes.slice(served).filter((o) => o.answered), []);
  for (const o of outcomes.filter((o) => !o.answered)) {
    // Held for the throttle time Kafka computes (at most one quota window), not refused at once.
    assertOk(o.closedAfterMs! >= 200, `closed after ${o.closedAfterMs} ms`);
  }
  // The quota is gone: connections are served again.
  await using client = await RawClient.connect(broker.bootstrapServers);
  const versions = await client.request(ApiKey.ApiVersions, 3, {
    clientSoftwareName: "brook-test",
    clientSoftwareVersion: "1",
  });
  assertEquals(versions.errorCode, 0);
});

Deno.test("connection rate: max.connection.creation.rate makes the listener wait, then serve", async () => {
  await using broker = await Broker.start({ configs: { "max.connection.creation.rate": "2" } });
  const started = Date.now();
  const clients = [];
  for (let i = 0; i < 23; i++) clients.push(await RawClient.connect(broker.bootstrapServers));
  const answers = await Promise.all(
    clients.map((c) =>
      c.request(ApiKey.ApiVersions, 3, { clientSoftwareName: "x", clientSoftwareVersion: "1" })
    ),
  );
  for (const c of clients) c.close();
  assertEquals(answers.filter((a) => a.errorCode === 0).length, 23);
  // Twenty fit the young rate (2 a second over ten seconds); the rest waited for the listener.
  assertOk(Date.now() - started >= 300, `all served after ${Date.now() - started} ms`);
});
