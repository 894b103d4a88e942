/**
 * Differential scenarios of streams groups (KIP-1071), as a real Kafka 4.4.0 serves them: members
 * joining with a topology, the internal topics the coordinator creates, the assignment after the
 * initial rebalance delay, a second member and the revocation it causes, describe, list, leave and
 * delete; and the errors for bad requests, a bad topology and missing source topics.
 *
 * @module
 */

import { ApiKey } from "../../codec/mod.ts";
import { type Scenario, type Step, step } from "./differential.ts";
import {
  beat,
  body,
  byMember,
  epochOf,
  type Heartbeat,
  type HeartbeatInit,
  type Producer,
  topology,
} from "./kafka44_streams_support.ts";

/**
 * A streams group from its first member to its deletion.
 *
 * @example
 * ```ts ignore
 * const scenario = streamsGroupScenario("k123");
 * ```
 */
export function streamsGroupScenario(run: string): Scenario {
  const app = `${run}-k44st`;
  const input = `${app}-in`;
  const hb = (
    b: HeartbeatInit | ((earlier: unknown[]) => HeartbeatInit),
    until?: (r: Heartbeat) => boolean,
  ) => step(ApiKey.StreamsGroupHeartbeat, 1, b, until);
  const steps: Step[] = [
    step(
      ApiKey.CreateTopics,
      7,
      {
        topics: [{
          name: input,
          numPartitions: 3,
          replicationFactor: 1,
          assignments: [],
          configs: [],
        }],
        timeoutMs: 5000,
        validateOnly: false,
      },
      undefined,
      (r) => r.topics.map((t) => t.errorCode),
    ),
    step(
      ApiKey.Metadata,
      12,
      {
        topics: [{ name: input, topicId: undefined }],
        allowAutoTopicCreation: false,
        includeTopicAuthorizedOperations: false,
      },
      (r) => r.topics[0]?.partitions.length === 3,
      (r) => r.topics.map((t) => [t.name, t.partitions.length]),
    ),
    // Kafka's group coordinator sees a new topic a moment after the controller: a group of its
    // own waits for it, so that the first member below finds it.
    step(
      ApiKey.StreamsGroupHeartbeat,
      1,
      body(`${app}-wait`, {
        topology: {
          epoch: 0,
          subtopologies: [{ ...topology(app, input).subtopologies[0], repartitionSinkTopics: [] }],
        },
      }),
      (r) => !r.status?.some((s) => s.statusCode === 1),
      () => "source topic seen",
    ),
    step(ApiKey.StreamsGroupHeartbeat, 1, beat(`${app}-wait`, "m1", -1)),
    // 4: the first member; the coordinator creates the internal topics.
    hb(body(app, { topology: topology(app, input) })),
    // 5: the tasks come once the initial rebalance delay (3 s) ends.
    hb((earlier) => beat(app, "m1", epochOf(earlier, 4)), (r) => r.activeTasks !== null),
    step(
      ApiKey.StreamsGroupDescribe,
      1,
      {
        groupIds: [app],
        includeAuthorizedOperations: false,
        includeTopologyDescription: true,
      },
      undefined,
      byMember,
    ),
    // 7: a second member, from another process.
    hb(body(app, { memberId: "m2", processId: "p2", topology: topology(app, input) })),
    // 8: the first member is told to give up tasks once the assignment interval (1 s) passes.
    hb(
      (earlier) =>
        beat(app, "m1", epochOf(earlier, 5), (earlier[5] as Heartbeat).activeTasks ?? []),
      (r) => r.activeTasks !== null,
    ),
    // 9: it reports them gone.
    hb((earlier) => beat(app, "m1", epochOf(earlier, 8), (earlier[8] as Heartbeat).activeTasks)),
    // 10: the second member gets them.
    hb(
      (earlier) => beat(app, "m2", epochOf(earlier, 7)),
      (r) => (r.activeTasks?.length ?? 0) > 0,
    ),
    step(
      ApiKey.StreamsGroupDescribe,
      0,
      {
        groupIds: [app, `${app}-none`],
        includeAuthorizedOperations: true,
      },
      undefined,
      byMember,
    ),
    step(ApiKey.ListGroups, 5, { statesFilter: [], typesFilter: ["streams"] }, undefined, (r) => ({
      ...r,
      groups: r.groups.filter((g) => g.groupId === app),
    })),
    step(ApiKey.DescribeGroups, 6, { groups: [app], includeAuthorizedOperations: false }),
    // Fenced and unknown members.
    hb((earlier) => beat(app, "m1", epochOf(earlier, 9) + 5)),
    hb(beat(app, "m9", 1)),
    step(ApiKey.DeleteGroups, 2, { groupsNames: [app] }),
    // Both leave; the empty group can be deleted.
    hb(beat(app, "m2", -1)),
    hb(beat(app, "m1", -1)),
    step(ApiKey.StreamsGroupDescribe, 1, {
      groupIds: [app],
      includeAuthorizedOperations: false,
      includeTopologyDescription: false,
    }),
    step(ApiKey.DeleteGroups, 2, { groupsNames: [app] }),
    step(ApiKey.StreamsGroupDescribe, 1, {
      groupIds: [app],
      includeAuthorizedOperations: false,
      includeTopologyDescription: false,
    }),
  ];
  return { name: "streams group: join, delay, tasks, a second member, describe, leave", steps };
}

