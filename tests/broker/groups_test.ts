import { clusterOf } from "../../broker/broker_internals.ts";
import { assertEquals, assertOk } from "../assert.ts";
import { ApiKey, ErrorCode } from "../../codec/mod.ts";
import { Broker } from "../../broker/mod.ts";
import { Consumer, Producer } from "../../client/mod.ts";
import { encodeSubscription } from "../../codec/consumer_protocol.ts";
import { RawClient } from "./raw_client.ts";

const subscription = encodeSubscription({
  topics: ["t"],
  userData: null,
  ownedPartitions: [],
  generationId: -1,
  rackId: null,
});

async function coordinatorClient(broker: Broker, groupId: string): Promise<RawClient> {
  const c = await RawClient.connect(broker.bootstrapServers);
  const fc = await c.request(ApiKey.FindCoordinator, 6, { keyType: 0, coordinatorKeys: [groupId] });
  const { host, port, errorCode } = fc.coordinators[0];
  assertEquals(errorCode, ErrorCode.NONE);
  c.close();
  return await RawClient.connect(`${host}:${port}`);
}

Deno.test("groups: FindCoordinator v0-3 answers with Kafka's default message, NONE included", async () => {
  await using broker = await Broker.start({});
  await using c = await RawClient.connect(broker.bootstrapServers);
  for (const version of [1, 3]) {
    const found = await c.request(ApiKey.FindCoordinator, version, { key: "g", keyType: 0 });
    assertEquals([found.errorCode, found.errorMessage], [ErrorCode.NONE, "NONE"]);
  }
});

Deno.test("groups: FindCoordinator finds a coordinator for an empty key, as Kafka does", async () => {
  await using broker = await Broker.start({});
  await using c = await RawClient.connect(broker.bootstrapServers);
  for (const keyType of [0, 1]) {
    const old = await c.request(ApiKey.FindCoordinator, 3, { key: "", keyType });
    assertEquals([old.errorCode, old.nodeId !== -1], [ErrorCode.NONE, true]);
    const batched = await c.request(ApiKey.FindCoordinator, 4, { keyType, coordinatorKeys: [""] });
    assertEquals(
      batched.coordinators.map((k) => [k.key, k.errorCode, k.nodeId !== -1]),
      [["", ErrorCode.NONE, true]],
    );
  }
});

