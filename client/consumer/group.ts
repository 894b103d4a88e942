/**
 * Membership in a classic consumer group: find the coordinator, join, run the assignor when leader,
 * sync, heartbeat independently of message processing, rejoin on rebalances (eagerly or
 * cooperatively, per the assignor), commit and fetch offsets, and leave.
 *
 * @module
 */

import { ApiKey, ErrorCode, errorInfo, KafkaProtocolError } from "../../codec/mod.ts";
import { sleep } from "../backoff.ts";
import type { KafkaClient } from "../kafka_client.ts";
import type { Assignor, TopicPartitions } from "./assignors.ts";
import { GroupCoordinatorLink } from "./group_offsets.ts";
import {
  decodeAssignment,
  decodeSubscription,
  encodeAssignment,
  encodeSubscription,
} from "../../codec/consumer_protocol.ts";
import type { TopicPartitionOffset } from "../topic_partition.ts";
import { JOIN_GROUP_TIMEOUT_LAPSE_MS } from "../defaults.ts";

/** Group settings, Kafka's consumer configs. */
export interface GroupOptions {
  groupId: string;
  groupInstanceId: string | null;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  heartbeatIntervalMs: number;
  assignors: Assignor[];
  rackId: string | null;
}

/** Callbacks around rebalances (Kafka's ConsumerRebalanceListener). */
export interface RebalanceListener {
  /** Called before partitions are taken away (commit their offsets here). */
  onPartitionsRevoked?(partitions: TopicPartitions[]): Promise<void> | void;
  /** Called after new partitions are given. */
  onPartitionsAssigned?(partitions: TopicPartitions[]): Promise<void> | void;
  /**
   * Called when partitions were lost rather than given up: the coordinator fenced or forgot the
   * member, so their offsets can no longer be committed. Defaults to onPartitionsRevoked, as in
   * Kafka's consumer.
   */
  onPartitionsLost?(partitions: TopicPartitions[]): Promise<void> | void;
}

const RETRIABLE_JOIN = new Set<number>([
  ErrorCode.COORDINATOR_LOAD_IN_PROGRESS,
  ErrorCode.COORDINATOR_NOT_AVAILABLE,
  ErrorCode.NOT_COORDINATOR,
  ErrorCode.REBALANCE_IN_PROGRESS,
]);

/** Commit errors after which the member joins again. */
const REJOIN_AFTER_COMMIT = new Set<number>([
  ErrorCode.REBALANCE_IN_PROGRESS,
  ErrorCode.ILLEGAL_GENERATION,
  ErrorCode.UNKNOWN_MEMBER_ID,
]);

function flatten(tps: TopicPartitions[]): Set<string> {
  const out = new Set<string>();
  for (const tp of tps) for (const p of tp.partitions) out.add(`${tp.topic}\u0000${p}`);
  return out;
}

/** Partition keys ("topic\0partition") grouped by topic, partitions in order. */
export function byTopic(keys: Iterable<string>): TopicPartitions[] {
  const m = new Map<string, number[]>();
  for (const k of keys) {
    const [topic, p] = k.split("\u0000");
    m.set(topic, [...(m.get(topic) ?? []), Number(p)]);
  }
  return [...m].map(([topic, partitions]) => ({
    topic,
    partitions: partitions.sort((a, b) => a - b),
  }));
}

/** What a consumer needs of its group membership, whichever rebalance protocol it speaks. */
export interface Membership {
  readonly memberId: string;
  /** The generation (classic) or member epoch (KIP-848) that commits carry. */
  readonly generation: number;
  readonly assignment: TopicPartitions[];
  readonly needsRejoin: boolean;
  ensureActive(topics: string[], signal?: AbortSignal): Promise<void>;
  committed(
    partitions: TopicPartitions[],
    signal?: AbortSignal,
    timeoutMs?: number,
  ): Promise<Map<string, bigint>>;
  commit(
    offsets: TopicPartitionOffset[],
    signal?: AbortSignal,
  ): Promise<void>;
  leave(): Promise<void>;
  requestRejoin(): void;
}

/** One member of a classic consumer group. */
export class GroupMember implements Membership {
  readonly #client: KafkaClient;
  readonly #options: GroupOptions;
  readonly #listener: RebalanceListener;
  #memberId = "";
  #generation = -1;
  readonly #link: GroupCoordinatorLink;
  #owned: TopicPartitions[] = [];
  #needsRejoin = true;
  /** True from JoinGroup to the end of SyncGroup: heartbeats pause then, as Java's do. */
  #joining = false;
  #heartbeat: Promise<void> | undefined;
  #stopped = false;
  #stopHeartbeat = new AbortController();

  constructor(client: KafkaClient, options: GroupOptions, listener: RebalanceListener) {
    this.#client = client;
    this.#options = options;
    this.#listener = listener;
    this.#link = new GroupCoordinatorLink(client, options.groupId);
  }

  /** The member id the coordinator gave. */
  get memberId(): string {
    return this.#memberId;
  }

