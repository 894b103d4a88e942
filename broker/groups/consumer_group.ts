/**
 * One consumer group of the consumer rebalance protocol (KIP-848): the group epoch, which moves
 * when a subscription or the subscribed topics change; the target assignment an assignor computes
 * for that epoch; and each member's current assignment, which reaches the target one step at a time
 * so that no partition is ever owned by two members: a member first revokes what it must give up
 * (its epoch stays), then gets the partitions others have released (its epoch becomes the target's).
 *
 * @module
 */

import type { CommittedOffset } from "./classic_group.ts";
import type { TopicPartitions } from "./assignors.ts";

/** The states ConsumerGroupDescribe and ListGroups name. */
export type ConsumerGroupState = "Empty" | "Assigning" | "Reconciling" | "Stable" | "Dead";

/** Where a member stands on its way to the target assignment. */
export type MemberState = "stable" | "unrevoked" | "unreleased";

/** What a member that joined with the classic protocol (JoinGroup) brings along. */
export interface ClassicMetadata {
  sessionTimeoutMs: number;
  /** Its JoinGroup protocols: the first one's subscription is what it subscribes to. */
  protocols: { name: string; metadata: Uint8Array }[];
  /** Fences it when it does not rejoin after being told to (REBALANCE_IN_PROGRESS). */
  joinTimer?: ReturnType<typeof setTimeout>;
  /** Fences it when it does not send SyncGroup after its JoinGroup. */
  syncTimer?: ReturnType<typeof setTimeout>;
}

/** A member of a consumer group. */
export interface ConsumerMember {
  readonly memberId: string;
  instanceId: string | null;
  rackId: string | null;
  memberEpoch: number;
  previousMemberEpoch: number;
  state: MemberState;
  rebalanceTimeoutMs: number;
  clientId: string;
  clientHost: string;
  subscribedTopicNames: string[];
  /** "" when it subscribes by names only. */
  subscribedTopicRegex: string;
  serverAssignor: string | null;
  /** The partitions it may use now. */
  assigned: TopicPartitions;
  /** The partitions it must give up before it moves on. */
  pendingRevocation: TopicPartitions;
  /** Set for a member that speaks the classic protocol (KIP-848's online migration). */
  classic: ClassicMetadata | null;
  sessionTimer?: ReturnType<typeof setTimeout>;
  rebalanceTimer?: ReturnType<typeof setTimeout>;
}

/** A new member, before its first heartbeat is applied. */
export function newMember(memberId: string): ConsumerMember {
  return {
    memberId,
    instanceId: null,
    rackId: null,
    memberEpoch: 0,
    previousMemberEpoch: 0,
    state: "stable",
    rebalanceTimeoutMs: -1,
    clientId: "",
    clientHost: "",
    subscribedTopicNames: [],
    subscribedTopicRegex: "",
    serverAssignor: null,
    assigned: new Map(),
    pendingRevocation: new Map(),
    classic: null,
  };
}

/** Stops a member's timers. */
export function stopTimers(member: ConsumerMember): void {
  clearTimeout(member.sessionTimer);
  clearTimeout(member.rebalanceTimer);
  clearTimeout(member.classic?.joinTimer);
  clearTimeout(member.classic?.syncTimer);
}

/** A consumer group's state. */
export class ConsumerGroup {
  readonly groupId: string;
  groupEpoch = 0;
  assignmentEpoch = 0;
  readonly members: Map<string, ConsumerMember> = new Map();
  /** Instance id to member id. */
  readonly staticMembers: Map<string, string> = new Map();
  /** The target assignment of each member, for `assignmentEpoch`. */
  readonly targetAssignment: Map<string, TopicPartitions> = new Map();
  /** "topicId:partition" to the epoch of the member that owns it (assigned or being revoked). */
  readonly #partitionEpochs = new Map<string, number>();
  /** What the subscribed topics looked like when the group epoch last moved. */
  metadataSignature = "";
  offsets: Map<string, CommittedOffset> = new Map();
  dead = false;
  /** The members' regexes, resolved to topic names (after the heartbeat, as Kafka does). */
  readonly resolvedRegexes: Map<string, Set<string>> = new Map();
  lastRegexRefreshMs = 0;
  regexTimer?: ReturnType<typeof setTimeout>;

