// ACLs with foreign clients (BROOK_INTEROP=1): confluent-kafka's AdminClient manages ACLs, and
// confluent-kafka and kafka-python clients acting as alice are let in or turned away; the run on
// Brook's broker must see exactly what the run on a real Kafka 4.1.1 with the standard authorizer sees.
import { assertEquals, assertOk } from "../assert.ts";
import { Broker } from "../../broker/mod.ts";
import { startKafka } from "../interop/kafka_server.ts";
import { SECURE_BROKER } from "../conformance/acl_scenarios.ts";

const enabled = Deno.env.get("BROOK_INTEROP") === "1";
const script = new URL("./python_acls.py", import.meta.url).pathname;

async function run(plaintext: string, sasl: string): Promise<Record<string, unknown>> {
  const out = await new Deno.Command("python3", {
    args: [script, plaintext, sasl, "py-acl"],
    stderr: "piped",
  }).output();
  assertOk(out.success, new TextDecoder().decode(out.stderr));
  return JSON.parse(new TextDecoder().decode(out.stdout).trim().split("\n").pop()!);
}

Deno.test({
  name:
    "peers: confluent-kafka and kafka-python see the same ACLs on Brook's broker and real Kafka",
  ignore: !enabled,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    let brook;
    {
      await using broker = await Broker.start(SECURE_BROKER);
      brook = await run(
        broker.bootstrapServersFor("PLAINTEXT"),
        broker.bootstrapServersFor("SASL_PLAINTEXT"),
      );
    }
    assertEquals(brook.produce_orders, "NO_ERROR");
    assertEquals(brook.produce_secret, "TOPIC_AUTHORIZATION_FAILED");
    assertEquals(brook.consume_in_group, "hello");
    assertEquals(brook.consume_in_other_group, "GROUP_AUTHORIZATION_FAILED");
    assertEquals(brook.deleted, 3);
    await using kafka = await startKafka({ secure: true });
    assertEquals(brook, await run(kafka.bootstrapServers, kafka.saslPlaintext!));
  },
});
