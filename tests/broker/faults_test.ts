import { clusterOf } from "../../broker/broker_internals.ts";
import { assertEquals, assertOk, assertRejects, assertThrows } from "../assert.ts";
import {
  API_CODECS,
  ApiKey,
  type CodecApiKey,
  decodeRecordBatches,
  encodeRecordBatch,
  ErrorCode,
  Reader,
  Writer,
} from "../../codec/mod.ts";
import { Broker, FaultSpecError, parseFaultPlan } from "../../broker/mod.ts";
import { mirrorErrorResponse } from "../../broker/faults/faults_response.ts";
import { Cluster } from "../../broker/metadata/cluster.ts";
import { RawClient } from "./raw_client.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

function batch(...values: string[]): Uint8Array {
  return encodeRecordBatch({ records: values.map((v) => ({ value: enc.encode(v) })) });
}

/** The values stored in a partition's log, in offset order. */
function stored(broker: Broker, topic: string, partition: number): string[] {
  const out: string[] = [];
  for (const b of clusterOf(broker).partition(topic, partition)!.log.batches) {
    for (const decoded of decodeRecordBatches(b.bytes)) {
      for (const r of decoded.records) out.push(dec.decode(r.value!));
    }
  }
  return out;
}

function produceBody(topic: string, parts: [number, string][]) {
  return {
    acks: -1,
    timeoutMs: 1000,
    topicData: [{
      name: topic,
      partitionData: parts.map(([index, v]) => ({ index, records: batch(v) })),
    }],
  };
}

/** The address of one node, for a connection to that node only. */
function nodeAddress(broker: Broker, nodeId: number): string {
  return broker.bootstrapServers.split(",")[nodeId - 1];
}

Deno.test("faults: an untargeted Produce error fails every partition and appends nothing", async () => {
  await using broker = await Broker.start({ topics: { t: { partitions: 2 } } });
  await using client = await RawClient.connect(broker.bootstrapServers);
  const fault = broker.failNext("Produce", "NOT_ENOUGH_REPLICAS");
  const res = await client.request(ApiKey.Produce, 9, produceBody("t", [[0, "a"], [1, "b"]]));
  assertEquals(
    res.responses.map((t) => [t.name, t.partitionResponses.map((p) => [p.index, p.errorCode])]),
    [["t", [[0, ErrorCode.NOT_ENOUGH_REPLICAS], [1, ErrorCode.NOT_ENOUGH_REPLICAS]]]],
  );
  assertEquals([stored(broker, "t", 0), stored(broker, "t", 1)], [[], []]);
  assertEquals(fault.hits, 1);
  assertEquals(fault.remaining, 0);
  await fault.done;
  // The fault is used up: the next request is handled.
  const ok = await client.request(ApiKey.Produce, 9, produceBody("t", [[0, "c"]]));
  assertEquals(ok.responses[0].partitionResponses[0].errorCode, ErrorCode.NONE);
  assertEquals(stored(broker, "t", 0), ["c"]);
});

Deno.test("faults: a Produce error for one partition fails it alone; the rest is appended", async () => {
  await using broker = await Broker.start({ topics: { t: { partitions: 3 }, u: {} } });
  await using client = await RawClient.connect(broker.bootstrapServers);
  broker.failNext("Produce", ErrorCode.NOT_LEADER_OR_FOLLOWER, { topic: "t", partition: 1 });
  const body = produceBody("t", [[0, "a"], [1, "b"], [2, "c"]]);
  body.topicData.push(produceBody("u", [[0, "d"]]).topicData[0]);
  const res = await client.request(ApiKey.Produce, 11, body);
  const codes = res.responses.map((t) =>
    [t.name, t.partitionResponses.map((p) => [p.index, p.errorCode]).sort()] as const
  );
  assertEquals(codes, [
    ["t", [[0, 0], [1, ErrorCode.NOT_LEADER_OR_FOLLOWER], [2, 0]]],
    ["u", [[0, 0]]],
  ]);
  assertEquals(
    [
      stored(broker, "t", 0),
      stored(broker, "t", 1),
      stored(broker, "t", 2),
      stored(broker, "u", 0),
    ],
    [["a"], [], ["c"], ["d"]],
  );
});

