/**
 * The state of Brook's in-memory cluster, shared by every node of one broker process: nodes, topics,
 * partitions and their logs, and a signal that wakes waiting fetches when data arrives.
 *
 * @module
 */

import { ClientQuotas } from "../quotas/client_quotas.ts";
import { Features } from "./features.ts";
import { DelegationTokens } from "../security/delegation_tokens.ts";
import { QuotaEnforcer } from "../quotas/quota_enforcer.ts";
import { ErrorCode, randomUuid } from "../../codec/mod.ts";
import { PartitionLog } from "../log/partition_log.ts";
import { MetadataQuorum } from "./quorum.ts";
import { PartitionProducers, ProducerIds } from "../log/producer_state.ts";
import type { CreateTopicOptions, Partition, Topic, TopicCatalog } from "./topic_catalog.ts";
import { ShareStore } from "../share/share_store.ts";
import { GroupCoordinator } from "../groups/coordinator.ts";
import { TransactionCoordinator } from "../transactions/coordinator.ts";
import { PartitionTransactions } from "../transactions/partition_txns.ts";
import { CredentialStore } from "../security/credentials.ts";
import type { Authorizer } from "../security/authorizer.ts";
import { BrokerConfigs } from "../configs/broker_configs.ts";
import { validateTopicConfig } from "../configs/configs.ts";
import { GroupConfigs } from "../configs/group_configs.ts";
import { ClientMetricsSubscriptions } from "../telemetry/subscriptions.ts";
import { ClientTelemetry } from "../telemetry/client_telemetry.ts";

export type { CreateTopicOptions, Partition, Topic } from "./topic_catalog.ts";

/** One listener of a node: its name, security protocol and advertised address. */
export interface Endpoint {
  /** The listener's name, e.g. "PLAINTEXT" or "INTERNAL" (Kafka's listener name). */
  readonly listenerName: string;
  /** Its security protocol: PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL. */
  readonly securityProtocol: string;
  /** The host it listens on. */
  readonly host: string;
  /** The port it listens on (the one bound when 0 was asked for). */
  port: number;
  /**
   * The address clients are told (advertised.listeners), when it is not the one listened on: a
   * proxy's or a NAT's address. Port 0 advertises the port listened on.
   */
  readonly advertised?: { readonly host: string; readonly port: number };
}

/** A broker node as Metadata describes it. */
export interface NodeInfo {
  /** The node's id (Kafka's node.id), from 1. */
  readonly nodeId: number;
  /** The first listener's address. */
  readonly host: string;
  /** The first listener's port. */
  port: number;
  /** The node's rack (broker.rack), or null. */
  readonly rack: string | null;
  /** Every listener of the node; the first is `host:port`. */
  readonly endpoints?: Endpoint[];
}

/**
 * A node's address on the listener `listenerName`, as Kafka advertises brokers to a client: on the
 * listener its request came in on.
 */
export function endpointOf(node: NodeInfo, listenerName: string): { host: string; port: number } {
  const endpoint = node.endpoints?.find((e) => e.listenerName === listenerName);
  if (endpoint === undefined) return { host: node.host, port: node.port };
  return advertisedAddress(endpoint);
}

/** The address an endpoint is advertised at (advertised.listeners, else where it listens). */
export function advertisedAddress(endpoint: Endpoint): { host: string; port: number } {
  const { advertised } = endpoint;
  if (advertised === undefined) return { host: endpoint.host, port: endpoint.port };
  return { host: advertised.host, port: advertised.port || endpoint.port };
}

/**
 * The most metadata records one request may make Kafka's controller write (a topic's record, its
 * config records and one per partition): past it, creations are refused before anything is made.
 *
 * @example
 * ```ts
 * import { MAX_RECORDS_PER_USER_OP } from "./cluster.ts";
 * console.log(MAX_RECORDS_PER_USER_OP); // 10000
 * ```
 */
export const MAX_RECORDS_PER_USER_OP = 10_000;

/** The outcome of a topic-level check: ok, or Kafka's error code and message. */
export type TopicCheck = { ok: true } | { ok: false; errorCode: number; message: string };

const LEGAL_TOPIC = /^[a-zA-Z0-9._-]+$/;

/** Kafka's rules for topic names (Topic.validate). */
export function validateTopicName(name: string): TopicCheck {
  const fail = (message: string): TopicCheck => ({
    ok: false,
    errorCode: ErrorCode.INVALID_TOPIC_EXCEPTION,
    message,
  });
  if (name.length === 0) return fail("Topic name is illegal, it can't be empty");
  if (name === "." || name === "..") return fail('Topic name cannot be "." or ".."');
  if (name.length > 249) {
    return fail("Topic name is illegal, it can't be longer than 249 characters");
  }
  if (!LEGAL_TOPIC.test(name)) {
    return fail(
      `Topic name is invalid: '${name}' contains one or more characters other than ASCII alphanumerics, '.', '_' and '-'`,
    );
  }
  return { ok: true };
}

