/**
 * The broker's services as a handler reaches them, each by its name: the topics, the cluster's
 * metadata, the group, share and transaction coordinators, configs, features, ACLs, quotas,
 * credentials and telemetry. A RequestContext carries them; the cluster provides them.
 *
 * @module
 */

import type { NodeInfo } from "../metadata/cluster.ts";
import type { Topic, TopicCatalog } from "../metadata/topic_catalog.ts";
import type { MetadataQuorum } from "../metadata/quorum.ts";
import type { Features } from "../metadata/features.ts";
import type { GroupCoordinator } from "../groups/coordinator.ts";
import type { ShareStore } from "../share/share_store.ts";
import type { TransactionCoordinator } from "../transactions/coordinator.ts";
import type { ProducerIds } from "../log/producer_state.ts";
import type { BrokerConfigs } from "../configs/broker_configs.ts";
import type { Authorizer } from "../security/authorizer.ts";
import type { CredentialStore } from "../security/credentials.ts";
import type { DelegationTokens } from "../security/delegation_tokens.ts";
import type { ClientQuotas } from "../quotas/client_quotas.ts";
import type { QuotaEnforcer } from "../quotas/quota_enforcer.ts";
import type { ClientTelemetry } from "../telemetry/client_telemetry.ts";
import type { ClientMetricsSubscriptions } from "../telemetry/subscriptions.ts";

/** Wakes the long polls (Fetch, ShareFetch) when data is appended anywhere. */
export interface AppendNotifier {
  /** Data was appended: every waiting poll wakes. */
  notify(): void;
  /** Waits for the next append, the deadline (ms since the epoch) or the abort, whichever is first. */
  wait(deadlineMs: number, signal: AbortSignal): Promise<void>;
}

/**
 * The topics as handlers use them: the catalog, with deletion, partitions added, topic configs,
 * the memory budget and the topic-creation defaults. The cluster is one.
 *
 * @example
 * ```ts
 * import type { TopicStore } from "./services.ts";
 * function partitionCount(topics: TopicStore, name: string): number {
 *   return topics.byName.get(name)?.partitions.length ?? topics.defaultPartitions;
 * }
 * ```
 */
export interface TopicStore extends TopicCatalog {
  /** Deletes a topic; false when it does not exist. */
  deleteTopic(name: string): boolean;
  /** A topic's value of a topic config on a node: its override, else the broker configs'. */
  topicConfig(topic: Topic, name: string, nodeId: number): string;
  /** Replica lists for `count` new partitions, spread over the nodes. */
  assignReplicas(count: number, replicationFactor: number): number[][];
  /** Adds partitions with the given replica lists to a topic. */
  addPartitions(topic: Topic, assignments: number[][]): void;
  /** Whether `bytes` more may be stored under the memory budget; if so they are counted. */
  reserveStorage(bytes: number): boolean;
  /** Wakes waiting fetches when data is appended. */
  readonly appended: AppendNotifier;
  /** num.partitions: the partitions of a topic created without a count. */
  readonly defaultPartitions: number;
  /** The replication factor of a topic created without one. */
  readonly replicationFactor: number;
  /** auto.create.topics.enable. */
  readonly autoCreateTopics: boolean;
}

/**
 * The cluster as Metadata, DescribeCluster and the controller APIs describe it: its id, nodes,
 * controller and metadata quorum. The cluster is one.
 *
 * @example
 * ```ts
 * import type { ClusterMetadata } from "./services.ts";
 * function isController(metadata: ClusterMetadata, nodeId: number): boolean {
 *   return metadata.controllerId === nodeId;
 * }
 * ```
 */
export interface ClusterMetadata {
  /** The cluster id. */
  readonly clusterId: string;
  /** The running nodes. */
  readonly nodes: readonly NodeInfo[];
  /** The running node with this id, if any. */
  node(nodeId: number): NodeInfo | undefined;
  /** The node acting as the KRaft controller. */
  readonly controllerId: number;
  /** The nodes registered with the controller, running or stopped. */
  readonly registeredNodeIds: Set<number>;
  /** The KRaft quorum of the metadata log. */
  readonly quorum: MetadataQuorum;
}

/** Every service a handler may use, by name. */
export interface BrokerServices {
  /** Topics and partitions. */
  readonly topics: TopicStore;
  /** The cluster's id, nodes and controller. */
  readonly metadata: ClusterMetadata;
  /** Classic, consumer, share and streams groups, their offsets and configs. */
  readonly groups: GroupCoordinator;
  /** Share partitions and share sessions (KIP-932). */
  readonly shares: ShareStore;
  /** Transactional ids and their transactions. */
  readonly transactions: TransactionCoordinator;
  /** Producer ids handed out by InitProducerId. */
  readonly producerIds: ProducerIds;
  /** Broker configs: static, and altered for the cluster or a node. */
  readonly configs: BrokerConfigs;
  /** The finalized feature levels. */
  readonly features: Features;
  /** The ACL authorizer; undefined when the broker authorizes nothing. */
  readonly authorizer: Authorizer | undefined;
  /** Client quotas (DescribeClientQuotas, AlterClientQuotas). */
  readonly quotas: ClientQuotas;
  /** Byte-rate and mutation quotas as they are spent. */
  readonly quotaEnforcer: QuotaEnforcer;
  /** Users: PLAIN passwords, SCRAM credentials, the OAUTHBEARER validator. */
  readonly credentials: CredentialStore;
  /** Delegation tokens. */
  readonly delegationTokens: DelegationTokens;
  /** Client telemetry (KIP-714). */
  readonly telemetry: ClientTelemetry;
  /** Client-metrics subscriptions (CLIENT_METRICS resources). */
  readonly clientMetrics: ClientMetricsSubscriptions;
}

/**
 * The services of a provider (the cluster), read now: the authorizer as it is set at this moment.
 *
 * @example
 * ```ts
 * import { servicesOf } from "./services.ts";
 * import { Cluster } from "../metadata/cluster.ts";
 * const services = servicesOf(new Cluster());
 * console.log(services.authorizer); // undefined
 * ```
 */
export function servicesOf(
  provider: Omit<BrokerServices, "topics" | "metadata"> & TopicStore & ClusterMetadata,
): BrokerServices {
  return {
    topics: provider,
    metadata: provider,
    groups: provider.groups,
    shares: provider.shares,
    transactions: provider.transactions,
    producerIds: provider.producerIds,
    configs: provider.configs,
    features: provider.features,
    authorizer: provider.authorizer,
    quotas: provider.quotas,
    quotaEnforcer: provider.quotaEnforcer,
    credentials: provider.credentials,
    delegationTokens: provider.delegationTokens,
    telemetry: provider.telemetry,
    clientMetrics: provider.clientMetrics,
  };
}
