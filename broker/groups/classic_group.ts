/**
 * One classic consumer group and Kafka's rebalance state machine: Empty, PreparingRebalance,
 * CompletingRebalance, Stable, Dead. Members join (KIP-394 member ids, KIP-345 static members), the
 * coordinator waits for every known member to rejoin (or drops it after the rebalance timeout), picks
 * the protocol with the most votes and a leader, hands the leader the members' metadata, and gives each
 * member the assignment the leader sends in SyncGroup. Session timeouts remove silent members.
 *
 * @module
 */

import { ErrorCode } from "../../codec/mod.ts";

/** The group states, as DescribeGroups and ListGroups name them. */
export type GroupState = "Empty" | "PreparingRebalance" | "CompletingRebalance" | "Stable" | "Dead";

/** What a member gets back from JoinGroup. */
export interface JoinResult {
  errorCode: number;
  generationId: number;
  protocolType: string | null;
  protocolName: string | null;
  leader: string;
  memberId: string;
  members: { memberId: string; groupInstanceId: string | null; metadata: Uint8Array }[];
  /**
   * JoinGroup v9+: the leader keeps its assignment (a static leader replaced while the group was
   * Stable gets the members, but must not assign them again).
   */
  skipAssignment?: boolean;
}

/** What a member gets back from SyncGroup. */
export interface SyncResult {
  errorCode: number;
  protocolType: string | null;
  protocolName: string | null;
  assignment: Uint8Array;
}

/** A member of a classic group. */
export interface Member {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  protocolType: string;
  protocols: { name: string; metadata: Uint8Array }[];
  assignment: Uint8Array;
  /** Resolves the member's pending JoinGroup, when it has one. */
  joinWaiter?: (r: JoinResult) => void;
  syncWaiter?: (r: SyncResult) => void;
  sessionTimer?: ReturnType<typeof setTimeout>;
}

const EMPTY = new Uint8Array(0);

/** A JoinGroup answer that carries only an error (and the member id). */
export function joinError(memberId: string, errorCode: number): JoinResult {
  return {
    errorCode,
    generationId: -1,
    protocolType: null,
    protocolName: null,
    leader: "",
    memberId,
    members: [],
  };
}

/** A SyncGroup answer that carries only an error. */
export function syncError(errorCode: number): SyncResult {
  return { errorCode, protocolType: null, protocolName: null, assignment: EMPTY };
}

/** A committed offset. */
export interface CommittedOffset {
  offset: bigint;
  leaderEpoch: number;
  metadata: string | null;
  commitTimestamp: number;
}

/** A classic group's state. */
export class ClassicGroup {
  readonly groupId: string;
  state: GroupState = "Empty";
  generationId = 0;
  protocolType: string | null = null;
  protocolName: string | null = null;
  leaderId: string | null = null;
  readonly members: Map<string, Member> = new Map();
  /** Member ids handed out by MEMBER_ID_REQUIRED answers, not yet joined (KIP-394). */
  readonly pendingMembers: Set<string> = new Set();
  readonly staticMembers: Map<string, string> = new Map();
  readonly offsets: Map<string, CommittedOffset> = new Map();
  #joinTimer: ReturnType<typeof setTimeout> | undefined;
  /** Members that have rejoined in the current rebalance. */
  #rejoined = new Set<string>();
  readonly #initialDelayMs: number;
  #delaying = false;

  constructor(groupId: string, initialDelayMs: number) {
    this.groupId = groupId;
    this.#initialDelayMs = initialDelayMs;
  }

