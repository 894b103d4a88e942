/**
 * A streams group (KIP-1071): its epochs, topology, members and target assignment, its state as
 * Kafka names it, and the reconciliation of a member's tasks with its target: tasks it must give up
 * are revoked first (the member keeps its epoch until it reports them gone), and an active task is
 * only handed over once no other member runs it.
 *
 * @module
 */

import type { ConfiguredTopology, Topology } from "./topology.ts";
import { intersect, isEmpty, minus, noTasks, type TaskKey, type Tasks } from "./tasks.ts";

/** Where a member is in its reconciliation. */
export type MemberState = "stable" | "unrevoked" | "unreleased";

/** A committed offset (the shape the group coordinator keeps for every kind of group). */
export interface StreamsOffset {
  offset: bigint;
  leaderEpoch: number;
  metadata: string | null;
  commitTimestamp: number;
}

/** A member of a streams group. */
export interface StreamsMember {
  memberId: string;
  instanceId: string | null;
  rackId: string | null;
  clientId: string;
  clientHost: string;
  rebalanceTimeoutMs: number;
  topologyEpoch: number;
  processId: string;
  userEndpoint: { host: string; port: number } | null;
  clientTags: { key: string; value: string }[];
  taskOffsets: { subtopologyId: string; partition: number; offset: bigint }[];
  taskEndOffsets: { subtopologyId: string; partition: number; offset: bigint }[];
  memberEpoch: number;
  previousMemberEpoch: number;
  state: MemberState;
  /** The tasks the member runs (or is told to run). */
  assigned: Tasks;
  /** Tasks the member was told to give up and has not yet reported gone. */
  revoking: Tasks;
  /** A static member that took its predecessor's place: its next heartbeat moves the epoch. */
  replacement?: boolean;
  sessionTimer?: ReturnType<typeof setTimeout>;
  rebalanceTimer?: ReturnType<typeof setTimeout>;
}

/** A streams group. */
export class StreamsGroup {
  readonly groupId: string;
  groupEpoch = 0;
  assignmentEpoch = 0;
  topology: Topology | null = null;
  configured: ConfiguredTopology | null = null;
  /** The topics the topology uses as last seen; the group epoch moves when they change. */
  topicSignature: string | null = null;
  readonly members: Map<string, StreamsMember> = new Map();
  /** Each member's target assignment at `assignmentEpoch`. */
  readonly targets: Map<string, Tasks> = new Map();
  /** When the initial rebalance delay ends (0 when none runs). */
  initialDelayEnd = 0;
  /** When the target assignment was last computed. */
  lastAssignmentAt = 0;
  /** Moves when the members' endpoints or tasks change, for interactive queries. */
  endpointEpoch = 0;
  shutdownRequested = false;
  timer: ReturnType<typeof setTimeout> | undefined;
  /** Committed offsets by "topic\0partition". */
  readonly offsets: Map<string, StreamsOffset> = new Map();

  constructor(groupId: string) {
    this.groupId = groupId;
  }

  /** Kafka's state of the group. */
  get state(): "Empty" | "NotReady" | "Assigning" | "Reconciling" | "Stable" {
    if (this.members.size === 0) return "Empty";
    if (!this.configured || this.configured.status !== null) return "NotReady";
    if (this.groupEpoch > this.assignmentEpoch) return "Assigning";
    for (const m of this.members.values()) {
      if (m.memberEpoch !== this.assignmentEpoch || m.state !== "stable") return "Reconciling";
    }
    return "Stable";
  }

  /** True while members read the topic (a source or repartition source topic of the topology). */
  isSubscribedTo(topic: string): boolean {
    if (this.members.size === 0 || !this.topology) return false;
    return this.topology.subtopologies.some((s) =>
      s.sourceTopics.includes(topic) || s.repartitionSourceTopics.some((t) => t.name === topic)
    );
  }

  /** A member's target (empty when it has none yet). */
  target(memberId: string): Tasks {
    return this.targets.get(memberId) ?? noTasks();
  }

  /** Stops the group's timers. */
  close(): void {
    clearTimeout(this.timer);
    for (const m of this.members.values()) {
      clearTimeout(m.sessionTimer);
      clearTimeout(m.rebalanceTimer);
    }
  }
}

/**
 * Moves a member toward its target, as Kafka's current assignment builder does. `owned` is what
 * the member reports it runs (null when it did not say).
 *
 * @example
 * ```ts ignore
 * reconcile(group, member, group.assignmentEpoch, group.target(member.memberId), null);
 * ```
 */
export function reconcile(
  group: StreamsGroup,
  member: StreamsMember,
  targetEpoch: number,
  target: Tasks,
  owned: Tasks | null,
): void {
  if (member.state === "unrevoked") {
    const stillOwned = owned !== null &&
      [...roles(member.revoking)].some(([role, key]) => owned[role].has(key));
    if (owned === null || stillOwned) return;
    member.revoking = noTasks();
  } else if (member.memberEpoch === targetEpoch && member.state === "stable") {
    return;
  }
  const toRevoke = minus(member.assigned, target);
  if (!isEmpty(toRevoke)) {
    member.state = "unrevoked";
    member.assigned = intersect(member.assigned, target);
    member.revoking = toRevoke;
    return;
  }
  const next = noTasks();
  let unreleased = false;
  for (const [role, key] of roles(target)) {
    if (heldElsewhere(group, member, role, key)) unreleased = true;
    else next[role].add(key);
  }
  member.previousMemberEpoch = member.memberEpoch;
  member.memberEpoch = targetEpoch;
  member.assigned = next;
  member.state = unreleased ? "unreleased" : "stable";
}

function* roles(t: Tasks): Generator<[keyof Tasks, TaskKey]> {
  for (const role of ["active", "standby", "warmup"] as const) {
    for (const key of t[role]) yield [role, key];
  }
}

/** An active task runs nowhere else; a standby or warm-up not beside its task in the same process. */
function heldElsewhere(
  group: StreamsGroup,
  member: StreamsMember,
  role: keyof Tasks,
  key: TaskKey,
): boolean {
  for (const other of group.members.values()) {
    if (other === member) continue;
    const holds = (r: keyof Tasks) => other.assigned[r].has(key) || other.revoking[r].has(key);
    if (role === "active" && holds("active")) return true;
    if (
      role !== "active" && other.processId === member.processId &&
      (holds("active") || holds("standby") || holds("warmup"))
    ) return true;
  }
  return false;
}
