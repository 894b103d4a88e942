// The authorizer's decisions, case by case, with the semantics of Kafka's standard authorizer
// (the ACL conformance suite checks the same rules end to end against a real Kafka).
import { assertEquals } from "../assert.ts";
import {
  type AclBinding,
  aclFilterMatches,
  AclOperation as Op,
  AclPatternType as Pattern,
  AclPermission as Permission,
  AclResourceType as Resource,
  operationsFromBits,
} from "../../codec/mod.ts";
import { Authorizer } from "../../broker/mod.ts";

const alice = { principal: "User:alice", remoteAddress: "10.0.0.1" };
const bob = { principal: "User:bob", remoteAddress: "10.0.0.2" };

function acl(
  principal: string,
  operation: Op,
  resourceName: string,
  extra: Partial<AclBinding> = {},
): AclBinding {
  return {
    resourceType: Resource.TOPIC,
    resourceName,
    patternType: Pattern.LITERAL,
    principal,
    host: "*",
    operation,
    permission: Permission.ALLOW,
    ...extra,
  };
}

Deno.test("authorizer: literal, prefixed and wildcard resources; wildcard principals", () => {
  const a = new Authorizer({
    acls: [
      acl("User:alice", Op.READ, "orders"),
      acl("User:alice", Op.WRITE, "logs-", { patternType: Pattern.PREFIXED }),
      acl("User:*", Op.DESCRIBE, "*"),
    ],
  });
  assertEquals(
    a.authorize(alice, { operation: Op.READ, resourceType: Resource.TOPIC, name: "orders" }),
    true,
  );
  assertEquals(
    a.authorize(alice, { operation: Op.READ, resourceType: Resource.TOPIC, name: "orders2" }),
    false,
  );
  assertEquals(
    a.authorize(alice, { operation: Op.WRITE, resourceType: Resource.TOPIC, name: "logs-eu" }),
    true,
  );
  assertEquals(
    a.authorize(alice, { operation: Op.WRITE, resourceType: Resource.TOPIC, name: "logs" }),
    false,
  );
  assertEquals(
    a.authorize(bob, { operation: Op.DESCRIBE, resourceType: Resource.TOPIC, name: "anything" }),
    true,
  );
  assertEquals(
    a.authorize(bob, { operation: Op.READ, resourceType: Resource.TOPIC, name: "orders" }),
    false,
  );
  // Resource types are separate: a topic ACL says nothing of a group of the same name.
  assertEquals(
    a.authorize(alice, { operation: Op.READ, resourceType: Resource.GROUP, name: "orders" }),
    false,
  );
});

Deno.test("authorizer: a DENY wins; implications hold for ALLOW only", () => {
  const a = new Authorizer({
    acls: [
      acl("User:alice", Op.ALL, "t"),
      acl("User:alice", Op.WRITE, "t", { permission: Permission.DENY }),
      acl("User:bob", Op.WRITE, "t"),
      acl("User:bob", Op.READ, "t", { permission: Permission.DENY }),
      acl("User:bob", Op.ALTER_CONFIGS, "t"),
    ],
  });
  assertEquals(
    a.authorize(alice, { operation: Op.READ, resourceType: Resource.TOPIC, name: "t" }),
    true,
  );
  assertEquals(
    a.authorize(alice, { operation: Op.WRITE, resourceType: Resource.TOPIC, name: "t" }),
    false,
  );
  // WRITE implies DESCRIBE; a DENY of READ does not deny DESCRIBE.
  assertEquals(
    a.authorize(bob, { operation: Op.DESCRIBE, resourceType: Resource.TOPIC, name: "t" }),
    true,
  );
  assertEquals(
    a.authorize(bob, { operation: Op.READ, resourceType: Resource.TOPIC, name: "t" }),
    false,
  );
  // ALTER_CONFIGS implies DESCRIBE_CONFIGS, not the other way round.
  assertEquals(
    a.authorize(bob, { operation: Op.DESCRIBE_CONFIGS, resourceType: Resource.TOPIC, name: "t" }),
    true,
  );
  assertEquals(
    a.authorize(bob, { operation: Op.ALTER, resourceType: Resource.TOPIC, name: "t" }),
    false,
  );
});

