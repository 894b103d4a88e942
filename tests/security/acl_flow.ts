/**
 * The ACL round trip of Brook's client, run against Brook's broker (tests/security/acl_test.ts) and
 * against a real Kafka 4.1.1 (tests/interop/security_kafka_test.ts).
 *
 * @module
 */

import { assertEquals, assertOk, assertRejects } from "../assert.ts";
import {
  AclOperation as Op,
  AclPatternType as Pattern,
  AclPermission as Permission,
  AclResourceType as Resource,
  ErrorCode,
  KafkaProtocolError,
} from "../../codec/mod.ts";
import { Admin, Consumer, Producer } from "../../client/mod.ts";

const asAlice = {
  sasl: { mechanism: "PLAIN" as const, username: "alice", password: "alice-secret" },
  retryBackoffMs: 10,
};

/** Fails unless `promise` rejects with Kafka's error `code`. */
export async function rejectsWith(code: number, promise: Promise<unknown>): Promise<void> {
  const e = await assertRejects(() => promise, KafkaProtocolError);
  assertEquals(e.code, code, e.message);
}

async function until(condition: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 100 && !(await condition()); i++) {
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Brook's admin (the anonymous super user on `plaintext`) creates topics and ACLs; producers,
 * consumers and an admin acting as alice on `sasl` meet them; the ACLs are deleted again.
 */
export async function aclRoundTrip(plaintext: string, sasl: string): Promise<void> {
  await using admin = new Admin({ bootstrapServers: plaintext });
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
  // A real Kafka applies new ACLs in the background: wait until its broker lists them.
  await until(async () => (await admin.describeAcls({ principal: "User:alice" })).length === 2);

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
  await until(async () => (await admin.describeAcls({ principal: "User:alice" })).length === 1);
  {
    await using producer = new Producer({ bootstrapServers: sasl, ...asAlice });
    await rejectsWith(
      ErrorCode.TOPIC_AUTHORIZATION_FAILED,
      producer.send([{ topic: "orders", value: "two" }]),
    );
  }
}

/**
 * Mutual TLS and ACLs: the admin (anonymous on `plaintext`) lets "User:CN=alice,OU=eng,O=Brook"
 * write to one topic; a producer on the SSL listener `ssl` showing alice's certificate (in `tls`)
 * writes there and is refused elsewhere, so the broker named her exactly so.
 */
export async function certificateRoundTrip(
  plaintext: string,
  ssl: string,
  tls: { caCerts: string[]; cert: string; key: string },
  principal = "User:CN=alice,OU=eng,O=Brook",
): Promise<void> {
  const signed = `signed-${principal.replace(/[^a-zA-Z0-9]/g, "")}`;
  await using admin = new Admin({ bootstrapServers: plaintext });
  await admin.createTopics([{ name: signed }, { name: `${signed}-elsewhere` }]);
  await admin.createAcls([{
    resourceType: Resource.TOPIC,
    resourceName: signed,
    principal,
    operation: Op.WRITE,
    permission: Permission.ALLOW,
  }]);
  await until(async () => (await admin.describeAcls({ resourceName: signed })).length === 1);
  await using producer = new Producer({ bootstrapServers: ssl, tls, retryBackoffMs: 10 });
  await producer.send([{ topic: signed, value: `by ${principal}` }]);
  await rejectsWith(
    ErrorCode.TOPIC_AUTHORIZATION_FAILED,
    producer.send([{ topic: `${signed}-elsewhere`, value: "no" }]),
  );
}