/** Resolves the next time data is appended anywhere in the cluster, so that long polls wake up. */
class AppendSignal {
  #waiters: (() => void)[] = [];

  notify(): void {
    const waiters = this.#waiters;
    if (waiters.length === 0) return;
    this.#waiters = [];
    for (const w of waiters) w();
  }

  /** Waits for the next append, the deadline, or the abort, whichever is first. */
  wait(deadlineMs: number, signal: AbortSignal): Promise<void> {
    const delay = deadlineMs - Date.now();
    if (delay <= 0 || signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener("abort", done);
        resolve();
      };
      const timer = setTimeout(done, delay);
      signal.addEventListener("abort", done, { once: true });
      this.#waiters.push(done);
    });
  }
}

/** Options of a cluster. */
export interface ClusterOptions {
  clusterId?: string;
  /** Partitions of auto-created topics and of CreateTopics without a count (num.partitions). */
  defaultPartitions?: number;
  /** Default replication factor; default min(3, nodes). */
  defaultReplicationFactor?: number;
  /** auto.create.topics.enable; default true. */
  autoCreateTopics?: boolean;
  /** Static broker configs, as in Kafka's server.properties (validated by the caller). */
  staticConfigs?: Record<string, string>;
  /** The most bytes the partitions' logs may hold together; default no budget. */
  maxStoredBytes?: number;
}

/** The whole cluster's state. */
export class Cluster implements TopicCatalog {
  readonly clusterId: string;
  readonly nodes: NodeInfo[] = [];
  readonly topics: Map<string, Topic> = new Map();
  readonly topicsById: Map<string, Topic> = new Map();
  readonly appended: AppendSignal = new AppendSignal();
  /** Producer ids handed out by InitProducerId. */
  readonly producerIds: ProducerIds = new ProducerIds();
  /** Consumer, share and streams groups and their offsets. */
  readonly groups: GroupCoordinator;
  /** Share partitions and share sessions (KIP-932). */
  readonly shares: ShareStore;
  /** Transactional ids and their transactions. */
  readonly transactions: TransactionCoordinator;
  /** Delegation tokens (on when delegation.token.secret.key is set). */
  readonly delegationTokens: DelegationTokens;
  /** The finalized feature levels (ApiVersions, UpdateFeatures). */
  readonly features: Features = new Features();
  /** Client quotas (DescribeClientQuotas, AlterClientQuotas). */
  readonly quotas: ClientQuotas = new ClientQuotas();
  /** Produce and Fetch bytes counted against the byte-rate quotas. */
  readonly quotaEnforcer: QuotaEnforcer;
  /** Users: PLAIN passwords, SCRAM credentials, the OAUTHBEARER validator. */
  readonly credentials: CredentialStore = new CredentialStore();
  /** Client-metrics subscriptions: the CLIENT_METRICS config resources (KIP-714). */
  readonly clientMetrics: ClientMetricsSubscriptions = new ClientMetricsSubscriptions();
  /** Client telemetry (KIP-714): off unless the broker is started with `clientTelemetry`. */
  readonly telemetry: ClientTelemetry = new ClientTelemetry(this.clientMetrics);
  /** The ACL authorizer; undefined when the broker authorizes nothing (Kafka without an authorizer). */
  authorizer: Authorizer | undefined;
  defaultPartitions: number;
  defaultReplicationFactor: number | undefined;
  autoCreateTopics: boolean;
  /** Broker configs: static, and altered at run time for the cluster or a node. */
  readonly configs: BrokerConfigs;
  /** The node acting as the KRaft controller in Metadata and DescribeCluster answers. */
  controllerId = -1;
  /** The KRaft quorum of the metadata log (DescribeQuorum). */
  readonly quorum: MetadataQuorum = new MetadataQuorum(() =>
    Number(this.configs.staticValue("metadata.max.idle.interval.ms"))
  );
  #nextAssignment = 0;
  /** The most bytes the partitions' logs may hold together; undefined for no budget. */
  readonly maxStoredBytes: number | undefined;
  /** The logs' bytes when last summed, plus what was stored since (an upper bound). */
  #storedEstimate = 0;
  #storedMeasuredAt = -Infinity;

