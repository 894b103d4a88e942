/**
 * Differential scenarios of share groups (KIP-932): the share.version feature that turns them on,
 * ShareGroupHeartbeat's checks, joins (partitions come once their share state is initialized),
 * epochs, ShareGroupDescribe, and how the other group APIs see a share group.
 *
 * @module
 */

import { ApiKey, type ApiMessages } from "../../codec/mod.ts";
import { type Scenario, step } from "./differential.ts";
import { listedInOrder, ready } from "./consumer_group_scenarios.ts";

type HeartbeatRequest = ApiMessages[typeof ApiKey.ShareGroupHeartbeat]["requestInit"];
type HeartbeatResponse = ApiMessages[typeof ApiKey.ShareGroupHeartbeat]["response"];
type Described = ApiMessages[typeof ApiKey.ShareGroupDescribe]["response"];

function heartbeat(
  fields: Partial<HeartbeatRequest>,
  until?: (r: HeartbeatResponse) => boolean,
  canonical?: (r: HeartbeatResponse) => unknown,
) {
  return step(
    ApiKey.ShareGroupHeartbeat,
    1,
    {
      groupId: "",
      memberId: "",
      memberEpoch: 0,
      rackId: null,
      subscribedTopicNames: null,
      ...fields,
    },
    until,
    canonical,
  );
}

/** How many partitions an answer assigns (which ones depends on the order members are walked). */
const assignedCount = (r: HeartbeatResponse) => ({
  ...r,
  assignment: r.assignment === null ? null : r.assignment.topicPartitions
    .reduce((n, t) => n + t.partitions.length, 0),
});

/** Members in id order, with how many partitions each has and how many the group covers. */
function described(r: Described) {
  return {
    ...r,
    groups: r.groups.map((g) => {
      const all = new Set(
        g.members.flatMap((m) =>
          m.assignment.topicPartitions.flatMap((t) =>
            t.partitions.map((p) => `${t.topicName}:${p}`)
          )
        ),
      );
      return {
        ...g,
        covered: all.size,
        members: [...g.members].sort((a, b) => a.memberId < b.memberId ? -1 : 1).map((m) => ({
          ...m,
          assignment: m.assignment.topicPartitions.reduce((n, t) => n + t.partitions.length, 0),
        })),
      };
    }),
  };
}

/** Turns share groups on: share.version 1 (Kafka 4.1 ships with it at 0). */
export const enableShareGroups = step(ApiKey.UpdateFeatures, 1, {
  timeoutMs: 5000,
  featureUpdates: [{ feature: "share.version", maxVersionLevel: 1, upgradeType: 1 }],
  validateOnly: false,
});

