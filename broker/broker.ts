/**
 * Brook's embedded Kafka broker: one or several nodes in one process, in memory, started in
 * milliseconds.
 *
 * @module
 */

import { Cluster, type CreateTopicOptions, type Topic, validateTopicName } from "./cluster.ts";
import type { Interceptor } from "./dispatcher.ts";
import { HANDLERS } from "./handlers/mod.ts";
import { BrokerNode } from "./node.ts";

/** Options of {@linkcode Broker.start}. */
export interface BrokerOptions {
  /** Number of nodes (brokers), each with its own listener. Default 1. */
  nodes?: number;
  /** The address to listen on and advertise. Default "127.0.0.1". */
  host?: string;
  /**
   * The first node's port; node i listens on port + i. Default 0: every node gets a free port.
   */
  port?: number;
  /** The cluster id Metadata and DescribeCluster report. Default a random Kafka UUID. */
  clusterId?: string;
  /** Partitions of auto-created topics and of topics created without a count (num.partitions). Default 1. */
  defaultPartitions?: number;
  /** Replication factor of new topics (default.replication.factor). Default min(3, nodes). */
  defaultReplicationFactor?: number;
  /** auto.create.topics.enable. Default true. */
  autoCreateTopics?: boolean;
  /** Node racks, by node index (broker.rack). Default none. */
  racks?: (string | null)[];
  /** socket.request.max.bytes. Default 104857600 (100 MiB). */
  maxRequestBytes?: number;
  /** Topics to create at start, by name. */
  topics?: Record<string, CreateTopicOptions>;
}

/**
 * An in-memory Kafka cluster that speaks Kafka's wire protocol on real sockets.
 *
 * @example
 * ```ts
 * import { Broker } from "@brook/kafka/broker";
 * await using broker = await Broker.start({ nodes: 3 });
 * console.log(broker.bootstrapServers); // "127.0.0.1:40001,127.0.0.1:40002,127.0.0.1:40003"
 * ```
 */
export class Broker implements AsyncDisposable {
  /** The cluster's state: topics, partitions, logs. */
  readonly cluster: Cluster;
  readonly #nodes: BrokerNode[];
  readonly #interceptors: Interceptor[] = [];
  #closed = false;

  private constructor(cluster: Cluster, nodes: BrokerNode[], interceptors: Interceptor[]) {
    this.cluster = cluster;
    this.#nodes = nodes;
    this.#interceptors = interceptors;
  }

  /**
   * Starts a broker whose every node accepts connections when the promise resolves.
   *
   * @example
   * ```ts
   * import { Broker } from "@brook/kafka/broker";
   * const broker = await Broker.start({ topics: { orders: { partitions: 3 } } });
   * await broker.close();
   * ```
   */
  static start(options: BrokerOptions = {}): Promise<Broker> {
    const count = options.nodes ?? 1;
    if (!Number.isInteger(count) || count < 1) {
      return Promise.reject(new RangeError(`A broker needs at least one node, got ${count}`));
    }
    const host = options.host ?? "127.0.0.1";
    const cluster = new Cluster({
      clusterId: options.clusterId,
      defaultPartitions: options.defaultPartitions,
      defaultReplicationFactor: options.defaultReplicationFactor,
      autoCreateTopics: options.autoCreateTopics,
    });
    const interceptors: Interceptor[] = [];
    const nodes: BrokerNode[] = [];
    for (let i = 0; i < count; i++) {
      const info = {
        nodeId: i + 1,
        host,
        port: options.port ? options.port + i : 0,
        rack: options.racks?.[i] ?? null,
      };
      cluster.addNode(info);
      nodes.push(
        new BrokerNode(info, cluster, {
          host,
          port: info.port,
          maxRequestBytes: options.maxRequestBytes ?? 104857600,
          handlers: HANDLERS,
          interceptors,
        }),
      );
    }
    const broker = new Broker(cluster, nodes, interceptors);
    try {
      for (const node of nodes) node.listen();
    } catch (e) {
      for (const node of nodes) node.close();
      return Promise.reject(e);
    }
    for (const [name, topicOptions] of Object.entries(options.topics ?? {})) {
      broker.createTopic(name, topicOptions);
    }
    return Promise.resolve(broker);
  }

  /** "host:port" of every node, comma-separated, as clients take bootstrap servers. */
  get bootstrapServers(): string {
    return this.cluster.nodes.map((n) => `${n.host}:${n.port}`).join(",");
  }

  /** The nodes' listeners. */
  get nodes(): readonly BrokerNode[] {
    return this.#nodes;
  }

  /**
   * Creates a topic, as CreateTopics would.
   *
   * @example
   * ```ts
   * import { Broker } from "@brook/kafka/broker";
   * await using broker = await Broker.start();
   * broker.createTopic("events", { partitions: 6, configs: { "cleanup.policy": "compact" } });
   * ```
   */
  createTopic(name: string, options: CreateTopicOptions = {}): Topic {
    const check = validateTopicName(name);
    if (!check.ok) throw new RangeError(check.message);
    if (this.cluster.topics.has(name)) throw new RangeError(`Topic '${name}' already exists.`);
    return this.cluster.createTopic(name, options);
  }

  /** Adds an interceptor that sees every request before its handler (fault injection, recording). */
  intercept(interceptor: Interceptor): void {
    this.#interceptors.push(interceptor);
  }

  /** Stops every node and closes every connection. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all(this.#nodes.map((n) => n.close()));
  }

  /** Closes the broker at the end of an `await using` block. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