Deno.test("faults: a fault for another topic leaves requests alone and is not used up", async () => {
  await using broker = await Broker.start({ topics: { t: {}, other: {} } });
  await using client = await RawClient.connect(broker.bootstrapServers);
  const fault = broker.failNext("Produce", "NOT_LEADER_OR_FOLLOWER", { topic: "other" });
  const res = await client.request(ApiKey.Produce, 9, produceBody("t", [[0, "a"]]));
  assertEquals(res.responses[0].partitionResponses[0].errorCode, ErrorCode.NONE);
  assertEquals([fault.hits, fault.remaining], [0, 1]);
});

Deno.test("faults: a Fetch error sets the top-level and every partition error", async () => {
  await using broker = await Broker.start({ topics: { t: { partitions: 2 } } });
  await using client = await RawClient.connect(broker.bootstrapServers);
  broker.failNext("Fetch", "UNKNOWN_SERVER_ERROR");
  const res = await client.request(ApiKey.Fetch, 12, {
    maxWaitMs: 0,
    minBytes: 1,
    maxBytes: 1 << 20,
    topics: [{
      topic: "t",
      partitions: [0, 1].map((partition) => ({
        partition,
        fetchOffset: 0n,
        partitionMaxBytes: 1 << 20,
      })),
    }],
  });
  assertEquals(res.errorCode, ErrorCode.UNKNOWN_SERVER_ERROR);
  assertEquals(
    res.responses[0].partitions.map((p) => [p.partitionIndex, p.errorCode]),
    [[0, -1], [1, -1]],
  );
});

Deno.test("faults: a Metadata error for one topic keeps the brokers and the other topics", async () => {
  await using broker = await Broker.start({ nodes: 3, topics: { t: { partitions: 2 }, u: {} } });
  await using client = await RawClient.connect(broker.bootstrapServers);
  broker.failNext("Metadata", "LEADER_NOT_AVAILABLE", { topic: "t", count: 2 });
  // Named topics: the request is split.
  const named = await client.request(ApiKey.Metadata, 12, {
    topics: [{ name: "t" }, { name: "u" }],
    allowAutoTopicCreation: false,
  });
  assertEquals(named.brokers.length, 3);
  const byName = (res: typeof named) =>
    Object.fromEntries(res.topics.map((t) => [t.name, t.errorCode]));
  assertEquals(byName(named), { t: ErrorCode.LEADER_NOT_AVAILABLE, u: 0 });
  // Every topic (null): the handler's answer is marked.
  const all = await client.request(ApiKey.Metadata, 12, {
    topics: null,
    allowAutoTopicCreation: false,
  });
  assertEquals(all.brokers.length, 3);
  assertEquals(byName(all), { t: ErrorCode.LEADER_NOT_AVAILABLE, u: 0 });
  const t = all.topics.find((x) => x.name === "t")!;
  assertEquals(t.partitions.map((p) => p.errorCode), [
    ErrorCode.LEADER_NOT_AVAILABLE,
    ErrorCode.LEADER_NOT_AVAILABLE,
  ]);
});

Deno.test("faults: a Metadata error for one partition leaves the topic's error at NONE", async () => {
  await using broker = await Broker.start({ topics: { t: { partitions: 3 } } });
  await using client = await RawClient.connect(broker.bootstrapServers);
  broker.failNext("Metadata", "LEADER_NOT_AVAILABLE", { topic: "t", partition: 2 });
  const res = await client.request(ApiKey.Metadata, 12, {
    topics: null,
    allowAutoTopicCreation: false,
  });
  assertEquals(res.topics[0].errorCode, 0);
  assertEquals(res.topics[0].partitions.map((p) => p.errorCode), [0, 0, 5]);
});

Deno.test("faults: a ListOffsets error for one partition; the other is answered", async () => {
  await using broker = await Broker.start({ topics: { t: { partitions: 2 } } });
  await using client = await RawClient.connect(broker.bootstrapServers);
  await client.request(ApiKey.Produce, 9, produceBody("t", [[0, "a"], [1, "b"]]));
  broker.failNext("ListOffsets", "OFFSET_NOT_AVAILABLE", { topic: "t", partition: 0 });
  const res = await client.request(ApiKey.ListOffsets, 7, {
    replicaId: -1,
    isolationLevel: 0,
    topics: [{
      name: "t",
      partitions: [0, 1].map((partitionIndex) => ({ partitionIndex, timestamp: -1n })),
    }],
  });
  const parts = res.topics[0].partitions.toSorted((a, b) => a.partitionIndex - b.partitionIndex);
  assertEquals(parts.map((p) => [p.errorCode, p.offset]), [
    [ErrorCode.OFFSET_NOT_AVAILABLE, -1n],
    [0, 1n],
  ]);
});

