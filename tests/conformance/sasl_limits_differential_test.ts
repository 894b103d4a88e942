// What a real Kafka 4.1.1 and Brook's broker allow a client on a SASL listener before it has
// authenticated, compared (BROOK_INTEROP=1): frames over sasl.server.max.receive.size (524288 by
// default) close the connection on their size alone, one at the limit is read and answered; a failed
// login is answered no sooner than connection.failed.authentication.delay.ms (100 by default); after
// authentication a 10 MiB request is read, and re-authentication tokens are bounded again.
import { assertEquals } from "../assert.ts";
import { ApiKey, plainMessage } from "../../codec/mod.ts";
import { Broker } from "../../broker/mod.ts";
import { startKafka } from "../interop/kafka_server.ts";
import { RawClient } from "../broker/raw_client.ts";

const interop = Deno.env.get("BROOK_INTEROP") === "1";

function header(size: number): Uint8Array {
  const bytes = new Uint8Array(4);
  new DataView(bytes.buffer).setInt32(0, size);
  return bytes;
}

/** What one listener does with each probe, in a form both sides can be compared by. */
async function probe(address: string): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  {
    await using c = await RawClient.connect(address);
    await c.send(header(10 * 1024 * 1024));
    out.firstFrameOf10MiB = (await c.closedWithin(3000)) ? "closed" : "kept open";
  }
  {
    await using c = await RawClient.connect(address);
    await c.request(ApiKey.SaslHandshake, 1, { mechanism: "PLAIN" });
    await c.send(header(524288 + 1));
    out.tokenOver524288 = (await c.closedWithin(3000)) ? "closed" : "kept open";
  }
  {
    await using c = await RawClient.connect(address);
    await c.request(ApiKey.SaslHandshake, 1, { mechanism: "PLAIN" });
    // A frame of exactly 524288 bytes: 16 of header and framing (client id "x"), then the token.
    const answer = await c.request(ApiKey.SaslAuthenticate, 2, {
      authBytes: new Uint8Array(524288 - 16),
    }, "x");
    out.tokenAtLimit = [answer.errorCode, answer.errorMessage];
  }
  {
    await using c = await RawClient.connect(address);
    await c.request(ApiKey.SaslHandshake, 1, { mechanism: "PLAIN" });
    const sentAt = performance.now();
    const answer = await c.request(ApiKey.SaslAuthenticate, 2, {
      authBytes: plainMessage("alice", "wrong"),
    });
    const waited = performance.now() - sentAt;
    out.wrongPassword = [answer.errorCode, answer.errorMessage];
    out.answeredAfterTheDelay = waited >= 95;
    out.closedAfterTheAnswer = await c.closedWithin(3000);
  }
  {
    await using c = await RawClient.connect(address);
    await c.request(ApiKey.SaslHandshake, 1, { mechanism: "PLAIN" });
    const auth = await c.request(ApiKey.SaslAuthenticate, 2, {
      authBytes: plainMessage("alice", "alice-secret"),
    });
    out.login = auth.errorCode;
    const produced = await c.request(ApiKey.Produce, 9, {
      acks: 1,
      timeoutMs: 5000,
      topicData: [{
        name: "sasl-limits-big",
        partitionData: [{ index: 0, records: new Uint8Array(10 * 1024 * 1024) }],
      }],
    });
    out.produceOf10MiBAnswered = produced.responses.length;
  }
  {
    // A re-authentication: its handshake is an ordinary request, the tokens after it are bounded.
    await using c = await RawClient.connect(address);
    await c.request(ApiKey.SaslHandshake, 1, { mechanism: "PLAIN" });
    await c.request(ApiKey.SaslAuthenticate, 2, {
      authBytes: plainMessage("alice", "alice-secret"),
    });
    out.reauthHandshake = (await c.request(ApiKey.SaslHandshake, 1, { mechanism: "PLAIN" }))
      .errorCode;
    await c.send(header(524288 + 1));
    out.reauthTokenOver524288 = (await c.closedWithin(3000)) ? "closed" : "kept open";
  }
  return out;
}

Deno.test({
  name:
    "conformance: SASL listeners bound unauthenticated frames and delay failed logins as Kafka 4.1.1",
  ignore: !interop,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using kafka = await startKafka({ secure: true });
    await using brook = await Broker.start({
      listeners: ["SASL_PLAINTEXT://127.0.0.1:0"],
      sasl: { users: { alice: "alice-secret" }, mechanisms: ["PLAIN"] },
      autoCreateTopics: false,
    });
    const real = await probe(kafka.saslPlaintext!);
    const ours = await probe(brook.bootstrapServersFor("SASL_PLAINTEXT"));
    assertEquals(ours, real);
    assertEquals(real.firstFrameOf10MiB, "closed");
    assertEquals(real.answeredAfterTheDelay, true);
  },
});
