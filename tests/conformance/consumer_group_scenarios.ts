/**
 * Differential scenarios of the consumer rebalance protocol (KIP-848): ConsumerGroupHeartbeat's
 * checks, joins, revocation before reassignment, static members, regex subscriptions,
 * ConsumerGroupDescribe, and the offset and group APIs on a consumer group.
 *
 * @module
 */

import { ApiKey, type ApiMessages } from "../../codec/mod.ts";
import { decodeAssignment, encodeSubscription } from "../../codec/consumer_protocol.ts";
import { type Scenario, step } from "./differential.ts";

type HeartbeatRequest = ApiMessages[typeof ApiKey.ConsumerGroupHeartbeat]["requestInit"];
type HeartbeatResponse = ApiMessages[typeof ApiKey.ConsumerGroupHeartbeat]["response"];
type Owned = { topicId: string; partitions: number[] }[] | null;

/** The fields of a heartbeat that say nothing has changed. */
export const QUIET = {
  instanceId: null,
  rackId: null,
  rebalanceTimeoutMs: -1,
  subscribedTopicNames: null,
  subscribedTopicRegex: null,
  serverAssignor: null,
  topicPartitions: null,
};

/** Index of the CreateTopics step, whose answer carries the topic ids. */
const CREATE = 1;

function topicId(earlier: unknown[], index = 0): string {
  const created = earlier[CREATE] as { topics: { topicId: string }[] };
  return created.topics[index].topicId;
}

/** Partitions of the first topic, as a member reports owning them. */
const owns = (partitions: number[]) => (earlier: unknown[]): Owned =>
  partitions.length === 0 ? [] : [{ topicId: topicId(earlier), partitions }];

function heartbeat(
  fields: Partial<Omit<HeartbeatRequest, "topicPartitions">> & {
    topicPartitions?: Owned | ((earlier: unknown[]) => Owned);
  },
  until?: (r: HeartbeatResponse) => boolean,
  version = 1,
) {
  return step(
    ApiKey.ConsumerGroupHeartbeat,
    version,
    (earlier) => {
      const owned = fields.topicPartitions;
      return {
        groupId: "",
        memberId: "",
        memberEpoch: 0,
        ...QUIET,
        ...fields,
        topicPartitions: typeof owned === "function" ? owned(earlier) : owned ?? null,
      } as HeartbeatRequest;
    },
    until,
  );
}

/** Groups and members in id order (Kafka lists them from hash maps); partitions sorted. */
function describedInOrder(r: ApiMessages[typeof ApiKey.ConsumerGroupDescribe]["response"]) {
  const sortAssignment = (a: { topicPartitions: { partitions: number[] }[] }) => ({
    ...a,
    topicPartitions: a.topicPartitions.map((t) => ({
      ...t,
      partitions: [...t.partitions].sort((x, y) => x - y),
    })),
  });
  return {
    ...r,
    groups: [...r.groups].sort((x, y) => x.groupId < y.groupId ? -1 : 1).map((g) => ({
      ...g,
      // Classic members (type 0) have ids each broker makes up: order by type first.
      members: [...g.members].sort((a, b) =>
        a.memberType - b.memberType || (a.memberId < b.memberId ? -1 : 1)
      ).map((m) => ({
        ...m,
        assignment: sortAssignment(m.assignment),
        targetAssignment: sortAssignment(m.targetAssignment),
      })),
    })),
  };
}

/** Listed groups in id order (Kafka lists them from a hash map). */
export function listedInOrder(r: ApiMessages[typeof ApiKey.ListGroups]["response"]) {
  return { ...r, groups: [...r.groups].sort((x, y) => x.groupId < y.groupId ? -1 : 1) };
}

/** Assignments with their partitions sorted (Kafka's come from a hash set). */
function sortedAssignment(r: HeartbeatResponse) {
  return r.assignment === null ? r : {
    ...r,
    assignment: {
      topicPartitions: r.assignment.topicPartitions.map((t) => ({
        ...t,
        partitions: [...t.partitions].sort((a, b) => a - b),
      })),
    },
  };
}