function roundTrip(apiKey: CodecApiKey, version: number, body: Record<string, unknown>) {
  const w = new Writer();
  const codec = API_CODECS[apiKey] as unknown as {
    encodeResponse(w: Writer, v: unknown, version: number): void;
    decodeResponse(r: Reader, version: number): Record<string, unknown>;
  };
  codec.encodeResponse(w, body, version);
  return codec.decodeResponse(new Reader(w.bytes()), version) as Record<string, never>;
}

Deno.test("faults: error answers of group, offset and coordinator APIs are well formed", () => {
  const cluster = new Cluster();
  const code = ErrorCode.COORDINATOR_NOT_AVAILABLE;
  const join = roundTrip(
    ApiKey.JoinGroup,
    9,
    mirrorErrorResponse(ApiKey.JoinGroup, 9, { groupId: "g" }, code, undefined, cluster),
  );
  assertEquals([join.errorCode, join.members], [code, []]);

  const commitRequest = {
    groupId: "g",
    topics: [{ name: "t", partitions: [{ partitionIndex: 0 }, { partitionIndex: 4 }] }],
  };
  const commit = roundTrip(
    ApiKey.OffsetCommit,
    8,
    mirrorErrorResponse(ApiKey.OffsetCommit, 8, commitRequest, code, undefined, cluster),
  ) as unknown as {
    topics: { name: string; partitions: { partitionIndex: number; errorCode: number }[] }[];
  };
  assertEquals(
    commit.topics.map((t) => [t.name, t.partitions.map((p) => [p.partitionIndex, p.errorCode])]),
    [
      ["t", [[0, code], [4, code]]],
    ],
  );

  // OffsetFetch v8+ batches groups; its partitions are bare indexes in the request.
  const fetchRequest = {
    groups: [{ groupId: "g", topics: [{ name: "t", partitionIndexes: [1, 2] }] }],
  };
  const fetched = roundTrip(
    ApiKey.OffsetFetch,
    9,
    mirrorErrorResponse(
      ApiKey.OffsetFetch,
      9,
      fetchRequest,
      code,
      { topic: "t", partition: 2 },
      cluster,
    ),
  ) as unknown as {
    groups: {
      groupId: string;
      errorCode: number;
      topics: { name: string; partitions: { partitionIndex: number; errorCode: number }[] }[];
    }[];
  };
  assertEquals(fetched.groups[0].groupId, "g");
  assertEquals(fetched.groups[0].errorCode, 0);
  assertEquals(fetched.groups[0].topics[0].partitions.map((p) => [p.partitionIndex, p.errorCode]), [
    [2, code],
  ]);

  const find = roundTrip(
    ApiKey.FindCoordinator,
    6,
    mirrorErrorResponse(
      ApiKey.FindCoordinator,
      6,
      { keyType: 0, coordinatorKeys: ["a", "b"] },
      code,
      undefined,
      cluster,
    ),
  ) as unknown as { coordinators: { key: string; errorCode: number }[] };
  assertEquals(find.coordinators.map((c) => [c.key, c.errorCode]), [["a", code], ["b", code]]);

  const old = roundTrip(
    ApiKey.FindCoordinator,
    3,
    mirrorErrorResponse(ApiKey.FindCoordinator, 3, { key: "a" }, code, undefined, cluster),
  );
  assertEquals(old.errorCode, code);

  const heartbeat = roundTrip(
    ApiKey.Heartbeat,
    4,
    mirrorErrorResponse(ApiKey.Heartbeat, 4, { groupId: "g" }, 27, undefined, cluster),
  );
  assertEquals(heartbeat.errorCode, 27);
});

