/**
 * The streams group coordinator (KIP-1071): StreamsGroupHeartbeat's joins, heartbeats and leaves,
 * the group epoch and its triggers (members, topology, the topics it uses), the target assignment
 * with Kafka's initial rebalance delay and assignment interval, sessions and rebalance timeouts. It
 * reaches the cluster only through a topic catalog and the group configs it reads.
 *
 * @module
 */

import { ErrorCode, type StreamsGroupHeartbeatRequest } from "../../codec/mod.ts";
import { assignTasks } from "./assignor.ts";
import { reconcile, StreamsGroup, type StreamsMember } from "./streams_group.ts";
import { fromWire, noTasks, sameTasks, splitTask, type Tasks, tasksToWire } from "./tasks.ts";
import {
  configureTopology,
  createInternalTopics,
  invalidTopology,
  type Status,
  StreamsStatus,
  type TopicCatalog,
  topicSignature,
} from "./topology.ts";

/** The group configs a streams group reads (each group's override, else the broker's default). */
export interface StreamsConfigs {
  heartbeatIntervalMs(groupId: string): number;
  sessionTimeoutMs(groupId: string): number;
  numStandbyReplicas(groupId: string): number;
}

/** Who sent a heartbeat. */
export interface StreamsClient {
  clientId: string;
  clientHost: string;
}

/** A StreamsGroupHeartbeat request without its tagged fields. */
export type StreamsHeartbeatRequest = Omit<StreamsGroupHeartbeatRequest, "unknownTaggedFields">;

/** A StreamsGroupHeartbeat answer (without the throttle time). */
export interface StreamsHeartbeatAnswer {
  errorCode: number;
  errorMessage: string | null;
  memberId: string;
  memberEpoch: number;
  heartbeatIntervalMs: number;
  acceptableRecoveryLagLegacy: number;
  taskOffsetIntervalMs: number;
  acceptableRecoveryLag: bigint;
  status: Status[] | null;
  activeTasks: { subtopologyId: string; partitions: number[] }[] | null;
  standbyTasks: { subtopologyId: string; partitions: number[] }[] | null;
  warmupTasks: { subtopologyId: string; partitions: number[] }[] | null;
  endpointInformationEpoch: number;
  partitionsByUserEndpoint:
    | {
      userEndpoint: { host: string; port: number };
      activePartitions: { topic: string; partitions: number[] }[];
      standbyPartitions: { topic: string; partitions: number[] }[];
    }[]
    | null;
}

/** Kafka 4.4's defaults of group.streams.task.offset.interval.ms and the acceptable recovery lag. */
const TASK_OFFSET_INTERVAL_MS = 60_000;
const ACCEPTABLE_RECOVERY_LAG = 10_000;

const INITIAL_DELAY = "Assignment delayed due to the configured initial rebalance delay.";
const INTERVAL_DELAY = "Assignment delayed due to the configured assignment interval.";
const SHUTDOWN =
  "A KafkaStreams instance encountered a fatal error and requested a shutdown for the entire application.";

/**
 * A heartbeat's refusal, in Kafka's form (no member, epoch 0, an empty status list).
 *
 * @example
 * ```ts
 * streamsRefusal(25, "Member m is not a member of group g.").errorCode; // 25
 * ```
 */
export function streamsRefusal(
  errorCode: number,
  errorMessage: string | null,
): StreamsHeartbeatAnswer {
  return {
    errorCode,
    errorMessage,
    memberId: "",
    memberEpoch: 0,
    heartbeatIntervalMs: 0,
    acceptableRecoveryLagLegacy: 0,
    taskOffsetIntervalMs: 0,
    acceptableRecoveryLag: -1n,
    status: [],
    activeTasks: null,
    standbyTasks: null,
    warmupTasks: null,
    endpointInformationEpoch: 0,
    partitionsByUserEndpoint: null,
  };
}

/**
 * Kafka's refusal of a malformed heartbeat (INVALID_REQUEST), checked before the group is looked at.
 *
 * @example
 * ```ts ignore
 * invalidStreamsHeartbeat(request); // "MemberId can't be empty." or null
 * ```
 */
