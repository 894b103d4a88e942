/**
 * The cluster-level client that producers, consumers and admins share: bootstrap, a metadata cache
 * refreshed on errors and on a period, one pooled connection per broker with reconnect backoff, and
 * routing of requests to partition leaders and group coordinators.
 *
 * @module
 */

import {
  ApiKey,
  type ApiMessages,
  type CodecApiKey,
  ErrorCode,
  errorInfo,
  KafkaProtocolError,
} from "../codec/mod.ts";
import { backoffMs, sleep } from "./backoff.ts";
import {
  type ConnectionOptions,
  type ConnectionStats,
  KafkaConnection,
  type RequestOptions,
} from "./network/connection.ts";
import { KafkaConnectionError } from "./errors.ts";
import {
  type ClientEventMap,
  Instrumentation,
  type InstrumentationOptions,
} from "./instrumentation.ts";
import { type ClientMetricsSnapshot, Stat } from "./metrics.ts";
import { TelemetrySender } from "./telemetry/telemetry_sender.ts";
import {
  FIND_COORDINATOR_ATTEMPTS,
  METADATA_MAX_AGE_MS,
  RECONNECT_BACKOFF_MAX_MS,
  RECONNECT_BACKOFF_MS,
  RETRY_BACKOFF_MAX_MS,
  RETRY_BACKOFF_MS,
} from "./defaults.ts";

/** Options shared by every Brook client (producer, consumer, admin). */
export interface ClientOptions
  extends Omit<ConnectionOptions, "signal" | "instrumentation" | "stats">, InstrumentationOptions {
  /** Brokers to bootstrap from: "host:port" strings, or one comma-separated string. */
  bootstrapServers: string | string[];
  /** client.rack, sent in Fetch requests so that brokers may serve from a nearby replica. */
  clientRack?: string;
  /** metadata.max.age.ms: refresh metadata at least this often. Default 300000. */
  metadataMaxAgeMs?: number;
  /** retry.backoff.ms: the wait before the first retry, doubled on each one after. Default 100. */
  retryBackoffMs?: number;
  /** retry.backoff.max.ms: the longest wait between retries. Default 1000, as Kafka 4's clients. */
  retryBackoffMaxMs?: number;
  /** reconnect.backoff.ms: the wait before reconnecting to a broker, doubled on each failure. Default 50. */
  reconnectBackoffMs?: number;
  /** reconnect.backoff.max.ms: the longest wait before reconnecting. Default 1000. */
  reconnectBackoffMaxMs?: number;
  /**
   * The prefix of Java's metric groups ("producer" gives producer-metrics and
   * producer-node-metrics). Producers and consumers set it; default "admin-client".
   */
  metricGroupPrefix?: string;
  /**
   * enable.metrics.push (KIP-714): push this client's metrics to brokers that take them, as a
   * subscription of theirs asks. Default true for producers and consumers, false for an admin, as
   * Java's clients.
   */
  enableMetricsPush?: boolean;
}

/** A broker as metadata describes it. */
export interface BrokerMetadata {
  /** The broker's id (node.id). */
  nodeId: number;
  /** The host it advertises to this client's listener. */
  host: string;
  /** The port it advertises. */
  port: number;
  /** Its rack (broker.rack), or null. */
  rack: string | null;
}

/** A partition as metadata describes it. */
export interface PartitionMetadata {
  /** The partition index. */
  partition: number;
  /** Kafka's error code for this partition; 0 for none. */
  errorCode: number;
  /** The leader's node id; -1 when it has none. */
  leader: number;
  /** The leader epoch, -1 when unknown. */
  leaderEpoch: number;
  /** The replicas' node ids, the preferred leader first. */
  replicas: number[];
  /** The in-sync replicas' node ids. */
  isr: number[];
  /** The replicas whose broker is offline. */
  offlineReplicas: number[];
}

/** A topic as metadata describes it. */
export interface TopicMetadata {
  /** The topic's name. */
  name: string;
  /** The topic id, as Kafka prints UUIDs. */
  topicId: string;
  /** Kafka's error code for this topic; 0 for none. */
  errorCode: number;
  /** True for Kafka's internal topics (__consumer_offsets, __transaction_state). */
  isInternal: boolean;
  /** Its partitions, by index. */
  partitions: PartitionMetadata[];
}