Deno.test("groups: KIP-394 join, two members, sync, heartbeats and rebalance answers", async () => {
  await using broker = await Broker.start({ nodes: 3, topics: { t: { partitions: 2 } } });
  await using a = await coordinatorClient(broker, "g");
  await using b = await coordinatorClient(broker, "g");
  const join = (c: RawClient, memberId: string) =>
    c.request(ApiKey.JoinGroup, 9, {
      groupId: "g",
      sessionTimeoutMs: 10000,
      rebalanceTimeoutMs: 5000,
      memberId,
      protocolType: "consumer",
      protocols: [{ name: "range", metadata: subscription }],
    });
  const first = await join(a, "");
  assertEquals(first.errorCode, ErrorCode.MEMBER_ID_REQUIRED);
  assertOk(first.memberId.startsWith("brook-test-"));
  const joinedA = await join(a, first.memberId);
  assertEquals([joinedA.errorCode, joinedA.generationId, joinedA.leader], [
    ErrorCode.NONE,
    1,
    first.memberId,
  ]);
  assertEquals(joinedA.members.length, 1);
  const syncA = await a.request(ApiKey.SyncGroup, 5, {
    groupId: "g",
    generationId: 1,
    memberId: first.memberId,
    protocolType: "consumer",
    protocolName: "range",
    assignments: [{ memberId: first.memberId, assignment: new Uint8Array([0, 3]) }],
  });
  assertEquals([syncA.errorCode, [...syncA.assignment]], [ErrorCode.NONE, [0, 3]]);
  // A second member: the first learns of the rebalance from its heartbeat and rejoins.
  const idB = (await join(b, "")).memberId;
  const pendingB = join(b, idB);
  const hb = await a.request(ApiKey.Heartbeat, 4, {
    groupId: "g",
    generationId: 1,
    memberId: first.memberId,
  });
  assertEquals(hb.errorCode, ErrorCode.REBALANCE_IN_PROGRESS);
  const [rejoinedA, joinedB] = await Promise.all([join(a, first.memberId), pendingB]);
  assertEquals([rejoinedA.generationId, joinedB.generationId], [2, 2]);
  assertEquals(rejoinedA.members.length, 2, "the leader sees both members");
  assertEquals(joinedB.members.length, 0);
  // Old generation, unknown member.
  const stale = await a.request(ApiKey.Heartbeat, 4, {
    groupId: "g",
    generationId: 1,
    memberId: first.memberId,
  });
  assertEquals(stale.errorCode, ErrorCode.ILLEGAL_GENERATION);
  const unknown = await a.request(ApiKey.Heartbeat, 4, {
    groupId: "g",
    generationId: 2,
    memberId: "nobody",
  });
  assertEquals(unknown.errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
  // Describe, list, leave.
  const described = await a.request(ApiKey.DescribeGroups, 5, { groups: ["g"] });
  assertEquals([described.groups[0].groupState, described.groups[0].members.length], [
    "CompletingRebalance",
    2,
  ]);
  const left = await b.request(ApiKey.LeaveGroup, 5, {
    groupId: "g",
    members: [{ memberId: idB, groupInstanceId: null }],
  });
  assertEquals(left.members[0].errorCode, ErrorCode.NONE);
});

Deno.test("groups: wrong coordinator, bad session timeouts, offsets commit and fetch", async () => {
  await using broker = await Broker.start({ nodes: 3, topics: { t: { partitions: 2 } } });
  await using c = await coordinatorClient(broker, "offsets");
  const coordinator = clusterOf(broker).groups.coordinatorFor("offsets");
  const other = clusterOf(broker).nodes.find((n) => n.nodeId !== coordinator)!;
  await using wrong = await RawClient.connect(`${other.host}:${other.port}`);
  const notCoordinator = await wrong.request(ApiKey.Heartbeat, 4, {
    groupId: "offsets",
    generationId: 1,
    memberId: "m",
  });
  assertEquals(notCoordinator.errorCode, ErrorCode.NOT_COORDINATOR);
  const badTimeout = await c.request(ApiKey.JoinGroup, 5, {
    groupId: "offsets",
    sessionTimeoutMs: 10,
    rebalanceTimeoutMs: 10,
    memberId: "",
    protocolType: "consumer",
    protocols: [{ name: "range", metadata: subscription }],
  });
  assertEquals(badTimeout.errorCode, ErrorCode.INVALID_SESSION_TIMEOUT);
  const commit = await c.request(ApiKey.OffsetCommit, 8, {
    groupId: "offsets",
    generationIdOrMemberEpoch: -1,
    memberId: "",
    topics: [{
      name: "t",
      partitions: [{ partitionIndex: 1, committedOffset: 42n, committedMetadata: "m" }, {
        partitionIndex: 9,
        committedOffset: 1n,
      }],
    }],
  });
  assertEquals(commit.topics[0].partitions.map((p) => p.errorCode), [
    ErrorCode.NONE,
    ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
  ]);
  const v1 = await c.request(ApiKey.OffsetFetch, 1, {
    groupId: "offsets",
    topics: [{ name: "t", partitionIndexes: [0, 1] }],
  });
  assertEquals(v1.topics[0].partitions.map((p) => p.committedOffset), [-1n, 42n]);
  const v9 = await c.request(ApiKey.OffsetFetch, 9, {
    groups: [{ groupId: "offsets", topics: null }],
  });
  assertEquals(v9.groups[0].topics[0].partitions[0].committedOffset, 42n);
  assertEquals(v9.groups[0].topics[0].partitions[0].metadata, "m");
});

Deno.test("groups: Brook consumers share a group on Brook's broker with each assignor", async () => {
  await using broker = await Broker.start({ nodes: 3, topics: { orders: { partitions: 4 } } });
  await using producer = new Producer({ bootstrapServers: broker.bootstrapServers });
  await producer.send(
    Array.from({ length: 60 }, (_, i) => ({ topic: "orders", key: `k${i}`, value: `v${i}` })),
  );
  for (const assignor of ["range", "roundrobin", "cooperative-sticky"] as const) {
    const make = () =>
      new Consumer({
        bootstrapServers: broker.bootstrapServers,
        groupId: `g-${assignor}`,
        autoOffsetReset: "earliest",
        assignors: [assignor],
        heartbeatIntervalMs: 100,
        sessionTimeoutMs: 6000,
        fetchMaxWaitMs: 50,
      });
    const first = make();
    first.subscribe(["orders"]);
    const seen = new Map<string, number>();
    const count = (rs: { partition: number; offset: bigint }[]) =>
      rs.forEach((r) =>
        seen.set(`${r.partition}:${r.offset}`, (seen.get(`${r.partition}:${r.offset}`) ?? 0) + 1)
      );
    count(await first.poll({ timeoutMs: 2000, maxRecords: 10 }));
    await first.commit();
    const second = make();
    second.subscribe(["orders"]);
    const loop = async (c: Consumer) => {
      const end = Date.now() + 10000;
      while (Date.now() < end && (seen.size < 60 || c.assignment().length !== 2)) {
        count(await c.poll({ timeoutMs: 100 }));
        await c.commit().catch(() => {});
      }
    };
    await Promise.all([loop(first), loop(second)]);
    assertEquals(seen.size, 60, assignor);
    assertEquals(
      [...seen.values()].filter((n) => n > 1).length,
      0,
      `${assignor}: no record read twice`,
    );
    assertEquals([...first.assignment(), ...second.assignment()].map((p) => p.partition).sort(), [
      0,
      1,
      2,
      3,
    ]);
    await first.close();
    await second.close();
  }
});