export function invalidStreamsHeartbeat(r: StreamsHeartbeatRequest): string | null {
  if (r.topology) {
    if (r.topology.subtopologies.some((s) => s.sourceTopicRegex.length > 0)) {
      return "Regular expressions for source topics are not supported yet.";
    }
  }
  if (r.memberId.trim() === "") return "MemberId can't be empty.";
  if (r.groupId.trim() === "") return "GroupId can't be empty.";
  if (r.instanceId !== null && r.instanceId.trim() === "") return "InstanceId can't be empty.";
  if (r.rackId !== null && r.rackId.trim() === "") return "RackId can't be empty.";
  if (r.memberEpoch === 0) {
    if (r.rebalanceTimeoutMs === -1) return "RebalanceTimeoutMs must be provided in first request.";
    // As Kafka: a null list is not an empty one.
    if (r.activeTasks?.length !== 0) return "ActiveTasks must be empty when (re-)joining.";
    if (r.standbyTasks?.length !== 0) return "StandbyTasks must be empty when (re-)joining.";
    if (r.warmupTasks?.length !== 0) return "WarmupTasks must be empty when (re-)joining.";
    if (r.topology === null) return "Topology must be non-null when (re-)joining.";
  } else if (r.memberEpoch === -2) {
    if (r.instanceId === null) return "InstanceId can't be null.";
  } else if (r.memberEpoch < -2) {
    return `MemberEpoch is ${r.memberEpoch}, but must be greater than or equal to -2.`;
  }
  if (r.activeTasks !== null || r.standbyTasks !== null || r.warmupTasks !== null) {
    if (r.activeTasks === null || r.standbyTasks === null || r.warmupTasks === null) {
      return "If one task-type is non-null, all must be non-null.";
    }
  }
  if (r.memberEpoch !== 0 && r.topology !== null) {
    return "Topology can only be provided when (re-)joining.";
  }
  return null;
}

/** The streams groups of a cluster. */
export class StreamsCoordinator {
  readonly groups: Map<string, StreamsGroup> = new Map();
  /** group.streams.initial.rebalance.delay.ms: a new group's first assignment waits this long. */
  initialRebalanceDelayMs = 3000;
  /** group.streams.assignment.interval.ms: assignments are computed at most this often. */
  assignmentIntervalMs = 1000;
  readonly #topics: TopicCatalog;
  readonly #configs: StreamsConfigs;

  constructor(topics: TopicCatalog, configs: StreamsConfigs) {
    this.#topics = topics;
    this.#configs = configs;
  }