/** A snapshot of the cluster's metadata. */
export interface ClusterMetadata {
  /** The cluster id, or null from brokers that have none. */
  clusterId: string | null;
  /** The node id Metadata names as controller (-1 when none). */
  controllerId: number;
  /** The brokers, by node id. */
  brokers: Map<number, BrokerMetadata>;
  /** The topics asked about (or all of them), by name. */
  topics: Map<string, TopicMetadata>;
  /** Date.now() when it was fetched. */
  fetchedAt: number;
}

/** Options of {@linkcode KafkaClient.findCoordinator}. */
export interface FindCoordinatorOptions {
  /** Kafka's coordinator key type: 0 for a group (the default), 1 for a transactional id. */
  keyType?: 0 | 1;
  /** Aborts the lookup. */
  signal?: AbortSignal;
  /** How many answers to ask for while the coordinator is loading or not available. Default 10. */
  attempts?: number;
}

/** Options of {@linkcode KafkaClient.metadata}. */
export interface MetadataOptions {
  /** Ask the broker even when the cache knows the topics. */
  force?: boolean;
  /** Let the broker create missing topics (when its auto.create.topics.enable allows). Default false. */
  allowAutoTopicCreation?: boolean;
  /** Aborts the request. */
  signal?: AbortSignal;
}

/**
 * A connection pool and metadata cache over a Kafka cluster.
 *
 * @example
 * ```ts
 * import { KafkaClient } from "@brook/kafka/client";
 * await using client = new KafkaClient({ bootstrapServers: "127.0.0.1:9092" });
 * const metadata = await client.metadata(["orders"]);
 * console.log(metadata.topics.get("orders")?.partitions.length);
 * ```
 */
export class KafkaClient implements AsyncDisposable {
  /** The options the client was created with. */
  readonly options: Readonly<ClientOptions>;
  readonly #bootstrap: { host: string; port: number }[];
  #metadata: ClusterMetadata | undefined;
  #refreshing: Promise<ClusterMetadata> | undefined;
  /** Topics this client cares about, so that refreshes keep them current. */
  #interest = new Set<string>();
  #connections = new Map<string, Promise<KafkaConnection>>();
  #failures = new Map<string, { count: number; until: number }>();
  #closed = false;
  /** The client's logger, event listeners and metrics, shared with its connections. */
  readonly instrumentation: Instrumentation;
  readonly #metricPrefix: string;
  readonly #clientStats: ConnectionStats;
  readonly #nodeStats = new Map<string, ConnectionStats>();
  readonly #open = new Set<KafkaConnection>();
  readonly #telemetry: TelemetrySender | undefined;

  /** Creates a client; it connects on its first request. */
  constructor(options: ClientOptions) {
    this.options = options;
    const list = typeof options.bootstrapServers === "string"
      ? options.bootstrapServers.split(",")
      : options.bootstrapServers;
    this.#bootstrap = list.map((s) => s.trim()).filter((s) => s !== "").map(parseAddress);
    if (this.#bootstrap.length === 0) throw new TypeError("bootstrapServers names no broker");
    const clientId = options.clientId === undefined ? "brook" : options.clientId ?? "";
    this.instrumentation = new Instrumentation(clientId, options);
    this.#metricPrefix = options.metricGroupPrefix ?? "admin-client";
    this.#clientStats = this.#registerStats(`${this.#metricPrefix}-metrics`, {});
    this.instrumentation.metrics.gauge(() => {
      let n = 0;
      for (const c of this.#open) if (!c.closed) n++;
      return n;
    }, { group: `${this.#metricPrefix}-metrics`, name: "connection-count" });
    if (options.enableMetricsPush ?? this.#metricPrefix !== "admin-client") {
      this.#telemetry = new TelemetrySender({
        connection: () => this.#telemetryConnection(),
        metrics: () => this.metrics(),
        log: (level, message, fields) => this.instrumentation.log(level, message, fields),
      }, telemetryResource(options));
    }
  }

  /** A connected broker for telemetry (Java picks its least loaded node), else the first bootstrap. */
  #telemetryConnection(): Promise<KafkaConnection> {
    for (const c of this.#open) if (!c.closed) return Promise.resolve(c);
    const { host, port } = this.#bootstrap[0];
    return this.connectionTo(host, port);
  }

  /**
   * The client instance id a broker assigned for client telemetry (KIP-714), once one did; Java's
   * `clientInstanceId()`.
   */
  get clientInstanceId(): string | undefined {
    return this.#telemetry?.clientInstanceId;
  }

