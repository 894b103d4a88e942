/**
 * Differential scenarios of Kafka 4.4's new transaction request versions: TxnOffsetCommit v6 (topics
 * named by id; an unknown id is UNKNOWN_TOPIC_ID) beside v5 (by name) in one transaction, and
 * WriteTxnMarkers v2 (a transaction version per marker). Run against a real Kafka 4.4.0.
 *
 * @module
 */

import { ApiKey, type ApiMessages, ErrorCode, randomUuid } from "../../codec/mod.ts";
import { type Scenario, step } from "./differential.ts";

type Created = ApiMessages[typeof ApiKey.CreateTopics]["response"];
type Producer = ApiMessages[typeof ApiKey.InitProducerId]["response"];

/**
 * The scenarios, with names, transactional ids, groups and topics prefixed by `run`.
 *
 * @example
 * ```ts ignore
 * const scenarios = kafka44TxnScenarios("k123");
 * ```
 */
export function kafka44TxnScenarios(run: string): Scenario[] {
  const txn = `${run}-k44x`;
  const topic = `${run}-k44x-t`;
  const group = `${run}-k44x-g`;
  const unknownId = randomUuid();
  // Steps 0 and 4 hold the topic's id and the producer.
  const topicId = (earlier: unknown[]) => (earlier[0] as Created).topics[0].topicId;
  const producer = (earlier: unknown[]) => earlier[4] as Producer;
  const commit = (version: number, partitions: number[], byId: boolean, unknown = false) =>
    step(ApiKey.TxnOffsetCommit, version, (earlier) => ({
      transactionalId: txn,
      groupId: group,
      producerId: producer(earlier).producerId,
      producerEpoch: producer(earlier).producerEpoch,
      generationIdOrMemberEpoch: -1,
      memberId: "",
      groupInstanceId: null,
      topics: [
        {
          name: byId ? "" : topic,
          topicId: byId ? topicId(earlier) : undefined,
          partitions: partitions.map((partitionIndex) => ({
            partitionIndex,
            committedOffset: 3n,
            committedLeaderEpoch: -1,
            committedMetadata: "m",
          })),
        },
        ...(unknown ? [{ name: "", topicId: unknownId, partitions: [{ partitionIndex: 0 }] }] : []),
      ],
    } as never));
  return [{
    name: "TxnOffsetCommit v6: topics by id, unknown ids and partitions, beside v5 by name",
    steps: [
      step(
        ApiKey.CreateTopics,
        7,
        {
          topics: [{ name: topic, numPartitions: 1, replicationFactor: 1 }],
          timeoutMs: 5000,
        },
        undefined,
        (r) => r.topics.map((t) => t.errorCode),
      ),
      step(
        ApiKey.Metadata,
        12,
        { topics: [{ name: topic }], allowAutoTopicCreation: false },
        (r) => r.topics[0]?.partitions.length === 1 && r.topics[0].partitions[0].leaderId >= 0,
        (r) => r.topics.map((t) => t.errorCode),
      ),
      step(
        ApiKey.FindCoordinator,
        4,
        { keyType: 1, coordinatorKeys: [txn] },
        (r) => r.coordinators.every((c) => c.errorCode === 0),
      ),
      step(
        ApiKey.FindCoordinator,
        4,
        { keyType: 0, coordinatorKeys: [group] },
        (r) => r.coordinators.every((c) => c.errorCode === 0),
      ),
      step(
        ApiKey.InitProducerId,
        5,
        { transactionalId: txn, transactionTimeoutMs: 60000, producerId: -1n, producerEpoch: -1 },
        (r) => r.errorCode === 0,
      ),
      commit(6, [0], true, true),
      commit(6, [0, 5], true),
      commit(5, [0], false),
      commit(5, [0, 5], false),
      commit(6, [], true, true),
      step(ApiKey.EndTxn, 5, (earlier) => ({
        transactionalId: txn,
        producerId: producer(earlier).producerId,
        producerEpoch: producer(earlier).producerEpoch,
        committed: true,
      }), (r) => r.errorCode !== ErrorCode.CONCURRENT_TRANSACTIONS),
      step(ApiKey.OffsetFetch, 9, {
        groups: [{ groupId: group, memberId: null, memberEpoch: -1, topics: null }],
        requireStable: true,
      }, (r) => r.groups[0]?.errorCode === 0 && r.groups[0].topics.length > 0),
    ],
  }];
}

/**
 * WriteTxnMarkers v1 and v2 for a producer without a transaction: unknown partitions, repeated and
 * stale epochs, and each transaction version.
 *
 * @example
 * ```ts ignore
 * const scenario = writeTxnMarkersScenario("k123");
 * ```
 */
export function writeTxnMarkersScenario(run: string): Scenario {
  const topic = `${run}-k44m-t`;
  const marker = (
    version: number,
    producerEpoch: number,
    transactionVersion: number,
    partitions = [0],
  ) =>
    step(ApiKey.WriteTxnMarkers, version, {
      markers: [{
        producerId: 424242n,
        producerEpoch,
        transactionResult: false,
        topics: [{ name: topic, partitionIndexes: partitions }],
        coordinatorEpoch: 0,
        transactionVersion,
      }],
    } as never);
  return {
    name: "WriteTxnMarkers v2: transaction versions and epochs of markers",
    steps: [
      step(
        ApiKey.CreateTopics,
        7,
        {
          topics: [{ name: topic, numPartitions: 1, replicationFactor: 1 }],
          timeoutMs: 5000,
        },
        undefined,
        (r) => r.topics.map((t) => t.errorCode),
      ),
      step(
        ApiKey.Metadata,
        12,
        { topics: [{ name: topic }], allowAutoTopicCreation: false },
        (r) => r.topics[0]?.partitions.length === 1 && r.topics[0].partitions[0].leaderId >= 0,
        (r) => r.topics.map((t) => t.errorCode),
      ),
      marker(2, 3, 2, [0, 4]),
      // Answered in the order of Kafka's hash map of partitions, which the topic's name decides.
      marker(2, 3, 2, [7, 0, 4, 1, 12, 3]),
      marker(2, 3, 2),
      marker(2, 3, 0),
      marker(1, 3, 0),
      marker(2, 2, 2),
      marker(2, 4, 1),
      marker(2, 5, 2),
      marker(2, 5, 2),
    ],
  };
}
