/**
 * Differential scenarios of the request versions Kafka 4.4 added to APIs Kafka 4.1 already served:
 * ApiVersions v5 (KIP-1242: the cluster and node a client means to reach), DeleteGroups v3 (an error
 * message per group), DescribeLogDirs v5 (cordoned directories) and ListOffsets v11 (KIP-1023: the
 * earliest offset not yet uploaded to remote storage). Run against a real Kafka 4.4.0.
 *
 * @module
 */

import { ApiKey, type ApiMessages, encodeRecordBatch } from "../../codec/mod.ts";
import { produceRequest, type Scenario, step } from "./differential.ts";

type Cluster = ApiMessages[typeof ApiKey.DescribeCluster]["response"];
type Deleted = ApiMessages[typeof ApiKey.DeleteGroups]["response"];
type LogDirs = ApiMessages[typeof ApiKey.DescribeLogDirs]["response"];

/** Keys whose version ranges Brook serves at Kafka 4.4.0's (the others stay at 4.1.1's for now). */
export const AT_4_4: readonly number[] = [
  ApiKey.ApiVersions,
  ApiKey.DeleteGroups,
  ApiKey.DescribeLogDirs,
  ApiKey.ListOffsets,
  ApiKey.OffsetCommit,
  ApiKey.OffsetFetch,
  ApiKey.ShareFetch,
  ApiKey.ShareAcknowledge,
  ApiKey.TxnOffsetCommit,
  ApiKey.WriteTxnMarkers,
  ApiKey.DescribeShareGroupOffsets,
  ApiKey.StreamsGroupHeartbeat,
  ApiKey.StreamsGroupDescribe,
  ApiKey.StreamsGroupTopologyDescriptionUpdate,
];

/**
 * An ApiVersions v0 answer's bytes (correlation id, error code, the count, then key, min and max of
 * each API) with the newest versions of the keys in {@linkcode AT_4_4} masked and the keys in
 * {@linkcode NEW_AT_4_4} left out (the count then counts the others): for comparing Brook with Kafka
 * 4.1.1.
 *
 * @example
 * ```ts
 * const answer = [0, 0, 0, 7, 0, 0, 0, 0, 0, 1, 0, 2, 0, 1, 0, 11];
 * withoutRangesAt44(answer); // [0, 0, 0, 7, 0, 0, 1, 0, 2, 0, 1, "max"]
 * ```
 */
export function withoutRangesAt44(payload: number[]): unknown[] {
  const out: unknown[] = payload.slice(0, 6);
  const entries: unknown[] = [];
  let count = 0;
  for (let at = 10; at + 6 <= payload.length; at += 6) {
    const key = payload[at] << 8 | payload[at + 1];
    if (NEW_AT_4_4.includes(key)) continue;
    count++;
    entries.push(...payload.slice(at, at + 4));
    if (AT_4_4.includes(key)) entries.push("max");
    else entries.push(...payload.slice(at + 4, at + 6));
  }
  return [...out, count, ...entries];
}

/** Keys Kafka 4.4 serves that Kafka 4.1.1 does not advertise (streams groups, KIP-1071). */
export const NEW_AT_4_4: readonly number[] = [
  ApiKey.StreamsGroupHeartbeat,
  ApiKey.StreamsGroupDescribe,
  ApiKey.StreamsGroupTopologyDescriptionUpdate,
];

/** The cluster id and the node id of the first step's DescribeCluster answer. */
const target = (earlier: unknown[]) => {
  const c = earlier[0] as Cluster;
  return { clusterId: c.clusterId, nodeId: c.brokers[0].brokerId };
};

/** Kafka answers groups in the order of their coordinator partitions. */
const byGroup = (r: Deleted) => ({
  ...r,
  results: [...r.results].sort((a, b) => a.groupId < b.groupId ? -1 : 1),
});

const apiVersions = (
  version: number,
  fields: (earlier: unknown[]) => { clusterId: string | null; nodeId: number },
  name = "brook-test",
) =>
  step(
    ApiKey.ApiVersions,
    version,
    (earlier) => ({ clientSoftwareName: name, clientSoftwareVersion: "1", ...fields(earlier) }),
    undefined,
    // The lists themselves are compared elsewhere; here what the check decided.
    (r) => ({ errorCode: r.errorCode, listed: r.apiKeys.length > 0 }),
  );

