/**
 * Differential scenarios of streams groups (KIP-1071) against a real Kafka 4.4.0, continued: a
 * streams group among the other kinds of group (ListGroups, DescribeGroups, the other protocols'
 * requests on its id) and its static members.
 *
 * @module
 */

import { ApiKey } from "../../codec/mod.ts";
import { type Scenario, step } from "./differential.ts";
import {
  beat,
  body,
  epochOf,
  type Heartbeat,
  type HeartbeatInit,
  topology,
} from "./kafka44_streams_support.ts";

/**
 * A group id names one kind of group: a streams group's id asked about as another kind, and
 * another kind's id as a streams group; OffsetDelete of a streams group's source topic.
 *
 * @example
 * ```ts ignore
 * const scenario = streamsKindsScenario("k123");
 * ```
 */
export function streamsKindsScenario(run: string): Scenario {
  const app = `${run}-k44sk`;
  const consumer = `${app}-c`;
  const input = `${app}-in`;
  const single = {
    epoch: 0,
    subtopologies: [{ ...topology(app, input).subtopologies[0], repartitionSinkTopics: [] }],
  };
  return {
    name: "streams group: one kind of group per id",
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
      step(
        ApiKey.StreamsGroupHeartbeat,
        1,
        body(app, { topology: single }),
        (r) => !r.status?.some((s) => s.statusCode === 1),
      ),
      step(
        ApiKey.ConsumerGroupHeartbeat,
        1,
        {
          groupId: consumer,
          memberId: "c1",
          memberEpoch: 0,
          instanceId: null,
          rackId: null,
          rebalanceTimeoutMs: 30000,
          subscribedTopicNames: [input],
          subscribedTopicRegex: null,
          serverAssignor: null,
          topicPartitions: [],
        },
        undefined,
        (r) => r.errorCode,
      ),
      step(ApiKey.StreamsGroupHeartbeat, 1, body(consumer, { topology: single })),
      step(ApiKey.StreamsGroupDescribe, 1, {
        groupIds: [consumer],
        includeAuthorizedOperations: false,
        includeTopologyDescription: false,
      }),
      step(ApiKey.ConsumerGroupDescribe, 1, {
        groupIds: [app],
        includeAuthorizedOperations: false,
      }),
      step(ApiKey.OffsetCommit, 9, {
        groupId: app,
        generationIdOrMemberEpoch: 1,
        memberId: "m1",
        groupInstanceId: null,
        topics: [{
          name: input,
          partitions: [{
            partitionIndex: 0,
            committedOffset: 1n,
            committedLeaderEpoch: -1,
            committedMetadata: "",
          }],
        }],
      }),
      step(ApiKey.OffsetDelete, 0, {
        groupId: app,
        topics: [{ name: input, partitions: [{ partitionIndex: 0 }] }],
      }),
      step(ApiKey.StreamsGroupHeartbeat, 1, beat(app, "m1", -1)),
      step(ApiKey.OffsetDelete, 0, {
        groupId: app,
        topics: [{ name: input, partitions: [{ partitionIndex: 0 }] }],
      }),
      step(
        ApiKey.ConsumerGroupHeartbeat,
        1,
        {
          groupId: consumer,
          memberId: "c1",
          memberEpoch: -1,
          instanceId: null,
          rackId: null,
          rebalanceTimeoutMs: -1,
          subscribedTopicNames: null,
          subscribedTopicRegex: null,
          serverAssignor: null,
          topicPartitions: null,
        },
        undefined,
        (r) => r.errorCode,
      ),
    ],
  };
}

/**
 * Static members (an instance id): another member id with a taken instance id is refused, a
 * static member leaving with epoch -2 keeps its place and tasks, and a successor with its instance
 * id takes them over.
 *
 * @example
 * ```ts ignore
 * const scenario = streamsStaticScenario("k123");
 * ```
 */
export function streamsStaticScenario(run: string): Scenario {
  const app = `${run}-k44ss`;
  const input = `${app}-in`;
  const single = {
    epoch: 0,
    subtopologies: [{ ...topology(app, input).subtopologies[0], repartitionSinkTopics: [] }],
  };
  const hb = (
    b: HeartbeatInit | ((earlier: unknown[]) => HeartbeatInit),
    until?: (r: Heartbeat) => boolean,
  ) => step(ApiKey.StreamsGroupHeartbeat, 1, b, until);
  const describe = step(ApiKey.StreamsGroupDescribe, 1, {
    groupIds: [app],
    includeAuthorizedOperations: false,
    includeTopologyDescription: false,
  });
  return {
    name: "streams group: static members leave, are replaced, and hold their instance ids",
    steps: [
      step(
        ApiKey.CreateTopics,
        7,
        {
          topics: [{
            name: input,
            numPartitions: 2,
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
      // A group of its own waits until the coordinator sees the topic.
      hb(
        body(`${app}-wait`, { topology: single }),
        (r) => !r.status?.some((s) => s.statusCode === 1),
      ),
      // 2: the static member joins; 3: its tasks after the initial delay.
      hb(body(app, { instanceId: "i1", topology: single })),
      hb(
        (earlier) => beat(app, "m1", epochOf(earlier, 2)),
        (r) => (r.activeTasks?.length ?? 0) > 0,
      ),
      // Its instance id is taken, even for its own member id.
      hb(body(app, { memberId: "m3", instanceId: "i1", topology: single })),
      hb(body(app, { instanceId: "i1", topology: single })),
      // 6: it leaves for a while; 8: a successor takes its place.
      hb({ ...beat(app, "m1", -2), instanceId: "i1" }),
      describe,
      hb(body(app, { memberId: "m2", instanceId: "i1", topology: single })),
      describe,
      hb((earlier) => beat(app, "m2", epochOf(earlier, 8))),
      hb((earlier) => beat(app, "m1", epochOf(earlier, 3))),
      hb({ ...beat(app, "m2", -1), instanceId: "i1" }),
      describe,
      hb(beat(`${app}-wait`, "m1", -1)),
    ],
  };
}
