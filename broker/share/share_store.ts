/**
 * The share partitions and share sessions of Brook's cluster (KIP-932). A share partition is
 * created on the partition's leader the first time a share group fetches it, starting where the
 * group's share.auto.offset.reset says. A share session (one per node, group and member) holds the
 * partitions a member fetches and the epoch its requests must carry; when it ends (epoch -1, or the
 * connection that opened it closes) the member's acquired records go back.
 *
 * @module
 */

import type { Partition } from "../metadata/topic_catalog.ts";
import type { BrokerConfigs } from "../configs/broker_configs.ts";
import type { GroupConfigs } from "../configs/group_configs.ts";
import { offsetForTimestamp } from "../log/offset_for_timestamp.ts";
import { type ShareLimits, SharePartition } from "./share_partition.ts";

/** A partition in a share session. */
export interface SessionPartition {
  topicId: string;
  partition: number;
  /** Newly added: the next answer includes it even without records. */
  requiresUpdate: boolean;
}

/** A share session: one member's fetches from one node. */
export interface ShareSession {
  readonly nodeId: number;
  readonly groupId: string;
  readonly memberId: string;
  /** The epoch the next request must carry. */
  epoch: number;
  readonly connectionId: string;
  /** In the order they were added. */
  readonly partitions: Map<string, SessionPartition>;
}

/** A partition's key in a session. */
export const partitionKey = (topicId: string, partition: number): string =>
  `${topicId}:${partition}`;

const sessionKey = (nodeId: number, groupId: string, memberId: string) =>
  `${nodeId}\0${groupId}\0${memberId}`;

/** Why a share partition could not start: Kafka's error code. */
export class ShareStartError extends Error {
  constructor(readonly errorCode: number, message: string) {
    super(message);
  }
}

const OFFSET_NOT_AVAILABLE = 78;

/** What the share store works with. */
export interface ShareStoreOptions {
  /** The broker configs (group.share.*). */
  readonly configs: BrokerConfigs;
  /** The groups' dynamic configs (share.auto.offset.reset, share.record.lock.duration.ms). */
  readonly groupConfigs: GroupConfigs;
  /** Wakes the fetches waiting for data: records became available again (a lock ran out). */
  readonly onAvailable: () => void;
}

/**
 * Share partitions and sessions.
 *
 * @example
 * ```ts
 * import { ShareStore } from "./share_store.ts";
 * import { BrokerConfigs } from "../configs/broker_configs.ts";
 * import { GroupConfigs } from "../configs/group_configs.ts";
 * const configs = new BrokerConfigs({ shared: {}, ofNode: () => ({}) });
 * const shares = new ShareStore({
 *   configs,
 *   groupConfigs: new GroupConfigs(configs),
 *   onAvailable: () => {},
 * });
 * console.log(shares.lockDurationMs("g")); // 30000
 * shares.close();
 * ```
 */
export class ShareStore {
  readonly #configs: BrokerConfigs;
  readonly #groupConfigs: GroupConfigs;
  readonly #onAvailable: () => void;
  readonly #partitions = new Map<string, SharePartition>();
  readonly #sessions = new Map<string, ShareSession>();

  constructor(options: ShareStoreOptions) {
    this.#configs = options.configs;
    this.#groupConfigs = options.groupConfigs;
    this.#onAvailable = options.onAvailable;
  }

  /** The limits a group's share partitions work within. */
  limits(groupId: string): ShareLimits {
    const configs = this.#configs;
    return {
      deliveryCountLimit: configs.staticNumber("group.share.delivery.count.limit"),
      maxRecordLocks: configs.staticNumber("group.share.partition.max.record.locks"),
      lockDurationMs: this.lockDurationMs(groupId),
    };
  }

  /** The acquisition lock duration of a group: its share.record.lock.duration.ms. */
  lockDurationMs(groupId: string): number {
    return this.#groupConfigs.number(groupId, "share.record.lock.duration.ms");
  }

  /** The group's share partition of a partition, if it has started. */
  existing(groupId: string, topicId: string, partition: number): SharePartition | undefined {
    return this.#partitions.get(`${groupId}\0${topicId}\0${partition}`);
  }

  /** The group's share partition of a partition, started as share.auto.offset.reset says. */
  partition(groupId: string, topicId: string, p: Partition): SharePartition {
    const key = `${groupId}\0${topicId}\0${p.index}`;
    let sp = this.#partitions.get(key);
    if (!sp) {
      sp = new SharePartition(
        this.#startOffset(groupId, p),
        this.#onAvailable,
      );
      this.#partitions.set(key, sp);
    }
    return sp;
  }