/** Waits until every partition of a new topic has a leader (partitions in index order). */
export const ready = (topic: string, partitions: number) =>
  step(
    ApiKey.Metadata,
    12,
    { topics: [{ name: topic }], allowAutoTopicCreation: false },
    (r) =>
      r.topics[0]?.partitions.length === partitions &&
      r.topics[0].partitions.every((p) => p.leaderId >= 0),
    (r) => ({
      ...r,
      topics: r.topics.map((t) => ({
        ...t,
        partitions: [...t.partitions].sort((x, y) => x.partitionIndex - y.partitionIndex),
      })),
    }),
  );

/**
 * Waits until a real Kafka's group coordinator knows a new topic (it learns of topics after the
 * rest of the broker): a probe member of a group of its own joins until it gets partitions, then
 * leaves. Only the leaving is compared; how many joins it took is Kafka's timing.
 */
export const seen = (group: string, topic: string) => [
  {
    ...heartbeat(
      {
        groupId: `${group}-probe`,
        memberId: `${group}-probe`,
        rebalanceTimeoutMs: 30000,
        subscribedTopicNames: [topic],
        topicPartitions: [],
      },
      (r) => (r.assignment?.topicPartitions.length ?? 0) > 0,
    ),
    canonical: () => "joined once the topic was known",
  },
  heartbeat({ groupId: `${group}-probe`, memberId: `${group}-probe`, memberEpoch: -1 }),
];

/** The member id an answer carries. */
const memberIdOf = (answer: unknown) => (answer as { memberId: string }).memberId;

/** A classic JoinGroup (v9) of a range consumer of `topic`; the member id comes from earlier. */
const classicJoin = (group: string, topic: string, memberId: (earlier: unknown[]) => string) =>
  step(
    ApiKey.JoinGroup,
    9,
    (earlier) => ({
      groupId: group,
      sessionTimeoutMs: 30000,
      rebalanceTimeoutMs: 30000,
      memberId: memberId(earlier),
      groupInstanceId: null,
      protocolType: "consumer",
      protocols: [{
        name: "range",
        metadata: encodeSubscription({
          topics: [topic],
          userData: null,
          ownedPartitions: [],
          generationId: -1,
          rackId: null,
        }),
      }],
      reason: null,
    }),
  );

/** SyncGroup (v5) of the member that step `joined` answered, at a generation. */
const classicSync = (group: string, joined: number, generationId: number) =>
  step(
    ApiKey.SyncGroup,
    5,
    (earlier) => ({
      groupId: group,
      generationId,
      memberId: memberIdOf(earlier[joined]),
      groupInstanceId: null,
      protocolType: "consumer",
      protocolName: "range",
      assignments: [],
    }),
    undefined,
    (r) => ({ ...r, assignment: decodeAssignment(r.assignment) }),
  );

/** Heartbeat (v4) of the member that step `joined` answered, at a generation. */
const classicHeartbeat = (group: string, joined: number, generationId: number) =>
  step(ApiKey.Heartbeat, 4, (earlier) => ({
    groupId: group,
    generationId,
    memberId: memberIdOf(earlier[joined]),
    groupInstanceId: null,
  }));

