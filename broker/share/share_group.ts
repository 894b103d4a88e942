/**
 * Share groups (KIP-932): members that read the same partitions together, each record handed to one
 * member at a time. This file holds the group side, as Kafka's group coordinator keeps it: members,
 * epochs and the target assignment of the simple assignor. Records are handed out by the share
 * partitions (`share_partition.ts`).
 *
 * @module
 */

import type { TopicPartitions } from "../groups/assignors.ts";

/** A share group's state, as ShareGroupDescribe and ListGroups name it. */
export type ShareGroupState = "Empty" | "Stable" | "Dead";

/** A member of a share group. */
export interface ShareMember {
  readonly memberId: string;
  memberEpoch: number;
  previousMemberEpoch: number;
  rackId: string | null;
  clientId: string;
  clientHost: string;
  subscribedTopicNames: string[];
  /** Its partitions: always its target assignment, as share members have nothing to revoke. */
  assigned: TopicPartitions;
  sessionTimer?: ReturnType<typeof setTimeout>;
}

/** A share group. */
export class ShareGroup {
  readonly groupId: string;
  groupEpoch = 0;
  assignmentEpoch = 0;
  /** Members in join order. */
  readonly members: Map<string, ShareMember> = new Map();
  /** The target assignment of each member, for `assignmentEpoch`. */
  readonly targetAssignment: Map<string, TopicPartitions> = new Map();
  /** What the subscribed topics looked like when the group epoch last moved. */
  metadataSignature = "";
  /**
   * The partitions whose share state is initialized, by topic id: only these are assigned. Kafka
   * initializes a new topic's state after answering the heartbeat that subscribed to it, so members
   * get its partitions at their next heartbeat.
   */
  readonly initialized: TopicPartitions = new Map();
  dead = false;

  constructor(groupId: string) {
    this.groupId = groupId;
  }

  /** The group's state, derived as Kafka derives it. */
  get state(): ShareGroupState {
    if (this.dead) return "Dead";
    return this.members.size === 0 ? "Empty" : "Stable";
  }

  /** Whether a partition's share state is initialized. */
  isInitialized(topicId: string, partition: number): boolean {
    return this.initialized.get(topicId)?.has(partition) ?? false;
  }

  /**
   * Whether the target assignment covers other partitions than the initialized ones of the
   * subscribed topics (given as ids).
   */
  initializationPending(subscribed: ReadonlySet<string>): boolean {
    if (this.members.size === 0) return false;
    const assigned = new Map<string, Set<number>>();
    for (const partitions of this.targetAssignment.values()) {
      for (const [t, ps] of partitions) {
        let set = assigned.get(t);
        if (!set) assigned.set(t, set = new Set());
        for (const p of ps) set.add(p);
      }
    }
    const initialized = [...this.initialized].filter(([t, ps]) => subscribed.has(t) && ps.size > 0);
    if (assigned.size !== initialized.length) return true;
    for (const [t, ps] of initialized) {
      const a = assigned.get(t);
      if (!a || a.size !== ps.size || [...ps].some((p) => !a.has(p))) return true;
    }
    return false;
  }

  /** Whether any member subscribes to a topic. */
  isSubscribedTo(topic: string): boolean {
    for (const m of this.members.values()) {
      if (m.subscribedTopicNames.includes(topic)) return true;
    }
    return false;
  }

  /** Removes a member and its target assignment; stops its session timer. */
  removeMember(memberId: string): void {
    const member = this.members.get(memberId);
    if (!member) return;
    clearTimeout(member.sessionTimer);
    this.members.delete(memberId);
    this.targetAssignment.delete(memberId);
  }

  /** Stops every member's timer. */
  close(): void {
    for (const m of this.members.values()) clearTimeout(m.sessionTimer);
  }
}