  /** The current generation, -1 outside a group. */
  get generation(): number {
    return this.#generation;
  }

  /** The partitions this member owns. */
  get assignment(): TopicPartitions[] {
    return this.#owned;
  }

  /** True when the member must (re)join before it fetches. */
  get needsRejoin(): boolean {
    return this.#needsRejoin;
  }

  /** Joins (or rejoins) the group for `topics`; resolves when the member has an assignment. */
  async ensureActive(topics: string[], signal?: AbortSignal): Promise<void> {
    for (let attempt = 0; this.#needsRejoin && !this.#stopped; attempt++) {
      try {
        this.#joining = true;
        await this.#joinOnce(topics, signal);
      } catch (e) {
        if (!(e instanceof KafkaProtocolError) || !e.retriable && !RETRIABLE_JOIN.has(e.code)) {
          throw e;
        }
        if (
          e.code === ErrorCode.NOT_COORDINATOR || e.code === ErrorCode.COORDINATOR_NOT_AVAILABLE
        ) this.#link.forget();
        await sleep(this.#client.retryBackoff(attempt), signal);
      } finally {
        this.#joining = false;
      }
    }
    this.#heartbeat ??= this.#heartbeatLoop();
  }

  async #joinOnce(topics: string[], signal?: AbortSignal): Promise<void> {
    const o = this.#options;
    const eager = o.assignors.every((a) => a.rebalanceProtocol === "EAGER");
    if (eager && this.#owned.length > 0) await this.#revoke(this.#owned);
    const coordinator = await this.#link.id(signal);
    const protocols = o.assignors.map((a) => ({
      name: a.name,
      metadata: encodeSubscription({
        topics,
        userData: a.userData?.(this.#generation) ?? null,
        ownedPartitions: eager ? [] : this.#owned,
        generationId: this.#generation,
        rackId: o.rackId,
      }),
    }));
    const join = await this.#client.requestNode(coordinator, ApiKey.JoinGroup, {
      groupId: o.groupId,
      sessionTimeoutMs: o.sessionTimeoutMs,
      rebalanceTimeoutMs: o.rebalanceTimeoutMs,
      memberId: this.#memberId,
      groupInstanceId: o.groupInstanceId,
      protocolType: "consumer",
      protocols,
      reason: null,
    }, { signal, timeoutMs: o.rebalanceTimeoutMs + JOIN_GROUP_TIMEOUT_LAPSE_MS });
    if (join.errorCode === ErrorCode.MEMBER_ID_REQUIRED) {
      this.#memberId = join.memberId;
      throw new KafkaProtocolError(ErrorCode.REBALANCE_IN_PROGRESS, {
        detail: "rejoining with the member id",
      });
    }
    if (
      join.errorCode === ErrorCode.UNKNOWN_MEMBER_ID ||
      join.errorCode === ErrorCode.ILLEGAL_GENERATION
    ) {
      this.#resetMember();
      throw new KafkaProtocolError(ErrorCode.REBALANCE_IN_PROGRESS, {
        detail: "rejoining as a new member",
      });
    }
    if (join.errorCode !== ErrorCode.NONE) {
      throw new KafkaProtocolError(join.errorCode, { detail: `joining ${o.groupId}` });
    }
    this.#memberId = join.memberId;
    this.#generation = join.generationId;
    const assignor = o.assignors.find((a) => a.name === join.protocolName) ?? o.assignors[0];
    let assignments: { memberId: string; assignment: Uint8Array }[] = [];
    if (join.leader === join.memberId) {
      assignments = await this.#assign(assignor, join.members, signal);
    }
    const sync = await this.#client.requestNode(coordinator, ApiKey.SyncGroup, {
      groupId: o.groupId,
      generationId: join.generationId,
      memberId: join.memberId,
      groupInstanceId: o.groupInstanceId,
      protocolType: "consumer",
      protocolName: join.protocolName,
      assignments,
    }, { signal, timeoutMs: o.rebalanceTimeoutMs + JOIN_GROUP_TIMEOUT_LAPSE_MS });
    if (
      sync.errorCode === ErrorCode.UNKNOWN_MEMBER_ID ||
      sync.errorCode === ErrorCode.ILLEGAL_GENERATION
    ) {
      this.#resetMember();
      throw new KafkaProtocolError(ErrorCode.REBALANCE_IN_PROGRESS, {
        detail: "rejoining after a failed sync",
      });
    }
    if (sync.errorCode !== ErrorCode.NONE) {
      throw new KafkaProtocolError(sync.errorCode, { detail: `syncing ${o.groupId}` });
    }
    const assigned = decodeAssignment(sync.assignment).partitions;
    const before = flatten(this.#owned);
    const after = flatten(assigned);
    const revoked = [...before].filter((k) => !after.has(k));
    const added = [...after].filter((k) => !before.has(k));
    if (!eager && revoked.length > 0) {
      // Cooperative: give up what moves, then rejoin so that its new owner can get it.
      await this.#revoke(byTopic(revoked));
      this.#owned = byTopic([...before].filter((k) => after.has(k)));
      throw new KafkaProtocolError(ErrorCode.REBALANCE_IN_PROGRESS, {
        detail: "rejoining after revoking partitions",
      });
    }
    this.#owned = assigned;
    this.#needsRejoin = false;
    if (added.length > 0 || eager) {
      await this.#listener.onPartitionsAssigned?.(eager ? assigned : byTopic(added));
    }
  }

  async #assign(
    assignor: Assignor,
    members: { memberId: string; groupInstanceId: string | null; metadata: Uint8Array }[],
    signal?: AbortSignal,
  ): Promise<{ memberId: string; assignment: Uint8Array }[]> {
    const subs = members.map((m) => decodeSubscription(m.memberId, m.groupInstanceId, m.metadata));
    const topics = [...new Set(subs.flatMap((s) => s.topics))];
    const metadata = await this.#client.metadata(topics, { signal, force: true });
    const counts = new Map<string, number>();
    for (const t of topics) {
      const md = metadata.topics.get(t);
      if (md && md.errorCode === ErrorCode.NONE) counts.set(t, md.partitions.length);
    }
    const result = assignor.assign(subs, counts);
    return [...result].map(([memberId, tps]) => ({ memberId, assignment: encodeAssignment(tps) }));
  }

  async #revoke(partitions: TopicPartitions[]): Promise<void> {
    if (partitions.length > 0) await this.#listener.onPartitionsRevoked?.(partitions);
  }

  #resetMember(): void {
    this.#memberId = "";
    this.#generation = -1;
  }

  async #heartbeatLoop(): Promise<void> {
    const signal = this.#stopHeartbeat.signal;
    while (!this.#stopped) {
      try {
        await sleep(this.#options.heartbeatIntervalMs, signal);
      } catch {
        return;
      }
      // A member that must rejoin keeps its session alive until the application's next poll starts
      // the join, as Java's heartbeat thread does; during the join itself, heartbeats pause.
      if (this.#joining || this.#generation < 0) continue;
      try {
        const res = await this.#client.requestNode(this.#link.known, ApiKey.Heartbeat, {
          groupId: this.#options.groupId,
          generationId: this.#generation,
          memberId: this.#memberId,
          groupInstanceId: this.#options.groupInstanceId,
        }, { signal });
        if (res.errorCode === ErrorCode.NONE) continue;
        if (
          res.errorCode === ErrorCode.UNKNOWN_MEMBER_ID ||
          res.errorCode === ErrorCode.ILLEGAL_GENERATION
        ) this.#resetMember();
        if (
          res.errorCode === ErrorCode.NOT_COORDINATOR ||
          res.errorCode === ErrorCode.COORDINATOR_NOT_AVAILABLE
        ) this.#link.forget();
        this.#needsRejoin = true;
      } catch {
        if (this.#stopped) return;
        this.#link.forget();
        this.#needsRejoin = true;
      }
    }
  }

  /** The group's committed offsets of `partitions` (see {@linkcode GroupCoordinatorLink}). */
  committed(
    partitions: TopicPartitions[],
    signal?: AbortSignal,
    timeoutMs?: number,
  ): Promise<Map<string, bigint>> {
    return this.#link.committed(partitions, signal, timeoutMs);
  }

  /** Commits offsets (the next offset to read per partition) for the current generation. */
  async commit(
    offsets: TopicPartitionOffset[],
    signal?: AbortSignal,
  ): Promise<void> {
    try {
      await this.#link.commit(
        {
          generationIdOrMemberEpoch: this.#generation,
          memberId: this.#memberId,
          groupInstanceId: this.#options.groupInstanceId,
        },
        offsets,
        signal,
      );
    } catch (e) {
      if (e instanceof KafkaProtocolError && REJOIN_AFTER_COMMIT.has(e.code)) {
        this.#needsRejoin = true;
      }
      throw e;
    }
  }

  /** Leaves the group (static members stay, as Kafka's clients do) and stops heartbeats. */
  async leave(): Promise<void> {
    this.#stopped = true;
    this.#stopHeartbeat.abort();
    await this.#heartbeat;
    if (this.#generation < 0 || this.#link.known < 0) return;
    if (this.#options.groupInstanceId === null) {
      // The member goes in `members` (v3+, which every Kafka 4 broker serves).
      await this.#client.requestNode(this.#link.known, ApiKey.LeaveGroup, {
        groupId: this.#options.groupId,
        members: [{
          memberId: this.#memberId,
          groupInstanceId: null,
          reason: "the consumer is closing",
        }],
      }).catch(() => {});
    }
    this.#resetMember();
  }

  /** The coordinator's verdict is needed again: mark for rejoin (e.g. after a metadata change). */
  requestRejoin(): void {
    this.#needsRejoin = true;
  }

  /** True for errors a fetch loop may retry after rejoining. */
  static isRebalance(e: unknown): boolean {
    return e instanceof KafkaProtocolError &&
      (e.code === ErrorCode.REBALANCE_IN_PROGRESS || errorInfo(e.code).retriable);
  }
}