Deno.test("faults: count and skip say which matching requests fail", async () => {
  await using broker = await Broker.start({ topics: { t: {} } });
  await using client = await RawClient.connect(broker.bootstrapServers);
  const fault = broker.failNext("Produce", "REQUEST_TIMED_OUT", { count: 2, skip: 1 });
  const codes = [];
  for (let i = 0; i < 4; i++) {
    const res = await client.request(ApiKey.Produce, 9, produceBody("t", [[0, `m${i}`]]));
    codes.push(res.responses[0].partitionResponses[0].errorCode);
  }
  assertEquals(codes, [0, ErrorCode.REQUEST_TIMED_OUT, ErrorCode.REQUEST_TIMED_OUT, 0]);
  assertEquals(stored(broker, "t", 0), ["m0", "m3"]);
  assertEquals(fault.hits, 2);
});

Deno.test("faults: closing before handling loses the request; after handling keeps it", async () => {
  await using broker = await Broker.start({ topics: { t: {} } });
  for (const when of ["before", "after"] as const) {
    await using client = await RawClient.connect(broker.bootstrapServers);
    broker.closeConnections({ apiKey: "Produce", when });
    await assertRejects(
      () => client.request(ApiKey.Produce, 9, produceBody("t", [[0, when]])),
      Error,
    );
  }
  assertEquals(stored(broker, "t", 0), ["after"]);
});

Deno.test("faults: node and client scopes", async () => {
  await using broker = await Broker.start({ nodes: 2 });
  const latency = broker.addLatency(1, { nodeId: 2, apiKey: "ApiVersions" });
  const close = broker.closeConnections({ clientId: "doomed", count: "unlimited" });
  for (const nodeId of [1, 2]) {
    await using client = await RawClient.connect(nodeAddress(broker, nodeId));
    const res = await client.request(ApiKey.ApiVersions, 2, {});
    assertEquals(res.errorCode, 0);
    await assertRejects(() => client.request(ApiKey.ApiVersions, 2, {}, "doomed"), Error);
  }
  assertEquals(latency.hits, 2); // node 2's two requests, none of node 1's
  assertEquals(close.hits, 2);
  assertEquals(close.remaining, Infinity);
  close.cancel();
  await close.done;
});

Deno.test("faults: stopping a node moves its leaderships; restarting brings it back", async () => {
  await using broker = await Broker.start({ nodes: 3, topics: { t: { partitions: 3 } } });
  const before = clusterOf(broker).topics.get("t")!.partitions.map((p) => ({
    leader: p.leader,
    epoch: p.leaderEpoch,
    replicas: [...p.replicas],
  }));
  const led = before.findIndex((p) => p.leader === 2);
  assertOk(led >= 0);
  await broker.stopNode(2);
  assertEquals(broker.isRunning(2), false);
  await assertRejects(() => RawClient.connect(nodeAddress(broker, 2)), Error);

  await using client = await RawClient.connect(nodeAddress(broker, 1));
  const meta = await client.request(ApiKey.Metadata, 12, { topics: null });
  assertEquals(meta.brokers.map((b) => b.nodeId).sort(), [1, 3]);
  const parts = meta.topics[0].partitions.toSorted((a, b) => a.partitionIndex - b.partitionIndex);
  for (const p of parts) {
    const was = before[p.partitionIndex];
    assertOk(!p.isrNodes.includes(2), `partition ${p.partitionIndex} ISR ${p.isrNodes}`);
    if (was.leader === 2) {
      assertOk(p.leaderId !== 2 && was.replicas.includes(p.leaderId), `leader ${p.leaderId}`);
      assertEquals(p.leaderEpoch, was.epoch + 1);
      assertEquals(p.offlineReplicas, [2]);
    } else {
      assertEquals([p.leaderId, p.leaderEpoch], [was.leader, was.epoch]);
    }
  }
  // Produce to the new leader works.
  const newLeader = parts[led].leaderId;
  await using leader = await RawClient.connect(nodeAddress(broker, newLeader));
  const body = produceBody("t", [[led, "after-failover"]]);
  const res = await leader.request(ApiKey.Produce, 9, body);
  assertEquals(res.responses[0].partitionResponses[0].errorCode, 0);

  await broker.restartNode(2);
  assertEquals(broker.isRunning(2), true);
  await using back = await RawClient.connect(nodeAddress(broker, 2));
  const again = await back.request(ApiKey.Metadata, 12, { topics: null });
  assertEquals(again.brokers.map((b) => b.nodeId).sort(), [1, 2, 3]);
  const p = again.topics[0].partitions.find((x) => x.partitionIndex === led)!;
  assertOk(p.isrNodes.includes(2));
  assertEquals(p.leaderId, newLeader);
  // Node 2 is a follower now: it refuses to take produce for the partition.
  const refused = await back.request(ApiKey.Produce, 9, produceBody("t", [[led, "x"]]));
  assertEquals(
    refused.responses[0].partitionResponses[0].errorCode,
    ErrorCode.NOT_LEADER_OR_FOLLOWER,
  );
  assertEquals(stored(broker, "t", led), ["after-failover"]);
});

