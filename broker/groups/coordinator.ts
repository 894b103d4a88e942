/**
 * The group coordinator of Brook's cluster: which node coordinates a group (as Kafka, the leader of
 * the __consumer_offsets partition its id hashes to), the classic groups with their session timers,
 * and the offsets they commit.
 *
 * @module
 */

import { ErrorCode } from "../../codec/mod.ts";
import { OFFSETS_TOPIC } from "../metadata/topic_catalog.ts";
import type { GroupConfigs } from "../configs/group_configs.ts";
import type { TransactionCompletion } from "../transactions/transaction_completed.ts";
import type { GroupCoordinatorOptions, GroupMetadata, GroupRequest } from "./group_services.ts";
import { joinClassicGroup } from "./classic_join.ts";
import { javaHash } from "../metadata/java_hash.ts";
import {
  ClassicGroup,
  type CommittedOffset,
  joinError,
  type JoinResult,
  type Member,
} from "./classic_group.ts";
import {
  type ClassicJoin,
  ClassicMembers,
  downgradeToClassic,
  upgradeFromClassic,
} from "./classic_members.ts";
import { ConsumerGroup, type ConsumerMember } from "./consumer_group.ts";
import { ShareGroup } from "../share/share_group.ts";
import { StreamsCoordinator } from "../streams/coordinator.ts";
import {
  metadataSignature as shareMetadataSignature,
  shareGroupHeartbeat,
  type ShareHeartbeatAnswer,
  type ShareHeartbeatClient,
  type ShareHeartbeatRequest,
} from "../share/share_heartbeat.ts";
import {
  consumerGroupHeartbeat,
  type HeartbeatAnswer,
  type HeartbeatRequest,
  Refusal,
  regexMatcher,
} from "./consumer_heartbeat.ts";

export { OFFSETS_TOPIC };
export type { GroupRequest };

/**
 * The group coordinator.
 *
 * @example
 * ```ts
 * import { GroupCoordinator } from "./coordinator.ts";
 * import { GroupConfigs } from "../configs/group_configs.ts";
 * import { Cluster } from "../metadata/cluster.ts";
 * const cluster = new Cluster();
 * const groups = new GroupCoordinator({
 *   topics: cluster,
 *   configs: cluster.configs,
 *   groupConfigs: new GroupConfigs(cluster.configs),
 * });
 * console.log(groups.partitionFor("my-group")); // its __consumer_offsets partition
 * ```
 */
export class GroupCoordinator {
  readonly #meta: GroupMetadata;
  /** Classic groups; a group id is either here or in `consumerGroups`. */
  readonly groups: Map<string, ClassicGroup> = new Map();
  /** Groups of the consumer rebalance protocol (KIP-848). */
  readonly consumerGroups: Map<string, ConsumerGroup> = new Map();
  /** Share groups (KIP-932). A group id names one group of one kind. */
  readonly shareGroups: Map<string, ShareGroup> = new Map();
  /** Called when a share-group member leaves or is fenced (its acquired records go back). */
  onShareMemberLeft: (groupId: string, memberId: string) => void = () => {};
  /** Called when a share group is deleted (its share-partition state goes with it). */
  onShareGroupDeleted: (groupId: string) => void = () => {};
  /** Dynamic group configs (GROUP resources), by group id; kept whether the group exists or not. */
  readonly groupConfigs: GroupConfigs;
  /** Offsets staged by open transactions: group id to producer id to "topic\0partition". */
  readonly #pendingTxnOffsets = new Map<string, Map<bigint, Map<string, CommittedOffset>>>();
  /** group.initial.rebalance.delay.ms (Brook's default is 0, Kafka's 3000). */
  initialRebalanceDelayMs = 0;

  /** Classic members' requests to consumer groups. */
  readonly classicMembers: ClassicMembers;
  /** Streams groups (KIP-1071). A group id names one group of one kind. */
  readonly streams: StreamsCoordinator;

