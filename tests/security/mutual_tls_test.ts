// Mutual TLS on SSL listeners (ssl.client.auth): a verified client certificate names the principal
// as Kafka's default principal builder does, and ACLs apply to it; a missing or untrusted
// certificate is refused when one is required.
import { nodesOf } from "../../broker/broker_internals.ts";
import { assertEquals, assertOk, assertRejects } from "../assert.ts";
import { Broker } from "../../broker/mod.ts";
import { rfc2253 } from "../../broker/security/mutual_tls.ts";
import { Producer } from "../../client/mod.ts";
import { clientCertificate, testCertificates } from "./certs.ts";
import { certificateRoundTrip } from "./acl_flow.ts";
import { missing } from "../installed.ts";

async function mtlsBroker(
  clientAuth: "requested" | "required",
  configs: Record<string, string> = {},
) {
  const certs = await testCertificates();
  return await Broker.start({
    listeners: ["PLAINTEXT://127.0.0.1:0", "SSL://127.0.0.1:0"],
    tls: { cert: certs.cert, key: certs.key, clientAuth, caCerts: [certs.caCert] },
    authorizer: { superUsers: ["User:ANONYMOUS"] },
    configs,
  });
}

Deno.test("mutual tls: the subject names the principal in RFC 2253 form", () => {
  assertEquals(rfc2253("C=DE\nO=Brook\nOU=eng\nCN=alice"), "CN=alice,OU=eng,O=Brook,C=DE");
  assertEquals(rfc2253("O=Acme, Inc.\nCN=a+b"), "CN=a\\+b,O=Acme\\, Inc.");
});

Deno.test("mutual tls: a client certificate is the principal that ACLs name", {
  ignore: missing("openssl"),
}, async () => {
  await using broker = await mtlsBroker("required");
  const certs = await testCertificates();
  const alice = await clientCertificate("/O=Brook/OU=eng/CN=alice");
  await certificateRoundTrip(
    broker.bootstrapServersFor("PLAINTEXT"),
    broker.bootstrapServersFor("SSL"),
    { caCerts: [certs.caCert], cert: alice.cert, key: alice.key },
  );
  const principals = [...nodesOf(broker)[0].connections].map((c) => c.info.principal);
  assertOk(principals.includes("User:CN=alice,OU=eng,O=Brook"), `${principals}`);
});

Deno.test("mutual tls: required refuses clients without a trusted certificate", {
  ignore: missing("openssl"),
}, async () => {
  await using broker = await mtlsBroker("required");
  const certs = await testCertificates();
  const rogue = await clientCertificate("/CN=mallory", { untrusted: true });
  for (const tls of [{ caCerts: [certs.caCert] }, { caCerts: [certs.caCert], ...rogue }]) {
    await using producer = new Producer({
      bootstrapServers: broker.bootstrapServersFor("SSL"),
      tls,
      requestTimeoutMs: 2000,
      deliveryTimeoutMs: 3000,
    });
    await assertRejects(() => producer.send([{ topic: "t", value: "x" }]), Error);
  }
});

Deno.test("mutual tls: requested lets clients without a certificate in as ANONYMOUS", {
  ignore: missing("openssl"),
}, async () => {
  await using broker = await mtlsBroker("requested");
  const certs = await testCertificates();
  await using producer = new Producer({
    bootstrapServers: broker.bootstrapServersFor("SSL"),
    tls: { caCerts: [certs.caCert] },
  });
  await producer.send([{ topic: "open", value: "anonymous is a super user here" }]);
  const principals = [...nodesOf(broker)[0].connections].map((c) => c.info.principal);
  assertOk(
    principals.length > 0 && principals.every((p) => p === "User:ANONYMOUS"),
    `${principals}`,
  );
});

Deno.test("mutual tls: ssl.principal.mapping.rules name the principal, or refuse the client", {
  ignore: missing("openssl"),
}, async () => {
  const rules = "RULE:^CN=(.*?),OU=ServiceUsers.*$/$1/,RULE:^CN=(.*?),OU=(.*?),O=(.*?)$/$1@$2/L";
  await using broker = await mtlsBroker("required", { "ssl.principal.mapping.rules": rules });
  const certs = await testCertificates();
  const alice = await clientCertificate("/O=Brook/OU=Eng/CN=Alice");
  await using producer = new Producer({
    bootstrapServers: broker.bootstrapServersFor("SSL"),
    tls: { caCerts: [certs.caCert], cert: alice.cert, key: alice.key },
  });
  // No ACL lets alice@eng write: the point is who the broker takes the client for.
  await assertRejects(() => producer.send([{ topic: "t", value: "mapped" }]), Error);
  const principals = [...nodesOf(broker)[0].connections].map((c) => c.info.principal);
  assertOk(principals.includes("User:alice@eng"), `${principals}`);
  // A subject that no rule maps is refused.
  const other = await clientCertificate("/CN=nobody");
  await using refused = new Producer({
    bootstrapServers: broker.bootstrapServersFor("SSL"),
    tls: { caCerts: [certs.caCert], cert: other.cert, key: other.key },
    requestTimeoutMs: 2000,
    deliveryTimeoutMs: 3000,
  });
  await assertRejects(() => refused.send([{ topic: "t", value: "x" }]), Error);
  const after = [...nodesOf(broker)[0].connections].map((c) => c.info.principal);
  assertOk(after.every((p) => p === "User:alice@eng"), `${after}`);
  // A malformed rule stops the broker from starting, as Kafka does.
  await assertRejects(
    () => mtlsBroker("required", { "ssl.principal.mapping.rules": "RULE:x/y/Z" }),
    RangeError,
    /unmatched substring/,
  );
});
