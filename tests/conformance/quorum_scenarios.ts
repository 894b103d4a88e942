// Differential scenario of DescribeQuorum: the metadata quorum of a one-node cluster (node 1, a
// combined broker and controller on both sides), and the answers to requests that name anything
// but __cluster_metadata partition 0.
import { ApiKey, type ApiMessages } from "../../codec/mod.ts";
import { type Scenario, step } from "./differential.ts";

type QuorumResponse = ApiMessages[typeof ApiKey.DescribeQuorum]["response"];

const NO_DIRECTORY = "AAAAAAAAAAAAAAAAAAAAAA";
const METADATA = "__cluster_metadata";
const time = (t: bigint) => t > 0n ? "<time>" : t;

/**
 * The log's offsets and the fetch times differ between two clusters (Kafka's log holds its own
 * history), so they are compared by kind: a high watermark that is set, voters caught up to it,
 * directory ids present or not. The voters' controller listeners differ by set-up: Kafka's node has
 * a CONTROLLER listener, Brook's nodes have none, so only the node ids are compared.
 */
function comparable(r: QuorumResponse) {
  return {
    ...r,
    topics: r.topics.map((t) => ({
      ...t,
      partitions: t.partitions.map((p) => ({
        ...p,
        highWatermark: p.highWatermark > 0n ? "<offset>" : p.highWatermark,
        currentVoters: p.currentVoters.map((v) => ({
          replicaId: v.replicaId,
          directoryId: v.replicaDirectoryId === NO_DIRECTORY ? "none" : "<set>",
          caughtUp: v.logEndOffset === p.highWatermark,
          lastFetchTimestamp: time(v.lastFetchTimestamp),
          lastCaughtUpTimestamp: time(v.lastCaughtUpTimestamp),
        })),
      })),
    })),
    nodes: r.nodes.map((n) => n.nodeId),
  };
}

const describe = (version: number, topics: { topicName: string; partitions: number[] }[]) =>
  step(
    ApiKey.DescribeQuorum,
    version,
    {
      topics: topics.map((t) => ({
        topicName: t.topicName,
        partitions: t.partitions.map((partitionIndex) => ({ partitionIndex })),
      })),
    },
    undefined,
    comparable,
  );

/** DescribeQuorum in every version, then the requests Kafka refuses partition by partition. */
export function quorumScenarios(run: string): Scenario[] {
  return [{
    name: "quorum: DescribeQuorum v0-v2, and other partitions than the metadata log's",
    steps: [
      describe(0, [{ topicName: METADATA, partitions: [0] }]),
      describe(1, [{ topicName: METADATA, partitions: [0] }]),
      describe(2, [{ topicName: METADATA, partitions: [0] }]),
      describe(2, [{ topicName: METADATA, partitions: [1] }]),
      describe(2, [{ topicName: METADATA, partitions: [0, 0] }]),
      describe(1, [{ topicName: `${run}-q`, partitions: [0] }, {
        topicName: METADATA,
        partitions: [0],
      }]),
      describe(2, []),
    ],
  }];
}
