/**
 * What the streams-group differential scenarios share: a topology, heartbeat requests, and the
 * orders Kafka leaves to its hash maps made comparable.
 *
 * @module
 */

import type { ApiKey, ApiMessages } from "../../codec/mod.ts";

export type Heartbeat = ApiMessages[typeof ApiKey.StreamsGroupHeartbeat]["response"];
export type HeartbeatInit = ApiMessages[typeof ApiKey.StreamsGroupHeartbeat]["requestInit"];
export type Described = ApiMessages[typeof ApiKey.StreamsGroupDescribe]["response"];
export type Tasks = Heartbeat["activeTasks"];
export type Producer = ApiMessages[typeof ApiKey.InitProducerId]["response"];

/** A word-count-like topology: a repartition between two subtopologies, a store's changelog. */
export function topology(app: string, input: string, changelogPartitions = 0) {
  return {
    epoch: 0,
    subtopologies: [
      {
        subtopologyId: "0",
        sourceTopics: [input],
        sourceTopicRegex: [],
        stateChangelogTopics: [],
        repartitionSinkTopics: [`${app}-rep-repartition`],
        repartitionSourceTopics: [],
        copartitionGroups: [],
      },
      {
        subtopologyId: "1",
        sourceTopics: [],
        sourceTopicRegex: [],
        stateChangelogTopics: [{
          name: `${app}-store-changelog`,
          partitions: changelogPartitions,
          replicationFactor: 0,
          topicConfigs: [{ key: "cleanup.policy", value: "compact" }],
        }],
        repartitionSinkTopics: [],
        repartitionSourceTopics: [{
          name: `${app}-rep-repartition`,
          partitions: 0,
          replicationFactor: 0,
          topicConfigs: [],
        }],
        copartitionGroups: [],
      },
    ],
  };
}

/** A heartbeat body: a join (with the topology) unless fields say otherwise. */
export function body(app: string, fields: Partial<HeartbeatInit>): HeartbeatInit {
  return {
    groupId: app,
    memberId: "m1",
    memberEpoch: 0,
    endpointInformationEpoch: 0,
    instanceId: null,
    rackId: null,
    rebalanceTimeoutMs: 30000,
    topology: null,
    activeTasks: [],
    standbyTasks: [],
    warmupTasks: [],
    processId: "p1",
    userEndpoint: null,
    clientTags: [],
    taskOffsets: [],
    taskEndOffsets: [],
    shutdownApplication: false,
    ...fields,
  };
}

/** A heartbeat that changes nothing (every nullable field null). */
export function beat(app: string, memberId: string, epoch: number, owned?: Tasks): HeartbeatInit {
  return body(app, {
    memberId,
    memberEpoch: epoch,
    rebalanceTimeoutMs: -1,
    activeTasks: owned ?? null,
    standbyTasks: owned ? [] : null,
    warmupTasks: owned ? [] : null,
    processId: null,
    clientTags: null,
    taskOffsets: null,
    taskEndOffsets: null,
  });
}

export const epochOf = (earlier: unknown[], i: number) => (earlier[i] as Heartbeat).memberEpoch;

/**
 * Kafka lists a group's members in the order of its own hash map, and answers groups in the order
 * of their coordinator partitions: both compared by id.
 */
export const byMember = (r: Described) => ({
  ...r,
  groups: [...r.groups].sort((a, b) => a.groupId < b.groupId ? -1 : 1).map((g) => ({
    ...g,
    members: [...g.members].sort((a, b) => a.memberId < b.memberId ? -1 : 1),
  })),
});