  #registerStats(group: string, tags: Record<string, string>): ConnectionStats {
    const metrics = this.instrumentation.metrics;
    return {
      requests: metrics.register(new Stat(), {
        group,
        countRate: "request-rate",
        count: "request-total",
        rate: "outgoing-byte-rate",
        total: "outgoing-byte-total",
        avg: "request-size-avg",
        max: "request-size-max",
        tags,
      }),
      responses: metrics.register(new Stat(), {
        group,
        countRate: "response-rate",
        count: "response-total",
        rate: "incoming-byte-rate",
        total: "incoming-byte-total",
        tags,
      }),
      latency: metrics.register(new Stat(), {
        group,
        avg: "request-latency-avg",
        max: "request-latency-max",
        tags,
      }),
    };
  }

  /** The node's statistics, tagged node-id as Java tags them ("node-1"; "node--1" for bootstrap). */
  #statsOf(host: string, port: number): ConnectionStats {
    const key = `${host}:${port}`;
    let stats = this.#nodeStats.get(key);
    if (!stats) {
      let id = -1;
      for (const b of this.#metadata?.brokers.values() ?? []) {
        if (b.host === host && b.port === port) id = b.nodeId;
      }
      stats = this.#registerStats(`${this.#metricPrefix}-node-metrics`, {
        "node-id": id >= 0 ? `node-${id}` : `node--1:${key}`,
      });
      this.#nodeStats.set(key, stats);
    }
    return stats;
  }

  /** Every metric of this client, as Kafka's Java client names them. */
  metrics(): ClientMetricsSnapshot {
    return this.instrumentation.metrics.snapshot();
  }

  /** Listens to a client event (see {@linkcode ClientEventMap}); returns a function that stops. */
  on<K extends keyof ClientEventMap>(
    type: K,
    listener: (event: ClientEventMap[K]) => void,
  ): () => void {
    return this.instrumentation.on(type, listener);
  }

  /** The last metadata seen, if any. */
  get cachedMetadata(): ClusterMetadata | undefined {
    return this.#metadata;
  }

  /**
   * Metadata for `topics` (all topics for null): from the cache when it knows them all and is fresh,
   * else from a broker.
   */
  async metadata(topics: string[] | null, options: MetadataOptions = {}): Promise<ClusterMetadata> {
    if (topics) { for (const t of topics) this.#interest.add(t); }
    const cached = this.#metadata;
    const maxAge = this.options.metadataMaxAgeMs ?? METADATA_MAX_AGE_MS;
    if (
      !options.force && cached && topics && Date.now() - cached.fetchedAt < maxAge &&
      topics.every((t) => cached.topics.get(t)?.errorCode === ErrorCode.NONE)
    ) {
      return cached;
    }
    if (this.#refreshing && !topics) return await this.#refreshing;
    const wanted = topics === null ? null : [...this.#interest];
    const refresh = this.#fetchMetadata(wanted, options);
    this.#refreshing = refresh;
    try {
      return await refresh;
    } finally {
      if (this.#refreshing === refresh) this.#refreshing = undefined;
    }
  }

  async #fetchMetadata(
    topics: string[] | null,
    options: MetadataOptions,
  ): Promise<ClusterMetadata> {
    const res = await this.requestAny(ApiKey.Metadata, {
      topics: topics === null ? null : topics.map((name) => ({ name })),
      allowAutoTopicCreation: options.allowAutoTopicCreation ?? false,
      includeTopicAuthorizedOperations: false,
    }, { signal: options.signal });
    const metadata: ClusterMetadata = {
      clusterId: res.clusterId,
      controllerId: res.controllerId,
      brokers: new Map(
        res.brokers.map((
          b,
        ) => [b.nodeId, { nodeId: b.nodeId, host: b.host, port: b.port, rack: b.rack }]),
      ),
      topics: new Map(),
      fetchedAt: Date.now(),
    };
    // Keep what an earlier answer said about topics this one did not cover.
    if (topics !== null && this.#metadata) {
      for (const [name, t] of this.#metadata.topics) {
        if (!topics.includes(name)) metadata.topics.set(name, t);
      }
    }
    for (const t of res.topics) {
      if (t.name === null) continue;
      metadata.topics.set(t.name, {
        name: t.name,
        topicId: t.topicId,
        errorCode: t.errorCode,
        isInternal: t.isInternal,
        partitions: t.partitions.map((p) => ({
          partition: p.partitionIndex,
          errorCode: p.errorCode,
          leader: p.leaderId,
          leaderEpoch: p.leaderEpoch,
          replicas: p.replicaNodes,
          isr: p.isrNodes,
          offlineReplicas: p.offlineReplicas,
        })).sort((a, b) => a.partition - b.partition),
      });
    }
    this.#metadata = metadata;
    // A bootstrap connection serves its node once metadata names it: its metrics take the node's id.
    for (const b of metadata.brokers.values()) {
      this.instrumentation.metrics.retag(
        "node-id",
        `node--1:${b.host}:${b.port}`,
        `node-${b.nodeId}`,
      );
    }
    return metadata;
  }

  /** Marks metadata stale, so that the next lookup asks a broker (after a leader or topic error). */
  invalidateMetadata(): void {
    if (this.#metadata) this.#metadata.fetchedAt = 0;
  }

  /** The connection to a node, opening it (with reconnect backoff after failures) when needed. */
  async connection(nodeId: number, signal?: AbortSignal): Promise<KafkaConnection> {
    const broker = this.#metadata?.brokers.get(nodeId) ??
      (await this.metadata(null)).brokers.get(nodeId);
    if (!broker) {
      throw new KafkaConnectionError(`Broker ${nodeId} is not in the cluster's metadata`);
    }
    return await this.connectionTo(broker.host, broker.port, signal);
  }

  /** The pooled connection to "host:port", reconnecting when it was closed. */
  async connectionTo(host: string, port: number, signal?: AbortSignal): Promise<KafkaConnection> {
    if (this.#closed) throw new KafkaConnectionError("The client is closed");
    const key = `${host}:${port}`;
    const existing = this.#connections.get(key);
    if (existing) {
      const conn = await existing.catch(() => undefined);
      if (conn && !conn.closed) return conn;
      if (this.#connections.get(key) === existing) this.#connections.delete(key);
    }
    const failure = this.#failures.get(key);
    if (failure && failure.until > Date.now()) await sleep(failure.until - Date.now(), signal);
    const inst = this.instrumentation;
    const opening = KafkaConnection.connect(host, port, {
      ...this.options,
      signal,
      instrumentation: inst,
      stats: [this.#statsOf(host, port), this.#clientStats],
    });
    this.#connections.set(key, opening);
    try {
      const conn = await opening;
      this.#failures.delete(key);
      for (const c of this.#open) if (c.closed) this.#open.delete(c);
      this.#open.add(conn);
      inst.log("debug", "connected", { broker: key });
      this.#telemetry?.start();
      if (inst.listens("connect")) inst.emit("connect", { broker: key });
      return conn;
    } catch (e) {
      inst.log("warn", "cannot connect", { broker: key, error: (e as Error).message });
      if (inst.listens("connect")) inst.emit("connect", { broker: key, error: e as Error });
      if (this.#connections.get(key) === opening) this.#connections.delete(key);
      const count = (failure?.count ?? 0) + 1;
      const wait = backoffMs(count - 1, {
        initialMs: this.options.reconnectBackoffMs ?? RECONNECT_BACKOFF_MS,
        maxMs: this.options.reconnectBackoffMaxMs ?? RECONNECT_BACKOFF_MAX_MS,
      });
      this.#failures.set(key, { count, until: Date.now() + wait });
      throw e;
    }
  }

  /**
   * Sends a request to any reachable broker: a connected one first, else the known brokers and the
   * bootstrap list in turn. Fails with a clear error when none answers.
   */
  async requestAny<K extends CodecApiKey>(
    apiKey: K,
    body: ApiMessages[K]["requestInit"] | ((version: number) => ApiMessages[K]["requestInit"]),
    options: RequestOptions = {},
  ): Promise<ApiMessages[K]["response"]> {
    const candidates: { host: string; port: number }[] = [];
    for (const b of this.#metadata?.brokers.values() ?? []) {
      candidates.push({ host: b.host, port: b.port });
    }
    candidates.push(...this.#bootstrap);
    // Prefer a connection that is already open.
    const open = candidates.findIndex((c) => this.#connections.has(`${c.host}:${c.port}`));
    if (open > 0) candidates.unshift(...candidates.splice(open, 1));
    const errors: string[] = [];
    const seen = new Set<string>();
    for (const c of candidates) {
      const key = `${c.host}:${c.port}`;
      if (seen.has(key)) continue;
      seen.add(key);
      try {
        const conn = await this.connectionTo(c.host, c.port, options.signal);
        if (typeof body !== "function") return await conn.request(apiKey, body, options);
        const version = options.version ?? conn.negotiatedVersion(apiKey, options.maxVersion);
        return await conn.request(apiKey, body(version), { ...options, version });
      } catch (e) {
        if (!(e instanceof KafkaConnectionError) && !(e as { retriable?: boolean }).retriable) {
          throw e;
        }
        errors.push((e as Error).message);
      }
    }
    throw new KafkaConnectionError(`No broker is reachable: ${errors.join("; ")}`);
  }

  /** Sends a request to a node. */
  async requestNode<K extends CodecApiKey>(
    nodeId: number,
    apiKey: K,
    body: ApiMessages[K]["requestInit"] | ((version: number) => ApiMessages[K]["requestInit"]),
    options: RequestOptions = {},
  ): Promise<ApiMessages[K]["response"]> {
    const conn = await this.connection(nodeId, options.signal);
    if (typeof body !== "function") return await conn.request(apiKey, body, options);
    const version = options.version ?? conn.negotiatedVersion(apiKey, options.maxVersion);
    return await conn.request(apiKey, body(version), { ...options, version });
  }

  /**
   * The coordinator of a group (key type 0) or transactional id (key type 1), via FindCoordinator.
   * Retries while the coordinator is loading or not available, within `attempts`.
   *
   * @example
   * ```ts
   * import { KafkaClient } from "@brook/kafka/client";
   * await using client = new KafkaClient({ bootstrapServers: "127.0.0.1:9092" });
   * const nodeId = await client.findCoordinator("orders-app", { keyType: 0 });
   * ```
   */
  async findCoordinator(key: string, options: FindCoordinatorOptions = {}): Promise<number> {
    const { keyType = 0, signal, attempts = FIND_COORDINATOR_ATTEMPTS } = options;
    for (let attempt = 0;; attempt++) {
      // Versions 4+ look keys up in a batch; older ones take one key.
      const res = await this.requestAny(
        ApiKey.FindCoordinator,
        (v) => (v >= 4 ? { keyType, coordinatorKeys: [key] } : { key, keyType }),
        { signal },
      );
      const answer = res.coordinators.length > 0
        ? res.coordinators[0]
        : { errorCode: res.errorCode, nodeId: res.nodeId, host: res.host, port: res.port };
      if (answer.errorCode === ErrorCode.NONE) {
        const brokers = this.#metadata?.brokers;
        if (brokers && !brokers.has(answer.nodeId)) {
          brokers.set(answer.nodeId, {
            nodeId: answer.nodeId,
            host: answer.host,
            port: answer.port,
            rack: null,
          });
        }
        return answer.nodeId;
      }
      if (!errorInfo(answer.errorCode).retriable || attempt + 1 >= attempts) {
        throw new KafkaProtocolError(answer.errorCode, {
          detail: `finding the coordinator of ${key}`,
        });
      }
      await sleep(this.retryBackoff(attempt), signal);
    }
  }

  /** The wait before retry `attempt`, from retry.backoff.ms and retry.backoff.max.ms. */
  retryBackoff(attempt: number): number {
    return backoffMs(attempt, {
      initialMs: this.options.retryBackoffMs ?? RETRY_BACKOFF_MS,
      maxMs: this.options.retryBackoffMaxMs ?? RETRY_BACKOFF_MAX_MS,
    });
  }

  /** Closes every connection. */
  async close(): Promise<void> {
    if (!this.#closed) await this.#telemetry?.close();
    this.#closed = true;
    const all = [...this.#connections.values()];
    this.#connections.clear();
    for (const c of await Promise.allSettled(all)) if (c.status === "fulfilled") c.value.close();
  }

  /** Closes the client, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

/** The telemetry resource Java's clients describe themselves with: rack, group, transactional id. */
function telemetryResource(options: ClientOptions): Record<string, string> {
  // Producers and consumers pass their own options through, with these when they have them.
  const o = options as ClientOptions & {
    groupId?: string;
    groupInstanceId?: string;
    transactionalId?: string;
  };
  const resource: Record<string, string> = {};
  if (o.transactionalId) resource["transactional_id"] = o.transactionalId;
  if (o.groupId) resource["group_id"] = o.groupId;
  if (o.groupInstanceId) resource["group_instance_id"] = o.groupInstanceId;
  if (o.clientRack) resource["client_rack"] = o.clientRack;
  return resource;
}

/** Parses "host:port" (and "[v6]:port"). */
export function parseAddress(text: string): { host: string; port: number } {
  const m = /^\[?([^\]]+?)\]?:(\d+)$/.exec(text);
  if (!m) throw new TypeError(`"${text}" is not host:port`);
  const port = Number(m[2]);
  if (port < 1 || port > 65535) throw new TypeError(`"${text}" has an invalid port`);
  return { host: m[1], port };
}
