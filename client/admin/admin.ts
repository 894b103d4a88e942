/**
 * Brook's admin client: topics (create, delete, list, describe, add partitions), the cluster,
 * configs, consumer groups and their offsets, share groups and their start offsets, partitions'
 * offsets and records, transactions.
 * Requests go where Kafka's Admin sends them (the controller, a group's coordinator, a partition's
 * leader, the broker a config belongs to), and retriable errors are retried within a timeout.
 *
 * @module
 */

import {
  type AclBinding,
  type AclBindingFilter,
  ErrorCode,
  KafkaProtocolError,
} from "../../codec/mod.ts";
import { createAcls, deleteAcls, describeAcls, type NewAcl } from "./acls.ts";
import {
  type ClusterDescription,
  describeCluster,
  describeMetadataQuorum,
  type QuorumInfo,
} from "./cluster.ts";
import { sleep } from "../backoff.ts";
import { KafkaClient, type TopicMetadata } from "../kafka_client.ts";
import {
  type ConfigEntry,
  type ConfigOp,
  type ConfigResource,
  describeConfigs,
  incrementalAlterConfigs,
} from "./configs.ts";
import {
  alterGroupOffsets,
  deleteGroupOffsets,
  deleteGroups,
  describeGroups,
  type GroupDescription,
  type GroupListing,
  type GroupOffset,
  listGroupOffsets,
  listGroups,
} from "./groups.ts";
import { deleteRecords, type ListedOffset, listOffsets, type OffsetSpec } from "./offsets.ts";
import {
  createPartitions,
  createTopics,
  deleteTopics,
  type NewTopic,
  type TopicCall,
} from "./topics.ts";
import {
  alterUserScramCredentials,
  describeUserScramCredentials,
  type ScramCredentialAlteration,
  type ScramUserDescription,
} from "./scram.ts";
import {
  deleteShareGroupOffsets,
  describeShareGroups,
  listShareGroupOffsets,
  type ShareGroupDescription,
  type ShareGroupOffset,
} from "./share_groups.ts";
import {
  describeTransactions,
  listTransactions,
  type TransactionDescription,
  type TransactionListing,
} from "./transactions.ts";
import type { TopicPartition, TopicPartitionOffset } from "../topic_partition.ts";
import { DEFAULT_API_TIMEOUT_MS } from "../defaults.ts";
import { retriableForAdmin } from "./retry.ts";
import type { AdminCallOptions, AdminOptions } from "./options.ts";

export type { AdminCallOptions, AdminOptions } from "./options.ts";

