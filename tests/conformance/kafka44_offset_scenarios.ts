/**
 * Differential scenario of OffsetCommit and OffsetFetch v10 (Kafka 4.4, KIP-848: topics named by
 * id, not by name): commits by id beside commits by name, unknown ids and partitions, and fetches of
 * named and of all topics. Run against a real Kafka 4.4.0.
 *
 * @module
 */

import { ApiKey, type ApiMessages, randomUuid } from "../../codec/mod.ts";
import { type Scenario, step } from "./differential.ts";

type Created = ApiMessages[typeof ApiKey.CreateTopics]["response"];
type Fetched = ApiMessages[typeof ApiKey.OffsetFetch]["response"];

type FetchedTopic = Fetched["groups"][number]["topics"][number];

/** Topic ids are masked, so topics are told apart by their partitions, put in one order. */
const key = (t: FetchedTopic) =>
  t.name + t.partitions.map((p) => `${p.partitionIndex}:${p.committedOffset}`).join();
const sorted = (r: Fetched) => ({
  ...r,
  groups: r.groups.map((g) => ({
    ...g,
    topics: [...g.topics].sort((a, b) => key(a) < key(b) ? -1 : 1),
  })),
});

/**
 * The scenario, with its name, group and topics prefixed by `run`.
 *
 * @example
 * ```ts ignore
 * const scenario = offsetsByIdScenario("k123");
 * ```
 */
export function offsetsByIdScenario(run: string): Scenario {
  const topic = `${run}-k44o-t`;
  const other = `${run}-k44o-u`;
  const group = `${run}-k44o-g`;
  const unknownId = randomUuid();
  const zeroId = "AAAAAAAAAAAAAAAAAAAAAA";
  const id = (earlier: unknown[], i = 0) => (earlier[0] as Created).topics[i].topicId;
  const partition = (partitionIndex: number, offset: bigint) => ({
    partitionIndex,
    committedOffset: offset,
    committedLeaderEpoch: -1,
    committedMetadata: "m",
  });
  const commit = (version: number, topics: (earlier: unknown[]) => unknown[], groupId = group) =>
    step(ApiKey.OffsetCommit, version, (earlier) => ({
      groupId,
      generationIdOrMemberEpoch: -1,
      memberId: "",
      groupInstanceId: null,
      topics: topics(earlier),
    } as never));
  const fetch = (version: number, topics: (earlier: unknown[]) => unknown[] | null) =>
    step(
      ApiKey.OffsetFetch,
      version,
      (earlier) => ({
        groups: [{ groupId: group, memberId: null, memberEpoch: -1, topics: topics(earlier) }],
        requireStable: true,
      } as never),
      undefined,
      sorted,
    );
  return {
    name: "OffsetCommit and OffsetFetch v10: topics by id beside v9 by name",
    steps: [
      step(
        ApiKey.CreateTopics,
        7,
        {
          topics: [
            { name: topic, numPartitions: 2, replicationFactor: 1 },
            { name: other, numPartitions: 1, replicationFactor: 1 },
          ],
          timeoutMs: 5000,
        },
        undefined,
        (r) => r.topics.map((t) => t.errorCode),
      ),
      step(
        ApiKey.Metadata,
        12,
        { topics: [{ name: topic }, { name: other }], allowAutoTopicCreation: false },
        (r) => r.topics.every((t) => t.partitions.every((p) => p.leaderId >= 0)),
        (r) => r.topics.map((t) => t.errorCode),
      ),
      step(
        ApiKey.FindCoordinator,
        4,
        { keyType: 0, coordinatorKeys: [group] },
        (r) => r.coordinators.every((c) => c.errorCode === 0),
      ),
      // By id: an unknown id first, a known topic's unknown partition, a second known topic.
      commit(10, (e) => [
        { topicId: unknownId, partitions: [partition(3, 1n)] },
        { topicId: id(e), partitions: [partition(0, 5n), partition(7, 1n), partition(1, 6n)] },
        { topicId: id(e, 1), partitions: [partition(0, 8n)] },
      ]),
      commit(10, () => [{ topicId: zeroId, partitions: [partition(4, 1n)] }]),
      commit(10, (e) => [{ topicId: id(e), partitions: [] }]),
      commit(10, () => []),
      // A name in a v10 request is not sent; by name again at v9.
      commit(9, () => [{ name: topic, partitions: [partition(1, 9n)] }]),
      commit(10, (e) => [{ topicId: id(e), partitions: [partition(0, 2n)] }], `${group}-new`),
      fetch(10, (e) => [
        { topicId: unknownId, partitionIndexes: [3] },
        { topicId: id(e), partitionIndexes: [0, 1, 7] },
        { topicId: zeroId, partitionIndexes: [4] },
      ]),
      fetch(10, () => null),
      fetch(10, () => []),
      fetch(9, () => [{ name: topic, partitionIndexes: [0, 1] }]),
      fetch(9, () => null),
      // A deleted topic's offsets, fetched by its former id.
      step(
        ApiKey.DeleteTopics,
        6,
        (e) => ({
          topics: [{ name: null, topicId: id(e, 1) }],
          timeoutMs: 5000,
        } as never),
        undefined,
        (r) => r.responses.map((t) => t.errorCode),
      ),
      fetch(10, (e) => [{ topicId: id(e, 1), partitionIndexes: [0] }]),
    ],
  };
}