  /** Answers a heartbeat already checked by {@linkcode invalidStreamsHeartbeat}. */
  heartbeat(r: StreamsHeartbeatRequest, client: StreamsClient): StreamsHeartbeatAnswer {
    const now = Date.now();
    let group = this.groups.get(r.groupId);
    if (r.memberEpoch === 0 && r.topology) {
      const invalid = invalidTopology(r.topology);
      if (invalid) return streamsRefusal(ErrorCode.STREAMS_INVALID_TOPOLOGY, invalid);
    }
    if (!group) {
      if (r.memberEpoch !== 0) {
        // Kafka's two messages: a leave looks the group up as any group, a heartbeat as a
        // streams group.
        const kind = r.memberEpoch < 0 ? "Group" : "Streams group";
        return streamsRefusal(ErrorCode.GROUP_ID_NOT_FOUND, `${kind} ${r.groupId} not found.`);
      }
      group = new StreamsGroup(r.groupId);
      this.groups.set(r.groupId, group);
    }
    if (r.memberEpoch < 0) return this.#leave(group, r);
    let member = group.members.get(r.memberId);
    const owned = r.activeTasks === null
      ? null
      : fromWire(r.activeTasks, r.standbyTasks, r.warmupTasks);
    if (r.memberEpoch !== 0) {
      if (!member) {
        return streamsRefusal(
          ErrorCode.UNKNOWN_MEMBER_ID,
          `Member ${r.memberId} is not a member of group ${r.groupId}.`,
        );
      }
      const fenced = fencedEpoch(member, r.memberEpoch, owned);
      if (fenced) return streamsRefusal(ErrorCode.FENCED_MEMBER_EPOCH, fenced);
    }
    const statuses: Status[] = [];
    let bump = 0;
    let replaced = false;
    // A static member (instance id) rejoining under a new member id takes its predecessor's place
    // once that one left with epoch -2; until then the instance id is taken.
    const predecessor = r.memberEpoch === 0 && r.instanceId !== null
      ? [...group.members.values()].find((m) => m.instanceId === r.instanceId)
      : undefined;
    if (predecessor && predecessor.memberEpoch !== -2) {
      return streamsRefusal(
        ErrorCode.UNRELEASED_INSTANCE_ID,
        `Static member ${r.memberId} with instance id ${r.instanceId} cannot join the group because the instance id is owned by ${predecessor.memberId} member.`,
      );
    }
    if (predecessor) {
      const target = group.target(predecessor.memberId);
      clearTimeout(predecessor.sessionTimer);
      clearTimeout(predecessor.rebalanceTimer);
      member = newMember(r, client);
      // As Kafka: the successor starts at the assignment epoch with no tasks, and its next
      // heartbeat moves the group epoch, which hands it its predecessor's tasks.
      member.memberEpoch = group.assignmentEpoch;
      member.replacement = true;
      group.members.set(member.memberId, member);
      group.targets.set(member.memberId, target);
    } else if (!member || r.memberEpoch === 0) {
      if (member) this.#remove(group, member);
      if (group.members.size === 0 && this.initialRebalanceDelayMs > 0) {
        group.initialDelayEnd = now + this.initialRebalanceDelayMs;
        this.#schedule(group, this.initialRebalanceDelayMs);
      }
      member = newMember(r, client);
      group.members.set(member.memberId, member);
      bump = 1;
    } else if (member.replacement) {
      member.replacement = false;
      updateMember(member, r);
      bump = 1;
      replaced = true;
    } else if (updateMember(member, r)) {
      bump = 1;
    }
    if (r.topology && (!group.topology || r.topology.epoch > group.topology.epoch)) {
      group.topology = r.topology;
      group.configured = null;
      bump = 1;
    }
    if (r.shutdownApplication) group.shutdownRequested = true;
    const signature = group.topology ? topicSignature(group.topology, this.#topics) : "";
    // As Kafka: a change of the topics the topology uses moves the epoch once more (a new group's
    // first member moves it to 2).
    if (signature !== group.topicSignature) {
      bump++;
      group.topicSignature = signature;
      group.configured = null;
    }
    group.groupEpoch += bump;
    const configured = this.#configure(group);
    // As Kafka: a static member's replacement does not wait for the assignment interval.
    const delay = this.#maybeAssign(group, now, replaced);
    if (delay) statuses.push({ statusCode: StreamsStatus.ASSIGNMENT_DELAYED, statusDetail: delay });
    if (configured?.status) statuses.push(configured.status);
    if (group.topology && member.topologyEpoch < group.topology.epoch) {
      statuses.push({
        statusCode: StreamsStatus.STALE_TOPOLOGY,
        statusDetail:
          `The member's topology epoch ${member.topologyEpoch} is behind the group's topology epoch ${group.topology.epoch}.`,
      });
    }
    if (group.shutdownRequested) {
      statuses.push({ statusCode: StreamsStatus.SHUTDOWN_APPLICATION, statusDetail: SHUTDOWN });
    }
    const before = member.assigned;
    if (predecessor) {
      if (predecessor.memberId !== member.memberId) this.#remove(group, predecessor);
    } else {
      reconcile(group, member, group.assignmentEpoch, group.target(member.memberId), owned);
    }
    this.#armTimers(group, member);
    this.#refreshEndpoints(group);
    const changed = r.memberEpoch === 0 || !sameTasks(before, member.assigned);
    const tasks = changed ? tasksToWire(member.assigned) : null;
    return {
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      memberId: member.memberId,
      memberEpoch: member.memberEpoch,
      heartbeatIntervalMs: this.#configs.heartbeatIntervalMs(group.groupId),
      acceptableRecoveryLagLegacy: ACCEPTABLE_RECOVERY_LAG,
      taskOffsetIntervalMs: TASK_OFFSET_INTERVAL_MS,
      acceptableRecoveryLag: BigInt(ACCEPTABLE_RECOVERY_LAG),
      status: statuses,
      activeTasks: tasks?.activeTasks ?? null,
      standbyTasks: tasks?.standbyTasks ?? null,
      warmupTasks: tasks?.warmupTasks ?? null,
      endpointInformationEpoch: group.endpointEpoch,
      partitionsByUserEndpoint: r.endpointInformationEpoch < group.endpointEpoch
        ? this.#endpoints(group)
        : null,
    };
  }

  /**
   * Kafka's check of the member an OffsetCommit (`commit`) or OffsetFetch names: a commit without
   * a member (a negative epoch) passes while the group is empty, a fetch without one always; an
   * unknown member is UNKNOWN_MEMBER_ID, a commit before version 9 UNSUPPORTED_VERSION, another
   * epoch STALE_MEMBER_EPOCH.
   */
  checkMember(
    group: StreamsGroup,
    asker: { memberId: string | null; memberEpoch: number },
    options: { commitVersion?: number } = {},
  ): number {
    const commit = options.commitVersion !== undefined;
    if (asker.memberEpoch < 0 && (commit ? group.members.size === 0 : asker.memberId === null)) {
      return ErrorCode.NONE;
    }
    const member = asker.memberId === null ? undefined : group.members.get(asker.memberId);
    if (!member) return ErrorCode.UNKNOWN_MEMBER_ID;
    if (commit && options.commitVersion! < 9) return ErrorCode.UNSUPPORTED_VERSION;
    return member.memberEpoch === asker.memberEpoch ? ErrorCode.NONE : ErrorCode.STALE_MEMBER_EPOCH;
  }

  /** Deletes a group (DeleteGroups checked that it is empty). */
  delete(groupId: string): void {
    this.groups.get(groupId)?.close();
    this.groups.delete(groupId);
  }

  /** Stops every timer. */
  close(): void {
    for (const g of this.groups.values()) g.close();
  }

  #leave(group: StreamsGroup, r: StreamsHeartbeatRequest): StreamsHeartbeatAnswer {
    const member = group.members.get(r.memberId);
    if (!member) {
      return streamsRefusal(
        ErrorCode.UNKNOWN_MEMBER_ID,
        `Member ${r.memberId} is not a member of group ${r.groupId}.`,
      );
    }
    if (r.memberEpoch === -2) {
      // A static member leaving for a while keeps its place and tasks until its session ends.
      member.memberEpoch = -2;
    } else {
      this.#remove(group, member);
      group.groupEpoch++;
      this.#maybeAssign(group, Date.now(), true);
    }
    return {
      ...streamsRefusal(ErrorCode.NONE, null),
      memberId: r.memberId,
      memberEpoch: r.memberEpoch,
    };
  }

