/**
 * Differential scenarios of the partition counts Kafka's controller refuses: CreateTopics asking
 * more than 10,000 partitions in one request (POLICY_VIOLATION for every topic) or more than
 * 10,000 metadata records (a topic's record, its configs and its partitions), and CreatePartitions
 * adding more than 10,000 partitions in one request (UNKNOWN_SERVER_ERROR). Only what both refuse
 * is created for real: the larger counts that succeed are sent with validateOnly, so that running
 * the scenarios leaves no huge topic on the real Kafka. Also the order of the answers to topics named
 * twice, or not creatable, which Kafka's controller takes from hash sets.
 *
 * @module
 */

import { ApiKey } from "../../codec/mod.ts";
import { type Scenario, step } from "./differential.ts";

const INT_MAX = 2 ** 31 - 1;

type Topic = {
  name: string;
  numPartitions: number;
  replicationFactor: number;
  configs?: { name: string; value: string }[];
};

const topic = (name: string, numPartitions: number, extra: Partial<Topic> = {}): Topic => ({
  name,
  numPartitions,
  replicationFactor: 1,
  ...extra,
});

const createTopics = (topics: Topic[], validateOnly = false, version = 7) =>
  step(ApiKey.CreateTopics, version, { topics, timeoutMs: 5000, validateOnly });

const createPartitions = (topics: [string, number][], validateOnly: boolean) =>
  step(ApiKey.CreatePartitions, 3, {
    topics: topics.map(([name, count]) => ({ name, count, assignments: null })),
    timeoutMs: 5000,
    validateOnly,
  });

/**
 * The scenarios, with topic names prefixed by `run`.
 *
 * @example
 * ```ts
 * import { partitionLimitScenarios } from "./partition_limit_scenarios.ts";
 * console.log(partitionLimitScenarios("d1").length); // 3
 * ```
 */
export function partitionLimitScenarios(run: string): Scenario[] {
  const p = `${run}-plim`;
  const [a, b, c] = [`${p}-a`, `${p}-b`, `${p}-c`];
  return [
    {
      name: "limits: CreateTopics with more partitions than Kafka's controller takes",
      steps: [
        createTopics([topic(a, 1)]),
        createTopics([topic(`${p}-max`, INT_MAX)]),
        createTopics([topic(`${p}-million`, 1_000_000)]),
        createTopics([topic(`${p}-million`, 1_000_000)], true),
        createTopics([topic(`${p}-v4`, 10_001)], false, 4),
        createTopics([topic(`${p}-v2`, 10_001)], false, 2),
        // Every topic of the request is refused: existing, named twice, invalid, or negative.
        createTopics([
          topic(`${p}-x`, 20_000),
          topic(`${p}-d`, 1),
          topic(`${p}-d`, 1),
          topic("bad name!", 1),
          topic(a, 1),
          topic(`${p}-n`, -5),
        ]),
        createTopics([topic(`${p}-y`, 5001), topic(`${p}-z`, 5000)]),
        // At most 10,000 records: 5,000 partitions each and two topic records are too many.
        createTopics([topic(`${p}-y`, 5000), topic(`${p}-z`, 5000)], true),
        createTopics([topic(`${p}-y`, 9998, {
          configs: [
            { name: "retention.ms", value: "1000" },
            { name: "cleanup.policy", value: "compact" },
          ],
        })], true),
        createTopics([
          topic(`${p}-y`, 9998, { configs: [{ name: "retention.ms", value: "1000" }] }),
        ], true),
        createTopics([topic(`${p}-y`, 9999)], true),
        createTopics([topic(`${p}-y`, 10_000)], true),
        createTopics([topic(`${p}-y`, 1)], true),
      ],
    },
    {
      name: "limits: CreatePartitions adding more than Kafka's controller takes",
      steps: [
        createTopics([topic(b, 1), topic(c, 1)]),
        createPartitions([[a, INT_MAX]], false),
        createPartitions([[a, 1_000_000]], true),
        createPartitions([[a, 10_002]], true),
        createPartitions([[a, 10_001]], true),
        // The answer follows Kafka's hash-set order of the names; the topic that crosses 10,000
        // records fails, and so does any later one that adds a partition.
        createPartitions([[a, 6001], [b, 6001], [c, 2]], true),
        createPartitions([[a, 6001], [b, 1], [c, 4002]], true),
        createPartitions([[a, 6001], [b, 1], [c, 4001]], true),
        createPartitions([[a, 3], [a, 4], [b, 2]], true),
        step(
          ApiKey.Metadata,
          12,
          {
            topics: [{ name: a }, { name: b }, { name: c }],
            allowAutoTopicCreation: false,
          },
          undefined,
          (r) => r.topics.map((t) => [t.name, t.partitions.length]),
        ),
      ],
    },
    {
      name:
        "limits: CreateTopics answers topics named twice and __cluster_metadata after the others",
      steps: [
        createTopics(
          [
            topic(`${p}-twice`, 1),
            topic(`${p}-once1`, 1),
            topic(`${p}-twice`, 2),
            topic("__cluster_metadata", 1),
            topic(`${p}-once2`, 1),
            topic(`${p}-again`, 1),
            topic(`${p}-again`, 1),
            topic(`${p}-again`, 1),
            topic(`${p}-once3`, 1),
          ],
          true,
        ),
        createTopics(
          Array.from({ length: 14 }, (_, i) => topic(`${p}-dup${i}`, 1)).flatMap((t) => [t, t]),
          true,
        ),
      ],
    },
  ];
}
