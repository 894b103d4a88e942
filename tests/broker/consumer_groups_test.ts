// Consumer groups of the consumer rebalance protocol (KIP-848) on Brook's broker: the server-side
// assignors, revocation before reassignment, timeouts that fence members, the way consumer and
// classic groups give way to each other, and classic members inside consumer groups. The answers themselves are compared with a real Kafka in
// tests/conformance/consumer_group_scenarios.ts.
import { clusterOf } from "../../broker/broker_internals.ts";
import { assertEquals, assertOk } from "../assert.ts";
import { ApiKey, type ApiMessages, ErrorCode } from "../../codec/mod.ts";
import { Broker } from "../../broker/mod.ts";
import { rangeAssignor, uniformAssignor } from "../../broker/groups/assignors.ts";
import {
  decodeAssignment,
  encodeAssignment,
  encodeSubscription,
} from "../../codec/consumer_protocol.ts";
import { QUIET } from "../conformance/consumer_group_scenarios.ts";
import { RawClient } from "./raw_client.ts";

type HeartbeatInit = ApiMessages[typeof ApiKey.ConsumerGroupHeartbeat]["requestInit"];

function heartbeat(client: RawClient, fields: Partial<HeartbeatInit>) {
  return client.request(ApiKey.ConsumerGroupHeartbeat, 1, {
    groupId: "g",
    memberId: "",
    memberEpoch: 0,
    ...QUIET,
    ...fields,
  });
}

const join = (memberId: string, extra: Partial<HeartbeatInit> = {}): Partial<HeartbeatInit> => ({
  memberId,
  rebalanceTimeoutMs: 60_000,
  subscribedTopicNames: ["t"],
  topicPartitions: [],
  ...extra,
});

/** Every partition of the answer's assignment, as "topicId:partition". */
function assigned(
  r: { assignment: { topicPartitions: { topicId: string; partitions: number[] }[] } | null },
) {
  return (r.assignment?.topicPartitions ?? []).flatMap((t) => t.partitions.map((p) => p)).sort();
}

Deno.test("consumer groups: a second member gets its partitions once the first revokes them", async () => {
  await using broker = await Broker.start({ topics: { t: { partitions: 4 } } });
  await using client = await RawClient.connect(broker.bootstrapServers);
  const topicId = clusterOf(broker).topics.get("t")!.id;
  const owns = (partitions: number[]) => [{ topicId, partitions }];

  const a1 = await heartbeat(client, join("a"));
  assertEquals([a1.errorCode, a1.memberEpoch, assigned(a1)], [0, 1, [0, 1, 2, 3]]);
  const b1 = await heartbeat(client, join("b"));
  // B's partitions still belong to A: it waits at the new epoch with nothing.
  assertEquals([b1.memberEpoch, assigned(b1)], [2, []]);
  const a2 = await heartbeat(client, {
    memberId: "a",
    memberEpoch: 1,
    topicPartitions: owns([0, 1, 2, 3]),
  });
  assertEquals([a2.memberEpoch, assigned(a2)], [1, [0, 1]]);
  const b2 = await heartbeat(client, { memberId: "b", memberEpoch: 2, topicPartitions: owns([]) });
  assertEquals([b2.memberEpoch, b2.assignment], [2, null], "nothing is released yet");
  const a3 = await heartbeat(client, {
    memberId: "a",
    memberEpoch: 1,
    topicPartitions: owns([0, 1]),
  });
  assertEquals([a3.memberEpoch, a3.assignment], [2, null]);
  const b3 = await heartbeat(client, { memberId: "b", memberEpoch: 2, topicPartitions: owns([]) });
  assertEquals([b3.memberEpoch, assigned(b3)], [2, [2, 3]]);

  const described = await client.request(ApiKey.ConsumerGroupDescribe, 1, {
    groupIds: ["g"],
    includeAuthorizedOperations: false,
  });
  const g = described.groups[0];
  assertEquals([g.groupState, g.groupEpoch, g.assignmentEpoch, g.assignorName], [
    "Stable",
    2,
    2,
    "uniform",
  ]);
  const listed = await client.request(ApiKey.ListGroups, 5, { statesFilter: [], typesFilter: [] });
  assertEquals(listed.groups.map((l) => [l.groupId, l.groupType, l.protocolType]), [
    ["g", "consumer", "consumer"],
  ]);

  // More partitions move the group epoch; the new ones are shared out.
  const grown = await client.request(ApiKey.CreatePartitions, 3, {
    topics: [{ name: "t", count: 6, assignments: null }],
    timeoutMs: 1000,
    validateOnly: false,
  });
  assertEquals(grown.results[0].errorCode, ErrorCode.NONE);
  const a4 = await heartbeat(client, {
    memberId: "a",
    memberEpoch: 2,
    topicPartitions: owns([0, 1]),
  });
  assertEquals([a4.memberEpoch, assigned(a4).length], [3, 3]);
});