  #remove(group: StreamsGroup, member: StreamsMember): void {
    clearTimeout(member.sessionTimer);
    clearTimeout(member.rebalanceTimer);
    group.members.delete(member.memberId);
    group.targets.delete(member.memberId);
    if (group.members.size === 0) group.shutdownRequested = false;
    this.#refreshEndpoints(group);
  }

  /** Fences a member whose session or rebalance timeout passed. */
  #fence(group: StreamsGroup, member: StreamsMember): void {
    if (group.members.get(member.memberId) !== member) return;
    this.#remove(group, member);
    group.groupEpoch++;
    this.#maybeAssign(group, Date.now(), true);
  }

  #configure(group: StreamsGroup) {
    if (!group.topology) return null;
    if (!group.configured) {
      group.configured = configureTopology(group.topology, this.#topics);
      // The status names the topics as they were missing; the next heartbeat sees them.
      createInternalTopics(group.configured, this.#topics);
    }
    return group.configured;
  }

  /**
   * Computes the target assignment when the group epoch moved past it, unless the initial
   * rebalance delay or the assignment interval holds it back (a departure or a static member's
   * replacement does not wait for the interval, as in Kafka); returns the delay's status detail.
   */
  #maybeAssign(group: StreamsGroup, now: number, urgent = false): string | null {
    if (group.groupEpoch <= group.assignmentEpoch) return null;
    if (now < group.initialDelayEnd) {
      // Members reconcile toward an empty target at epoch 1 meanwhile.
      group.assignmentEpoch = Math.max(1, group.assignmentEpoch);
      return INITIAL_DELAY;
    }
    const next = group.lastAssignmentAt + this.assignmentIntervalMs;
    if (!urgent && group.lastAssignmentAt > 0 && now < next) {
      this.#schedule(group, next - now);
      return INTERVAL_DELAY;
    }
    const configured = group.configured;
    const subtopologies = configured?.status === null ? configured.subtopologies ?? [] : [];
    const assigned = assignTasks(
      [...group.members.values()].map((m) => ({
        memberId: m.memberId,
        processId: m.processId,
        active: new Set([...m.assigned.active, ...m.revoking.active]),
        standby: new Set([...m.assigned.standby, ...m.assigned.warmup]),
      })),
      subtopologies.map((s) => ({
        subtopologyId: s.subtopologyId,
        tasks: s.tasks,
        stateful: s.stateful,
      })),
      { numStandbyReplicas: this.#configs.numStandbyReplicas(group.groupId) },
    );
    group.targets.clear();
    for (const [id, t] of assigned) {
      group.targets.set(id, { active: t.active, standby: t.standby, warmup: new Set() });
    }
    group.assignmentEpoch = group.groupEpoch;
    group.lastAssignmentAt = now;
    return null;
  }

  /** Runs the group's pending assignment when a delay ends. */
  #schedule(group: StreamsGroup, ms: number): void {
    clearTimeout(group.timer);
    group.timer = setTimeout(() => {
      group.timer = undefined;
      if (this.groups.get(group.groupId) !== group) return;
      const left = group.initialDelayEnd - Date.now();
      // A timer may fire a little early: the delay then runs to its end.
      if (left > 0) return this.#schedule(group, left);
      group.initialDelayEnd = 0;
      group.configured = null;
      this.#configure(group);
      this.#maybeAssign(group, Date.now());
    }, ms);
  }

  #armTimers(group: StreamsGroup, member: StreamsMember): void {
    clearTimeout(member.sessionTimer);
    member.sessionTimer = setTimeout(
      () => this.#fence(group, member),
      this.#configs.sessionTimeoutMs(group.groupId),
    );
    if (member.state !== "unrevoked") {
      clearTimeout(member.rebalanceTimer);
      member.rebalanceTimer = undefined;
    } else if (member.rebalanceTimer === undefined) {
      const epoch = member.memberEpoch;
      member.rebalanceTimer = setTimeout(() => {
        if (member.state === "unrevoked" && member.memberEpoch === epoch) {
          this.#fence(group, member);
        }
      }, member.rebalanceTimeoutMs);
    }
  }

  /** Moves the endpoint epoch when what the members with endpoints run changes. */
  #refreshEndpoints(group: StreamsGroup): void {
    const signature = JSON.stringify(this.#endpoints(group));
    const key = endpointSignatures.get(group);
    if (key !== signature) {
      if (key !== undefined || signature !== "[]") group.endpointEpoch++;
      endpointSignatures.set(group, signature);
    }
  }

  #endpoints(group: StreamsGroup): NonNullable<StreamsHeartbeatAnswer["partitionsByUserEndpoint"]> {
    const subtopologies = group.configured?.subtopologies ?? [];
    const partitions = (tasks: Iterable<string>) => {
      const byTopic = new Map<string, number[]>();
      for (const key of tasks) {
        const [id, p] = splitTask(key);
        const s = subtopologies.find((x) => x.subtopologyId === id);
        for (
          const t of [
            ...s?.sourceTopics ?? [],
            ...(s?.repartitionSourceTopics ?? []).map((x) => x.name),
          ]
        ) {
          byTopic.set(t, [...byTopic.get(t) ?? [], p]);
        }
      }
      return [...byTopic].sort(([a], [b]) => a < b ? -1 : 1)
        .map(([topic, ps]) => ({ topic, partitions: ps.sort((a, b) => a - b) }));
    };
    return [...group.members.values()].filter((m) => m.userEndpoint !== null).map((m) => ({
      userEndpoint: m.userEndpoint!,
      activePartitions: partitions(m.assigned.active),
      standbyPartitions: partitions([...m.assigned.standby, ...m.assigned.warmup]),
    }));
  }
}

