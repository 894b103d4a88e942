/**
 * Classic members in consumer groups (KIP-848's online migration), as Kafka's group coordinator
 * runs them under `group.consumer.migration.policy`: a consumer-protocol member joining a classic
 * group turns it into a consumer group (upgrade); classic members keep using JoinGroup, SyncGroup
 * and Heartbeat while the broker assigns their partitions; when the last consumer-protocol member
 * leaves, the group turns back into a classic group (downgrade).
 *
 * @module
 */

import { ErrorCode, randomUuid } from "../../codec/mod.ts";
import {
  decodeAssignment,
  decodeSubscription,
  encodeAssignment,
} from "../../codec/consumer_protocol.ts";
import type { ConsumerGroups, GroupMetadata } from "./group_services.ts";
import type { TopicPartitions } from "./assignors.ts";
import {
  ClassicGroup,
  joinError,
  type JoinResult,
  type Member,
  syncError,
  type SyncResult,
} from "./classic_group.ts";
import {
  type ClassicMetadata,
  ConsumerGroup,
  type ConsumerMember,
  newMember,
} from "./consumer_group.ts";
import { applyMember, Refusal } from "./consumer_heartbeat.ts";

/** Partitions by topic name (the classic protocol's view) as partitions by topic id. */
function byTopicId(
  meta: GroupMetadata,
  partitions: { topic: string; partitions: number[] }[],
): TopicPartitions {
  const out: TopicPartitions = new Map();
  for (const tp of partitions) {
    const topic = meta.topics.byName.get(tp.topic);
    if (!topic) continue;
    const set = out.get(topic.id) ?? new Set<number>();
    for (const p of tp.partitions) set.add(p);
    out.set(topic.id, set);
  }
  return out;
}

/** An assignment in the consumer protocol's bytes, in the version of the member's metadata. */
function assignmentBytes(
  meta: GroupMetadata,
  assigned: TopicPartitions,
  metadata: Uint8Array,
): Uint8Array {
  const version = metadata.length >= 2 ? Math.max(0, (metadata[0] << 8) | metadata[1]) : 0;
  const partitions = [...assigned].flatMap(([topicId, ps]) => {
    const topic = meta.topics.byId.get(topicId);
    return topic ? [{ topic: topic.name, partitions: [...ps].sort((a, b) => a - b) }] : [];
  });
  return encodeAssignment(partitions, null, Math.min(version, 3));
}

/** The subscription of a classic member's first protocol (Kafka reads the first). */
function subscriptionOf(memberId: string, protocols: { metadata: Uint8Array }[]) {
  try {
    return decodeSubscription(memberId, null, protocols[0].metadata);
  } catch {
    throw new Refusal(ErrorCode.INCONSISTENT_GROUP_PROTOCOL, null);
  }
}

/**
 * A classic group with members, as the consumer group it becomes when a consumer-protocol member
 * joins: the generation is the group and assignment epoch, every member keeps its assignment.
 */
