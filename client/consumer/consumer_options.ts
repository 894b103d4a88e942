/**
 * The options of Brook's {@linkcode Consumer} (named after Kafka's consumer configs) and of a poll.
 *
 * @module
 */

import type { ClientOptions } from "../kafka_client.ts";
import type { Assignor, ASSIGNORS } from "./assignors.ts";
import type { OffsetReset } from "./fetcher.ts";
import type { RebalanceListener } from "./group.ts";

/** Options of {@linkcode Consumer.poll} (and, but for `maxRecords`, of the share consumer's poll). */
export interface PollOptions {
  /** How long to wait for records. Default fetch.max.wait.ms (the share consumer: 1000). */
  timeoutMs?: number;
  /** max.poll.records: the most records one poll returns. Default 500. */
  maxRecords?: number;
  /** Ends the wait: the poll rejects with the signal's reason. */
  signal?: AbortSignal;
}

/** Consumer options; names follow Kafka's consumer configs. */
export interface ConsumerOptions extends ClientOptions {
  /** group.id; needed for subscribe() and commits. */
  groupId?: string;
  /** group.instance.id: static membership. */
  groupInstanceId?: string;
  /** auto.offset.reset. Default "latest". */
  autoOffsetReset?: OffsetReset;
  /** enable.auto.commit. Default true (with a group). */
  autoCommit?: boolean;
  /** auto.commit.interval.ms. Default 5000. */
  autoCommitIntervalMs?: number;
  /** session.timeout.ms. Default 45000. */
  sessionTimeoutMs?: number;
  /** heartbeat.interval.ms. Default 3000. */
  heartbeatIntervalMs?: number;
  /** max.poll.interval.ms, used as the rebalance timeout. Default 300000. */
  maxPollIntervalMs?: number;
  /**
   * group.protocol: "classic" (the default: JoinGroup and SyncGroup, assignors run by a member) or
   * "consumer" (KIP-848: the coordinator assigns, the member heartbeats with
   * ConsumerGroupHeartbeat; session timeout and heartbeat interval are then the broker's).
   */
  groupProtocol?: "classic" | "consumer";
  /** group.remote.assignor: the coordinator's assignor ("uniform", "range") for the consumer protocol. */
  groupRemoteAssignor?: string;
  /** partition.assignment.strategy, by name. Default ["range", "cooperative-sticky"], as Kafka 4. */
  assignors?: (keyof typeof ASSIGNORS | Assignor)[];
  /** fetch.min.bytes: the least data a leader waits for before answering a Fetch. Default 1. */
  fetchMinBytes?: number;
  /** fetch.max.bytes: the most data one Fetch answer may hold. Default 52428800 (50 MiB). */
  fetchMaxBytes?: number;
  /** fetch.max.wait.ms: the longest a leader waits for fetch.min.bytes. Default 500. */
  fetchMaxWaitMs?: number;
  /** max.partition.fetch.bytes: the most data per partition in one Fetch. Default 1048576 (1 MiB). */
  maxPartitionFetchBytes?: number;
  /** isolation.level. Default "read_uncommitted". */
  isolationLevel?: "read_uncommitted" | "read_committed";
  /** check.crcs. Default true. */
  checkCrcs?: boolean;
  /** Rebalance callbacks. */
  rebalanceListener?: RebalanceListener;
}
