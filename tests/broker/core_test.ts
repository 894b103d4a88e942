import { clusterOf } from "../../broker/broker_internals.ts";
import { assertEquals, assertOk } from "../assert.ts";
import {
  API_INFO,
  ApiKey,
  decodeRecordBatches,
  encodeRecordBatch,
  ErrorCode,
  Writer,
} from "../../codec/mod.ts";
import { Broker } from "../../broker/mod.ts";
import { RawClient } from "./raw_client.ts";

Deno.test("broker: ApiVersions lists exactly the registered handlers, with Kafka's ranges", async () => {
  await using broker = await Broker.start();
  await using client = await RawClient.connect(broker.bootstrapServers);
  const res = await client.request(ApiKey.ApiVersions, 4, {
    clientSoftwareName: "brook-test",
    clientSoftwareVersion: "1",
  });
  assertEquals(res.errorCode, ErrorCode.NONE);
  const produce = res.apiKeys.find((k) => k.apiKey === ApiKey.Produce)!;
  assertEquals([produce.minVersion, produce.maxVersion], [0, 13]);
  for (const k of res.apiKeys) {
    const info = API_INFO[k.apiKey];
    assertOk(k.maxVersion <= info.maxVersion, `${info.name} max ${k.maxVersion}`);
    if (info.latestVersionUnstable) {
      assertOk(k.maxVersion < info.maxVersion, `${info.name} advertises an unstable version`);
    }
  }
});

Deno.test("broker: an unsupported ApiVersions version gets Kafka's v0 answer", async () => {
  await using broker = await Broker.start();
  await using client = await RawClient.connect(broker.bootstrapServers);
  // ApiVersions v99 with a v2 header: the broker must answer with header v0 and a v0 body.
  const w = new Writer();
  w.int32(0);
  w.int16(ApiKey.ApiVersions);
  w.int16(99);
  w.int32(7);
  w.string("x", true);
  w.uvarint(0);
  w.uvarint(0);
  w.view.setInt32(0, w.pos - 4);
  const payload = (await client.sendRaw(w.toUint8Array()))!;
  const view = new DataView(payload.buffer, payload.byteOffset);
  assertEquals(view.getInt32(0), 7); // correlation id, header v0
  assertEquals(view.getInt16(4), ErrorCode.UNSUPPORTED_VERSION);
  assertEquals(view.getInt32(6), 1); // one api key: ApiVersions itself
  assertEquals(view.getInt16(10), ApiKey.ApiVersions);
});

Deno.test("broker: unknown API keys and unsupported versions close the connection", async () => {
  await using broker = await Broker.start();
  for (const [key, version] of [[999, 0], [ApiKey.Produce, 2], [ApiKey.Metadata, 14]]) {
    await using client = await RawClient.connect(broker.bootstrapServers);
    const w = new Writer();
    w.int32(0);
    w.int16(key);
    w.int16(version);
    w.int32(1);
    w.string("x", true);
    w.view.setInt32(0, w.pos - 4);
    await client.send(w.toUint8Array());
    assertOk(await client.closedWithin(2000), `key ${key} v${version} should close`);
  }
});

Deno.test("broker: produce then fetch returns the batch with its assigned offset", async () => {
  await using broker = await Broker.start({ topics: { t: { partitions: 2 } } });
  await using client = await RawClient.connect(broker.bootstrapServers);
  const batch = encodeRecordBatch({
    records: [{ key: null, value: new TextEncoder().encode("v") }],
  });
  const produced = await client.request(ApiKey.Produce, 9, {
    acks: -1,
    timeoutMs: 1000,
    topicData: [{ name: "t", partitionData: [{ index: 1, records: batch }] }],
  });
  const p = produced.responses[0].partitionResponses[0];
  assertEquals(p.errorCode, ErrorCode.NONE);
  assertEquals(p.baseOffset, 0n);
  const fetched = await client.request(ApiKey.Fetch, 12, {
    maxWaitMs: 0,
    minBytes: 1,
    maxBytes: 1 << 20,
    topics: [{
      topic: "t",
      partitions: [{ partition: 1, fetchOffset: 0n, partitionMaxBytes: 1 << 20 }],
    }],
  });
  const part = fetched.responses[0].partitions[0];
  assertEquals(part.highWatermark, 1n);
  assertEquals(part.records?.length, batch.length);
  assertEquals(decodeRecordBatches(part.records!)[0].records[0].offset, 0n);
  // A corrupted batch is refused with CORRUPT_MESSAGE and not stored.
  const bad = batch.slice();
  bad[bad.length - 1] ^= 1;
  const refused = await client.request(ApiKey.Produce, 9, {
    acks: 1,
    timeoutMs: 1000,
    topicData: [{ name: "t", partitionData: [{ index: 1, records: bad }] }],
  });
  assertEquals(refused.responses[0].partitionResponses[0].errorCode, ErrorCode.CORRUPT_MESSAGE);
  assertEquals(clusterOf(broker).partition("t", 1)!.log.logEndOffset, 1n);
});