  /**
   * The start offset of a group's share partition as its share state holds it (-1 until first
   * written, as in Kafka), or undefined when there is no share state.
   */
  storedStartOffset(groupId: string, topicId: string, partition: number): bigint | undefined {
    return this.#partitions.get(`${groupId}\0${topicId}\0${partition}`)?.persistedStartOffset;
  }

  /**
   * Starts a group's share partition of a partition again at `startOffset`, its share state written
   * with it (AlterShareGroupOffsets, as Kafka 4.4 applies it).
   */
  alterStartOffset(groupId: string, topicId: string, partition: number, startOffset: bigint): void {
    const key = `${groupId}\0${topicId}\0${partition}`;
    this.#partitions.get(key)?.close();
    const sp = new SharePartition(startOffset, this.#onAvailable);
    sp.persistedStartOffset = startOffset;
    this.#partitions.set(key, sp);
  }

  /** Drops a group's share state of a topic (DeleteShareGroupOffsets). */
  dropTopic(groupId: string, topicId: string): void {
    this.#drop(`${groupId}\0${topicId}\0`);
  }

  /** Drops the share partitions whose keys start with `prefix`. */
  #drop(prefix: string): void {
    for (const [key, sp] of this.#partitions) {
      if (key.startsWith(prefix)) {
        sp.close();
        this.#partitions.delete(key);
      }
    }
  }

  #startOffset(groupId: string, p: Partition): bigint {
    const reset = this.#groupConfigs.value(groupId, "share.auto.offset.reset").toLowerCase();
    if (reset === "earliest") return p.log.logStartOffset;
    if (reset.startsWith("by_duration:")) {
      const ms = BigInt(Math.round(isoDurationMs(reset.slice("by_duration:".length))));
      const timestamp = BigInt(Date.now()) - ms;
      const found = offsetForTimestamp(p.log, timestamp);
      if (found.offset < 0n) {
        throw new ShareStartError(
          OFFSET_NOT_AVAILABLE,
          `Offset for timestamp ${timestamp} not found for topic partition: ${p.topic.name}-${p.index}`,
        );
      }
      return found.offset;
    }
    return p.log.highWatermark;
  }

  /** The member's session on a node, if any. */
  session(nodeId: number, groupId: string, memberId: string): ShareSession | undefined {
    return this.#sessions.get(sessionKey(nodeId, groupId, memberId));
  }

  /**
   * Opens a session (epoch 0), replacing the member's old one on that node without giving back its
   * records, as Kafka does. Returns undefined when the node holds group.share.max.share.sessions.
   */
  openSession(
    nodeId: number,
    groupId: string,
    memberId: string,
    connectionId: string,
  ): ShareSession | undefined {
    const key = sessionKey(nodeId, groupId, memberId);
    const replacing = this.#sessions.has(key);
    const max = this.#configs.staticNumber("group.share.max.share.sessions");
    const onNode = [...this.#sessions.values()].filter((s) => s.nodeId === nodeId).length;
    if (!replacing && onNode >= max) return undefined;
    const session: ShareSession = {
      nodeId,
      groupId,
      memberId,
      epoch: 1,
      connectionId,
      partitions: new Map(),
    };
    this.#sessions.set(key, session);
    return session;
  }

  /** Ends a session and gives back the member's acquired records of its partitions. */
  closeSession(session: ShareSession): void {
    const key = sessionKey(session.nodeId, session.groupId, session.memberId);
    if (this.#sessions.get(key) !== session) return;
    this.#sessions.delete(key);
    for (const sp of session.partitions.values()) {
      this.existing(session.groupId, sp.topicId, sp.partition)?.releaseMember(session.memberId);
    }
  }

  /** A connection closed: the sessions it opened end. */
  connectionClosed(connectionId: string): void {
    for (const session of [...this.#sessions.values()]) {
      if (session.connectionId === connectionId) this.closeSession(session);
    }
  }

  /** A share group was deleted: its share state goes with it. */
  dropGroup(groupId: string): void {
    this.#drop(`${groupId}\0`);
  }

  /** Stops every lock timer. */
  close(): void {
    for (const sp of this.#partitions.values()) sp.close();
  }
}

/** Milliseconds of an ISO-8601 duration as Java's Duration.parse reads it (PnDTnHnMn.nS). */
function isoDurationMs(text: string): number {
  const m = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:[.,]\d+)?)S)?)?$/i.exec(text);
  if (!m) return 0;
  const [, d, h, min, s] = m;
  return ((Number(d ?? 0) * 24 + Number(h ?? 0)) * 60 + Number(min ?? 0)) * 60_000 +
    Number((s ?? "0").replace(",", ".")) * 1000;
}