const endpointSignatures = new WeakMap<StreamsGroup, string>();

function fencedEpoch(member: StreamsMember, epoch: number, owned: Tasks | null): string | null {
  if (epoch > member.memberEpoch) {
    return `The streams group member has a greater member epoch (${epoch}) than the one known by the group coordinator (${member.memberEpoch}). The member must abandon all its partitions and rejoin.`;
  }
  if (epoch < member.memberEpoch) {
    const contained = owned !== null &&
      (["active", "standby", "warmup"] as const).every((role) =>
        [...owned[role]].every((k) => member.assigned[role].has(k))
      );
    if (epoch !== member.previousMemberEpoch || !contained) {
      return `The streams group member has a smaller member epoch (${epoch}) than the one known by the group coordinator (${member.memberEpoch}). The member must abandon all its partitions and rejoin.`;
    }
  }
  return null;
}

function newMember(r: StreamsHeartbeatRequest, client: StreamsClient): StreamsMember {
  return {
    memberId: r.memberId,
    instanceId: r.instanceId,
    rackId: r.rackId,
    clientId: client.clientId,
    clientHost: client.clientHost,
    rebalanceTimeoutMs: r.rebalanceTimeoutMs,
    topologyEpoch: r.topology?.epoch ?? 0,
    processId: r.processId ?? "",
    userEndpoint: r.userEndpoint ? { host: r.userEndpoint.host, port: r.userEndpoint.port } : null,
    clientTags: (r.clientTags ?? []).map((t) => ({ key: t.key, value: t.value })),
    taskOffsets: (r.taskOffsets ?? []).map((t) => ({ ...t })),
    taskEndOffsets: (r.taskEndOffsets ?? []).map((t) => ({ ...t })),
    memberEpoch: 0,
    previousMemberEpoch: 0,
    state: "stable",
    assigned: noTasks(),
    revoking: noTasks(),
  };
}