  /** Adds or updates a member that sent JoinGroup; resolves when the join round completes. */
  join(member: Member, isNewOrChanged: boolean): Promise<JoinResult> {
    const existing = this.members.get(member.memberId);
    if (existing) {
      existing.protocols = member.protocols;
      existing.sessionTimeoutMs = member.sessionTimeoutMs;
      existing.rebalanceTimeoutMs = member.rebalanceTimeoutMs;
      existing.clientId = member.clientId;
      member = existing;
    } else {
      this.members.set(member.memberId, member);
      if (member.groupInstanceId !== null) {
        this.staticMembers.set(member.groupInstanceId, member.memberId);
      }
    }
    this.protocolType ??= member.protocolType;
    const result = new Promise<JoinResult>((resolve) => {
      member.joinWaiter?.(joinError(member.memberId, ErrorCode.REBALANCE_IN_PROGRESS));
      member.joinWaiter = resolve;
    });
    this.#rejoined.add(member.memberId);
    if (this.state === "Stable" && !isNewOrChanged && member.memberId !== this.leaderId) {
      // A follower that rejoins unchanged keeps the current generation, as Kafka answers it.
      const waiter = member.joinWaiter!;
      member.joinWaiter = undefined;
      waiter(this.#joinResult(member));
      return result;
    }
    if (this.state !== "PreparingRebalance") this.prepareRebalance();
    else this.#maybeCompleteJoin();
    return result;
  }

  /** Starts a rebalance: every member must rejoin within its rebalance timeout. */
  prepareRebalance(): void {
    for (const m of this.members.values()) {
      m.syncWaiter?.(syncError(ErrorCode.REBALANCE_IN_PROGRESS));
      m.syncWaiter = undefined;
    }
    const delayed = this.state === "Empty" && this.#initialDelayMs > 0;
    this.state = "PreparingRebalance";
    const timeout = Math.max(0, ...[...this.members.values()].map((m) => m.rebalanceTimeoutMs));
    clearTimeout(this.#joinTimer);
    // A new group waits group.initial.rebalance.delay.ms for more members; others wait for rejoins.
    this.#delaying = delayed;
    this.#joinTimer = setTimeout(() => {
      this.#delaying = false;
      this.#completeJoin(!delayed);
    }, delayed ? this.#initialDelayMs : timeout);
    if (!delayed) this.#maybeCompleteJoin();
  }

  #maybeCompleteJoin(): void {
    if (this.state !== "PreparingRebalance" || this.#delaying) return;
    for (const id of this.members.keys()) if (!this.#rejoined.has(id)) return;
    this.#completeJoin(false);
  }

  #completeJoin(timedOut: boolean): void {
    if (this.state !== "PreparingRebalance") return;
    clearTimeout(this.#joinTimer);
    this.#joinTimer = undefined;
    if (timedOut) {
      for (const [id, m] of this.members) if (!this.#rejoined.has(id)) this.removeMember(m, false);
    }
    this.#rejoined.clear();
    if (this.members.size === 0) {
      this.state = "Empty";
      this.generationId++;
      this.protocolName = null;
      this.leaderId = null;
      return;
    }
    this.generationId++;
    this.protocolName = this.selectProtocol();
    if (this.leaderId === null || !this.members.has(this.leaderId)) {
      this.leaderId = this.members.keys().next().value!;
    }
    this.state = "CompletingRebalance";
    for (const m of this.members.values()) {
      m.assignment = EMPTY;
      const waiter = m.joinWaiter;
      m.joinWaiter = undefined;
      waiter?.(this.#joinResult(m));
    }
  }

  /**
   * Kafka's check of the member a request names (ClassicGroup.validateMember): a request naming a
   * static member's instance id must come from that member's current id, else it is fenced;
   * otherwise the member must exist.
   */
  validateMember(memberId: string, groupInstanceId: string | null): number {
    if (groupInstanceId !== null) {
      const current = this.staticMembers.get(groupInstanceId);
      if (current === undefined) return ErrorCode.UNKNOWN_MEMBER_ID;
      if (current !== memberId) return ErrorCode.FENCED_INSTANCE_ID;
    }
    return this.members.has(memberId) ? ErrorCode.NONE : ErrorCode.UNKNOWN_MEMBER_ID;
  }

  /** The members as the leader's JoinGroup answer lists them. */
  #leaderView(): JoinResult["members"] {
    return [...this.members.values()].map((x) => ({
      memberId: x.memberId,
      groupInstanceId: x.groupInstanceId,
      metadata: x.protocols.find((p) => p.name === this.protocolName)?.metadata ?? EMPTY,
    }));
  }

  #joinResult(m: Member): JoinResult {
    return this.joinAnswer(m.memberId, m.memberId === this.leaderId);
  }

  /** A successful JoinGroup answer for `memberId`: with the members when `withMembers`. */
  joinAnswer(memberId: string, withMembers: boolean): JoinResult {
    return {
      errorCode: ErrorCode.NONE,
      generationId: this.generationId,
      protocolType: this.protocolType,
      protocolName: this.protocolName,
      leader: this.leaderId ?? "",
      memberId,
      members: withMembers ? this.#leaderView() : [],
    };
  }

  /** The protocol every member supports with the most first-choice votes (Kafka's vote). */
  selectProtocol(): string {
    const members = [...this.members.values()];
    const candidates = members[0].protocols.map((p) => p.name)
      .filter((name) => members.every((m) => m.protocols.some((p) => p.name === name)));
    const votes = new Map<string, number>();
    for (const m of members) {
      const choice = m.protocols.find((p) => candidates.includes(p.name))!.name;
      votes.set(choice, (votes.get(choice) ?? 0) + 1);
    }
    return [...votes].sort((a, b) => b[1] - a[1])[0][0];
  }

  /** True when the member's protocols share one with every other member (or it is alone). */
  supportsProtocols(protocolType: string, protocols: { name: string }[]): boolean {
    if (this.members.size === 0) return true;
    if (this.protocolType !== null && this.protocolType !== protocolType) return false;
    const names = new Set(protocols.map((p) => p.name));
    const others = [...this.members.values()];
    return [...names].some((n) => others.every((m) => m.protocols.some((p) => p.name === n)));
  }

  /** SyncGroup: the leader's assignments complete the rebalance; followers wait for them. */
  sync(
    memberId: string,
    assignments: { memberId: string; assignment: Uint8Array }[],
  ): Promise<SyncResult> {
    const member = this.members.get(memberId)!;
    if (this.state === "Stable") return Promise.resolve(this.#syncResult(member));
    const result = new Promise<SyncResult>((resolve) => {
      member.syncWaiter = resolve;
    });
    if (memberId === this.leaderId) {
      for (const a of assignments) {
        const m = this.members.get(a.memberId);
        if (m) m.assignment = a.assignment.slice();
      }
      this.state = "Stable";
      for (const m of this.members.values()) {
        const waiter = m.syncWaiter;
        m.syncWaiter = undefined;
        waiter?.(this.#syncResult(m));
      }
    }
    return result;
  }

  #syncResult(m: Member): SyncResult {
    return {
      errorCode: ErrorCode.NONE,
      protocolType: this.protocolType,
      protocolName: this.protocolName,
      assignment: m.assignment,
    };
  }

  /** Removes a member (left, expired, fenced); a rebalance follows unless told otherwise. */
  removeMember(m: Member, rebalance = true): void {
    clearTimeout(m.sessionTimer);
    this.members.delete(m.memberId);
    if (m.groupInstanceId !== null && this.staticMembers.get(m.groupInstanceId) === m.memberId) {
      this.staticMembers.delete(m.groupInstanceId);
    }
    m.joinWaiter?.(joinError(m.memberId, ErrorCode.UNKNOWN_MEMBER_ID));
    m.syncWaiter?.(syncError(ErrorCode.UNKNOWN_MEMBER_ID));
    m.joinWaiter = m.syncWaiter = undefined;
    if (!rebalance) return;
    if (this.members.size === 0 && this.state !== "PreparingRebalance") {
      this.state = "Empty";
      this.generationId++;
      this.protocolName = null;
      this.leaderId = null;
    } else if (this.state === "Stable" || this.state === "CompletingRebalance") {
      this.prepareRebalance();
    } else {
      this.#maybeCompleteJoin();
    }
  }

  /** Answers every pending JoinGroup and SyncGroup with an error (the group is being replaced). */
  failWaiters(errorCode: number): void {
    for (const m of this.members.values()) {
      m.joinWaiter?.(joinError(m.memberId, errorCode));
      m.syncWaiter?.(syncError(errorCode));
      m.joinWaiter = m.syncWaiter = undefined;
    }
  }

  /** Stops every timer (the broker is closing). */
  close(): void {
    clearTimeout(this.#joinTimer);
    for (const m of this.members.values()) clearTimeout(m.sessionTimer);
  }
}
