// Python peers against Brook's broker (BROOK_INTEROP=1; .ci/run installs them from PyPI):
// confluent-kafka (librdkafka 2.x) admin, idempotent producers with every compression, a cooperative
// two-member consumer group with commits; kafka-python producing and consuming.
import { assertEquals, assertOk } from "../assert.ts";
import { Broker } from "../../broker/mod.ts";

const enabled = Deno.env.get("BROOK_INTEROP") === "1";
const script = new URL("./python_clients.py", import.meta.url).pathname;

Deno.test({
  name: "peers: confluent-kafka and kafka-python against Brook's broker",
  ignore: !enabled,
  async fn() {
    await using broker = await Broker.start({ nodes: 3 });
    const out = await new Deno.Command("python3", {
      args: [script, broker.bootstrapServers, "python-peers"],
      stderr: "piped",
    })
      .output();
    assertOk(out.success, new TextDecoder().decode(out.stderr));
    const r = JSON.parse(new TextDecoder().decode(out.stdout).trim().split("\n").pop()!);
    assertEquals(r.admin_partitions, 4);
    assertEquals([r.produced, r.consumed, r.duplicates], [125, 125, 0]);
    assertEquals(r.committed_total, 125);
    assertEquals(r.kafka_python_read, 10);
  },
});