  constructor(groupId: string) {
    this.groupId = groupId;
  }

  /** The group's state, derived as Kafka derives it. */
  get state(): ConsumerGroupState {
    if (this.dead) return "Dead";
    if (this.members.size === 0) return "Empty";
    if (this.groupEpoch > this.assignmentEpoch) return "Assigning";
    for (const m of this.members.values()) {
      if (!isReconciledTo(m, this.assignmentEpoch)) return "Reconciling";
    }
    return "Stable";
  }

  /** The epoch of the member owning a partition, or -1 when it is free. */
  partitionEpoch(topicId: string, partition: number): number {
    return this.#partitionEpochs.get(`${topicId}:${partition}`) ?? -1;
  }

  /** Stores a member's new state, moving the ownership of its partitions with it. */
  updateMember(member: ConsumerMember): void {
    const old = this.members.get(member.memberId);
    if (old) this.#release(old);
    this.members.set(member.memberId, member);
    if (member.instanceId !== null) this.staticMembers.set(member.instanceId, member.memberId);
    for (const assignment of [member.assigned, member.pendingRevocation]) {
      for (const [topicId, ps] of assignment) {
        for (const p of ps) this.#partitionEpochs.set(`${topicId}:${p}`, member.memberEpoch);
      }
    }
  }

  /** Removes a member, its target assignment and its ownerships; stops its timers. */
  removeMember(memberId: string): void {
    const member = this.members.get(memberId);
    if (!member) return;
    this.#release(member);
    stopTimers(member);
    this.members.delete(memberId);
    this.targetAssignment.delete(memberId);
    if (member.instanceId !== null && this.staticMembers.get(member.instanceId) === memberId) {
      this.staticMembers.delete(member.instanceId);
    }
  }

  #release(member: ConsumerMember): void {
    for (const assignment of [member.assigned, member.pendingRevocation]) {
      for (const [topicId, ps] of assignment) {
        for (const p of ps) {
          const key = `${topicId}:${p}`;
          if (this.#partitionEpochs.get(key) === member.memberEpoch) {
            this.#partitionEpochs.delete(key);
          }
        }
      }
    }
  }

  /** The members that speak the classic protocol. */
  classicMembers(): ConsumerMember[] {
    return [...this.members.values()].filter((m) => m.classic !== null);
  }

  /**
   * Whether a classic member may join: its protocol type is "consumer" and it shares a protocol
   * name with every classic member (any, when there are none).
   */
  supportsClassicProtocols(protocolType: string, protocols: { name: string }[]): boolean {
    if (protocolType !== "consumer") return false;
    if (this.members.size === 0) return protocols.length > 0;
    const classic = this.classicMembers();
    return protocols.some((p) =>
      classic.every((m) => m.classic!.protocols.some((q) => q.name === p.name))
    );
  }

  /**
   * A member in "unreleased" state whose missing partitions are still owned by others (so it need
   * not rejoin yet).
   */
  waitingOnUnreleasedPartition(member: ConsumerMember): boolean {
    if (member.state !== "unreleased") return false;
    for (const [topicId, ps] of this.targetAssignment.get(member.memberId) ?? []) {
      for (const p of ps) {
        if (!member.assigned.get(topicId)?.has(p) && this.partitionEpoch(topicId, p) !== -1) {
          return true;
        }
      }
    }
    return false;
  }

  /** Whether any member subscribes to a topic, by name or regex (OffsetDelete keeps its offsets). */
  isSubscribedTo(topic: string): boolean {
    for (const m of this.members.values()) {
      if (m.subscribedTopicNames.includes(topic)) return true;
      const regex = m.subscribedTopicRegex;
      if (regex && this.resolvedRegexes.get(regex)?.has(topic)) return true;
    }
    return false;
  }

  /** Stops every member's timers. */
  close(): void {
    clearTimeout(this.regexTimer);
    for (const m of this.members.values()) stopTimers(m);
  }
}