Deno.test("consumer groups: timeouts fence a silent member and one that does not revoke", async () => {
  await using broker = await Broker.start({
    topics: { t: { partitions: 2 } },
    configs: {
      "group.consumer.min.session.timeout.ms": "100",
      "group.consumer.session.timeout.ms": "300",
    },
  });
  await using client = await RawClient.connect(broker.bootstrapServers);
  const topicId = clusterOf(broker).topics.get("t")!.id;
  await heartbeat(client, join("a", { rebalanceTimeoutMs: 150 }));
  await heartbeat(client, join("b"));
  // A must give one partition up within 150 ms; it reports owning both and then goes quiet.
  const a = await heartbeat(client, {
    memberId: "a",
    memberEpoch: 1,
    topicPartitions: [{ topicId, partitions: [0, 1] }],
  });
  assertEquals(a.memberEpoch, 1);
  await new Promise((r) => setTimeout(r, 250));
  const gone = await heartbeat(client, { memberId: "a", memberEpoch: 1 });
  assertEquals(gone.errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
  const b = await heartbeat(client, { memberId: "b", memberEpoch: 2, topicPartitions: [] });
  assertEquals(assigned(b), [0, 1]);
  // B's session ends without heartbeats.
  await new Promise((r) => setTimeout(r, 400));
  const state = clusterOf(broker).groups.consumerGroups.get("g")!;
  assertEquals([state.state, state.members.size], ["Empty", 0]);
});

Deno.test("consumer groups: regexes, static members, assignor choice and refusals", async () => {
  await using broker = await Broker.start({
    topics: { "orders-eu": {}, "orders-us": {}, other: {} },
  });
  await using client = await RawClient.connect(broker.bootstrapServers);
  const first = await heartbeat(client, {
    ...join("r"),
    subscribedTopicNames: null,
    subscribedTopicRegex: "orders-.*",
  });
  // As Kafka: the regex is resolved after this heartbeat, and a later one gets its topics.
  assertEquals([first.memberEpoch, assigned(first)], [1, []]);
  await new Promise((r) => setTimeout(r, 20));
  const later = await heartbeat(client, { memberId: "r", memberEpoch: 1, topicPartitions: [] });
  const names = (later.assignment?.topicPartitions ?? [])
    .map((t) => clusterOf(broker).topicsById.get(t.topicId)!.name).sort();
  assertEquals([later.memberEpoch, names], [2, ["orders-eu", "orders-us"]]);
  const bad = await heartbeat(client, {
    ...join("x"),
    groupId: "g2",
    subscribedTopicRegex: "(?=a)",
  });
  assertEquals([bad.errorCode, bad.errorMessage], [
    ErrorCode.INVALID_REGULAR_EXPRESSION,
    "SubscribedTopicRegex `(?=a)` is not a valid regular expression: invalid or unsupported Perl syntax.",
  ]);

  const other = { groupId: "s", instanceId: "i", subscribedTopicNames: ["other"] };
  await heartbeat(client, join("s1", { ...other, serverAssignor: "range" }));
  const taken = await heartbeat(client, join("s2", other));
  assertEquals(taken.errorCode, ErrorCode.UNRELEASED_INSTANCE_ID);
  const away = await heartbeat(client, {
    groupId: "s",
    memberId: "s1",
    memberEpoch: -2,
    instanceId: "i",
  });
  assertEquals(away.memberEpoch, -2);
  const back = await heartbeat(client, join("s2", other));
  assertEquals([back.errorCode, back.memberEpoch, assigned(back)], [0, 1, [0]]);
  const described = await client.request(ApiKey.ConsumerGroupDescribe, 0, {
    groupIds: ["s"],
    includeAuthorizedOperations: false,
  });
  assertEquals(described.groups[0].assignorName, "range");
  assertEquals(described.groups[0].members.map((m) => m.memberId), ["s2"]);
});

Deno.test("consumer groups: empty consumer and classic groups turn into each other with their offsets", async () => {
  await using broker = await Broker.start({ topics: { t: {} } });
  await using client = await RawClient.connect(broker.bootstrapServers);
  const commit = (offset: bigint) =>
    client.request(ApiKey.OffsetCommit, 9, {
      groupId: "g",
      generationIdOrMemberEpoch: -1,
      memberId: "",
      topics: [{ name: "t", partitions: [{ partitionIndex: 0, committedOffset: offset }] }],
    });
  const committed = async () => {
    const r = await client.request(ApiKey.OffsetFetch, 9, {
      groups: [{ groupId: "g", memberId: null, memberEpoch: -1, topics: null }],
    });
    return r.groups[0].topics[0]?.partitions[0]?.committedOffset;
  };
  await commit(7n);
  assertOk(clusterOf(broker).groups.groups.has("g"), "a simple commit makes a classic group");
  const joined = await heartbeat(client, join("a"));
  assertEquals(joined.errorCode, ErrorCode.NONE);
  assertOk(
    !clusterOf(broker).groups.groups.has("g") && clusterOf(broker).groups.consumerGroups.has("g"),
  );
  assertEquals(await committed(), 7n);
  const stale = await client.request(ApiKey.OffsetCommit, 9, {
    groupId: "g",
    generationIdOrMemberEpoch: 5,
    memberId: "a",
    topics: [{ name: "t", partitions: [{ partitionIndex: 0, committedOffset: 9n }] }],
  });
  assertEquals(stale.topics[0].partitions[0].errorCode, ErrorCode.STALE_MEMBER_EPOCH);
  await heartbeat(client, { memberId: "a", memberEpoch: -1 });
  const classic = await client.request(ApiKey.JoinGroup, 9, {
    groupId: "g",
    sessionTimeoutMs: 10000,
    rebalanceTimeoutMs: 5000,
    memberId: "",
    protocolType: "consumer",
    protocols: [{ name: "range", metadata: new Uint8Array(10) }],
  });
  assertEquals(classic.errorCode, ErrorCode.MEMBER_ID_REQUIRED);
  assertOk(
    clusterOf(broker).groups.groups.has("g") && !clusterOf(broker).groups.consumerGroups.has("g"),
  );
  assertEquals(await committed(), 7n);
});

Deno.test("consumer groups: the protocol can be switched off as in Kafka", async () => {
  await using broker = await Broker.start({
    configs: { "group.coordinator.rebalance.protocols": "classic" },
  });
  await using client = await RawClient.connect(broker.bootstrapServers);
  const r = await heartbeat(client, join("a"));
  assertEquals(r.errorCode, ErrorCode.UNSUPPORTED_VERSION);
});

Deno.test("consumer groups: group.version 0 turns the protocol off until it is raised again", async () => {
  await using broker = await Broker.start({ topics: { t: {} } });
  await using client = await RawClient.connect(broker.bootstrapServers);
  const setLevel = (maxVersionLevel: number, upgradeType: number) =>
    client.request(ApiKey.UpdateFeatures, 2, {
      timeoutMs: 1000,
      featureUpdates: [{ feature: "group.version", maxVersionLevel, upgradeType }],
      validateOnly: false,
    });
  const refused = await setLevel(0, 1);
  assertOk(refused.errorMessage!.includes("Can't downgrade the version of this feature"));
  assertEquals((await setLevel(0, 2)).errorCode, ErrorCode.NONE);
  assertEquals((await heartbeat(client, join("a"))).errorCode, ErrorCode.UNSUPPORTED_VERSION);
  const versions = await client.request(ApiKey.ApiVersions, 4, {
    clientSoftwareName: "brook-test",
    clientSoftwareVersion: "1",
  });
  assertOk(!versions.finalizedFeatures.some((f) => f.name === "group.version"));
  assertEquals((await setLevel(1, 1)).errorCode, ErrorCode.NONE);
  assertEquals((await heartbeat(client, join("a"))).errorCode, ErrorCode.NONE);
});

Deno.test("assignors: uniform keeps what it can and balances; range cuts ranges in member order", () => {
  const count = (id: string) => ({ t: 6, u: 3 })[id] ?? 0;
  const member = (memberId: string, topicIds: string[], previous: [string, number[]][] = []) => ({
    memberId,
    instanceId: null,
    topicIds,
    previous: new Map(previous.map(([t, ps]) => [t, new Set(ps)])),
  });
  const flat = (m: Map<string, Set<number>> | undefined) =>
    [...m ?? []].flatMap(([t, ps]) => [...ps].sort().map((p) => `${t}${p}`)).sort();
  // A third member takes two partitions; the others keep four of theirs between them.
  const three = uniformAssignor([
    member("a", ["t"], [["t", [0, 1, 2]]]),
    member("b", ["t"], [["t", [3, 4, 5]]]),
    member("c", ["t"]),
  ], count);
  assertEquals(flat(three.get("a")), ["t0", "t1"]);
  assertEquals(flat(three.get("b")), ["t3", "t4"]);
  assertEquals(flat(three.get("c")), ["t2", "t5"]);
  // Different subscriptions: u goes to its only subscriber, t is balanced around it.
  const mixed = uniformAssignor([member("a", ["t", "u"]), member("b", ["t"])], count);
  assertEquals(flat(mixed.get("a")).length + flat(mixed.get("b")).length, 9);
  assertOk(flat(mixed.get("a")).filter((p) => p.startsWith("u")).length === 3);
  assertOk(Math.abs(flat(mixed.get("a")).length - flat(mixed.get("b")).length) <= 1);
  const range = rangeAssignor([member("b", ["t"]), member("a", ["t", "u"])], count);
  assertEquals(flat(range.get("a")), ["t0", "t1", "t2", "u0", "u1", "u2"]);
  assertEquals(flat(range.get("b")), ["t3", "t4", "t5"]);
});

Deno.test("consumer groups: a consumer member upgrades a classic group; its leaving downgrades it", async () => {
  await using broker = await Broker.start({ topics: { t: { partitions: 2 } } });
  await using client = await RawClient.connect(broker.bootstrapServers);
  const groups = clusterOf(broker).groups;
  const metadata = encodeSubscription({
    topics: ["t"],
    userData: null,
    ownedPartitions: [],
    generationId: -1,
    rackId: null,
  });
  const classicJoin = (memberId: string) =>
    client.request(ApiKey.JoinGroup, 9, {
      groupId: "g",
      sessionTimeoutMs: 30000,
      rebalanceTimeoutMs: 30000,
      memberId,
      protocolType: "consumer",
      protocols: [{ name: "range", metadata }],
    });
  const classicHeartbeat = (memberId: string, generationId: number) =>
    client.request(ApiKey.Heartbeat, 4, { groupId: "g", generationId, memberId });
  const id = (await classicJoin("")).memberId;
  const joined = await classicJoin(id);
  await client.request(ApiKey.SyncGroup, 5, {
    groupId: "g",
    generationId: joined.generationId,
    memberId: id,
    assignments: [{
      memberId: id,
      assignment: encodeAssignment([{ topic: "t", partitions: [0, 1] }]),
    }],
  });
  // A consumer-protocol member joins: the group becomes a consumer group, keeping the classic
  // member and its partitions; the classic member is told to rejoin.
  const b = await heartbeat(client, join("b"));
  assertEquals([b.errorCode, b.memberEpoch, assigned(b)], [0, 2, []]);
  assertOk(groups.consumerGroups.has("g") && !groups.groups.has("g"));
  const told = await classicHeartbeat(id, joined.generationId);
  assertEquals(told.errorCode, ErrorCode.REBALANCE_IN_PROGRESS);
  const rejoined = await classicJoin(id);
  assertEquals([rejoined.errorCode, rejoined.generationId, rejoined.leader], [0, 2, ""]);
  const synced = await client.request(ApiKey.SyncGroup, 5, {
    groupId: "g",
    generationId: 2,
    memberId: id,
    protocolType: "consumer",
    protocolName: "range",
    assignments: [],
  });
  assertEquals(decodeAssignment(synced.assignment).partitions.map((p) => p.partitions.length), [1]);
  // The consumer-protocol member leaves: a classic group again, which rebalances.
  await heartbeat(client, { memberId: "b", memberEpoch: -1 });
  assertOk(groups.groups.has("g") && !groups.consumerGroups.has("g"));
  assertEquals(groups.groups.get("g")!.state, "PreparingRebalance");
  assertEquals(groups.groups.get("g")!.generationId, 2);
  assertEquals((await classicHeartbeat(id, 2)).errorCode, ErrorCode.REBALANCE_IN_PROGRESS);
});

Deno.test("consumer groups: group configs set the heartbeat interval and session of one group", async () => {
  await using broker = await Broker.start({
    topics: { t: {} },
    configs: {
      "group.consumer.min.session.timeout.ms": "100",
      "group.consumer.min.heartbeat.interval.ms": "50",
    },
  });
  await using client = await RawClient.connect(broker.bootstrapServers);
  const alter = (name: string, value: string) =>
    client.request(ApiKey.IncrementalAlterConfigs, 1, {
      resources: [{
        resourceType: 32,
        resourceName: "g",
        configs: [{ name, configOperation: 0, value }],
      }],
      validateOnly: false,
    });
  const refused = await alter("consumer.session.timeout.ms", "50");
  assertEquals(
    refused.responses[0].errorMessage,
    "consumer.session.timeout.ms must be greater than or equal to group.consumer.min.session.timeout.ms",
  );
  assertEquals((await alter("consumer.heartbeat.interval.ms", "60")).responses[0].errorCode, 0);
  assertEquals((await alter("consumer.session.timeout.ms", "200")).responses[0].errorCode, 0);
  const described = await client.request(ApiKey.DescribeConfigs, 4, {
    resources: [{ resourceType: 32, resourceName: "g", configurationKeys: null }],
    includeSynonyms: false,
    includeDocumentation: false,
  });
  const session = described.results[0].configs.find((c) =>
    c.name === "consumer.session.timeout.ms"
  )!;
  assertEquals([session.value, session.configSource], ["200", 8]);

  const joined = await heartbeat(client, join("a"));
  assertEquals(joined.heartbeatIntervalMs, 60);
  await new Promise((r) => setTimeout(r, 300));
  assertEquals(
    clusterOf(broker).groups.consumerGroups.get("g")!.members.size,
    0,
    "the session ended",
  );
});