export function upgradeFromClassic(classic: ClassicGroup, meta: GroupMetadata): ConsumerGroup {
  const cannot = (why: string) =>
    new Refusal(
      ErrorCode.GROUP_ID_NOT_FOUND,
      `Cannot upgrade classic group ${classic.groupId} to consumer group ${why}`,
    );
  const policy = meta.configs.staticValue("group.consumer.migration.policy");
  if (policy !== "upgrade" && policy !== "bidirectional") {
    throw cannot("because online upgrade is disabled.");
  }
  if (classic.protocolType !== "consumer") {
    throw cannot("because the group does not use the consumer embedded protocol.");
  }
  const group = new ConsumerGroup(classic.groupId);
  group.offsets = classic.offsets;
  group.groupEpoch = classic.generationId;
  group.assignmentEpoch = classic.generationId;
  for (const m of classic.members.values()) {
    let assigned: TopicPartitions;
    let topics: string[];
    let rackId: string | null;
    try {
      const assignment = decodeAssignment(m.assignment);
      if (assignment.userData !== null && assignment.userData.length > 0) {
        throw cannot(
          "because an unsupported custom assignor is in use. Please refer to the documentation or switch to a default assignor before re-attempting the upgrade.",
        );
      }
      assigned = byTopicId(meta, assignment.partitions);
      const chosen = m.protocols.find((p) => p.name === classic.protocolName) ?? m.protocols[0];
      const subscription = decodeSubscription(m.memberId, null, chosen.metadata);
      topics = subscription.topics;
      rackId = subscription.rackId;
    } catch (e) {
      if (e instanceof Refusal) throw e;
      throw cannot("because the embedded consumer protocol is malformed.");
    }
    const member: ConsumerMember = {
      ...newMember(m.memberId),
      instanceId: m.groupInstanceId,
      rackId,
      memberEpoch: classic.generationId,
      previousMemberEpoch: classic.generationId,
      rebalanceTimeoutMs: m.rebalanceTimeoutMs,
      clientId: m.clientId,
      clientHost: m.clientHost,
      subscribedTopicNames: topics,
      assigned,
      classic: { sessionTimeoutMs: m.sessionTimeoutMs, protocols: m.protocols },
    };
    group.targetAssignment.set(m.memberId, assigned);
    group.updateMember(member);
  }
  return group;
}

/** The classic group a consumer group of classic members becomes; it rebalances at once. */
export function downgradeToClassic(
  group: ConsumerGroup,
  staying: ConsumerMember[],
  meta: GroupMetadata,
  initialDelayMs: number,
): ClassicGroup {
  const classic = new ClassicGroup(group.groupId, initialDelayMs);
  for (const [k, v] of group.offsets) classic.offsets.set(k, v);
  classic.generationId = group.groupEpoch;
  classic.protocolType = "consumer";
  classic.state = "Stable";
  for (const m of staying) {
    const member: Member = {
      memberId: m.memberId,
      groupInstanceId: m.instanceId,
      clientId: m.clientId,
      clientHost: m.clientHost,
      sessionTimeoutMs: m.classic!.sessionTimeoutMs,
      rebalanceTimeoutMs: m.rebalanceTimeoutMs,
      protocolType: "consumer",
      protocols: m.classic!.protocols,
      assignment: new Uint8Array(0),
    };
    classic.members.set(m.memberId, member);
    if (m.instanceId !== null) classic.staticMembers.set(m.instanceId, m.memberId);
  }
  classic.protocolName = classic.selectProtocol();
  for (const m of staying) {
    const member = classic.members.get(m.memberId)!;
    const metadata = member.protocols.find((p) => p.name === classic.protocolName)!.metadata;
    member.assignment = assignmentBytes(
      meta,
      group.targetAssignment.get(m.memberId) ?? new Map(),
      metadata,
    );
  }
  return classic;
}

/** A JoinGroup request, as the coordinator reads it. */
export interface ClassicJoin {
  groupId: string;
  memberId: string;
  groupInstanceId: string | null;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  protocolType: string;
  protocols: { name: string; metadata: Uint8Array }[];
}

/** The member a classic request names: by member id, or by instance id for a static member. */
function classicMember(
  group: ConsumerGroup,
  memberId: string,
  instanceId: string | null,
): ConsumerMember {
  let member: ConsumerMember | undefined;
  if (instanceId === null) {
    member = group.members.get(memberId);
    if (!member) {
      throw new Refusal(
        ErrorCode.UNKNOWN_MEMBER_ID,
        `Member ${memberId} is not a member of group ${group.groupId}.`,
      );
    }
  } else {
    const id = group.staticMembers.get(instanceId);
    member = id === undefined ? undefined : group.members.get(id);
    if (!member) {
      throw new Refusal(
        ErrorCode.UNKNOWN_MEMBER_ID,
        `Member with instance id ${instanceId} is not a member of group ${group.groupId}.`,
      );
    }
    if (member.memberId !== memberId) throw new Refusal(ErrorCode.FENCED_INSTANCE_ID, null);
  }
  if (member.classic === null) {
    throw new Refusal(
      ErrorCode.UNKNOWN_MEMBER_ID,
      `Member ${member.memberId} does not use the classic protocol.`,
    );
  }
  return member;
}

