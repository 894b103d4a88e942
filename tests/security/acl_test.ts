// ACLs with Brook's own client: the admin API manages them, and producers, consumers and admins
// acting as alice over SASL PLAIN are let in or turned away with Kafka's errors. (What the broker
// answers is checked field by field against a real Kafka in tests/conformance/acl_*.)
import { assertEquals, assertOk, assertRejects } from "../assert.ts";
import {
  AclOperation as Op,
  AclPermission as Permission,
  AclResourceType as Resource,
  ErrorCode,
  KafkaProtocolError,
} from "../../codec/mod.ts";
import { Broker } from "../../broker/mod.ts";
import { Admin } from "../../client/mod.ts";
import { SECURE_BROKER } from "../conformance/acl_scenarios.ts";
import { aclRoundTrip, rejectsWith } from "./acl_flow.ts";

Deno.test("acls: the admin API manages ACLs that producers and consumers then meet", async () => {
  await using broker = await Broker.start(SECURE_BROKER);
  await aclRoundTrip(
    broker.bootstrapServersFor("PLAINTEXT"),
    broker.bootstrapServersFor("SASL_PLAINTEXT"),
  );
  assertEquals(broker.authorizer?.size, 1);
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