/** The scenarios, with group and topic names made unique by `run`. */
export function consumerGroupScenarios(run: string): Scenario[] {
  const group = `${run}-cg`;
  const topic = `${run}-cgt`;
  const a = `${run}-member-a`;
  const b = `${run}-member-b`;
  const joinA = { groupId: group, memberId: a, rebalanceTimeoutMs: 30000, topicPartitions: [] };
  const describe = (groupIds: string[]) =>
    step(
      ApiKey.ConsumerGroupDescribe,
      1,
      {
        groupIds,
        includeAuthorizedOperations: false,
      },
      undefined,
      describedInOrder,
    );
  const commit = (version: number, memberId: string, epoch: number) =>
    step(ApiKey.OffsetCommit, version, {
      groupId: group,
      generationIdOrMemberEpoch: epoch,
      memberId,
      groupInstanceId: null,
      retentionTimeMs: -1n,
      topics: [{
        name: topic,
        partitions: [{
          partitionIndex: 0,
          committedOffset: 5n,
          committedLeaderEpoch: -1,
          committedMetadata: "m",
        }],
      }],
    });
  const fetchOffsets = (memberId: string | null, memberEpoch: number) =>
    step(ApiKey.OffsetFetch, 9, {
      groups: [{
        groupId: group,
        memberId,
        memberEpoch,
        topics: [{ name: topic, partitionIndexes: [0] }],
      }],
      requireStable: false,
    });
  const sortedHeartbeat = (fields: Parameters<typeof heartbeat>[0]) => {
    const s = heartbeat(fields);
    return { ...s, canonical: sortedAssignment } as typeof s;
  };
  return [{
    name: "consumer groups (KIP-848): heartbeats, reconciliation, describe, offsets",
    steps: [
      step(
        ApiKey.FindCoordinator,
        4,
        { keyType: 0, coordinatorKeys: [group] },
        (r) => r.coordinators[0]?.errorCode === 0,
      ),
      step(ApiKey.CreateTopics, 7, {
        topics: [{ name: topic, numPartitions: 3, replicationFactor: 1 }],
        timeoutMs: 5000,
      }),
      ready(topic, 3),
      ...seen(group, topic),
      // Refusals before the group is looked at.
      heartbeat({ groupId: group, rebalanceTimeoutMs: 30000, subscribedTopicNames: [topic] }),
      heartbeat({ ...joinA, rebalanceTimeoutMs: -1, subscribedTopicNames: [topic] }),
      heartbeat({ ...joinA, topicPartitions: null, subscribedTopicNames: [topic] }),
      heartbeat({ ...joinA }),
      heartbeat({ ...joinA, memberEpoch: -3 }),
      heartbeat({ ...joinA, memberEpoch: -2 }),
      heartbeat({ ...joinA, subscribedTopicNames: [topic], serverAssignor: "sticky" }),
      heartbeat({ ...joinA, groupId: "  ", subscribedTopicNames: [topic] }),
      heartbeat({ ...joinA, subscribedTopicNames: [topic], rackId: "" }),
      heartbeat({ ...joinA, subscribedTopicNames: [topic], subscribedTopicRegex: "(" }),
      heartbeat({ groupId: `${run}-nogroup`, memberId: a, memberEpoch: 1 }),
      heartbeat({ groupId: `${run}-nogroup`, memberId: a, memberEpoch: -1 }),
      // A joins alone and gets every partition.
      sortedHeartbeat({ ...joinA, subscribedTopicNames: [topic] }),
      heartbeat({ groupId: group, memberId: a, memberEpoch: 1, topicPartitions: owns([0, 1, 2]) }),
      heartbeat({ groupId: group, memberId: a, memberEpoch: 5 }),
      heartbeat({ groupId: group, memberId: `${run}-ghost`, memberEpoch: 1 }),
      // B joins: its partition is A's until A revokes it.
      sortedHeartbeat({ ...joinA, memberId: b, subscribedTopicNames: [topic] }),
      describe([group]),
      sortedHeartbeat({
        groupId: group,
        memberId: a,
        memberEpoch: 1,
        topicPartitions: owns([0, 1, 2]),
      }),
      sortedHeartbeat({
        groupId: group,
        memberId: a,
        memberEpoch: 1,
        topicPartitions: owns([0, 1]),
      }),
      sortedHeartbeat({ groupId: group, memberId: b, memberEpoch: 2, topicPartitions: owns([]) }),
      describe([group, `${run}-nogroup`, ""]),
      // The offset APIs check the member and its epoch.
      commit(9, a, 2),
      commit(9, a, 1),
      commit(9, `${run}-ghost`, 2),
      commit(8, a, 2),
      commit(9, "", -1),
      fetchOffsets(a, 2),
      fetchOffsets(a, 7),
      fetchOffsets(`${run}-ghost`, 2),
      fetchOffsets(null, -1),
      step(ApiKey.OffsetDelete, 0, {
        groupId: group,
        topics: [{ name: topic, partitions: [{ partitionIndex: 0 }] }],
      }),
      step(ApiKey.DeleteGroups, 2, { groupsNames: [group] }),
      step(ApiKey.DescribeGroups, 5, { groups: [group], includeAuthorizedOperations: false }),
      step(ApiKey.DescribeGroups, 6, { groups: [group], includeAuthorizedOperations: false }),
      step(
        ApiKey.ListGroups,
        5,
        { statesFilter: ["Stable"], typesFilter: ["consumer"] },
        undefined,
        listedInOrder,
      ),
      // B leaves; A gets its partition back in the next epoch.
      heartbeat({ groupId: group, memberId: b, memberEpoch: -1 }),
      sortedHeartbeat({
        groupId: group,
        memberId: a,
        memberEpoch: 2,
        topicPartitions: owns([0, 1]),
      }),
      heartbeat({ groupId: group, memberId: a, memberEpoch: -1 }),
      describe([group]),
      step(
        ApiKey.ListGroups,
        5,
        { statesFilter: ["Empty"], typesFilter: ["consumer"] },
        undefined,
        listedInOrder,
      ),
      step(ApiKey.DeleteGroups, 2, { groupsNames: [group] }),
      describe([group]),
    ],
  }, {
    name: "consumer groups (KIP-848): static members, regex subscriptions, classic groups",
    steps: [
      step(
        ApiKey.FindCoordinator,
        4,
        { keyType: 0, coordinatorKeys: [`${group}-s`] },
        (r) => r.coordinators[0]?.errorCode === 0,
      ),
      step(ApiKey.CreateTopics, 7, {
        topics: [{ name: `${topic}-r1`, numPartitions: 2, replicationFactor: 1 }],
        timeoutMs: 5000,
      }),
      ready(`${topic}-r1`, 2),
      ...seen(`${group}-s`, `${topic}-r1`),
      sortedHeartbeat({
        ...joinA,
        groupId: `${group}-s`,
        instanceId: "instance-1",
        subscribedTopicNames: [`${topic}-r1`],
      }),
      heartbeat({
        ...joinA,
        groupId: `${group}-s`,
        memberId: b,
        instanceId: "instance-1",
        subscribedTopicNames: [`${topic}-r1`],
      }),
      heartbeat({ groupId: `${group}-s`, memberId: b, memberEpoch: 1, instanceId: "instance-1" }),
      heartbeat({ groupId: `${group}-s`, memberId: a, memberEpoch: -2, instanceId: "instance-1" }),
      // The instance comes back with another member id and keeps its partitions.
      sortedHeartbeat({
        ...joinA,
        groupId: `${group}-s`,
        memberId: b,
        instanceId: "instance-1",
        subscribedTopicNames: [`${topic}-r1`],
      }),
      describe([`${group}-s`]),
      heartbeat({ groupId: `${group}-s`, memberId: b, memberEpoch: -1, instanceId: "instance-1" }),
      // A regex is resolved after the heartbeat that brings it; a later one gets its partitions.
      sortedHeartbeat({
        ...joinA,
        groupId: `${group}-r`,
        subscribedTopicRegex: `${topic}-r.*`,
      }),
      heartbeat(
        { groupId: `${group}-r`, memberId: a, memberEpoch: 1, topicPartitions: [] },
        (r) => r.memberEpoch !== 1,
      ),
      describe([`${group}-r`]),
      heartbeat({ groupId: `${group}-r`, memberId: a, memberEpoch: -1 }),
      // A classic JoinGroup turns an empty consumer group into a classic group.
      step(ApiKey.JoinGroup, 9, {
        groupId: `${group}-r`,
        sessionTimeoutMs: 30000,
        rebalanceTimeoutMs: 30000,
        memberId: "",
        groupInstanceId: null,
        protocolType: "consumer",
        protocols: [{ name: "range", metadata: new Uint8Array([0, 0, 0, 0, 0, 0, 0, 0, 0, 0]) }],
        reason: null,
      }),
      step(
        ApiKey.JoinGroup,
        9,
        (earlier) => ({
          groupId: `${group}-r`,
          sessionTimeoutMs: 30000,
          rebalanceTimeoutMs: 30000,
          memberId: (earlier[earlier.length - 1] as { memberId: string }).memberId,
          groupInstanceId: null,
          protocolType: "consumer",
          protocols: [{ name: "range", metadata: new Uint8Array([0, 0, 0, 0, 0, 0, 0, 0, 0, 0]) }],
          reason: null,
        }),
        undefined,
        // The leader is a member id, which differs by cluster.
        (r) => ({ ...r, leader: r.leader === r.memberId ? "<the member>" : r.leader }),
      ),
      // Kafka's describe reads what its log has committed, a moment after the join.
      step(ApiKey.ConsumerGroupDescribe, 1, {
        groupIds: [`${group}-r`],
        includeAuthorizedOperations: false,
      }, (r) => r.groups[0]?.errorCode !== 0),
    ],
  }, {
    name: "consumer groups (KIP-848): a classic member in a consumer group",
    steps: [
      step(
        ApiKey.FindCoordinator,
        4,
        { keyType: 0, coordinatorKeys: [`${group}-m`] },
        (r) => r.coordinators[0]?.errorCode === 0,
      ),
      step(ApiKey.CreateTopics, 7, {
        topics: [{ name: `${topic}-m`, numPartitions: 2, replicationFactor: 1 }],
        timeoutMs: 5000,
      }),
      ready(`${topic}-m`, 2),
      ...seen(`${group}-m`, `${topic}-m`),
      sortedHeartbeat({ ...joinA, groupId: `${group}-m`, subscribedTopicNames: [`${topic}-m`] }),
      classicJoin(`${group}-m`, `${topic}-m`, () => ""),
      // Index 7: the classic member joins with the id it was given.
      classicJoin(`${group}-m`, `${topic}-m`, (earlier) => memberIdOf(earlier[6])),
      classicSync(`${group}-m`, 7, 2),
      classicHeartbeat(`${group}-m`, 7, 2),
      classicSync(`${group}-m`, 7, 1),
      sortedHeartbeat({
        groupId: `${group}-m`,
        memberId: a,
        memberEpoch: 1,
        topicPartitions: (earlier) => [{ topicId: topicId(earlier), partitions: [0, 1] }],
      }),
      sortedHeartbeat({
        groupId: `${group}-m`,
        memberId: a,
        memberEpoch: 1,
        topicPartitions: (earlier) => [{ topicId: topicId(earlier), partitions: [0] }],
      }),
      // Its partition is free now: the classic member is told to rejoin for it.
      classicHeartbeat(`${group}-m`, 7, 2),
      classicJoin(`${group}-m`, `${topic}-m`, (earlier) => memberIdOf(earlier[7])),
      classicSync(`${group}-m`, 7, 2),
      describe([`${group}-m`]),
      step(ApiKey.OffsetCommit, 8, (earlier) => ({
        groupId: `${group}-m`,
        generationIdOrMemberEpoch: 1,
        memberId: memberIdOf(earlier[7]),
        groupInstanceId: null,
        retentionTimeMs: -1n,
        topics: [{ name: `${topic}-m`, partitions: [{ partitionIndex: 1, committedOffset: 3n }] }],
      })),
      step(ApiKey.DescribeGroups, 6, {
        groups: [`${group}-m`],
        includeAuthorizedOperations: false,
      }),
      // A group no one has used: Dead in both versions, and GROUP_ID_NOT_FOUND from version 6.
      ...[5, 6].map((v) =>
        step(ApiKey.DescribeGroups, v, {
          groups: [`${group}-unknown`],
          includeAuthorizedOperations: false,
        })
      ),
      step(ApiKey.LeaveGroup, 5, (earlier) => ({
        groupId: `${group}-m`,
        members: [
          { memberId: memberIdOf(earlier[7]), groupInstanceId: null, reason: null },
          { memberId: "nobody", groupInstanceId: null, reason: null },
        ],
      })),
      describe([`${group}-m`]),
      heartbeat({ groupId: `${group}-m`, memberId: a, memberEpoch: -1 }),
    ],
  }];
}
