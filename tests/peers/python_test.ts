// Python peers against Brook's broker (BROOK_INTEROP=1; .ci/run installs them from PyPI):
// confluent-kafka (librdkafka 2.x) admin, idempotent producers with every compression, a cooperative
// two-member consumer group with commits; kafka-python producing and consuming; transactions
// (commit, abort, fencing, offsets) compared with a real Kafka 4.1.1.
import { assertEquals, assertOk } from "../assert.ts";
import { Broker } from "../../broker/mod.ts";
import { startKafka } from "../interop/kafka_server.ts";
import { testCertificates } from "../security/certs.ts";

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

Deno.test({
  name:
    "peers: confluent-kafka transactions give the same results on Brook's broker and real Kafka",
  ignore: !enabled,
  async fn() {
    const run = async (bootstrap: string) => {
      const out = await new Deno.Command("python3", {
        args: [new URL("./python_txn.py", import.meta.url).pathname, bootstrap, "python-txn"],
        stderr: "piped",
      }).output();
      assertOk(out.success, new TextDecoder().decode(out.stderr));
      return JSON.parse(new TextDecoder().decode(out.stdout).trim().split("\n").pop()!);
    };
    let brook;
    {
      await using broker = await Broker.start();
      brook = await run(broker.bootstrapServers);
    }
    // 10 committed + 5 transformed + the fencer's record; the aborted 10 and the zombie's are hidden.
    assertEquals(brook.read_committed, 16);
    assertEquals(brook.read_committed_aborted, 0);
    assertEquals(brook.read_uncommitted, 27);
    assertEquals([brook.zombie_commit, brook.zombie_fatal], ["_FENCED", true]);
    assertEquals(brook.group_read_before_commit, 10);
    assertOk(brook.group_committed_total >= 12, "the group's offsets committed with the records");
    await using kafka = await startKafka();
    const real = await run(kafka.bootstrapServers);
    const { group_committed_total: _b, ...brookFixed } = brook;
    const { group_committed_total: _r, ...realFixed } = real;
    assertEquals(brookFixed, realFixed);
  },
});

Deno.test({
  name: "peers: kafka-python with every SASL mechanism over SASL_PLAINTEXT and SASL_SSL",
  ignore: !enabled,
  async fn() {
    const certs = await testCertificates();
    await using broker = await Broker.start({
      listeners: ["SASL_PLAINTEXT://127.0.0.1:0", "SASL_SSL://127.0.0.1:0"],
      tls: { cert: certs.cert, key: certs.key },
      sasl: {
        users: { alice: "alice-secret", bob: "bob-secret" },
        mechanisms: ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512", "OAUTHBEARER"],
      },
    });
    const script = new URL("./python_sasl.py", import.meta.url).pathname;
    for (const [listener, ca] of [["SASL_PLAINTEXT", "-"], ["SASL_SSL", certs.caCertPath]]) {
      const out = await new Deno.Command("python3", {
        args: [script, broker.bootstrapServersFor(listener), listener, ca, listener.toLowerCase()],
        stderr: "piped",
      }).output();
      assertOk(out.success, new TextDecoder().decode(out.stderr));
      const r = JSON.parse(new TextDecoder().decode(out.stdout).trim().split("\n").pop()!);
      for (const m of ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512", "OAUTHBEARER"]) {
        assertEquals(r[m], [0, 1, 2, 3, 4].map((i) => `${m} ${i}`), `${listener} ${m}`);
      }
    }
  },
});