/**
 * What Kafka refuses: malformed heartbeats, a changelog topic with a partition count, a source
 * topic regex, an unknown group; a group whose source topics are missing; a topology description
 * without a plugin.
 *
 * @example
 * ```ts ignore
 * const scenario = streamsErrorsScenario("k123");
 * ```
 */
export function streamsErrorsScenario(run: string): Scenario {
  const app = `${run}-k44se`;
  const hb = (b: HeartbeatInit) => step(ApiKey.StreamsGroupHeartbeat, 1, b);
  const join = (fields: Partial<HeartbeatInit> = {}) =>
    body(app, { topology: topology(app, `${app}-missing`), ...fields });
  const regex = topology(app, `${app}-missing`);
  regex.subtopologies[0] = {
    ...regex.subtopologies[0],
    sourceTopicRegex: [`${app}-.*`] as never[],
  };
  return {
    name: "streams group: invalid heartbeats, bad topologies, missing source topics",
    steps: [
      hb(join({ memberId: "" })),
      hb(join({ groupId: "" })),
      hb(join({ instanceId: "" })),
      hb(join({ rackId: "" })),
      hb(join({ rebalanceTimeoutMs: -1 })),
      hb(join({ activeTasks: [{ subtopologyId: "0", partitions: [0] }] })),
      hb(join({ topology: null })),
      hb(join({ standbyTasks: null })),
      hb(join({ memberEpoch: -3 })),
      hb(join({ memberEpoch: -2 })),
      hb(join({ memberEpoch: 1 })),
      hb(join({ topology: regex })),
      hb(join({ topology: topology(app, `${app}-missing`, 4) })),
      hb(beat(app, "m1", 1)),
      hb(beat(app, "m1", -1)),
      // A group whose source topic does not exist: it waits, saying so.
      hb(join()),
      step(ApiKey.StreamsGroupDescribe, 1, {
        groupIds: [app],
        includeAuthorizedOperations: false,
        includeTopologyDescription: false,
      }),
      step(ApiKey.StreamsGroupTopologyDescriptionUpdate, 0, {
        groupId: app,
        memberId: "m1",
        topologyEpoch: 0,
        topologyDescription: { subtopologies: [], globalStores: [] },
      }),
      hb(beat(app, "m1", -1)),
    ],
  };
}

/**
 * A streams group's offsets, committed and fetched by its members with their epochs (and without
 * a member once it is empty), and the other protocols' requests for its id.
 *
 * @example
 * ```ts ignore
 * const scenario = streamsOffsetsScenario("k123");
 * ```
 */
