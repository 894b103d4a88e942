// The name a client verifies in the broker's certificate (and sends as SNI) is tls.serverName when
// given, else the host it connects to: a certificate valid only for kafka.internal, reached at
// 127.0.0.1, is accepted with serverName "kafka.internal" and refused otherwise.
import { nodesOf } from "../../broker/broker_internals.ts";
import { assertEquals, assertOk, assertRejects } from "../assert.ts";
import { Broker } from "../../broker/mod.ts";
import { KafkaConnection, Producer } from "../../client/mod.ts";
import { ApiKey } from "../../codec/mod.ts";
import { brokerCertificate, clientCertificate, testCertificates } from "./certs.ts";
import tls from "node:tls";
import { missing } from "../installed.ts";

async function internalBroker(clientAuth?: "required") {
  const certs = await testCertificates();
  const internal = await brokerCertificate(["DNS:kafka.internal"]);
  return await Broker.start({
    listeners: ["SSL://127.0.0.1:0"],
    tls: clientAuth
      ? { cert: internal.cert, key: internal.key, clientAuth, caCerts: [certs.caCert] }
      : { cert: internal.cert, key: internal.key },
    authorizer: clientAuth ? { superUsers: ["User:CN=alice,O=Brook"] } : undefined,
  });
}

function port(broker: Broker): number {
  return Number(broker.bootstrapServersFor("SSL").split(":").at(-1));
}

Deno.test("tls serverName: the certificate is verified against serverName, not the address", {
  ignore: missing("openssl"),
}, async () => {
  await using broker = await internalBroker();
  const { caCert } = await testCertificates();
  const conn = await KafkaConnection.connect("127.0.0.1", port(broker), {
    tls: { caCerts: [caCert], serverName: "kafka.internal" },
  });
  try {
    const metadata = await conn.request(ApiKey.Metadata, { topics: null });
    assertEquals(metadata.brokers.length, 1);
  } finally {
    conn.close();
  }
});

Deno.test("tls serverName: a name the certificate does not hold is refused", {
  ignore: missing("openssl"),
}, async () => {
  await using broker = await internalBroker();
  const { caCert } = await testCertificates();
  const error = await assertRejects(
    () =>
      KafkaConnection.connect("127.0.0.1", port(broker), {
        tls: { caCerts: [caCert], serverName: "wrong.name" },
      }),
    Error,
  );
  assertOk(/wrong\.name/.test(error.message), error.message);
});

Deno.test("tls serverName: a wrong name is refused even when the address is valid", {
  ignore: missing("openssl"),
}, async () => {
  const certs = await testCertificates();
  // This certificate holds IP:127.0.0.1, so only serverName can make the connection fail.
  await using broker = await Broker.start({
    listeners: ["SSL://127.0.0.1:0"],
    tls: { cert: certs.cert, key: certs.key },
  });
  await assertRejects(
    () =>
      KafkaConnection.connect("127.0.0.1", port(broker), {
        tls: { caCerts: [certs.caCert], serverName: "wrong.name" },
      }),
    Error,
    /wrong\.name/,
  );
});

Deno.test("tls serverName: without it, the host connected to is the name verified", {
  ignore: missing("openssl"),
}, async () => {
  await using broker = await internalBroker();
  const { caCert } = await testCertificates();
  const error = await assertRejects(
    () => KafkaConnection.connect("127.0.0.1", port(broker), { tls: { caCerts: [caCert] } }),
    Error,
  );
  assertOk(/127\.0\.0\.1/.test(error.message), error.message);
});

Deno.test("tls serverName: mutual TLS still presents the client certificate", {
  ignore: missing("openssl"),
}, async () => {
  await using broker = await internalBroker("required");
  const { caCert } = await testCertificates();
  const alice = await clientCertificate("/O=Brook/CN=alice");
  await using producer = new Producer({
    bootstrapServers: broker.bootstrapServersFor("SSL"),
    tls: { caCerts: [caCert], cert: alice.cert, key: alice.key, serverName: "kafka.internal" },
  });
  await producer.send([{ topic: "named", value: "verified against kafka.internal" }]);
  const principals = [...nodesOf(broker)[0].connections].map((c) => c.info.principal);
  assertOk(principals.includes("User:CN=alice,O=Brook"), `${principals}`);
});

Deno.test("tls serverName: it is the name sent as SNI", {
  ignore: missing("openssl"),
}, async () => {
  const certs = await testCertificates();
  const internal = await brokerCertificate(["DNS:kafka.internal"]);
  const names: (string | false)[] = [];
  // A TLS server that records the SNI name of each client, then hangs up.
  const server = tls.createServer({ cert: internal.cert, key: internal.key }, (socket) => {
    names.push((socket as tls.TLSSocket & { servername: string | false }).servername);
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  try {
    const { port } = server.address() as { port: number };
    await assertRejects(
      () =>
        KafkaConnection.connect("127.0.0.1", port, {
          tls: { caCerts: [certs.caCert], serverName: "kafka.internal" },
        }),
      Error,
    );
    assertEquals(names, ["kafka.internal"]);
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
});