/** Applies a heartbeat's changed fields; true when the group epoch must move (Kafka's triggers). */
function updateMember(m: StreamsMember, r: StreamsHeartbeatRequest): boolean {
  let bump = false;
  if (r.rebalanceTimeoutMs !== -1) m.rebalanceTimeoutMs = r.rebalanceTimeoutMs;
  if (r.rackId !== null && r.rackId !== m.rackId) [m.rackId, bump] = [r.rackId, true];
  if (r.processId !== null && r.processId !== m.processId) {
    [m.processId, bump] = [r.processId, true];
  }
  if (r.userEndpoint !== null) {
    const e = { host: r.userEndpoint.host, port: r.userEndpoint.port };
    if (m.userEndpoint?.host !== e.host || m.userEndpoint?.port !== e.port) {
      [m.userEndpoint, bump] = [e, true];
    }
  }
  if (r.clientTags !== null) {
    const tags = r.clientTags.map((t) => ({ key: t.key, value: t.value }));
    if (JSON.stringify(tags) !== JSON.stringify(m.clientTags)) [m.clientTags, bump] = [tags, true];
  }
  if (r.taskOffsets !== null) m.taskOffsets = r.taskOffsets.map((t) => ({ ...t }));
  if (r.taskEndOffsets !== null) m.taskEndOffsets = r.taskEndOffsets.map((t) => ({ ...t }));
  return bump;
}
