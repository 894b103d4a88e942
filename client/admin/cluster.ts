/**
 * Admin calls about the cluster itself: DescribeCluster (brokers and controller) and
 * DescribeQuorum (the KRaft quorum of the metadata log). Both go to any broker, as Kafka's Admin
 * sends them; brokers forward DescribeQuorum to the controller.
 *
 * @module
 */

import { ApiKey, ErrorCode, KafkaProtocolError } from "../../codec/mod.ts";
import type { KafkaClient } from "../kafka_client.ts";

/** The cluster as DescribeCluster describes it. */
export interface ClusterDescription {
  /** The cluster id. */
  clusterId: string;
  /** The node id DescribeCluster names as controller. */
  controllerId: number;
  /** The brokers: node id, advertised host and port, rack. */
  brokers: { nodeId: number; host: string; port: number; rack: string | null }[];
}

/** A voter or observer of the metadata quorum. */
export interface QuorumReplica {
  /** The replica's node id. */
  replicaId: number;
  /** The directory id of its metadata log (null from brokers older than DescribeQuorum v2). */
  directoryId: string | null;
  /** -1 when the leader does not know it. */
  logEndOffset: bigint;
  /** When it last fetched from the leader (ms since the epoch), -1 when unknown. */
  lastFetchTimestamp: bigint;
  /** When it was last caught up to the leader's end offset, -1 when unknown. */
  lastCaughtUpTimestamp: bigint;
}

/** The KRaft quorum of the `__cluster_metadata` log, as DescribeQuorum describes it. */
export interface QuorumInfo {
  /** The quorum leader's node id. */
  leaderId: number;
  /** The quorum leader's epoch. */
  leaderEpoch: number;
  /** The metadata log's high watermark. */
  highWatermark: bigint;
  /** The replicas that vote. */
  voters: QuorumReplica[];
  /** The replicas that only follow (brokers that are not controllers). */
  observers: QuorumReplica[];
  /** The voters' controller endpoints (DescribeQuorum v2); empty from older brokers. */
  nodes: { nodeId: number; endpoints: { listener: string; host: string; port: number }[] }[];
}

const NO_DIRECTORY = "AAAAAAAAAAAAAAAAAAAAAA";

/** DescribeCluster, to any broker. */
export async function describeCluster(
  client: KafkaClient,
  signal?: AbortSignal,
): Promise<ClusterDescription> {
  const res = await client.requestAny(ApiKey.DescribeCluster, {
    includeClusterAuthorizedOperations: false,
  }, { signal });
  if (res.errorCode !== ErrorCode.NONE) {
    throw new KafkaProtocolError(res.errorCode, {
      detail: res.errorMessage ?? "describing the cluster",
    });
  }
  return {
    clusterId: res.clusterId,
    controllerId: res.controllerId,
    brokers: res.brokers.map((b) => ({
      nodeId: b.brokerId,
      host: b.host,
      port: b.port,
      rack: b.rack,
    })),
  };
}

/** DescribeQuorum of `__cluster_metadata` partition 0, to any broker. */
export async function describeMetadataQuorum(
  client: KafkaClient,
  signal?: AbortSignal,
): Promise<QuorumInfo> {
  const res = await client.requestAny(ApiKey.DescribeQuorum, {
    topics: [{ topicName: "__cluster_metadata", partitions: [{ partitionIndex: 0 }] }],
  }, { signal });
  if (res.errorCode !== ErrorCode.NONE) {
    throw new KafkaProtocolError(res.errorCode, {
      detail: res.errorMessage || "describing the metadata quorum",
    });
  }
  const p = res.topics[0]?.partitions[0];
  if (p === undefined) {
    throw new KafkaProtocolError(ErrorCode.UNKNOWN_SERVER_ERROR, {
      detail: "DescribeQuorum answered without the metadata partition",
    });
  }
  if (p.errorCode !== ErrorCode.NONE) {
    throw new KafkaProtocolError(p.errorCode, {
      detail: p.errorMessage || "describing the metadata quorum",
    });
  }
  const replica = (r: typeof p.currentVoters[number]): QuorumReplica => ({
    replicaId: r.replicaId,
    directoryId: r.replicaDirectoryId === NO_DIRECTORY ? null : r.replicaDirectoryId,
    logEndOffset: r.logEndOffset,
    lastFetchTimestamp: r.lastFetchTimestamp,
    lastCaughtUpTimestamp: r.lastCaughtUpTimestamp,
  });
  return {
    leaderId: p.leaderId,
    leaderEpoch: p.leaderEpoch,
    highWatermark: p.highWatermark,
    voters: p.currentVoters.map(replica),
    observers: p.observers.map(replica),
    nodes: res.nodes.map((n) => ({
      nodeId: n.nodeId,
      endpoints: n.listeners.map((l) => ({ listener: l.name, host: l.host, port: l.port })),
    })),
  };
}