Deno.test("faults: stopping every replica takes a partition offline until one comes back", async () => {
  await using broker = await Broker.start({ nodes: 2, topics: { t: { replicationFactor: 1 } } });
  const p = clusterOf(broker).partition("t", 0)!;
  const owner = p.leader;
  await broker.stopNode(owner);
  assertEquals([p.leader, p.leaderEpoch], [-1, 1]);
  await broker.restartNode(owner);
  assertEquals([p.leader, p.leaderEpoch], [owner, 2]);
});

Deno.test("faults: moveLeader bumps the epoch and the old leader refuses", async () => {
  await using broker = await Broker.start({ nodes: 3, topics: { t: {} } });
  const p = clusterOf(broker).partition("t", 0)!;
  const old = p.leader;
  const target = p.replicas.find((id) => id !== old)!;
  broker.moveLeader("t", 0, target);
  assertEquals([p.leader, p.leaderEpoch], [target, 1]);
  await using client = await RawClient.connect(nodeAddress(broker, old));
  const res = await client.request(ApiKey.Produce, 9, produceBody("t", [[0, "x"]]));
  assertEquals(res.responses[0].partitionResponses[0].errorCode, ErrorCode.NOT_LEADER_OR_FOLLOWER);
  assertThrows(() => broker.moveLeader("t", 0, 9), RangeError);
  assertThrows(() => broker.moveLeader("nope", 0, 1), RangeError);
});

Deno.test("faults: intercept may answer, alter or fall through, and be removed", async () => {
  await using broker = await Broker.start({ topics: { t: {}, renamed: {} } });
  await using client = await RawClient.connect(broker.bootstrapServers);
  const seen: number[] = [];
  const remove = broker.intercept((request, next) => {
    seen.push(request.apiKey);
    if (request.apiKey === ApiKey.Metadata) {
      return Promise.resolve({
        brokers: [],
        topics: [],
        clusterId: "intercepted",
        controllerId: -1,
      });
    }
    if (request.apiKey === ApiKey.Produce) {
      const body = request.body as { topicData: { name: string }[] };
      body.topicData[0].name = "renamed";
    }
    return next();
  });
  const meta = await client.request(ApiKey.Metadata, 12, { topics: null });
  assertEquals(meta.clusterId, "intercepted");
  await client.request(ApiKey.Produce, 9, produceBody("t", [[0, "v"]]));
  assertEquals([stored(broker, "t", 0), stored(broker, "renamed", 0)], [[], ["v"]]);
  remove();
  const real = await client.request(ApiKey.Metadata, 12, { topics: null });
  assertEquals(real.clusterId, clusterOf(broker).clusterId);
  assertEquals(seen, [ApiKey.Metadata, ApiKey.Produce]);
});

Deno.test("faults: fault specs and plans are checked", () => {
  assertThrows(() => parseFaultPlan({ faults: [{ kind: "explode" }] }), FaultSpecError);
  assertThrows(
    () => parseFaultPlan([{ kind: "error", apiKey: "Produce", errorCode: "NOPE" }]),
    FaultSpecError,
    /Unknown error code 'NOPE'/,
  );
  assertThrows(
    () => parseFaultPlan([{ kind: "latency", apiKey: "Fetch" }]),
    FaultSpecError,
    /ms must be a number/,
  );
  assertThrows(
    () => parseFaultPlan([{ kind: "drop", apiKey: "Fetch", bogus: 1 }]),
    FaultSpecError,
    /unknown field 'bogus'/,
  );
  const steps = parseFaultPlan({
    faults: [
      { kind: "error", apiKey: "Produce", errorCode: 6, count: 2 },
      { kind: "stopNode", nodeId: 2, atMs: 10, forMs: 10 },
    ],
  });
  assertEquals(steps.length, 2);
});