/** The server assignor most members ask for (ties: the first asked), or null. */
export function preferredAssignor(members: Iterable<ConsumerMember>): string | null {
  const votes = new Map<string, number>();
  for (const m of members) {
    if (m.serverAssignor !== null) {
      votes.set(m.serverAssignor, (votes.get(m.serverAssignor) ?? 0) + 1);
    }
  }
  let best: string | null = null;
  for (const [name, n] of votes) if (best === null || n > votes.get(best)!) best = name;
  return best;
}

/** A member is reconciled when it is stable at the target's epoch. */
export function isReconciledTo(member: ConsumerMember, epoch: number): boolean {
  return member.state === "stable" && member.memberEpoch === epoch;
}

/** The partitions a member reports owning, by topic id; null when it did not say. */
export type OwnedPartitions = { topicId: string; partitions: number[] }[] | null;

/**
 * Moves a member one step toward its target assignment, as Kafka's reconciliation does: partitions
 * it must give up are revoked first (its epoch stays until it reports them gone); then it gets the
 * target's epoch and every target partition no other member still owns (the rest it gets later,
 * "unreleased"). Returns the member unchanged when there is nothing to do.
 */
export function reconcile(
  member: ConsumerMember,
  targetEpoch: number,
  target: TopicPartitions,
  partitionEpoch: (topicId: string, partition: number) => number,
  owned: OwnedPartitions,
): ConsumerMember {
  if (isReconciledTo(member, targetEpoch)) return member;
  switch (member.state) {
    case "stable":
      return member.memberEpoch === targetEpoch
        ? member
        : next(member, member.memberEpoch, targetEpoch, target, partitionEpoch, owned);
    case "unrevoked":
      return ownsAny(owned, member.pendingRevocation)
        ? member
        : next(member, member.memberEpoch + 1, targetEpoch, target, partitionEpoch, owned);
    case "unreleased":
      return next(member, member.memberEpoch, targetEpoch, target, partitionEpoch, owned);
  }
}

function ownsAny(owned: OwnedPartitions, partitions: TopicPartitions): boolean {
  if (owned === null) return true;
  return owned.some((t) => t.partitions.some((p) => partitions.get(t.topicId)?.has(p)));
}

function next(
  member: ConsumerMember,
  epochWhileRevoking: number,
  targetEpoch: number,
  target: TopicPartitions,
  partitionEpoch: (topicId: string, partition: number) => number,
  owned: OwnedPartitions,
): ConsumerMember {
  const assigned: TopicPartitions = new Map();
  const revoking: TopicPartitions = new Map();
  const pending: TopicPartitions = new Map();
  let unreleased = false;
  for (const topicId of new Set([...target.keys(), ...member.assigned.keys()])) {
    const wanted = target.get(topicId) ?? new Set<number>();
    const current = member.assigned.get(topicId) ?? new Set<number>();
    const keep = new Set([...current].filter((p) => wanted.has(p)));
    const give = new Set([...current].filter((p) => !keep.has(p)));
    const get = new Set<number>();
    for (const p of wanted) {
      if (keep.has(p)) continue;
      if (partitionEpoch(topicId, p) !== -1) unreleased = true;
      else get.add(p);
    }
    if (keep.size > 0) assigned.set(topicId, keep);
    if (give.size > 0) revoking.set(topicId, give);
    if (get.size > 0) pending.set(topicId, get);
  }
  const moved = (
    state: MemberState,
    epoch: number,
    partitions: TopicPartitions,
    pendingRevocation: TopicPartitions,
  ): ConsumerMember => ({
    ...member,
    state,
    previousMemberEpoch: member.memberEpoch,
    memberEpoch: epoch,
    assigned: partitions,
    pendingRevocation,
  });
  if (revoking.size > 0 && ownsAny(owned, revoking)) {
    return moved("unrevoked", epochWhileRevoking, assigned, revoking);
  }
  for (const [topicId, ps] of pending) {
    const set = assigned.get(topicId) ?? new Set<number>();
    for (const p of ps) set.add(p);
    assigned.set(topicId, set);
  }
  return moved(unreleased ? "unreleased" : "stable", targetEpoch, assigned, new Map());
}
