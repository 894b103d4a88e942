/**
 * Differential scenarios of share groups (KIP-932): the share.version feature that turns them on,
 * ShareGroupHeartbeat's checks, joins (partitions come once their share state is initialized),
 * epochs, ShareGroupDescribe, and how the other group APIs see a share group; then ShareFetch and
 * ShareAcknowledge: share sessions and their epochs, acquired ranges, acknowledgements and their
 * refusals, releases and delivery counts.
 *
 * @module
 */

import { ApiKey, type ApiMessages, encodeRecordBatch } from "../../codec/mod.ts";
import { produceRequest, type Scenario, step } from "./differential.ts";
import { listedInOrder, ready, seen } from "./consumer_group_scenarios.ts";

type HeartbeatRequest = ApiMessages[typeof ApiKey.ShareGroupHeartbeat]["requestInit"];
type HeartbeatResponse = ApiMessages[typeof ApiKey.ShareGroupHeartbeat]["response"];
type Described = ApiMessages[typeof ApiKey.ShareGroupDescribe]["response"];

/** A ShareGroupHeartbeat v1 step with the given fields over empty defaults. */
export function heartbeat(
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
    // Kafka answers groups in the order of their coordinator partitions.
    groups: [...r.groups].sort((x, y) => x.groupId < y.groupId ? -1 : 1).map((g) => {
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

/** Waits until the group's coordinator is known (Kafka creates __consumer_offsets on first use). */
const coordinatorKnown = (group: string) =>
  step(
    ApiKey.FindCoordinator,
    4,
    { keyType: 0, coordinatorKeys: [group] },
    (r) => r.coordinators[0]?.errorCode === 0,
  );

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
  return [
    {
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
        ...seen(group, topic),
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
    },
    shareFetchScenario(run),
    shareOffsetsScenario(run),
  ];
}

/** A batch of `n` records valued `r<from>`, `r<from+1>`... stamped now. */
export const records = (n: number, from: number) =>
  encodeRecordBatch({
    records: Array.from({ length: n }, (_, i) => ({
      key: null,
      value: new TextEncoder().encode(`r${from + i}`),
    })),
    // Now: records from 1970 would be past retention, and Brook's cleaner runs often.
    baseTimestamp: BigInt(Date.now()),
  });

/** Sets a group config (an IncrementalAlterConfigs of a GROUP resource). */
export const groupConfig = (group: string, name: string, value: string) =>
  step(ApiKey.IncrementalAlterConfigs, 1, {
    resources: [{
      resourceType: 32,
      resourceName: group,
      configs: [{ name, configOperation: 0, value }],
    }],
    validateOnly: false,
  });

/**
 * Share groups on, the group's coordinator known, a topic of two partitions that the group
 * coordinator knows of, with batches of `batches` records on partition 0, which `group` reads from
 * the earliest offset. The topic's CreateTopics answer is step 2.
 */
export const sharedTopic = (group: string, topic: string, batches: number[]) => [
  enableShareGroups,
  coordinatorKnown(group),
  step(ApiKey.CreateTopics, 7, {
    topics: [{ name: topic, numPartitions: 2, replicationFactor: 1 }],
    timeoutMs: 5000,
  }),
  ready(topic, 2),
  ...seen(group, topic),
  ...batches.map((n, i) =>
    step(
      ApiKey.Produce,
      9,
      produceRequest(topic, records(n, batches.slice(0, i).reduce((a, b) => a + b, 0))),
    )
  ),
  groupConfig(group, "share.auto.offset.reset", "earliest"),
];

type ShareFetchRequest = ApiMessages[typeof ApiKey.ShareFetch]["requestInit"];
type AckBatch = { firstOffset: bigint; lastOffset: bigint; acknowledgeTypes: number[] };

/** Index of {@linkcode sharedTopic}'s CreateTopics step, whose answer has the topic id. */
const CREATED = 2;
export const topicIdOf = (earlier: unknown[]) =>
  (earlier[CREATED] as { topics: { topicId: string }[] }).topics[0].topicId;

/** An acknowledgement batch: one type for the range, or one per offset. */
export const ack = (first: number, last: number, ...types: number[]): AckBatch => ({
  firstOffset: BigInt(first),
  lastOffset: BigInt(last),
  acknowledgeTypes: types,
});

/** ShareFetch fields to change, acknowledgements of partition 0, and the partitions to fetch. */
type ShareFetchFields = Partial<ShareFetchRequest> & { acks?: AckBatch[]; partitions?: number[] };

/** A ShareFetch v1 of the topic made by {@linkcode sharedTopic} (partition 0 unless told). */
export function shareFetch(
  group: string,
  memberId: string | null,
  shareSessionEpoch: number,
  fields: ShareFetchFields = {},
  until?: (r: ApiMessages[typeof ApiKey.ShareFetch]["response"]) => boolean,
) {
  return step(
    ApiKey.ShareFetch,
    1,
    (earlier) => ({
      groupId: group,
      memberId,
      shareSessionEpoch,
      maxWaitMs: 1000,
      minBytes: 1,
      maxBytes: 1 << 20,
      maxRecords: 500,
      batchSize: 500,
      topics: [{
        topicId: topicIdOf(earlier),
        partitions: (fields.partitions ?? [0]).map((partitionIndex) => ({
          partitionIndex,
          partitionMaxBytes: 0,
          acknowledgementBatches: partitionIndex === 0 ? fields.acks ?? [] : [],
        })),
      }],
      forgottenTopicsData: [],
      ...fields,
    }),
    until,
  );
}

/** ShareFetch and ShareAcknowledge, run after the heartbeat scenario turned share groups on. */
function shareFetchScenario(run: string): Scenario {
  const group = `${run}-sf`;
  const topic = `${run}-sft`;
  const m1 = "AAAAAAAAAAAAAAAAAAAAAw";
  const m2 = "AAAAAAAAAAAAAAAAAAAABA";
  const m3 = "AAAAAAAAAAAAAAAAAAAABQ";
  const fetch = (
    memberId: string | null,
    shareSessionEpoch: number,
    fields: ShareFetchFields = {},
    until?: (r: ApiMessages[typeof ApiKey.ShareFetch]["response"]) => boolean,
  ) => shareFetch(group, memberId, shareSessionEpoch, fields, until);
  const acknowledge = (memberId: string, shareSessionEpoch: number, acks: AckBatch[]) =>
    step(ApiKey.ShareAcknowledge, 1, (earlier) => ({
      groupId: group,
      memberId,
      shareSessionEpoch,
      topics: [{
        topicId: topicIdOf(earlier),
        partitions: [{ partitionIndex: 0, acknowledgementBatches: acks }],
      }],
    }));
  return {
    name: "share groups (KIP-932): ShareFetch and ShareAcknowledge, sessions, locks, deliveries",
    steps: [
      // Offsets 0-2, 3-4 and 5-8, in three batches.
      ...sharedTopic(group, topic, [3, 2, 4]),
      // Refusals before any session.
      fetch("", 0),
      fetch("not-a-uuid", 0),
      fetch(m1, 1),
      fetch(m1, 0, { acks: [ack(0, 2, 1)] }),
      acknowledge(m1, 0, [ack(0, 2, 1)]),
      acknowledge(m1, 1, [ack(0, 2, 1)]),
      // A member subscribes; its partitions come once their share state is initialized.
      heartbeat({ groupId: group, memberId: m1, subscribedTopicNames: [topic] }),
      heartbeat(
        { groupId: group, memberId: m1, memberEpoch: 1 },
        (r) => r.assignment !== null,
      ),
      // Four records asked, five acquired (to the end of a batch), in ranges of about two.
      fetch(m1, 0, { partitions: [0, 1], maxRecords: 4, batchSize: 2 }),
      fetch(m2, 0),
      acknowledge(m2, 1, [ack(0, 2, 1)]),
      acknowledge(m1, 1, [ack(0, 2, 1), ack(3, 4, 2)]),
      acknowledge(m1, 2, [ack(2, 1, 1)]),
      acknowledge(m1, 3, [ack(3, 4, 1, 1, 1)]),
      acknowledge(m1, 4, [ack(3, 4, 4)]),
      acknowledge(m1, 5, [ack(40, 41, 1)]),
      // The released records come back, delivered a second time.
      fetch(m1, 6),
      fetch(m1, 7, { acks: [ack(3, 4, 1, 3)], maxWaitMs: 300 }),
      fetch(m1, 8, { acks: [ack(3, 4, 1)], maxWaitMs: 300 }),
      acknowledge(m2, 2, [ack(5, 8, 2)]),
      fetch(m1, 9, { maxRecords: 2 }),
      // Closing sessions: later requests find none. (How soon Kafka hands records released by a
      // close to another member's waiting fetch is its timing; it is not compared.)
      fetch(m1, -1),
      acknowledge(m1, 10, [ack(5, 8, 1)]),
      acknowledge(m2, 3, [ack(0, 2, 1)]),
      acknowledge(m2, -1, []),
      acknowledge(m2, 5, [ack(5, 8, 1)]),
      fetch(m3, 0, { topics: [] }),
      heartbeat({ groupId: group, memberId: m1, memberEpoch: -1 }),
    ],
  };
}

/** DescribeShareGroupOffsets, AlterShareGroupOffsets and DeleteShareGroupOffsets. */
function shareOffsetsScenario(run: string): Scenario {
  const group = `${run}-so`;
  const topic = `${run}-sot`;
  const member = "AAAAAAAAAAAAAAAAAAAABg";
  const describeOffsets = (topics: { topicName: string; partitions: number[] }[] | null) =>
    step(ApiKey.DescribeShareGroupOffsets, 0, { groups: [{ groupId: group, topics }] });
  const alter = (partitions: [number, bigint][], groupId = group, withUnknown = true) =>
    step(ApiKey.AlterShareGroupOffsets, 0, {
      groupId,
      topics: [
        {
          topicName: topic,
          partitions: partitions.map(([partitionIndex, startOffset]) => ({
            partitionIndex,
            startOffset,
          })),
        },
        { topicName: `${run}-nosuch`, partitions: [{ partitionIndex: 0, startOffset: 0n }] },
      ].slice(0, withUnknown ? 2 : 1),
    });
  const remove = (groupId = group) =>
    step(ApiKey.DeleteShareGroupOffsets, 0, {
      groupId,
      topics: [{ topicName: topic }, { topicName: `${run}-nosuch` }],
    });
  return {
    name: "share groups (KIP-932): describe, alter and delete share-group offsets",
    steps: [
      ...sharedTopic(group, topic, [3]),
      describeOffsets(null),
      describeOffsets([{ topicName: topic, partitions: [0, 1] }, {
        topicName: `${run}-nosuch`,
        partitions: [0],
      }]),
      remove(),
      heartbeat({ groupId: group, memberId: member, subscribedTopicNames: [topic] }),
      heartbeat({ groupId: group, memberId: member, memberEpoch: 1 }, (r) => r.assignment !== null),
      describeOffsets(null),
      shareFetch(group, member, 0),
      step(ApiKey.ShareAcknowledge, 1, (earlier) => ({
        groupId: group,
        memberId: member,
        shareSessionEpoch: -1,
        topics: [{
          topicId: topicIdOf(earlier),
          partitions: [{
            partitionIndex: 0,
            acknowledgementBatches: [{ firstOffset: 0n, lastOffset: 1n, acknowledgeTypes: [1] }],
          }],
        }],
      })),
      // The start offset written is the one from before the acknowledgement (Kafka's lag).
      describeOffsets([{ topicName: topic, partitions: [0, 1] }]),
      alter([[0, 1n]]),
      remove(),
      heartbeat({ groupId: group, memberId: member, memberEpoch: -1 }),
      alter([[9, 5n]]),
      describeOffsets(null),
      alter([[0, 1n], [1, 0n]]),
      describeOffsets(null),
      alter([[0, 1n], [1, 0n]], group, false),
      describeOffsets(null),
      remove(),
      describeOffsets(null),
      remove(),
      remove(`${run}-nosg`),
      alter([[0, 1n]], `${run}-nosg`),
      remove(""),
      // A group with no share state for the topic.
      heartbeat({
        groupId: `${group}2`,
        memberId: member,
        subscribedTopicNames: [`${run}-nosuch`],
      }),
      heartbeat({ groupId: `${group}2`, memberId: member, memberEpoch: -1 }),
      alter([[0, 1n]], `${group}2`, false),
      step(ApiKey.DescribeShareGroupOffsets, 0, {
        groups: [{ groupId: `${group}2`, topics: null }],
      }),
      step(ApiKey.DescribeShareGroupOffsets, 0, {
        groups: [{ groupId: `${group}2`, topics: [{ topicName: topic, partitions: [0, 1] }] }],
      }),
    ],
  };
}