  constructor(options: ClusterOptions = {}) {
    const budget = options.maxStoredBytes;
    if (budget !== undefined && !(Number.isSafeInteger(budget) && budget > 0)) {
      throw new RangeError(`A memory budget is a positive number of bytes, got ${budget}`);
    }
    this.maxStoredBytes = budget;
    this.clusterId = options.clusterId ?? randomUuid();
    this.defaultPartitions = options.defaultPartitions ?? 1;
    // Every auto-created topic would be refused past Kafka's controller limit: refused here at once.
    if (this.defaultPartitions > MAX_RECORDS_PER_USER_OP) {
      throw new RangeError(
        `num.partitions ${this.defaultPartitions} is over the ${MAX_RECORDS_PER_USER_OP} partitions a topic creation may ask`,
      );
    }
    this.defaultReplicationFactor = options.defaultReplicationFactor;
    this.autoCreateTopics = options.autoCreateTopics ?? true;
    const shared = options.staticConfigs ?? {};
    this.configs = new BrokerConfigs({
      shared,
      ofNode: (nodeId) => {
        const node = this.node(nodeId);
        const endpoints = node?.endpoints ?? [];
        const listeners = endpoints.map((e) => `${e.listenerName}://${e.host}:${e.port}`).join(",");
        const advertised = endpoints.map((e) => {
          const { host, port } = advertisedAddress(e);
          return `${e.listenerName}://${host}:${port}`;
        }).join(",");
        return {
          "node.id": String(nodeId),
          "broker.id": String(nodeId),
          "process.roles": "broker,controller",
          "log.dirs": `/brook/node-${nodeId}`,
          ...(listeners
            ? {
              listeners,
              "advertised.listeners": advertised,
              "listener.security.protocol.map": endpoints
                .map((e) => `${e.listenerName}:${e.securityProtocol}`).join(","),
            }
            : {}),
          ...(node?.rack ? { "broker.rack": node.rack } : {}),
        };
      },
    });
    // The coordinators get what they use, not the cluster: the topics, the configs, and callbacks.
    const groupConfigs = new GroupConfigs(this.configs);
    const wake = () => this.appended.notify();
    this.groups = new GroupCoordinator({ topics: this, configs: this.configs, groupConfigs });
    this.shares = new ShareStore({ configs: this.configs, groupConfigs, onAvailable: wake });
    this.groups.onShareGroupDeleted = (groupId) => this.shares.dropGroup(groupId);
    this.transactions = new TransactionCoordinator({
      topics: this,
      configs: this.configs,
      producerIds: this.producerIds,
      onTransactionCompleted: (completion) => this.groups.onTransactionCompleted(completion),
      onAppended: wake,
    });
    this.quotaEnforcer = new QuotaEnforcer(this.quotas, this.configs);
    this.delegationTokens = new DelegationTokens(this.configs);
    this.credentials.tokens = this.delegationTokens;
    // A Kafka 4.1 cluster is formatted with min.insync.replicas as a cluster-wide dynamic config.
    this.configs.setDynamic(
      null,
      new Map([["min.insync.replicas", shared["min.insync.replicas"] ?? "1"]]),
    );
  }

  /** Topics by name (the catalog's view of `topics`). */
  get byName(): ReadonlyMap<string, Topic> {
    return this.topics;
  }

  /** Topics by topic id (the catalog's view of `topicsById`). */
  get byId(): ReadonlyMap<string, Topic> {
    return this.topicsById;
  }

  /** A topic's value of a topic config on a node: its override, else the broker configs'. */
  topicConfig(topic: Topic, name: string, nodeId: number): string {
    return this.configs.topicValue(topic.configs, name, nodeId);
  }

  /**
   * The nodes registered with the controller: running or stopped (Kafka's fenced brokers), until
   * UnregisterBroker removes a stopped one.
   */
  readonly registeredNodeIds: Set<number> = new Set();

  /** Adds a node. */
  addNode(node: NodeInfo): void {
    this.nodes.push(node);
    this.registeredNodeIds.add(node.nodeId);
    this.quorum.addVoter(node.nodeId);
    if (this.controllerId < 0) this.controllerId = node.nodeId;
    this.quorum.leaderIs(this.controllerId);
  }

  /** The node with this id, if any. */
  node(nodeId: number): NodeInfo | undefined {
    return this.nodes.find((n) => n.nodeId === nodeId);
  }

  /** The replication factor topics get by default: min(3, nodes) unless configured. */
  get replicationFactor(): number {
    return this.defaultReplicationFactor ?? Math.min(3, this.nodes.length);
  }

  /** A topic's partition, if both exist. */
  partition(topic: string, index: number): Partition | undefined {
    return this.topics.get(topic)?.partitions[index];
  }