Deno.test("authorizer: hosts, super users and the default when no ACL names a resource", () => {
  const acls = [acl("User:alice", Op.READ, "t", { host: "10.0.0.9" })];
  const strict = new Authorizer({ acls, superUsers: ["User:root"] });
  assertEquals(
    strict.authorize(alice, { operation: Op.READ, resourceType: Resource.TOPIC, name: "t" }),
    false,
  );
  assertEquals(
    strict.authorize({ ...alice, remoteAddress: "10.0.0.9" }, {
      operation: Op.READ,
      resourceType: Resource.TOPIC,
      name: "t",
    }),
    true,
  );
  const root = { principal: "User:root", remoteAddress: "10.0.0.3" };
  assertEquals(
    strict.authorize(root, {
      operation: Op.DELETE,
      resourceType: Resource.CLUSTER,
      name: "kafka-cluster",
    }),
    true,
  );
  assertEquals(
    strict.authorize(bob, { operation: Op.READ, resourceType: Resource.TOPIC, name: "unnamed" }),
    false,
  );
  const open = new Authorizer({ acls, allowEveryoneIfNoAclFound: true });
  assertEquals(
    open.authorize(bob, { operation: Op.READ, resourceType: Resource.TOPIC, name: "unnamed" }),
    true,
  );
  // An ACL names "t", so the default no longer applies there, even for others.
  assertEquals(
    open.authorize(bob, { operation: Op.READ, resourceType: Resource.TOPIC, name: "t" }),
    false,
  );
});

Deno.test("authorizer: by resource type, an ALLOW counts unless a DENY covers it", () => {
  const prefixed = { patternType: Pattern.PREFIXED };
  const deny = { permission: Permission.DENY };
  const a = new Authorizer({
    acls: [
      acl("User:alice", Op.WRITE, "abc", prefixed),
      acl("User:alice", Op.WRITE, "ab", { ...prefixed, ...deny }),
      acl("User:bob", Op.WRITE, "abc", prefixed),
      acl("User:bob", Op.WRITE, "abcd", { ...prefixed, ...deny }),
    ],
  });
  // alice's only ALLOW sits under a denied shorter prefix; bob's DENY is narrower than his ALLOW.
  assertEquals(a.authorizeByResourceType(alice, Op.WRITE, Resource.TOPIC), false);
  assertEquals(a.authorizeByResourceType(bob, Op.WRITE, Resource.TOPIC), true);
  a.add([acl("User:alice", Op.WRITE, "*", deny)]);
  a.add([acl("User:alice", Op.WRITE, "zzz")]);
  assertEquals(a.authorizeByResourceType(alice, Op.WRITE, Resource.TOPIC), false);
});

Deno.test("authorizer: authorized operations, listing and removal by filter", () => {
  const a = new Authorizer({
    acls: [
      acl("User:alice", Op.READ, "t"),
      acl("User:alice", Op.READ, "t"),
      acl("User:bob", Op.WRITE, "t-", { patternType: Pattern.PREFIXED }),
    ],
  });
  assertEquals(a.size, 2, "a duplicate is not added twice");
  assertEquals(
    operationsFromBits(a.authorizedOperations(alice, Resource.TOPIC, "t")),
    [Op.READ, Op.DESCRIBE],
  );
  // MATCH selects every ACL that applies to the name; ANY only those of exactly that name.
  assertEquals(a.list({ resourceName: "t-1", patternType: Pattern.MATCH }).length, 1);
  assertEquals(a.list({ resourceName: "t-", patternType: Pattern.ANY }).length, 1);
  assertEquals(a.list({ resourceName: "t-1", patternType: Pattern.ANY }).length, 0);
  assertEquals(aclFilterMatches({ principal: "User:bob" }, a.list()[1]), true);
  assertEquals(a.remove({ principal: "User:alice" }).length, 1);
  assertEquals(a.size, 1);
});