/** The handling of classic requests to a consumer group, with the coordinator's timers. */
export class ClassicMembers {
  readonly #groups: ConsumerGroups;
  readonly #meta: GroupMetadata;

  constructor(groups: ConsumerGroups, meta: GroupMetadata) {
    this.#groups = groups;
    this.#meta = meta;
  }

  /** JoinGroup of a classic member: the broker assigns, the answer carries the member epoch. */
  join(group: ConsumerGroup, req: ClassicJoin, apiVersion: number, client: {
    clientId: string;
    clientHost: string;
  }): JoinResult {
    const fail = (errorCode: number, memberId = req.memberId) => joinError(memberId, errorCode);
    try {
      const unknown = req.memberId === "";
      const memberId = unknown ? randomUuid() : req.memberId;
      const maxSize = this.#meta.configs.staticNumber("group.consumer.max.size");
      if (group.members.size >= maxSize && (unknown || !group.members.has(memberId))) {
        return fail(ErrorCode.GROUP_MAX_SIZE_REACHED, "");
      }
      if (!group.supportsClassicProtocols(req.protocolType, req.protocols)) {
        return fail(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
      }
      if (unknown && req.groupInstanceId === null && apiVersion >= 4) {
        return fail(ErrorCode.MEMBER_ID_REQUIRED, memberId);
      }
      let member: ConsumerMember;
      if (req.groupInstanceId === null) {
        member = group.members.get(memberId) ?? newMember(memberId);
      } else {
        const id = group.staticMembers.get(req.groupInstanceId);
        const existing = id === undefined ? undefined : group.members.get(id);
        if (unknown) {
          member = existing
            ? { ...existing, memberId, memberEpoch: 0, previousMemberEpoch: 0 }
            : newMember(memberId);
        } else {
          if (!existing) throw new Refusal(ErrorCode.UNKNOWN_MEMBER_ID, null);
          if (existing.memberId !== memberId) throw new Refusal(ErrorCode.FENCED_INSTANCE_ID, null);
          member = existing;
        }
      }
      const subscription = subscriptionOf(memberId, req.protocols);
      const classic: ClassicMetadata = {
        ...member.classic,
        sessionTimeoutMs: req.sessionTimeoutMs,
        protocols: req.protocols.map((p) => ({ name: p.name, metadata: p.metadata.slice() })),
      };
      const updated: ConsumerMember = {
        ...member,
        instanceId: req.groupInstanceId ?? member.instanceId,
        rackId: subscription.rackId ?? member.rackId,
        rebalanceTimeoutMs: req.rebalanceTimeoutMs,
        subscribedTopicNames: subscription.topics,
        clientId: client.clientId,
        clientHost: client.clientHost,
        classic,
      };
      const owned = byTopicId(this.#meta, subscription.ownedPartitions);
      const next = applyMember(
        this.#groups,
        this.#meta,
        group,
        member,
        updated,
        [...owned].map(([topicId, ps]) => ({ topicId, partitions: [...ps] })),
      );
      clearTimeout(next.classic!.joinTimer);
      next.classic!.joinTimer = undefined;
      this.#groups.armTimers(group, next, true);
      clearTimeout(next.classic!.syncTimer);
      const syncTimer = setTimeout(() => {
        if (group.members.get(next.memberId)?.classic?.syncTimer === syncTimer) {
          this.#groups.fence(group, [next.memberId]);
        }
      }, req.rebalanceTimeoutMs);
      next.classic!.syncTimer = syncTimer;
      return {
        errorCode: ErrorCode.NONE,
        generationId: next.memberEpoch,
        protocolType: "consumer",
        protocolName: next.classic!.protocols[0].name,
        leader: "",
        memberId: next.memberId,
        members: [],
      };
    } catch (e) {
      if (e instanceof Refusal) return fail(e.errorCode);
      throw e;
    }
  }

  /** SyncGroup of a classic member: its current assignment, unless it must rejoin first. */
  sync(group: ConsumerGroup, req: {
    memberId: string;
    groupInstanceId: string | null;
    generationId: number;
    protocolType: string | null;
    protocolName: string | null;
  }): SyncResult {
    const fail = syncError;
    try {
      const member = classicMember(group, req.memberId, req.groupInstanceId);
      if (member.memberEpoch !== req.generationId) return fail(ErrorCode.ILLEGAL_GENERATION);
      const protocolName = member.classic!.protocols[0].name;
      if (
        (req.protocolType !== null && req.protocolType !== "consumer") ||
        (req.protocolName !== null && req.protocolName !== protocolName)
      ) {
        return fail(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
      }
      if (group.groupEpoch > member.memberEpoch && member.state !== "unrevoked") {
        this.#armJoinTimeout(group, member);
        return fail(ErrorCode.REBALANCE_IN_PROGRESS);
      }
      clearTimeout(member.classic!.syncTimer);
      member.classic!.syncTimer = undefined;
      this.#groups.armTimers(group, member, false);
      return {
        errorCode: ErrorCode.NONE,
        protocolType: req.protocolType,
        protocolName: req.protocolName,
        assignment: assignmentBytes(
          this.#meta,
          member.assigned,
          member.classic!.protocols[0].metadata,
        ),
      };
    } catch (e) {
      if (e instanceof Refusal) return fail(e.errorCode);
      throw e;
    }
  }

  /** Heartbeat of a classic member: REBALANCE_IN_PROGRESS when it should rejoin to move on. */
  heartbeat(group: ConsumerGroup, req: {
    memberId: string;
    groupInstanceId: string | null;
    generationId: number;
  }): number {
    try {
      const member = classicMember(group, req.memberId, req.groupInstanceId);
      if (member.memberEpoch !== req.generationId) return ErrorCode.ILLEGAL_GENERATION;
      this.#groups.armTimers(group, member, false);
      if (
        member.memberEpoch < group.groupEpoch || member.state === "unrevoked" ||
        (member.state === "unreleased" && !group.waitingOnUnreleasedPartition(member))
      ) {
        this.#armJoinTimeout(group, member);
        return ErrorCode.REBALANCE_IN_PROGRESS;
      }
      return ErrorCode.NONE;
    } catch (e) {
      if (e instanceof Refusal) return e.errorCode;
      throw e;
    }
  }

  /** LeaveGroup of classic members: each answered, the valid ones fenced together. */
  leave(
    group: ConsumerGroup,
    leaving: { memberId: string; groupInstanceId: string | null }[],
  ): { memberId: string; groupInstanceId: string | null; errorCode: number }[] {
    const fenced: string[] = [];
    const answers = leaving.map((l) => {
      let member: ConsumerMember | undefined;
      if (l.groupInstanceId === null) {
        member = group.members.get(l.memberId);
      } else {
        const id = group.staticMembers.get(l.groupInstanceId);
        member = id === undefined ? undefined : group.members.get(id);
        if (member && l.memberId !== "" && member.memberId !== l.memberId) {
          return { ...l, errorCode: ErrorCode.FENCED_INSTANCE_ID };
        }
      }
      if (!member) return { ...l, errorCode: ErrorCode.UNKNOWN_MEMBER_ID };
      fenced.push(member.memberId);
      return { ...l, errorCode: ErrorCode.NONE };
    });
    if (fenced.length > 0) this.#groups.fence(group, fenced);
    return answers;
  }

  /** A member told to rejoin is fenced if it does not within its rebalance timeout. */
  #armJoinTimeout(group: ConsumerGroup, member: ConsumerMember): void {
    if (member.classic!.joinTimer !== undefined) return;
    const id = member.memberId;
    const timer = setTimeout(() => {
      if (group.members.get(id)?.classic?.joinTimer === timer) this.#groups.fence(group, [id]);
    }, member.rebalanceTimeoutMs);
    member.classic!.joinTimer = timer;
  }
}