  /**
   * Creates a topic (the caller has validated the name and options). Replicas are spread round-robin
   * over the nodes, the first replica leading, as Kafka's rack-unaware assignment does. Counts that
   * Kafka's controller would refuse (more than 10,000 partitions, more replicas than nodes) and
   * configs CreateTopics refuses (unknown names, invalid values) throw a RangeError with Kafka's
   * message before anything is allocated: every way of creating a topic comes through here.
   */
  createTopic(name: string, options: CreateTopicOptions = {}): Topic {
    const count = options.assignments?.length ?? options.partitions ?? this.defaultPartitions;
    if (!Number.isInteger(count) || count < 1) {
      throw new RangeError("Number of partitions was set to an invalid non-positive value.");
    }
    if (count > MAX_RECORDS_PER_USER_OP) {
      throw new RangeError("Excessively large number of partitions per request.");
    }
    const rf = options.replicationFactor ?? this.replicationFactor;
    if (!options.assignments && !(Number.isInteger(rf) && rf >= 1 && rf <= this.nodes.length)) {
      throw new RangeError(
        `Unable to replicate the partition ${rf} time(s): The target replication factor of ${rf} cannot be reached because only ${this.nodes.length} broker(s) are registered.`,
      );
    }
    for (const [config, value] of Object.entries(options.configs ?? {})) {
      const problem = validateTopicConfig(config, value);
      if (problem) throw new RangeError(problem);
    }
    const topic: Topic = {
      name,
      id: randomUuid(),
      partitions: [],
      configs: new Map(Object.entries(options.configs ?? {})),
      isInternal: options.internal ?? false,
    };
    const assignments = options.assignments ?? this.assignReplicas(count, rf);
    this.addPartitions(topic, assignments);
    this.quorum.recordsWritten();
    this.topics.set(name, topic);
    this.topicsById.set(topic.id, topic);
    return topic;
  }

  /** Replica lists for `count` new partitions. */
  assignReplicas(count: number, replicationFactor: number): number[][] {
    const ids = this.nodes.map((n) => n.nodeId);
    const out: number[][] = [];
    for (let p = 0; p < count; p++) {
      const start = this.#nextAssignment++;
      const replicas: number[] = [];
      for (let r = 0; r < replicationFactor; r++) replicas.push(ids[(start + r) % ids.length]);
      out.push(replicas);
    }
    return out;
  }

  /** Adds partitions with the given replica lists to a topic. */
  addPartitions(topic: Topic, assignments: number[][]): void {
    this.quorum.recordsWritten(assignments.length);
    for (const replicas of assignments) {
      const partition: Partition = {
        topic,
        index: topic.partitions.length,
        leader: replicas[0],
        leaderEpoch: 0,
        replicas: [...replicas],
        isr: [...replicas],
        // Segments roll as the topic's configs say, on the node leading the partition.
        log: new PartitionLog(() => {
          const config = (name: string) => Number(this.topicConfig(topic, name, partition.leader));
          return {
            segmentBytes: config("segment.bytes"),
            segmentMs: config("segment.ms"),
            jitterMs: config("segment.jitter.ms"),
          };
        }),
        producers: new PartitionProducers(),
        txns: new PartitionTransactions(),
      };
      topic.partitions.push(partition);
    }
  }

  /** The bytes that every partition's log holds. */
  storedBytes(): number {
    let n = 0;
    for (const topic of this.topics.values()) {
      for (const p of topic.partitions) n += p.log.sizeBytes;
    }
    return n;
  }

  /**
   * Whether `bytes` more may be stored under the memory budget (always, without one); if so they
   * are counted. The logs are summed again at most every second, and whenever the estimate would
   * refuse, so that a refusal is exact and retention or DeleteRecords makes room at once.
   */
  reserveStorage(bytes: number, now: number = performance.now()): boolean {
    const budget = this.maxStoredBytes;
    if (budget === undefined) return true;
    if (this.#storedEstimate + bytes > budget || now - this.#storedMeasuredAt > 1000) {
      this.#storedEstimate = this.storedBytes();
      this.#storedMeasuredAt = now;
    }
    if (this.#storedEstimate + bytes > budget) return false;
    this.#storedEstimate += bytes;
    return true;
  }

  /** Deletes a topic; returns false when it does not exist. */
  deleteTopic(name: string): boolean {
    const topic = this.topics.get(name);
    if (!topic) return false;
    this.topics.delete(name);
    this.topicsById.delete(topic.id);
    this.quorum.recordsWritten();
    return true;
  }
}