export type { NewAcl } from "./acls.ts";
export type { ClusterDescription, QuorumInfo, QuorumReplica } from "./cluster.ts";
export type { NewTopic } from "./topics.ts";
export type { ConfigEntry, ConfigOp, ConfigResource, ConfigSource } from "./configs.ts";
export type { GroupDescription, GroupListing, GroupOffset } from "./groups.ts";
export type { ListedOffset, OffsetSpec } from "./offsets.ts";
export type { ShareGroupDescription, ShareGroupOffset } from "./share_groups.ts";
export type { TransactionDescription, TransactionListing } from "./transactions.ts";

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
  /** The cluster client the admin sends its requests through. */
  readonly client: KafkaClient;
  readonly #ownsClient: boolean;
  readonly #defaultTimeoutMs: number;

  /** Creates an admin over its own connections, or over `client`'s when given (then closing the admin leaves them open). */
  constructor(options: AdminOptions, client?: KafkaClient) {
    this.client = client ?? new KafkaClient(options);
    this.#defaultTimeoutMs = options.defaultApiTimeoutMs ?? DEFAULT_API_TIMEOUT_MS;
    this.#ownsClient = client === undefined;
  }

  /** Runs `attempt` until it succeeds, fails for good, or the timeout passes. */
  async #retry<T>(options: AdminCallOptions, attempt: () => Promise<T>): Promise<T> {
    const deadline = Date.now() + (options.timeoutMs ?? this.#defaultTimeoutMs);
    for (let i = 0;; i++) {
      try {
        return await attempt();
      } catch (e) {
        if (!retriableForAdmin(e) || Date.now() >= deadline) throw e;
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
    await this.#retry(options, async () =>
      createTopics(this.client, topics, {
        ...await this.#topicCall(options),
        validateOnly: options.validateOnly ?? false,
      }));
  }

  /** Deletes topics by name. */
  async deleteTopics(names: string[], options: AdminCallOptions = {}): Promise<void> {
    await this.#retry(
      options,
      async () => deleteTopics(this.client, names, await this.#topicCall(options)),
    );
  }

  /** Grows topics to `count` partitions each. */
  async createPartitions(
    topics: { name: string; count: number }[],
    options: AdminCallOptions = {},
  ): Promise<void> {
    await this.#retry(
      options,
      async () => createPartitions(this.client, topics, await this.#topicCall(options)),
    );
  }

  async #topicCall(options: AdminCallOptions): Promise<TopicCall> {
    return {
      controller: await this.#controller(options.signal),
      timeoutMs: options.timeoutMs ?? this.#defaultTimeoutMs,
      signal: options.signal,
    };
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
    return await this.#retry(options, () => describeCluster(this.client, options.signal));
  }

  /**
   * The KRaft quorum of the cluster's metadata log: its leader, epoch, high watermark, voters and
   * observers (Kafka's describeMetadataQuorum).
   *
   * @example
   * ```ts
   * import { Admin } from "@brook/kafka/client";
   * await using admin = new Admin({ bootstrapServers: "127.0.0.1:9092" });
   * const quorum = await admin.describeMetadataQuorum();
   * console.log(quorum.leaderId, quorum.voters.map((v) => v.replicaId));
   * ```
   */
  async describeMetadataQuorum(options: AdminCallOptions = {}): Promise<QuorumInfo> {
    return await this.#retry(options, () => describeMetadataQuorum(this.client, options.signal));
  }

  /**
   * Every config of topics and brokers, with where each value comes from (and, when asked, the
   * values it overrides and its documentation).
   *
   * @example
   * ```ts
   * import { Admin } from "@brook/kafka/client";
   * await using admin = new Admin({ bootstrapServers: "127.0.0.1:9092" });
   * const [orders] = await admin.describeConfigs([{ type: "topic", name: "orders" }]);
   * console.log(orders.entries.find((e) => e.name === "retention.ms")?.value);
   * ```
   */
  async describeConfigs(
    resources: ConfigResource[],
    options: AdminCallOptions & { includeSynonyms?: boolean; includeDocumentation?: boolean } = {},
  ): Promise<{ resource: ConfigResource; entries: ConfigEntry[] }[]> {
    return await this.#retry(options, () => describeConfigs(this.client, resources, options));
  }

  /**
   * Changes configs of topics and brokers: set, delete (back to the default), append to or subtract
   * from a list value. With validateOnly, only checks the changes.
   *
   * @example
   * ```ts
   * import { Admin } from "@brook/kafka/client";
   * await using admin = new Admin({ bootstrapServers: "127.0.0.1:9092" });
   * await admin.incrementalAlterConfigs([{
   *   resource: { type: "topic", name: "orders" },
   *   ops: [{ name: "retention.ms", op: "set", value: "3600000" }],
   * }]);
   * ```
   */
  async incrementalAlterConfigs(
    changes: { resource: ConfigResource; ops: ConfigOp[] }[],
    options: AdminCallOptions & { validateOnly?: boolean } = {},
  ): Promise<void> {
    await this.#retry(options, () => incrementalAlterConfigs(this.client, changes, options));
  }

  /**
   * The groups of every broker, optionally only those in some states (e.g. "Stable", "Empty") or of
   * some types ("classic", "consumer").
   *
   * @example
   * ```ts
   * import { Admin } from "@brook/kafka/client";
   * await using admin = new Admin({ bootstrapServers: "127.0.0.1:9092" });
   * for (const g of await admin.listGroups()) console.log(g.groupId, g.state);
   * ```
   */
  async listGroups(
    options: AdminCallOptions & { states?: string[]; types?: string[] } = {},
  ): Promise<GroupListing[]> {
    return await this.#retry(options, () => listGroups(this.client, options));
  }

  /**
   * Groups with their state, chosen assignor and members (and, for consumer groups, each member's
   * partitions).
   *
   * @example
   * ```ts
   * import { Admin } from "@brook/kafka/client";
   * await using admin = new Admin({ bootstrapServers: "127.0.0.1:9092" });
   * const [billing] = await admin.describeGroups(["billing"]);
   * console.log(billing.state, billing.members.length);
   * ```
   */
  async describeGroups(
    groupIds: string[],
    options: AdminCallOptions = {},
  ): Promise<GroupDescription[]> {
    return await this.#retry(options, () => describeGroups(this.client, groupIds, options.signal));
  }

  /**
   * Deletes groups with no members, and their offsets.
   *
   * @example
   * ```ts
   * import { Admin } from "@brook/kafka/client";
   * await using admin = new Admin({ bootstrapServers: "127.0.0.1:9092" });
   * await admin.deleteGroups(["old-billing"]);
   * ```
   */
  async deleteGroups(groupIds: string[], options: AdminCallOptions = {}): Promise<void> {
    await this.#retry(options, () => deleteGroups(this.client, groupIds, options.signal));
  }

  /**
   * A group's committed offsets: all of them, or those of the given partitions.
   *
   * @example
   * ```ts
   * import { Admin } from "@brook/kafka/client";
   * await using admin = new Admin({ bootstrapServers: "127.0.0.1:9092" });
   * for (const o of await admin.listConsumerGroupOffsets("billing")) {
   *   console.log(o.topic, o.partition, o.offset);
   * }
   * ```
   */
  async listConsumerGroupOffsets(
    groupId: string,
    options: AdminCallOptions & { partitions?: TopicPartition[] } = {},
  ): Promise<GroupOffset[]> {
    return await this.#retry(
      options,
      () => listGroupOffsets(this.client, groupId, options),
    );
  }

  /**
   * Sets a group's committed offsets (a reset); the group must have no active members.
   *
   * @example
   * ```ts
   * import { Admin } from "@brook/kafka/client";
   * await using admin = new Admin({ bootstrapServers: "127.0.0.1:9092" });
   * await admin.alterConsumerGroupOffsets("billing", [{ topic: "orders", partition: 0, offset: 0n }]);
   * ```
   */
  async alterConsumerGroupOffsets(
    groupId: string,
    offsets: { topic: string; partition: number; offset: bigint; metadata?: string | null }[],
    options: AdminCallOptions = {},
  ): Promise<void> {
    await this.#retry(
      options,
      () => alterGroupOffsets(this.client, groupId, { offsets, signal: options.signal }),
    );
  }

  /**
   * Deletes a group's committed offsets of partitions that no member consumes.
   *
   * @example
   * ```ts
   * import { Admin } from "@brook/kafka/client";
   * await using admin = new Admin({ bootstrapServers: "127.0.0.1:9092" });
   * await admin.deleteConsumerGroupOffsets("billing", [{ topic: "old-orders", partition: 0 }]);
   * ```
   */
  async deleteConsumerGroupOffsets(
    groupId: string,
    partitions: TopicPartition[],
    options: AdminCallOptions = {},
  ): Promise<void> {
    await this.#retry(
      options,
      () => deleteGroupOffsets(this.client, groupId, { partitions, signal: options.signal }),
    );
  }

  /**
   * Looks up offsets of partitions: earliest, latest, that of the largest timestamp, or the first
   * at or after a timestamp; read_committed stops at the last stable offset.
   *
   * @example
   * ```ts
   * import { Admin } from "@brook/kafka/client";
   * await using admin = new Admin({ bootstrapServers: "127.0.0.1:9092" });
   * const [end] = await admin.listOffsets([{ topic: "orders", partition: 0, spec: "latest" }]);
   * console.log(end.offset);
   * ```
   */
  async listOffsets(
    requests: { topic: string; partition: number; spec: OffsetSpec }[],
    options: AdminCallOptions & { isolationLevel?: "read_uncommitted" | "read_committed" } = {},
  ): Promise<ListedOffset[]> {
    const timeoutMs = options.timeoutMs ?? this.#defaultTimeoutMs;
    return await this.#retry(
      options,
      () => listOffsets(this.client, requests, { ...options, timeoutMs }),
    );
  }

  /**
   * Deletes the records of partitions before `offset` (-1n: all of them); returns each partition's
   * new log start offset.
   *
   * @example
   * ```ts
   * import { Admin } from "@brook/kafka/client";
   * await using admin = new Admin({ bootstrapServers: "127.0.0.1:9092" });
   * await admin.deleteRecords([{ topic: "orders", partition: 0, offset: 100n }]);
   * ```
   */
  async deleteRecords(
    requests: TopicPartitionOffset[],
    options: AdminCallOptions = {},
  ): Promise<{ topic: string; partition: number; lowWatermark: bigint }[]> {
    const call = { signal: options.signal, timeoutMs: options.timeoutMs ?? this.#defaultTimeoutMs };
    return await this.#retry(options, () => deleteRecords(this.client, requests, call));
  }

  /**
   * The transactional ids of every broker, optionally only those in some states (e.g. "Ongoing")
   * or of some producer ids.
   *
   * @example
   * ```ts
   * import { Admin } from "@brook/kafka/client";
   * await using admin = new Admin({ bootstrapServers: "127.0.0.1:9092" });
   * console.log(await admin.listTransactions({ states: ["Ongoing"] }));
   * ```
   */
  async listTransactions(
    options: AdminCallOptions & { states?: string[]; producerIds?: bigint[] } = {},
  ): Promise<TransactionListing[]> {
    return await this.#retry(options, () => listTransactions(this.client, options));
  }

  /**
   * Transactional ids with their state, producer id and epoch, timeout and current partitions.
   *
   * @example
   * ```ts
   * import { Admin } from "@brook/kafka/client";
   * await using admin = new Admin({ bootstrapServers: "127.0.0.1:9092" });
   * const [tx] = await admin.describeTransactions(["billing-1"]);
   * console.log(tx.state, tx.partitions);
   * ```
   */
  async describeTransactions(
    transactionalIds: string[],
    options: AdminCallOptions = {},
  ): Promise<TransactionDescription[]> {
    return await this.#retry(
      options,
      () => describeTransactions(this.client, transactionalIds, options.signal),
    );
  }
  /**
   * The SCRAM credentials (mechanisms and iterations, never secrets) of `users`, or of every user
   * when none are named.
   *
   * @example
   * ```ts
   * import { Admin } from "@brook/kafka/client";
   * await using admin = new Admin({ bootstrapServers: "127.0.0.1:9092" });
   * console.log(await admin.describeUserScramCredentials(["alice"]));
   * ```
   */
  async describeUserScramCredentials(
    users?: string[],
    options: AdminCallOptions = {},
  ): Promise<ScramUserDescription[]> {
    return await this.#retry(
      options,
      () => describeUserScramCredentials(this.client, users, options.signal),
    );
  }

  /**
   * Creates, replaces or deletes users' SCRAM credentials. Passwords are salted here; only the salt
   * and the salted password are sent.
   *
   * @example
   * ```ts
   * import { Admin } from "@brook/kafka/client";
   * await using admin = new Admin({ bootstrapServers: "127.0.0.1:9092" });
   * await admin.alterUserScramCredentials([
   *   { op: "upsert", user: "alice", mechanism: "SCRAM-SHA-512", password: "secret" },
   * ]);
   * ```
   */
  async alterUserScramCredentials(
    alterations: ScramCredentialAlteration[],
    options: AdminCallOptions = {},
  ): Promise<void> {
    await alterUserScramCredentials(this.client, alterations, options.signal);
  }

  /**
   * Creates ACLs (the broker must run an authorizer, and the caller needs ALTER on the cluster).
   * An ACL already present is not an error.
   *
   * @example
   * ```ts
   * import { Admin } from "@brook/kafka/client";
   * import { AclOperation, AclPermission, AclResourceType } from "@brook/kafka/codec";
   * await using admin = new Admin({ bootstrapServers: "127.0.0.1:9092" });
   * await admin.createAcls([{
   *   resourceType: AclResourceType.TOPIC, resourceName: "orders", principal: "User:alice",
   *   operation: AclOperation.READ, permission: AclPermission.ALLOW,
   * }]);
   * ```
   */
  async createAcls(acls: NewAcl[], options: AdminCallOptions = {}): Promise<void> {
    await this.#retry(options, () => createAcls(this.client, acls, options.signal));
  }

  /**
   * The ACLs a filter selects; fields left out match anything.
   *
   * @example
   * ```ts
   * import { Admin } from "@brook/kafka/client";
   * import { AclResourceType } from "@brook/kafka/codec";
   * await using admin = new Admin({ bootstrapServers: "127.0.0.1:9092" });
   * console.log(await admin.describeAcls({ resourceType: AclResourceType.TOPIC }));
   * ```
   */
  async describeAcls(
    filter: AclBindingFilter = {},
    options: AdminCallOptions = {},
  ): Promise<AclBinding[]> {
    return await this.#retry(options, () => describeAcls(this.client, filter, options.signal));
  }

  /**
   * Deletes the ACLs the filters select, and returns them.
   *
   * @example
   * ```ts
   * import { Admin } from "@brook/kafka/client";
   * await using admin = new Admin({ bootstrapServers: "127.0.0.1:9092" });
   * const deleted = await admin.deleteAcls([{ principal: "User:alice" }]);
   * ```
   */
  async deleteAcls(
    filters: AclBindingFilter[],
    options: AdminCallOptions = {},
  ): Promise<AclBinding[]> {
    return await deleteAcls(this.client, filters, options.signal);
  }

  /** Share groups (KIP-932), with their members and what each is assigned. */
  async describeShareGroups(
    groupIds: string[],
    options: AdminCallOptions = {},
  ): Promise<ShareGroupDescription[]> {
    return await this.#retry(
      options,
      () => describeShareGroups(this.client, groupIds, options.signal),
    );
  }

  /** Where a share group starts each partition: all it has share state for, or those of `topics`. */
  async listShareGroupOffsets(
    groupId: string,
    options: AdminCallOptions & { topics?: { topic: string; partitions: number[] }[] } = {},
  ): Promise<ShareGroupOffset[]> {
    return await this.#retry(
      options,
      () => listShareGroupOffsets(this.client, groupId, options),
    );
  }

  /** Makes an empty share group forget where it was in whole topics. */
  async deleteShareGroupOffsets(
    groupId: string,
    topics: string[],
    options: AdminCallOptions = {},
  ): Promise<void> {
    await this.#retry(
      options,
      () => deleteShareGroupOffsets(this.client, groupId, { topics, signal: options.signal }),
    );
  }

  /** Closes the connections (when the admin opened them). */
  async close(): Promise<void> {
    if (this.#ownsClient) await this.client.close();
  }

  /** Closes the admin, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