/** The scenarios, with names and topics prefixed by `run`. */
export function kafka44Scenarios(run: string): Scenario[] {
  const topic = `${run}-k44`;
  const group = `${run}-k44-g`;
  const records = encodeRecordBatch({
    records: [{ key: null, value: new Uint8Array([1]) }, { key: null, value: new Uint8Array([2]) }],
    baseTimestamp: 1000,
  });
  const describeCluster = step(ApiKey.DescribeCluster, 0, {
    includeClusterAuthorizedOperations: false,
  });
  return [
    {
      name: "ApiVersions v5: cluster and node checks (KIP-1242)",
      steps: [
        describeCluster,
        apiVersions(5, () => ({ clusterId: null, nodeId: -1 })),
        apiVersions(5, target),
        apiVersions(5, (e) => ({ ...target(e), nodeId: target(e).nodeId + 1 })),
        apiVersions(5, (e) => ({ ...target(e), clusterId: "AAAAAAAAAAAAAAAAAAAAAA" })),
        apiVersions(5, (e) => ({ ...target(e), nodeId: -1 })),
        apiVersions(5, (e) => ({ clusterId: null, nodeId: target(e).nodeId })),
        apiVersions(5, () => ({ clusterId: "", nodeId: -1 })),
        apiVersions(5, () => ({ clusterId: "other", nodeId: 7 }), "bad name!"),
        // The connection stays usable after a refusal.
        apiVersions(4, () => ({ clusterId: null, nodeId: -1 })),
      ],
    },
    {
      name: "DeleteGroups v3: unknown, non-empty, empty and deleted groups",
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
          ApiKey.FindCoordinator,
          4,
          { keyType: 0, coordinatorKeys: [group, `${group}-busy`] },
          (r) => r.coordinators.every((c) => c.errorCode === 0),
        ),
        // A simple group: offsets committed without members.
        step(ApiKey.OffsetCommit, 9, {
          groupId: group,
          generationIdOrMemberEpoch: -1,
          memberId: "",
          groupInstanceId: null,
          topics: [{ name: topic, partitions: [{ partitionIndex: 0, committedOffset: 1n }] }],
        }, (r) => r.topics[0]?.partitions[0]?.errorCode === 0),
        step(
          ApiKey.ConsumerGroupHeartbeat,
          1,
          {
            groupId: `${group}-busy`,
            memberId: `${run}-k44-member`,
            memberEpoch: 0,
            instanceId: null,
            rackId: null,
            rebalanceTimeoutMs: 30000,
            subscribedTopicNames: [topic],
            subscribedTopicRegex: null,
            serverAssignor: null,
            topicPartitions: [],
          },
          undefined,
          // Kafka 4.4 answers the first heartbeat of a member with epoch 2, Brook (as 4.1) with 1.
          (r) => r.errorCode,
        ),
        ...[3, 2].map((version) =>
          step(
            ApiKey.DeleteGroups,
            version,
            {
              groupsNames: [`${group}-none`, `${group}-busy`],
            },
            undefined,
            byGroup,
          )
        ),
        step(ApiKey.DeleteGroups, 3, { groupsNames: [group, group] }),
        step(ApiKey.DeleteGroups, 3, { groupsNames: [group] }),
      ],
    },
    {
      name: "DescribeLogDirs v5: one directory, not cordoned",
      steps: [
        step(
          ApiKey.DescribeLogDirs,
          5,
          { topics: [{ topic: `${run}-k44-none`, partitions: [0] }] },
          undefined,
          // Directory paths and sizes are the server's own.
          (r: LogDirs) => ({
            ...r,
            results: r.results.map((d) => ({
              errorCode: d.errorCode,
              topics: d.topics,
              isCordoned: d.isCordoned,
            })),
          }),
        ),
      ],
    },
    {
      name: "ListOffsets v11: earliest pending upload (KIP-1023) without remote storage",
      steps: [
        step(
          ApiKey.Produce,
          9,
          produceRequest(topic, records),
          (r) => r.responses[0]?.partitionResponses[0]?.errorCode === 0,
        ),
        ...[
          [11, -6n],
          [11, -5n],
          [11, -4n],
          [11, -3n],
          [11, -2n],
          [11, -1n],
          [10, -6n],
          [9, -6n],
          [11, -7n],
          [10, -100n],
          [10, -5n],
          [8, -5n],
          [7, -4n],
          [5, -3n],
          [1, -3n],
        ]
          .map(([version, timestamp]) =>
            step(ApiKey.ListOffsets, Number(version), {
              replicaId: -1,
              isolationLevel: 0,
              topics: [{
                name: topic,
                partitions: [{
                  partitionIndex: 0,
                  currentLeaderEpoch: -1,
                  timestamp: BigInt(timestamp),
                }],
              }],
              timeoutMs: 5000,
            })
          ),
      ],
    },
  ];
}