/** The scenarios, with group and topic names made unique by `run`. */
export function shareGroupScenarios(run: string): Scenario[] {
  const group = `${run}-sg`;
  const topic = `${run}-sgt`;
  // Share-group member ids are Kafka Uuids (ShareFetch reads them as such).
  const a = "AAAAAAAAAAAAAAAAAAAAAQ";
  const b = "AAAAAAAAAAAAAAAAAAAAAg";
  const join = { groupId: group, subscribedTopicNames: [topic] };
  const describe = (groupIds: string[]) =>
    step(
      ApiKey.ShareGroupDescribe,
      1,
      { groupIds, includeAuthorizedOperations: false },
      undefined,
      described,
    );
  return [{
    name: "share groups (KIP-932): off until share.version 1; heartbeats, epochs, describe",
    steps: [
      heartbeat({ ...join, memberId: a }),
      describe([group]),
      enableShareGroups,
      step(
        ApiKey.FindCoordinator,
        4,
        { keyType: 0, coordinatorKeys: [group] },
        (r) => r.coordinators[0]?.errorCode === 0,
      ),
      // Kafka's broker learns of the new level from the metadata log, a moment later.
      step(
        ApiKey.ShareGroupDescribe,
        1,
        { groupIds: [group], includeAuthorizedOperations: false },
        (r) => r.groups[0]?.errorCode === 69,
      ),
      step(ApiKey.CreateTopics, 7, {
        topics: [{ name: topic, numPartitions: 3, replicationFactor: 1 }],
        timeoutMs: 5000,
      }),
      ready(topic, 3),
      // Refusals before the group is looked at.
      heartbeat({ ...join }),
      heartbeat({ groupId: group, memberId: a }),
      heartbeat({ groupId: group, memberId: a, subscribedTopicNames: [] }),
      heartbeat({ ...join, memberId: a, memberEpoch: -2 }),
      heartbeat({ ...join, memberId: a, rackId: "" }),
      heartbeat({ ...join, groupId: " ", memberId: a }),
      heartbeat({ groupId: `${run}-nosg`, memberId: a, memberEpoch: 1 }),
      heartbeat({ groupId: `${run}-nosg`, memberId: a, memberEpoch: -1 }),
      // A joins: no partitions until their share state is initialized, then all three.
      heartbeat({ ...join, memberId: a }),
      heartbeat(
        { groupId: group, memberId: a, memberEpoch: 1 },
        (r) => r.assignment !== null,
        assignedCount,
      ),
      heartbeat({ groupId: group, memberId: a, memberEpoch: 2 }),
      heartbeat({ groupId: group, memberId: a, memberEpoch: 7 }),
      heartbeat({ groupId: group, memberId: `${run}-ghost`, memberEpoch: 1 }),
      // B joins and shares the partitions at once: nothing is revoked in a share group.
      heartbeat({ ...join, memberId: b }, undefined, assignedCount),
      heartbeat({ groupId: group, memberId: a, memberEpoch: 2 }, undefined, assignedCount),
      heartbeat({ groupId: group, memberId: a, memberEpoch: 1 }),
      describe([group, `${run}-nosg`, ""]),
      step(
        ApiKey.ListGroups,
        5,
        { statesFilter: [], typesFilter: ["share"] },
        (r) => r.groups.some((g) => g.groupId === group),
        (r) => listedInOrder({ ...r, groups: r.groups.filter((g) => g.groupId === group) }),
      ),
      // The other group APIs see a share group as Kafka shows it.
      step(ApiKey.ConsumerGroupHeartbeat, 1, {
        groupId: group,
        memberId: a,
        memberEpoch: 0,
        instanceId: null,
        rackId: null,
        rebalanceTimeoutMs: 30000,
        subscribedTopicNames: [topic],
        subscribedTopicRegex: null,
        serverAssignor: null,
        topicPartitions: [],
      }),
      step(ApiKey.ConsumerGroupDescribe, 1, {
        groupIds: [group],
        includeAuthorizedOperations: false,
      }),
      step(ApiKey.JoinGroup, 9, {
        groupId: group,
        sessionTimeoutMs: 30000,
        rebalanceTimeoutMs: 30000,
        memberId: "",
        groupInstanceId: null,
        protocolType: "consumer",
        protocols: [{ name: "range", metadata: new Uint8Array(0) }],
        reason: null,
      }),
      step(ApiKey.DescribeGroups, 5, { groups: [group], includeAuthorizedOperations: false }),
      step(ApiKey.OffsetFetch, 9, {
        groups: [{ groupId: group, memberId: null, memberEpoch: -1, topics: null }],
        requireStable: false,
      }),
      step(ApiKey.OffsetCommit, 9, {
        groupId: group,
        generationIdOrMemberEpoch: -1,
        memberId: "",
        groupInstanceId: null,
        retentionTimeMs: -1n,
        topics: [{
          name: topic,
          partitions: [{
            partitionIndex: 0,
            committedOffset: 1n,
            committedLeaderEpoch: -1,
            committedMetadata: null,
          }],
        }],
      }),
      step(ApiKey.DeleteGroups, 2, { groupsNames: [group] }),
      // Both leave: the group is empty, and may then be deleted.
      heartbeat({ groupId: group, memberId: a, memberEpoch: -1 }),
      heartbeat({ groupId: group, memberId: b, memberEpoch: -1 }),
      heartbeat({ groupId: group, memberId: b, memberEpoch: -1 }),
      describe([group]),
      step(ApiKey.DeleteGroups, 2, { groupsNames: [group] }),
      describe([group]),
    ],
  }];
}
