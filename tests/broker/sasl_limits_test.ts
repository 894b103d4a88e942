// What a SASL listener allows a client that has not authenticated: frames no larger than
// sasl.server.max.receive.size (the connection closes on the size alone), and a failed login answered
// only after connection.failed.authentication.delay.ms, while other connections are served.
import { assertEquals, assertOk as assert } from "../assert.ts";
import { ApiKey, ErrorCode, plainMessage } from "../../codec/mod.ts";
import { Broker, type BrokerOptions } from "../../broker/mod.ts";
import { RawClient } from "./raw_client.ts";

const USERS = { alice: "alice-secret" };
const MiB = 1024 * 1024;

async function saslBroker(options: BrokerOptions = {}) {
  return await Broker.start({
    listeners: ["SASL_PLAINTEXT://127.0.0.1:0"],
    ...options,
    sasl: {
      users: USERS,
      mechanisms: ["PLAIN", "SCRAM-SHA-256"],
      failedAuthenticationDelayMs: 0,
      ...options.sasl,
    },
  });
}

async function login(client: RawClient): Promise<void> {
  await client.request(ApiKey.SaslHandshake, 1, { mechanism: "PLAIN" });
  const auth = await client.request(ApiKey.SaslAuthenticate, 2, {
    authBytes: plainMessage("alice", "alice-secret"),
  });
  assertEquals(auth.errorCode, ErrorCode.NONE);
}

/** A frame header announcing `size` bytes, sent alone: the body never follows. */
function header(size: number): Uint8Array {
  const bytes = new Uint8Array(4);
  new DataView(bytes.buffer).setInt32(0, size);
  return bytes;
}

/** A Produce request whose frame is about `bytes` long (answered with an error, but read whole). */
function bigProduce(bytes: number) {
  return {
    acks: 1,
    timeoutMs: 5000,
    topicData: [{ name: "big", partitionData: [{ index: 0, records: new Uint8Array(bytes) }] }],
  };
}

Deno.test("sasl limits: a frame over sasl.server.max.receive.size before authentication closes the connection on its header", async () => {
  await using broker = await saslBroker();
  const address = broker.bootstrapServersFor("SASL_PLAINTEXT");
  // The first frame, before any handshake: 10 MiB announced, nothing more sent.
  await using first = await RawClient.connect(address);
  await first.send(header(10 * MiB));
  assert(await first.closedWithin(3000), "a 10 MiB frame before the handshake was waited for");
  // After the handshake, still before authentication: one byte over Kafka's default 524288.
  await using second = await RawClient.connect(address);
  await second.request(ApiKey.SaslHandshake, 1, { mechanism: "PLAIN" });
  await second.send(header(524288 + 1));
  assert(await second.closedWithin(3000), "a frame over 524288 bytes during authentication");
  // The largest allowed token is read and answered (here as a failed login).
  await using third = await RawClient.connect(address);
  await third.request(ApiKey.SaslHandshake, 1, { mechanism: "PLAIN" });
  const answer = await third.request(ApiKey.SaslAuthenticate, 2, {
    authBytes: new Uint8Array(500_000),
  });
  assertEquals(answer.errorCode, ErrorCode.SASL_AUTHENTICATION_FAILED);
});

Deno.test("sasl limits: after authentication, frames are bounded by socket.request.max.bytes only", async () => {
  await using broker = await saslBroker();
  await using client = await RawClient.connect(broker.bootstrapServersFor("SASL_PLAINTEXT"));
  await login(client);
  // A 10 MiB Produce is read and answered (its batch is refused, not its size).
  const answer = await client.request(ApiKey.Produce, 9, bigProduce(10 * MiB));
  assertEquals(answer.responses.length, 1);
  const metadata = await client.request(ApiKey.Metadata, 12, {
    topics: null,
    allowAutoTopicCreation: false,
  });
  assertEquals(metadata.brokers.length, 1);
});

Deno.test("sasl limits: sasl.server.max.receive.size is configurable, also per listener", async () => {
  const forms: Record<string, string>[] = [
    { "sasl.server.max.receive.size": "2000" },
    { "listener.name.sasl_plaintext.sasl.server.max.receive.size": "2000" },
  ];
  for (const configs of forms) {
    await using broker = await saslBroker({ configs });
    const address = broker.bootstrapServersFor("SASL_PLAINTEXT");
    await using refused = await RawClient.connect(address);
    await refused.request(ApiKey.SaslHandshake, 1, { mechanism: "PLAIN" });
    await refused.send(header(2001));
    assert(await refused.closedWithin(3000), `${Object.keys(configs)[0]} was not applied`);
    await using allowed = await RawClient.connect(address);
    await allowed.request(ApiKey.SaslHandshake, 1, { mechanism: "PLAIN" });
    const answer = await allowed.request(ApiKey.SaslAuthenticate, 2, {
      authBytes: new Uint8Array(1900),
    });
    assertEquals(answer.errorCode, ErrorCode.SASL_AUTHENTICATION_FAILED);
  }
});

Deno.test("sasl limits: a failed login is answered after connection.failed.authentication.delay.ms, other clients served meanwhile", async () => {
  const delayMs = 2000;
  await using broker = await saslBroker({ sasl: { failedAuthenticationDelayMs: delayMs } });
  const address = broker.bootstrapServersFor("SASL_PLAINTEXT");
  const failures = [
    { mechanism: "PLAIN", authBytes: plainMessage("alice", "wrong") },
    // SCRAM refuses an unknown user at the client's first message.
    { mechanism: "SCRAM-SHA-256", authBytes: new TextEncoder().encode("n,,n=nobody,r=abcdef") },
  ];
  for (const { mechanism, authBytes } of failures) {
    await using failing = await RawClient.connect(address);
    await failing.request(ApiKey.SaslHandshake, 1, { mechanism });
    const sentAt = performance.now();
    const failed = failing.request(ApiKey.SaslAuthenticate, 2, { authBytes })
      .then((answer) => ({ answer, at: performance.now() }));
    // Meanwhile another client logs in and is served.
    await using other = await RawClient.connect(address);
    await login(other);
    await other.request(ApiKey.Metadata, 12, { topics: null, allowAutoTopicCreation: false });
    const servedAt = performance.now();
    const { answer, at } = await failed;
    assertEquals(answer.errorCode, ErrorCode.SASL_AUTHENTICATION_FAILED);
    assert(at - sentAt >= delayMs - 5, `${mechanism}: answered after ${at - sentAt} ms`);
    assert(servedAt < at, `${mechanism}: the other client waited for the failed login`);
    assert(await failing.closedWithin(3000), `${mechanism}: not closed after the answer`);
  }
});

Deno.test("sasl limits: re-authentication tokens are bounded by sasl.server.max.receive.size again", async () => {
  await using broker = await saslBroker();
  await using client = await RawClient.connect(broker.bootstrapServersFor("SASL_PLAINTEXT"));
  await login(client);
  // The re-authentication's handshake is an ordinary request; the tokens after it are the
  // authenticator's again, as in Kafka.
  const handshake = await client.request(ApiKey.SaslHandshake, 1, { mechanism: "PLAIN" });
  assertEquals(handshake.errorCode, ErrorCode.NONE);
  await client.send(header(524288 + 1));
  assert(await client.closedWithin(3000), "a re-authentication token over 524288 bytes was read");
});
