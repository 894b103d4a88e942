/**
 * Protocol codec benchmarks, Brook alone: the generated encoders and decoders on messages shaped like
 * the ones a busy client and broker exchange.
 *
 * Run: deno bench -A bench/protocol_bench.ts
 *
 * @module
 */

import {
  decodeFetchResponse,
  decodeMetadataResponse,
  decodeProduceRequest,
  encodeFetchResponse,
  encodeMetadataResponse,
  encodeProduceRequest,
  type MetadataResponseInit,
  randomUuid,
  Reader,
  Writer,
} from "../codec/mod.ts";

// A Metadata response for 10 topics of 100 partitions on 3 nodes.
const metadata: MetadataResponseInit = {
  brokers: [1, 2, 3].map((nodeId) => ({
    nodeId,
    host: "127.0.0.1",
    port: 9091 + nodeId,
    rack: null,
  })),
  clusterId: randomUuid(),
  controllerId: 1,
  topics: Array.from({ length: 10 }, (_, t) => ({
    name: `topic-${t}`,
    topicId: randomUuid(),
    partitions: Array.from({ length: 100 }, (_, p) => ({
      partitionIndex: p,
      leaderId: 1 + (p % 3),
      leaderEpoch: 0,
      replicaNodes: [1, 2, 3],
      isrNodes: [1, 2, 3],
      offlineReplicas: [],
    })),
  })),
};
const writer = new Writer({ initialSize: 1 << 20 });
encodeMetadataResponse(writer, metadata, 12);
const metadataBytes = writer.toUint8Array();

// One ~110 KB batch (1000 records of ~110 bytes) in a Produce request and a Fetch response; the codec
// treats the records as opaque bytes, so any bytes of that size measure it fairly.
const batch = new Uint8Array(110_000).map((_, i) => i & 0xff);
const produce = {
  transactionalId: null,
  acks: -1,
  timeoutMs: 30000,
  topicData: [{ name: "orders", partitionData: [{ index: 0, records: batch }] }],
};
writer.reset();
encodeProduceRequest(writer, produce, 11);
const produceBytes = writer.toUint8Array();
const fetch = {
  responses: [{
    topicId: randomUuid(),
    partitions: [{
      partitionIndex: 0,
      highWatermark: 1000n,
      lastStableOffset: 1000n,
      logStartOffset: 0n,
      records: batch,
    }],
  }],
};
writer.reset();
encodeFetchResponse(writer, fetch, 16);
const fetchBytes = writer.toUint8Array();

Deno.bench("brook metadata response encode (1000 partitions)", { group: "metadata" }, () => {
  writer.reset();
  encodeMetadataResponse(writer, metadata, 12);
});

Deno.bench("brook metadata response decode (1000 partitions)", { group: "metadata" }, () => {
  decodeMetadataResponse(new Reader(metadataBytes), 12);
});

Deno.bench("brook produce request encode (1 batch, 110 KB)", { group: "produce" }, () => {
  writer.reset();
  encodeProduceRequest(writer, produce, 11);
});

Deno.bench("brook produce request decode (1 batch, 110 KB)", { group: "produce" }, () => {
  decodeProduceRequest(new Reader(produceBytes), 11);
});

Deno.bench("brook fetch response encode (1 batch, 110 KB)", { group: "fetch" }, () => {
  writer.reset();
  encodeFetchResponse(writer, fetch, 16);
});

Deno.bench("brook fetch response decode (1 batch, 110 KB)", { group: "fetch" }, () => {
  decodeFetchResponse(new Reader(fetchBytes), 16);
});
