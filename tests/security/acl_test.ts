// ACLs with Brook's own client: the admin API manages them, and producers, consumers and admins
// acting as alice over SASL PLAIN are let in or turned away with Kafka's errors. (What the broker
// answers is checked field by field against a real Kafka in tests/conformance/acl_*.)
import { assertEquals, assertOk, assertRejects } from "../assert.ts";
import {
  AclOperation as Op,
  AclPatternType as Pattern,
  AclPermission as Permission,
  AclResourceType as Resource,
  ErrorCode,
  KafkaProtocolError,
} from "../../codec/mod.ts";
import { Broker } from "../../broker/mod.ts";
import { Admin, Consumer, Producer } from "../../client/mod.ts";
import { SECURE_BROKER } from "../conformance/acl_scenarios.ts";

const asAlice = {
  sasl: { mechanism: "PLAIN" as const, username: "alice", password: "alice-secret" },
  retryBackoffMs: 10,
};

async function rejectsWith(code: number, promise: Promise<unknown>): Promise<void> {
  const e = await assertRejects(() => promise, KafkaProtocolError);
  assertEquals(e.code, code, e.message);
}

Deno.test("acls: the admin API manages ACLs that producers and consumers then meet", async () => {
  await using broker = await Broker.start(SECURE_BROKER);
  const sasl = broker.bootstrapServersFor("SASL_PLAINTEXT");
  await using admin = new Admin({ bootstrapServers: broker.bootstrapServersFor("PLAINTEXT") });
  await admin.createTopics([{ name: "orders" }, { name: "secret" }]);
  await admin.createAcls([
    {
      resourceType: Resource.TOPIC,
      resourceName: "ord",
      patternType: Pattern.PREFIXED,
      principal: "User:alice",
      operation: Op.ALL,
      permission: Permission.ALLOW,
    },
    {
      resourceType: Resource.GROUP,
      resourceName: "g",
      principal: "User:alice",
      operation: Op.READ,
      permission: Permission.ALLOW,
    },
  ]);
  assertEquals((await admin.describeAcls({ principal: "User:alice" })).length, 2);
  assertEquals(broker.authorizer?.size, 2);

  {
    await using producer = new Producer({ bootstrapServers: sasl, ...asAlice });
    await producer.send([{ topic: "orders", value: "one" }]);
    await rejectsWith(
      ErrorCode.TOPIC_AUTHORIZATION_FAILED,
      producer.send([{ topic: "secret", value: "no" }]),
    );
  }
  {
    await using consumer = new Consumer({
      bootstrapServers: sasl,
      groupId: "g",
      autoOffsetReset: "earliest",
      ...asAlice,
    });
    consumer.subscribe(["orders"]);
    const got: string[] = [];
    for (let i = 0; i < 50 && got.length === 0; i++) {
      for (const r of await consumer.poll({ timeoutMs: 100 })) {
        got.push(new TextDecoder().decode(r.value!));
      }
    }
    assertEquals(got, ["one"]);
    await consumer.commit();
  }
  {
    await using consumer = new Consumer({ bootstrapServers: sasl, groupId: "other", ...asAlice });
    consumer.subscribe(["orders"]);
    await rejectsWith(ErrorCode.GROUP_AUTHORIZATION_FAILED, consumer.poll({ timeoutMs: 2000 }));
  }
  {
    await using aliceAdmin = new Admin({ bootstrapServers: sasl, ...asAlice });
    await rejectsWith(ErrorCode.CLUSTER_AUTHORIZATION_FAILED, aliceAdmin.describeAcls());
    const topics = await aliceAdmin.listTopics();
    assertEquals(topics.includes("secret"), false, "undescribable topics are hidden");
    assertOk(topics.includes("orders"));
  }
  const deleted = await admin.deleteAcls([{
    principal: "User:alice",
    resourceType: Resource.TOPIC,
  }]);
  assertEquals(deleted.map((a) => a.resourceName), ["ord"]);
  {
    await using producer = new Producer({ bootstrapServers: sasl, ...asAlice });
    await rejectsWith(
      ErrorCode.TOPIC_AUTHORIZATION_FAILED,
      producer.send([{ topic: "orders", value: "two" }]),
    );
  }
});

Deno.test("acls: a broker without an authorizer answers SECURITY_DISABLED", async () => {
  await using broker = await Broker.start();
  await using admin = new Admin({ bootstrapServers: broker.bootstrapServers });
  await rejectsWith(ErrorCode.SECURITY_DISABLED, admin.describeAcls());
  await rejectsWith(
    ErrorCode.SECURITY_DISABLED,
    admin.createAcls([{
      resourceType: Resource.TOPIC,
      resourceName: "t",
      principal: "User:a",
      operation: Op.READ,
      permission: Permission.ALLOW,
    }]),
  );
  assertEquals(broker.authorizer, undefined);
});

Deno.test("acls: invalid ACLs are refused one by one with Kafka's messages", async () => {
  await using broker = await Broker.start({ authorizer: { superUsers: ["User:ANONYMOUS"] } });
  await using admin = new Admin({ bootstrapServers: broker.bootstrapServers });
  const e = await assertRejects(
    () =>
      admin.createAcls([{
        resourceType: Resource.CLUSTER,
        resourceName: "mine",
        principal: "User:a",
        operation: Op.ALTER,
        permission: Permission.ALLOW,
      }]),
    KafkaProtocolError,
  );
  assertEquals(e.code, ErrorCode.INVALID_REQUEST);
  assertOk(e.message.includes("The only valid name for the CLUSTER resource is kafka-cluster"));
  assertEquals(broker.authorizer?.size, 0);
});
