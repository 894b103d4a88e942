/**
 * Topics and partitions as the coordinators see them: the catalog they look topics up in and create
 * their internal topics through (the cluster implements it), without the rest of the cluster.
 *
 * @module
 */

import type { PartitionLog } from "../log/partition_log.ts";
import type { PartitionProducers } from "../log/producer_state.ts";
import type { PartitionTransactions } from "../transactions/partition_txns.ts";

/** One partition of a topic. */
export interface Partition {
  /** The topic the partition belongs to. */
  readonly topic: Topic;
  /** The partition's index in its topic, from 0. */
  readonly index: number;
  /** The node that leads the partition; -1 when the leader is offline. */
  leader: number;
  /** The leader epoch, raised on each leader change. */
  leaderEpoch: number;
  /** The replica node ids, the preferred leader first. */
  replicas: number[];
  /** The in-sync replicas. */
  isr: number[];
  /** The partition's records. */
  readonly log: PartitionLog;
  /** Idempotent producers' sequence state on this partition. */
  readonly producers: PartitionProducers;
  /** Open and aborted transactions on this partition. */
  readonly txns: PartitionTransactions;
}

/** A topic. */
export interface Topic {
  /** The topic's name. */
  readonly name: string;
  /** The topic id, as Kafka prints UUIDs. */
  readonly id: string;
  /** Its partitions, by index. */
  readonly partitions: Partition[];
  /** Topic-level config overrides (names as Kafka's, values as strings). */
  readonly configs: Map<string, string>;
  /** True for Kafka's internal topics (__consumer_offsets, __transaction_state). */
  readonly isInternal: boolean;
}

/** How to create a topic. */
export interface CreateTopicOptions {
  /** Number of partitions; default the cluster's default (num.partitions). */
  partitions?: number;
  /** Replication factor; default min(3, nodes) (default.replication.factor). */
  replicationFactor?: number;
  /** Replica assignment per partition (node ids, preferred leader first); overrides the two above. */
  assignments?: number[][];
  /** Config overrides. */
  configs?: Record<string, string>;
  /** An internal topic (__consumer_offsets, __transaction_state). */
  internal?: boolean;
}

/**
 * The topics of the cluster, as the group, share and transaction coordinators use them: looked up by
 * name or id, and created (internal topics, Kafka Streams' topics) through the one creation path.
 *
 * @example
 * ```ts
 * import type { TopicCatalog } from "./topic_catalog.ts";
 * function partitionCount(topics: TopicCatalog, name: string): number | undefined {
 *   return topics.byName.get(name)?.partitions.length;
 * }
 * ```
 */
export interface TopicCatalog {
  /** Topics by name. */
  readonly byName: ReadonlyMap<string, Topic>;
  /** Topics by topic id. */
  readonly byId: ReadonlyMap<string, Topic>;
  /** A topic's partition, if both exist. */
  partition(topic: string, index: number): Partition | undefined;
  /** Creates a topic; throws a RangeError with Kafka's message for what Kafka refuses. */
  createTopic(name: string, options?: CreateTopicOptions): Topic;
}

/**
 * The topic that holds the groups' committed offsets; the group coordinator creates it on first use.
 *
 * @example
 * ```ts
 * import { OFFSETS_TOPIC } from "./topic_catalog.ts";
 * console.log(OFFSETS_TOPIC); // "__consumer_offsets"
 * ```
 */
export const OFFSETS_TOPIC = "__consumer_offsets";

/**
 * The topic that holds the transactions' state; the transaction coordinator creates it on first use.
 *
 * @example
 * ```ts
 * import { TRANSACTION_STATE_TOPIC } from "./topic_catalog.ts";
 * console.log(TRANSACTION_STATE_TOPIC); // "__transaction_state"
 * ```
 */
export const TRANSACTION_STATE_TOPIC = "__transaction_state";