  constructor(options: GroupCoordinatorOptions) {
    const meta: GroupMetadata = { topics: options.topics, configs: options.configs };
    this.#meta = meta;
    this.groupConfigs = options.groupConfigs;
    this.classicMembers = new ClassicMembers(this, meta);
    this.streams = new StreamsCoordinator({
      partitionCount: (name) => meta.topics.byName.get(name)?.partitions.length,
      createTopic: (name, o) => {
        meta.topics.createTopic(name, {
          partitions: o.partitions,
          replicationFactor: o.replicationFactor === -1 ? undefined : o.replicationFactor,
          configs: o.configs,
        });
      },
    }, {
      heartbeatIntervalMs: (g) => this.groupNumber(g, "streams.heartbeat.interval.ms"),
      sessionTimeoutMs: (g) => this.groupNumber(g, "streams.session.timeout.ms"),
      numStandbyReplicas: (g) => this.groupNumber(g, "streams.num.standby.replicas"),
    });
  }

  /** The node coordinating `groupId`, creating __consumer_offsets on first use. */
  coordinatorFor(groupId: string): number {
    let topic = this.#meta.topics.byName.get(OFFSETS_TOPIC);
    if (!topic) {
      topic = this.#meta.topics.createTopic(OFFSETS_TOPIC, {
        partitions: this.#meta.configs.staticNumber("offsets.topic.num.partitions"),
        internal: true,
      });
    }
    return topic.partitions[this.partitionFor(groupId)].leader;
  }

  /** The __consumer_offsets partition a group lives on. */
  partitionFor(groupId: string): number {
    const h = javaHash(groupId);
    const partitions = this.#meta.configs.staticNumber("offsets.topic.num.partitions");
    return (h === -2147483648 ? 0 : Math.abs(h)) % partitions;
  }

  /** NOT_COORDINATOR unless this node coordinates the group; INVALID_GROUP_ID for an empty id. */
  check(groupId: string, ctx: GroupRequest): number {
    if (groupId === "") return ErrorCode.INVALID_GROUP_ID;
    return this.coordinatorFor(groupId) === ctx.node.nodeId
      ? ErrorCode.NONE
      : ErrorCode.NOT_COORDINATOR;
  }

  /** The group, created empty when asked to. */
  group(groupId: string, create = false): ClassicGroup | undefined {
    let g = this.groups.get(groupId);
    if (!g && create) {
      g = new ClassicGroup(groupId, this.initialRebalanceDelayMs);
      this.groups.set(groupId, g);
    }
    return g;
  }

  /** JoinGroup, with Kafka's checks before the state machine. */
  async join(
    req: ClassicJoin,
    ctx: GroupRequest,
  ): Promise<JoinResult> {
    const fail = (errorCode: number, memberId = req.memberId) => joinError(memberId, errorCode);
    const check = this.check(req.groupId, ctx);
    if (check !== ErrorCode.NONE) return fail(check);
    const configs = this.#meta.configs;
    if (
      req.sessionTimeoutMs < configs.staticNumber("group.min.session.timeout.ms") ||
      req.sessionTimeoutMs > configs.staticNumber("group.max.session.timeout.ms")
    ) {
      return fail(ErrorCode.INVALID_SESSION_TIMEOUT);
    }
    if (req.protocolType === "" || req.protocols.length === 0) {
      return fail(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    }
    if (this.shareGroups.has(req.groupId) || this.streams.groups.has(req.groupId)) {
      return joinError("", ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    }
    const consumer = this.consumerGroups.get(req.groupId);
    if (consumer) {
      // A consumer group with members takes classic members in (KIP-848's online migration).
      if (consumer.members.size > 0) {
        return this.classicMembers.join(consumer, req, ctx.apiVersion, {
          clientId: ctx.header.clientId ?? "",
          clientHost: `/${ctx.connection.remoteAddress}`,
        });
      }
      this.classicInPlaceOf(req.groupId);
    }
    const group = this.group(req.groupId, true)!;
    return await joinClassicGroup(group, req, ctx, (g, m) => this.touch(g, m));
  }

  /** Restarts a member's session timer (a heartbeat, join or sync). */
  touch(group: ClassicGroup, m: Member): void {
    clearTimeout(m.sessionTimer);
    m.sessionTimer = setTimeout(() => {
      if (group.members.get(m.memberId) === m) group.removeMember(m);
    }, m.sessionTimeoutMs);
  }

  /** Stages offsets committed inside producer `producerId`'s open transaction (TxnOffsetCommit). */
  addTransactionalOffsets(
    groupId: string,
    producerId: bigint,
    offsets: Iterable<[string, CommittedOffset]>,
  ): void {
    let byProducer = this.#pendingTxnOffsets.get(groupId);
    if (!byProducer) {
      byProducer = new Map();
      this.#pendingTxnOffsets.set(groupId, byProducer);
    }
    let staged = byProducer.get(producerId);
    if (!staged) {
      staged = new Map();
      byProducer.set(producerId, staged);
    }
    for (const [key, offset] of offsets) staged.set(key, offset);
  }

  /** A transaction's marker reached the group: its staged offsets become committed, or are dropped. */
  completeTransaction(groupId: string, producerId: bigint, commit: boolean): void {
    const byProducer = this.#pendingTxnOffsets.get(groupId);
    const staged = byProducer?.get(producerId);
    if (!staged) return;
    byProducer!.delete(producerId);
    if (byProducer!.size === 0) this.#pendingTxnOffsets.delete(groupId);
    if (!commit) return;
    const offsets = this.offsets(groupId);
    for (const [key, offset] of staged) offsets.set(key, offset);
  }

  /**
   * A transaction's markers were written (Kafka's onTransactionCompleted): the producer's staged
   * offsets of every group placed on an offsets partition that got a marker (WriteTxnMarkers), and of
   * the groups the transaction named, become committed or are dropped.
   */
  onTransactionCompleted(completion: TransactionCompletion): void {
    const { producerId, commit, offsetsPartitions, groups } = completion;
    if (offsetsPartitions.length > 0) {
      for (const groupId of [...this.#pendingTxnOffsets.keys()]) {
        if (offsetsPartitions.includes(this.partitionFor(groupId))) {
          this.completeTransaction(groupId, producerId, commit);
        }
      }
    }
    for (const groupId of groups) this.completeTransaction(groupId, producerId, commit);
  }

  /** True while an open transaction holds an offset for the partition (OffsetFetch requireStable). */
  hasPendingOffset(groupId: string, key: string): boolean {
    for (const staged of this.#pendingTxnOffsets.get(groupId)?.values() ?? []) {
      if (staged.has(key)) return true;
    }
    return false;
  }

  /** Committed offsets of a group (a classic group is created empty when there is none). */
  offsets(groupId: string): Map<string, CommittedOffset> {
    return this.consumerGroups.get(groupId)?.offsets ?? this.streams.groups.get(groupId)?.offsets ??
      this.group(groupId, true)!.offsets;
  }

  /** A ConsumerGroupHeartbeat, answered as Kafka's group coordinator answers it. */
  heartbeat(
    req: HeartbeatRequest,
    client: { apiVersion: number; clientId: string; clientHost: string },
  ): HeartbeatAnswer {
    return consumerGroupHeartbeat(this, this.#meta, req, client);
  }

  /** A ShareGroupHeartbeat, answered as Kafka's group coordinator answers it. */
  shareHeartbeat(req: ShareHeartbeatRequest, client: ShareHeartbeatClient): ShareHeartbeatAnswer {
    return shareGroupHeartbeat(this, this.#meta, req, client);
  }

  /**
   * The consumer group `groupId`; when `create`, a new one, which replaces an empty classic group
   * (keeping its offsets) once {@linkcode adopt}ed. Refusals are Kafka's.
   */
  consumerGroupFor(groupId: string, create: boolean): ConsumerGroup {
    const existing = this.consumerGroups.get(groupId);
    if (existing) return existing;
    if (this.shareGroups.has(groupId)) {
      throw new Refusal(ErrorCode.GROUP_ID_NOT_FOUND, `Group ${groupId} is not a consumer group.`);
    }
    const classic = this.groups.get(groupId);
    if (!classic) {
      if (!create) {
        throw new Refusal(ErrorCode.GROUP_ID_NOT_FOUND, `Consumer group ${groupId} not found.`);
      }
      return new ConsumerGroup(groupId);
    }
    if (!create) {
      throw new Refusal(ErrorCode.GROUP_ID_NOT_FOUND, `Group ${groupId} is not a consumer group.`);
    }
    if (classic.state !== "Empty") return upgradeFromClassic(classic, this.#meta);
    const converted = new ConsumerGroup(groupId);
    converted.offsets = classic.offsets;
    return converted;
  }

  /**
   * Registers a group {@linkcode consumerGroupFor} created, in place of any classic group: that
   * group's pending joins and syncs are told to rebalance, its members' sessions go on.
   */
  adopt(group: ConsumerGroup): void {
    if (this.consumerGroups.get(group.groupId) === group) return;
    const classic = this.groups.get(group.groupId);
    if (classic) {
      classic.failWaiters(ErrorCode.REBALANCE_IN_PROGRESS);
      classic.close();
      this.groups.delete(group.groupId);
    }
    this.consumerGroups.set(group.groupId, group);
    for (const m of group.classicMembers()) this.armTimers(group, m, false);
  }

  /** An empty consumer group gives way to a classic group that keeps its offsets (JoinGroup). */
  classicInPlaceOf(groupId: string): void {
    const consumer = this.consumerGroups.get(groupId);
    if (!consumer || consumer.members.size > 0) return;
    this.consumerGroups.delete(groupId);
    consumer.close();
    const classic = this.group(groupId, true)!;
    for (const [k, v] of consumer.offsets) classic.offsets.set(k, v);
  }

  /**
   * Checks the member an offset request names against a consumer group: none (a negative epoch
   * and no id) passes; an unknown one is UNKNOWN_MEMBER_ID; another epoch is STALE_MEMBER_EPOCH.
   */
  checkConsumerMember(group: ConsumerGroup, memberId: string | null, memberEpoch: number): number {
    if (memberId === null && memberEpoch < 0) return ErrorCode.NONE;
    const member = memberId === null ? undefined : group.members.get(memberId);
    if (!member) return ErrorCode.UNKNOWN_MEMBER_ID;
    if (member.memberEpoch === memberEpoch) return ErrorCode.NONE;
    return member.classic ? ErrorCode.ILLEGAL_GENERATION : ErrorCode.STALE_MEMBER_EPOCH;
  }

  /** Removes a member (it left, or its session or rebalance timed out); the group epoch moves. */
  fence(group: ConsumerGroup, memberIds: string[]): void {
    if (this.consumerGroups.get(group.groupId) !== group) return;
    const leaving = memberIds.flatMap((id) => group.members.get(id) ?? []);
    const staying = [...group.members.values()].filter((m) => !leaving.includes(m));
    // As Kafka: when the last consumer-protocol members leave a group of classic members, it
    // becomes a classic group again (if the migration policy allows downgrades).
    const policy = this.#meta.configs.staticValue("group.consumer.migration.policy");
    if (
      staying.length > 0 && staying.every((m) => m.classic !== null) &&
      leaving.every((m) => m.classic === null) &&
      (policy === "downgrade" || policy === "bidirectional")
    ) {
      this.#replaceWithClassic(
        group,
        downgradeToClassic(group, staying, this.#meta, this.initialRebalanceDelayMs),
      );
      return;
    }
    for (const m of leaving) group.removeMember(m.memberId);
    group.groupEpoch++;
    group.metadataSignature = this.metadataSignature(group, staying);
  }

  #replaceWithClassic(consumer: ConsumerGroup, classic: ClassicGroup): void {
    consumer.close();
    this.consumerGroups.delete(consumer.groupId);
    this.groups.set(classic.groupId, classic);
    for (const m of classic.members.values()) this.touch(classic, m);
    classic.prepareRebalance();
  }

  /**
   * The share group `groupId`; a new one (registered by its first successful heartbeat) when
   * `create`. Refusals are Kafka's.
   */
  shareGroupFor(groupId: string, create: boolean): ShareGroup {
    const existing = this.shareGroups.get(groupId);
    if (existing) return existing;
    if (this.groups.has(groupId) || this.consumerGroups.has(groupId)) {
      throw new Refusal(ErrorCode.GROUP_ID_NOT_FOUND, `Group ${groupId} is not a share group.`);
    }
    if (!create) {
      throw new Refusal(ErrorCode.GROUP_ID_NOT_FOUND, `Share group ${groupId} not found.`);
    }
    return new ShareGroup(groupId);
  }

  /** Removes a share-group member (it left, or its session ended); the group epoch moves. */
  fenceShareMember(group: ShareGroup, memberId: string): void {
    if (this.shareGroups.get(group.groupId) !== group || !group.members.has(memberId)) return;
    group.removeMember(memberId);
    group.groupEpoch++;
    group.metadataSignature = shareMetadataSignature(this.#meta, [...group.members.values()]);
    this.onShareMemberLeft(group.groupId, memberId);
  }

  /** Deletes an empty share group, and the share state of its partitions. */
  deleteShareGroup(group: ShareGroup): void {
    group.close();
    group.dead = true;
    this.shareGroups.delete(group.groupId);
    this.onShareGroupDeleted(group.groupId);
  }

  /** A group's value of a numeric group config (its override, else the broker's default). */
  groupNumber(groupId: string, name: string): number {
    return this.groupConfigs.number(groupId, name);
  }

  /** The session timer of a member, and its rebalance timer while it has partitions to revoke. */
  armTimers(group: ConsumerGroup, member: ConsumerMember, reconciled: boolean): void {
    const id = member.memberId;
    clearTimeout(member.sessionTimer);
    const session = setTimeout(
      () => {
        if (group.members.get(id)?.sessionTimer === session) this.fence(group, [id]);
      },
      member.classic?.sessionTimeoutMs ??
        this.groupNumber(group.groupId, "consumer.session.timeout.ms"),
    );
    member.sessionTimer = session;
    // Classic members are told to rejoin instead (their join timeout).
    if (!reconciled || member.classic !== null) return;
    clearTimeout(member.rebalanceTimer);
    member.rebalanceTimer = undefined;
    if (member.state !== "unrevoked") return;
    const epoch = member.memberEpoch;
    const rebalance = setTimeout(() => {
      const current = group.members.get(id);
      if (current?.rebalanceTimer === rebalance && current.memberEpoch === epoch) {
        this.fence(group, [id]);
      }
    }, member.rebalanceTimeoutMs);
    member.rebalanceTimer = rebalance;
  }

  /** The ids of the existing topics a member subscribes to, by name and by resolved regex. */
  subscribedTopicIds(group: ConsumerGroup, member: ConsumerMember): string[] {
    const topics = this.#meta.topics.byName;
    const ids = new Set<string>();
    for (const name of member.subscribedTopicNames) {
      const topic = topics.get(name);
      if (topic) ids.add(topic.id);
    }
    const resolved = member.subscribedTopicRegex
      ? group.resolvedRegexes.get(member.subscribedTopicRegex)
      : undefined;
    for (const name of [...resolved ?? []].sort()) {
      const topic = topics.get(name);
      if (topic) ids.add(topic.id);
    }
    return [...ids];
  }

  /** What the members' subscribed topics look like; the group epoch moves when it changes. */
  metadataSignature(group: ConsumerGroup, members: ConsumerMember[]): string {
    const ids = new Set(members.flatMap((m) => this.subscribedTopicIds(group, m)));
    return [...ids].sort().map((id) => {
      const t = this.#meta.topics.byId.get(id)!;
      return `${t.name}:${id}:${t.partitions.length}`;
    }).join(",");
  }

  /**
   * Resolves the members' regexes again, once this heartbeat is answered (as Kafka resolves them
   * off its request path): at once for a regex the group has not seen, else at most every 10 s. A
   * new resolution moves the group epoch.
   */
  maybeRefreshRegexes(group: ConsumerGroup, newRegex: string): void {
    const now = Date.now();
    const fresh = newRegex !== "" && !group.resolvedRegexes.has(newRegex);
    const due = group.resolvedRegexes.size > 0 && now > group.lastRegexRefreshMs + 10_000;
    if ((!fresh && !due) || group.regexTimer !== undefined) return;
    group.regexTimer = setTimeout(() => {
      group.regexTimer = undefined;
      if (this.consumerGroups.get(group.groupId) !== group) return;
      const regexes = new Set<string>();
      for (const m of group.members.values()) {
        if (m.subscribedTopicRegex) regexes.add(m.subscribedTopicRegex);
      }
      let changed = false;
      for (const regex of [...group.resolvedRegexes.keys()]) {
        if (!regexes.has(regex)) group.resolvedRegexes.delete(regex);
      }
      const names = [...this.#meta.topics.byName.keys()];
      for (const regex of regexes) {
        const re = regexMatcher(regex);
        const matched = new Set(names.filter((n) => re?.test(n) ?? false));
        const before = group.resolvedRegexes.get(regex);
        if (!before || before.size !== matched.size || [...matched].some((n) => !before.has(n))) {
          changed = true;
        }
        group.resolvedRegexes.set(regex, matched);
      }
      group.lastRegexRefreshMs = Date.now();
      if (changed) {
        group.groupEpoch++;
        group.metadataSignature = this.metadataSignature(group, [...group.members.values()]);
      }
    }, 0);
  }

  /** Stops every timer. */
  close(): void {
    for (const g of this.groups.values()) g.close();
    for (const g of this.consumerGroups.values()) g.close();
    for (const g of this.shareGroups.values()) g.close();
    this.streams.close();
  }
}