export function streamsOffsetsScenario(run: string): Scenario {
  const app = `${run}-k44so`;
  const input = `${app}-in`;
  const single = {
    epoch: 0,
    subtopologies: [{ ...topology(app, input).subtopologies[0], repartitionSinkTopics: [] }],
  };
  const commit = (memberId: string, epoch: number, offset: bigint, version = 9) =>
    step(ApiKey.OffsetCommit, version, {
      groupId: app,
      generationIdOrMemberEpoch: epoch,
      memberId,
      groupInstanceId: null,
      topics: [{
        name: input,
        partitions: [{
          partitionIndex: 0,
          committedOffset: offset,
          committedLeaderEpoch: -1,
          committedMetadata: "",
        }],
      }],
    });
  const fetch = (memberId: string | null, memberEpoch: number) =>
    step(ApiKey.OffsetFetch, 9, {
      groups: [{
        groupId: app,
        memberId,
        memberEpoch,
        topics: [{ name: input, partitionIndexes: [0] }],
      }],
      requireStable: false,
    });
  const txn = `${app}-tx`;
  const txnCommit = (memberId: string, epoch: number, offset: bigint) =>
    step(ApiKey.TxnOffsetCommit, 5, (earlier) => ({
      transactionalId: txn,
      groupId: app,
      producerId: (earlier[12] as Producer).producerId,
      producerEpoch: (earlier[12] as Producer).producerEpoch,
      generationIdOrMemberEpoch: epoch,
      memberId,
      groupInstanceId: null,
      topics: [{
        name: input,
        partitions: [{
          partitionIndex: 0,
          committedOffset: offset,
          committedLeaderEpoch: -1,
          committedMetadata: "",
        }],
      }],
    }));
  return {
    name: "streams group: offsets by members and epochs, other protocols refused",
    steps: [
      step(
        ApiKey.CreateTopics,
        7,
        {
          topics: [{
            name: input,
            numPartitions: 1,
            replicationFactor: 1,
            assignments: [],
            configs: [],
          }],
          timeoutMs: 5000,
          validateOnly: false,
        },
        undefined,
        (r) => r.topics.map((t) => t.errorCode),
      ),
      // 1: joins once the coordinator sees the topic (a join is answered the same however often).
      step(
        ApiKey.StreamsGroupHeartbeat,
        1,
        body(app, { topology: single }),
        (r) => !r.status?.some((s) => s.statusCode === 1),
      ),
      commit("m1", 1, 5n),
      commit("m1", 7, 6n),
      commit("m9", 1, 6n),
      commit("", -1, 6n),
      commit("m1", 1, 7n, 8),
      fetch("m1", 1),
      fetch("m1", 3),
      fetch("m9", 1),
      fetch(null, -1),
      // Transactional commits (exactly-once Kafka Streams) are checked against members too.
      step(
        ApiKey.FindCoordinator,
        4,
        { keyType: 1, coordinatorKeys: [txn] },
        (r) => r.coordinators.every((c) => c.errorCode === 0),
        (r) => r.coordinators.map((c) => c.errorCode),
      ),
      step(
        ApiKey.InitProducerId,
        5,
        { transactionalId: txn, transactionTimeoutMs: 60000, producerId: -1n, producerEpoch: -1 },
        (r) => r.errorCode === 0,
        (r) => r.errorCode,
      ),
      txnCommit("m1", 1, 9n),
      txnCommit("m1", 7, 10n),
      txnCommit("m9", 1, 10n),
      step(
        ApiKey.EndTxn,
        5,
        (earlier) => ({
          transactionalId: txn,
          producerId: (earlier[12] as Producer).producerId,
          producerEpoch: (earlier[12] as Producer).producerEpoch,
          committed: true,
        }),
        (r) => r.errorCode !== 51,
        (r) => r.errorCode,
      ),
      step(ApiKey.OffsetFetch, 9, {
        groups: [{
          groupId: app,
          memberId: "m1",
          memberEpoch: 1,
          topics: [{ name: input, partitionIndexes: [0] }],
        }],
        requireStable: true,
      }, (r) => r.groups[0]?.topics[0]?.partitions[0]?.committedOffset === 9n),
      step(ApiKey.ConsumerGroupHeartbeat, 1, {
        groupId: app,
        memberId: "c1",
        memberEpoch: 0,
        instanceId: null,
        rackId: null,
        rebalanceTimeoutMs: 30000,
        subscribedTopicNames: [input],
        subscribedTopicRegex: null,
        serverAssignor: null,
        topicPartitions: [],
      }),
      step(ApiKey.JoinGroup, 9, {
        groupId: app,
        sessionTimeoutMs: 30000,
        rebalanceTimeoutMs: 30000,
        memberId: "",
        groupInstanceId: null,
        protocolType: "consumer",
        protocols: [{ name: "range", metadata: new Uint8Array(0) }],
        reason: null,
      }),
      step(ApiKey.StreamsGroupHeartbeat, 1, beat(app, "m1", -1)),
      // An empty group takes commits without a member, as Kafka's admin tools make them.
      commit("", -1, 8n),
      fetch(null, -1),
      step(ApiKey.DeleteGroups, 2, { groupsNames: [app] }),
      fetch(null, -1),
    ],
  };
}