Deno.test("faults: a broker rejects impossible faults", async () => {
  await using broker = await Broker.start();
  assertThrows(() => broker.failNext("NoSuchApi" as "Produce", 6), FaultSpecError);
  assertThrows(() => broker.inject({ kind: "drop", partition: 1 }), FaultSpecError);
  assertThrows(() => broker.inject({ kind: "drop", count: 0 }), FaultSpecError);
  await assertRejects(() => broker.stopNode(7), RangeError);
});

Deno.test("faults: a fault plan runs its steps in time order", async () => {
  await using broker = await Broker.start({ nodes: 3, topics: { t: {} } });
  const leader = clusterOf(broker).partition("t", 0)!.leader;
  const other = clusterOf(broker).partition("t", 0)!.replicas.find((id) => id !== leader)!;
  await broker.runFaultPlan({
    faults: [
      { kind: "stopNode", nodeId: leader, atMs: 1, forMs: 5 },
      { kind: "moveLeader", topic: "t", partition: 0, nodeId: other, atMs: 20 },
      { kind: "error", apiKey: "Metadata", errorCode: "UNKNOWN_SERVER_ERROR", atMs: 25 },
    ],
  });
  assertEquals(broker.isRunning(leader), true);
  assertEquals(clusterOf(broker).partition("t", 0)!.leader, other);
  await using client = await RawClient.connect(broker.bootstrapServers);
  const res = await client.request(ApiKey.Metadata, 12, { topics: [{ name: "t" }] });
  assertEquals(res.topics[0].errorCode, ErrorCode.UNKNOWN_SERVER_ERROR);
});

Deno.test("faults: acks=-1 needs min.insync.replicas in the ISR, capped at the replication factor", async () => {
  await using broker = await Broker.start({
    nodes: 3,
    topics: {
      t: { partitions: 1, replicationFactor: 3, configs: { "min.insync.replicas": "2" } },
      capped: { partitions: 1, replicationFactor: 2, configs: { "min.insync.replicas": "5" } },
    },
  });
  const p = clusterOf(broker).partition("t", 0)!;
  await using leader = await RawClient.connect(nodeAddress(broker, p.leader));
  const send = async (acks: number) => {
    const res = await leader.request(ApiKey.Produce, 9, { ...produceBody("t", [[0, "x"]]), acks });
    return res.responses[0].partitionResponses[0];
  };
  // min.insync.replicas above the replication factor asks for every replica, no more.
  const capped = clusterOf(broker).partition("capped", 0)!;
  await using cappedLeader = await RawClient.connect(nodeAddress(broker, capped.leader));
  const c = await cappedLeader.request(ApiKey.Produce, 9, produceBody("capped", [[0, "x"]]));
  assertEquals(c.responses[0].partitionResponses[0].errorCode, ErrorCode.NONE);

  const followers = p.replicas.filter((id) => id !== p.leader);
  await broker.stopNode(followers[0]);
  assertEquals((await send(-1)).errorCode, ErrorCode.NONE);
  await broker.stopNode(followers[1]);
  assertEquals(p.isr, [p.leader]);
  const refused = await send(-1);
  assertEquals([refused.errorCode, refused.baseOffset, refused.logStartOffset], [
    ErrorCode.NOT_ENOUGH_REPLICAS,
    -1n,
    -1n,
  ]);
  // acks=1 does not wait for replicas; the refused batch was not appended.
  assertEquals((await send(1)).baseOffset, 1n);
  await broker.restartNode(followers[0]);
  assertEquals((await send(-1)).baseOffset, 2n);
});

Deno.test("faults: UnregisterBroker forgets a stopped node; a running one stays registered", async () => {
  await using broker = await Broker.start({ nodes: 2 });
  await using client = await RawClient.connect(nodeAddress(broker, 1));
  const unregister = (brokerId: number) => client.request(ApiKey.UnregisterBroker, 0, { brokerId });
  assertEquals((await unregister(7)).errorMessage, "Broker ID 7 is not currently registered");
  assertEquals((await unregister(1)).errorCode, ErrorCode.NONE);
  assertOk(clusterOf(broker).registeredNodeIds.has(1));
  await broker.stopNode(2);
  assertEquals((await unregister(2)).errorCode, ErrorCode.NONE);
  assertEquals((await unregister(2)).errorCode, ErrorCode.BROKER_ID_NOT_REGISTERED);
  await broker.restartNode(2);
  assertOk(clusterOf(broker).registeredNodeIds.has(2), "a node that comes back registers again");
});
