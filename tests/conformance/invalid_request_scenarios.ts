/**
 * Differential scenarios of well-formed requests that Kafka answers with an error response
 * (INVALID_REQUEST from its request checks) and that once made Brook's broker build an answer it
 * could not encode, or fail outright, and close the connection.
 *
 * @module
 */

import { ApiKey } from "../../codec/mod.ts";
import { type Scenario, step } from "./differential.ts";

/** A topic id that names no topic on either cluster. */
const UNKNOWN_ID = "AAAAAAAAAAAAAAAAAAAAAQ";

type MetadataAnswer = {
  topics: { topicId: string; partitions: { leaderId: number }[] }[];
};

const leaderReady = (r: MetadataAnswer) =>
  r.topics[0]?.partitions.length > 0 && r.topics[0].partitions.every((p) => p.leaderId >= 0);

/** The id of the topic the second step's Metadata answer describes. */
const idOf = (earlier: unknown[]) => (earlier[1] as MetadataAnswer).topics[0].topicId;

/**
 * The scenarios, with topic names prefixed by `run`.
 *
 * @example
 * ```ts
 * import { invalidRequestScenarios } from "./invalid_request_scenarios.ts";
 * console.log(invalidRequestScenarios("d1").map((s) => s.name));
 * ```
 */
export function invalidRequestScenarios(run: string): Scenario[] {
  const ids = `${run}-ids`;
  const byId = `${run}-by-id`;
  const pages = `${run}-pages`;
  const create = (name: string, numPartitions: number) =>
    step(ApiKey.CreateTopics, 7, {
      topics: [{ name, numPartitions, replicationFactor: 1 }],
      timeoutMs: 5000,
    });
  // Kafka lists partitions in hash-map order: only readiness is compared.
  const ready = (name: string) =>
    step(
      ApiKey.Metadata,
      12,
      { topics: [{ name }], allowAutoTopicCreation: false },
      leaderReady,
      (r) => ({ ready: leaderReady(r) }),
    );
  return [
    {
      name: "delegation tokens: CreateDelegationToken v1 and v2 without SASL",
      steps: [1, 2].map((version) =>
        step(ApiKey.CreateDelegationToken, version, { renewers: [], maxLifetimeMs: -1n })
      ),
    },
    {
      name: "metadata: topic ids before v12 are an invalid request",
      steps: [
        create(ids, 1),
        ready(ids),
        // Named only by an id, unknown or known, and a name with an id beside a plain name.
        step(ApiKey.Metadata, 10, {
          topics: [{ name: null, topicId: UNKNOWN_ID }],
          allowAutoTopicCreation: false,
        }),
        step(ApiKey.Metadata, 11, (earlier) => ({
          topics: [{ name: null, topicId: idOf(earlier) }],
          allowAutoTopicCreation: false,
        })),
        step(ApiKey.Metadata, 10, (earlier) => ({
          topics: [{ name: ids }, { name: ids, topicId: idOf(earlier) }],
          allowAutoTopicCreation: true,
          includeTopicAuthorizedOperations: true,
        })),
        step(ApiKey.Metadata, 12, {
          topics: [{ name: null, topicId: UNKNOWN_ID }],
          allowAutoTopicCreation: false,
        }),
      ],
    },
    {
      name: "metadata: ids override names, each topic answered once, a topic with neither fails",
      steps: [
        create(byId, 1),
        ready(byId),
        step(ApiKey.Metadata, 12, (earlier) => ({
          topics: [{ name: `${run}-named` }, { name: null, topicId: idOf(earlier) }],
          allowAutoTopicCreation: true,
        })),
        step(ApiKey.Metadata, 12, (earlier) => ({
          topics: [{ name: `${run}-named`, topicId: idOf(earlier) }],
          allowAutoTopicCreation: false,
        })),
        step(ApiKey.Metadata, 13, (earlier) => ({
          topics: [
            { name: null, topicId: UNKNOWN_ID },
            { name: null, topicId: idOf(earlier) },
            { name: null, topicId: idOf(earlier) },
            { name: null, topicId: UNKNOWN_ID },
          ],
          allowAutoTopicCreation: false,
        })),
        step(ApiKey.Metadata, 12, {
          topics: [{ name: byId }, { name: byId }, { name: `${run}-absent` }, {
            name: `${run}-absent`,
          }],
          allowAutoTopicCreation: false,
        }),
        step(ApiKey.Metadata, 1, { topics: [{ name: byId }, { name: byId }] }),
        step(ApiKey.Metadata, 12, {
          topics: [{ name: byId }, { name: null }],
          allowAutoTopicCreation: false,
        }),
      ],
    },
    {
      name:
        "describe topic partitions: cursors with a negative partition or a topic not asked for, bad names",
      steps: [
        create(pages, 2),
        ready(pages),
        step(ApiKey.DescribeTopicPartitions, 0, {
          topics: [{ name: pages }],
          responsePartitionLimit: 10,
          cursor: { topicName: pages, partitionIndex: -1 },
        }),
        step(ApiKey.DescribeTopicPartitions, 0, {
          topics: [],
          responsePartitionLimit: 10,
          cursor: { topicName: pages, partitionIndex: -1 },
        }),
        step(ApiKey.DescribeTopicPartitions, 0, {
          topics: [{ name: pages }, { name: `${run}-absent` }],
          responsePartitionLimit: 10,
          cursor: { topicName: `${run}-other`, partitionIndex: 0 },
        }),
        step(ApiKey.DescribeTopicPartitions, 0, {
          topics: [{ name: pages }],
          responsePartitionLimit: 10,
          cursor: { topicName: pages, partitionIndex: 5 },
        }),
        step(ApiKey.DescribeTopicPartitions, 0, {
          topics: [{ name: pages }],
          responsePartitionLimit: 1,
          cursor: { topicName: pages, partitionIndex: 1 },
        }),
        // Invalid names are INVALID_TOPIC_EXCEPTION; an empty one fails the whole request.
        step(ApiKey.DescribeTopicPartitions, 0, {
          topics: [{ name: "bad name!" }, { name: `${run}-absent` }],
          responsePartitionLimit: 10,
          cursor: null,
        }),
        step(ApiKey.DescribeTopicPartitions, 0, {
          topics: [{ name: pages }, { name: "" }],
          responsePartitionLimit: 10,
          cursor: null,
        }),
      ],
    },
  ];
}
