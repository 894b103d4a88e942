/**
 * Brook's admin client: topics (create, delete, list, describe, add partitions) and the cluster.
 * Requests go to the controller (topic changes) or any broker (metadata), and retriable errors are
 * retried within a timeout.
 *
 * @module
 */

import { ApiKey, ErrorCode, KafkaProtocolError } from "../codec/mod.ts";
import { sleep } from "./backoff.ts";
import { type ClientOptions, KafkaClient, type TopicMetadata } from "./kafka_client.ts";

/** A topic to create. */
export interface NewTopic {
  name: string;
  /** Default: the broker's num.partitions. */
  partitions?: number;
  /** Default: the broker's default.replication.factor. */
  replicationFactor?: number;
  /** Replica node ids per partition, instead of partitions and replication factor. */
  assignments?: number[][];
  configs?: Record<string, string>;
}

/** Options of admin calls. */
export interface AdminCallOptions {
  /** How long the call may take, retries included. Default 30000. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** The cluster as DescribeCluster describes it. */
export interface ClusterDescription {
  clusterId: string;
  controllerId: number;
  brokers: { nodeId: number; host: string; port: number; rack: string | null }[];
}

const RETRIABLE_ADMIN = new Set<number>([ErrorCode.NOT_CONTROLLER, ErrorCode.REQUEST_TIMED_OUT]);
/** Retriable for clients that wait for a topic, but final for an admin asked about it. */
const FINAL_ADMIN = new Set<number>([
  ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
  ErrorCode.UNKNOWN_TOPIC_ID,
]);

/**
 * A Kafka admin client.
 *
 * @example
 * ```ts
 * import { Admin } from "@brook/kafka/client";
 * await using admin = new Admin({ bootstrapServers: "127.0.0.1:9092" });
 * await admin.createTopics([{ name: "orders", partitions: 6, replicationFactor: 1 }]);
 * console.log(await admin.listTopics());
 * ```
 */
export class Admin implements AsyncDisposable {
  readonly client: KafkaClient;
  readonly #ownsClient: boolean;

  constructor(options: ClientOptions, client?: KafkaClient) {
    this.client = client ?? new KafkaClient(options);
    this.#ownsClient = client === undefined;
  }

  /** Runs `attempt` until it succeeds, fails for good, or the timeout passes. */
  async #retry<T>(options: AdminCallOptions, attempt: () => Promise<T>): Promise<T> {
    const deadline = Date.now() + (options.timeoutMs ?? 30000);
    for (let i = 0;; i++) {
      try {
        return await attempt();
      } catch (e) {
        const retriable = e instanceof KafkaProtocolError
          ? !FINAL_ADMIN.has(e.code) && (RETRIABLE_ADMIN.has(e.code) || e.retriable)
          : (e as { retriable?: boolean }).retriable;
        if (!retriable || Date.now() >= deadline) throw e;
        this.client.invalidateMetadata();
        await sleep(
          Math.min(this.client.retryBackoff(i), Math.max(0, deadline - Date.now())),
          options.signal,
        );
      }
    }
  }

  async #controller(signal?: AbortSignal): Promise<number> {
    const md = await this.client.metadata(null, { signal, force: true });
    return md.controllerId >= 0 ? md.controllerId : [...md.brokers.keys()][0];
  }

  /** Creates topics; rejects with the first topic's error (naming the topic) if any fails. */
  async createTopics(
    topics: NewTopic[],
    options: AdminCallOptions & { validateOnly?: boolean } = {},
  ): Promise<void> {
    await this.#retry(options, async () => {
      const res = await this.client.requestNode(
        await this.#controller(options.signal),
        ApiKey.CreateTopics,
        {
          topics: topics.map((t) => ({
            name: t.name,
            numPartitions: t.assignments ? -1 : t.partitions ?? -1,
            replicationFactor: t.assignments ? -1 : t.replicationFactor ?? -1,
            assignments: (t.assignments ?? []).map((brokerIds, partitionIndex) => ({
              partitionIndex,
              brokerIds,
            })),
            configs: Object.entries(t.configs ?? {}).map(([name, value]) => ({ name, value })),
          })),
          timeoutMs: options.timeoutMs ?? 30000,
          validateOnly: options.validateOnly ?? false,
        },
        { signal: options.signal },
      );
      for (const t of res.topics) {
        if (t.errorCode !== ErrorCode.NONE) {
          throw new KafkaProtocolError(t.errorCode, {
            detail: `topic ${t.name}${t.errorMessage ? `: ${t.errorMessage}` : ""}`,
          });
        }
      }
    });
  }

  /** Deletes topics by name. */
  async deleteTopics(names: string[], options: AdminCallOptions = {}): Promise<void> {
    await this.#retry(options, async () => {
      const res = await this.client.requestNode(
        await this.#controller(options.signal),
        ApiKey.DeleteTopics,
        (v: number) =>
          v >= 6
            ? { topics: names.map((name) => ({ name })), timeoutMs: options.timeoutMs ?? 30000 }
            : { topicNames: names, timeoutMs: options.timeoutMs ?? 30000 },
      );
      for (const t of res.responses) {
        if (t.errorCode !== ErrorCode.NONE) {
          throw new KafkaProtocolError(t.errorCode, { detail: `topic ${t.name}` });
        }
      }
    });
  }

  /** Grows topics to `count` partitions each. */
  async createPartitions(
    topics: { name: string; count: number }[],
    options: AdminCallOptions = {},
  ): Promise<void> {
    await this.#retry(options, async () => {
      const res = await this.client.requestNode(
        await this.#controller(options.signal),
        ApiKey.CreatePartitions,
        {
          topics: topics.map((t) => ({ name: t.name, count: t.count, assignments: null })),
          timeoutMs: options.timeoutMs ?? 30000,
          validateOnly: false,
        },
      );
      for (const r of res.results) {
        if (r.errorCode !== ErrorCode.NONE) {
          throw new KafkaProtocolError(r.errorCode, {
            detail: `topic ${r.name}: ${r.errorMessage ?? ""}`,
          });
        }
      }
    });
  }

  /** Topic names, without internal topics unless asked. */
  async listTopics(
    options: AdminCallOptions & { includeInternal?: boolean } = {},
  ): Promise<string[]> {
    const md = await this.#retry(
      options,
      () => this.client.metadata(null, { signal: options.signal, force: true }),
    );
    return [...md.topics.values()].filter((t) => options.includeInternal || !t.isInternal).map((
      t,
    ) => t.name).sort();
  }

  /** Topics with their partitions, leaders, replicas and in-sync replicas. */
  async describeTopics(names: string[], options: AdminCallOptions = {}): Promise<TopicMetadata[]> {
    return await this.#retry(options, async () => {
      const md = await this.client.metadata(names, { signal: options.signal, force: true });
      return names.map((name) => {
        const t = md.topics.get(name);
        const code = t?.errorCode ?? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
        if (code !== ErrorCode.NONE) {
          throw new KafkaProtocolError(code, { detail: `topic ${name}` });
        }
        return t!;
      });
    });
  }

  /** The cluster id, controller and brokers. */
  async describeCluster(options: AdminCallOptions = {}): Promise<ClusterDescription> {
    return await this.#retry(options, async () => {
      const res = await this.client.requestAny(ApiKey.DescribeCluster, {
        includeClusterAuthorizedOperations: false,
      }, { signal: options.signal });
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
    });
  }

  /** Closes the connections (when the admin opened them). */
  async close(): Promise<void> {
    if (this.#ownsClient) await this.client.close();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
