/**
 * ConsumerGroupHeartbeat, the one request of the consumer rebalance protocol (KIP-848), as Kafka's
 * group coordinator answers it: a member joins with epoch 0, heartbeats with its epoch, leaves with
 * -1 (or -2, a static member that will be back); each heartbeat may move the group epoch (a new
 * subscription, a topic that changed), compute a new target assignment, and move the member one
 * step toward it.
 *
 * @module
 */

import {
  type ConsumerGroupHeartbeatRequest,
  type ConsumerGroupHeartbeatResponse,
  ErrorCode,
  randomUuid,
} from "../../codec/mod.ts";
import type { ConsumerGroups, GroupMetadata } from "./group_services.ts";
import { type AssignorMember, SERVER_ASSIGNORS, type TopicPartitions } from "./assignors.ts";
import {
  type ConsumerGroup,
  type ConsumerMember,
  newMember,
  type OwnedPartitions,
  preferredAssignor,
  reconcile,
} from "./consumer_group.ts";

/** A ConsumerGroupHeartbeat request. */
export type HeartbeatRequest = Omit<ConsumerGroupHeartbeatRequest, "unknownTaggedFields">;

/** Its answer, but for the throttle time. */
export type HeartbeatAnswer = Omit<
  ConsumerGroupHeartbeatResponse,
  "throttleTimeMs" | "unknownTaggedFields"
>;

/** Who sends the heartbeat, for the member's description. */
export interface HeartbeatClient {
  apiVersion: number;
  clientId: string;
  clientHost: string;
}

/** A refusal, with Kafka's error code and message. */
export class Refusal extends Error {
  constructor(readonly errorCode: number, message: string | null) {
    super(message ?? "");
  }
}

/** A heartbeat's refusal: Kafka's error, and no member, epoch or assignment. */
export function heartbeatRefusal(errorCode: number, errorMessage: string | null = null): {
  errorCode: number;
  errorMessage: string | null;
  memberId: null;
  memberEpoch: 0;
  heartbeatIntervalMs: 0;
  assignment: null;
} {
  return {
    errorCode,
    errorMessage,
    memberId: null,
    memberEpoch: 0,
    heartbeatIntervalMs: 0,
    assignment: null,
  };
}

/** A heartbeat's answer to a {@linkcode Refusal}; anything else is rethrown. */
export function refusedHeartbeat(e: unknown): ReturnType<typeof heartbeatRefusal> {
  if (!(e instanceof Refusal)) throw e;
  return heartbeatRefusal(e.errorCode, e.message === "" ? null : e.message);
}

const LEAVE = -1;
const LEAVE_STATIC = -2;

/** Refuses what Kafka's group coordinator service refuses before it looks at the group. */
export function invalidHeartbeat(
  req: HeartbeatRequest,
  apiVersion: number,
  assignors: readonly string[],
): { errorCode: number; errorMessage: string } | null {
  const invalid = (errorMessage: string) => ({
    errorCode: ErrorCode.INVALID_REQUEST,
    errorMessage,
  });
  const blank = (s: string | null) => s !== null && s.trim() === "";
  if (
    (apiVersion >= 1 || req.memberEpoch > 0 || req.memberEpoch === LEAVE) && blank(req.memberId)
  ) {
    return invalid("MemberId can't be empty.");
  }
  if (blank(req.groupId)) return invalid("GroupId can't be empty.");
  if (blank(req.instanceId)) return invalid("InstanceId can't be empty.");
  if (blank(req.rackId)) return invalid("RackId can't be empty.");
  if (req.memberEpoch === 0) {
    if (req.rebalanceTimeoutMs === -1) {
      return invalid("RebalanceTimeoutMs must be provided in first request.");
    }
    if (req.topicPartitions === null || req.topicPartitions.length > 0) {
      return invalid("TopicPartitions must be empty when (re-)joining.");
    }
    if (req.subscribedTopicNames === null && req.subscribedTopicRegex === null) {
      return invalid(
        "Either SubscribedTopicNames or SubscribedTopicRegex must be non-null when (re-)joining.",
      );
    }
  } else if (req.memberEpoch === LEAVE_STATIC) {
    if (req.instanceId === null) return invalid("InstanceId can't be null.");
  } else if (req.memberEpoch < LEAVE_STATIC) {
    return invalid("MemberEpoch is invalid.");
  }
  if (req.serverAssignor !== null && !assignors.includes(req.serverAssignor)) {
    return {
      errorCode: ErrorCode.UNSUPPORTED_ASSIGNOR,
      errorMessage: `ServerAssignor ${req.serverAssignor} is not supported. Supported assignors: ${
        assignors.join(", ")
      }.`,
    };
  }
  return null;
}

/** Runs one heartbeat against the coordinator's groups; errors become Kafka's answers. */
export function consumerGroupHeartbeat(
  coordinator: ConsumerGroups,
  meta: GroupMetadata,
  req: HeartbeatRequest,
  client: HeartbeatClient,
): HeartbeatAnswer {
  try {
    return new Heartbeat(coordinator, meta, client).run(req);
  } catch (e) {
    return refusedHeartbeat(e);
  }
}

/**
 * Kafka reads subscription regexes with RE2: whole-name matches, and no lookarounds or
 * backreferences. Returns null for a pattern RE2 refuses.
 */
export function regexMatcher(regex: string): RegExp | null {
  return regexProblem(regex) === null ? new RegExp(`^(?:${regex})$`) : null;
}

/** JavaScript's complaints about a pattern, as RE2 words them. */
const RE2_PROBLEMS: [RegExp, string][] = [
  [/Unterminated group/, "missing closing )"],
  [/Unmatched '\)'/, "unexpected )"],
  [/Unterminated character class/, "missing closing ]"],
  [/Nothing to repeat/, "missing argument to repetition operator"],
  [/\\ at end of pattern/, "trailing \\"],
  [/Range out of order/, "invalid character class range"],
  [/numbers out of order/, "invalid repeat count"],
];

/** Why RE2 refuses a pattern (in its words where they are known), or null. */
function regexProblem(regex: string): string | null {
  if (/\(\?<?[=!]/.test(regex)) return "invalid or unsupported Perl syntax";
  if (/(^|[^\\])(\\\\)*\\[1-9]/.test(regex)) return "invalid escape sequence";
  try {
    new RegExp(regex);
    return null;
  } catch (e) {
    const message = (e as Error).message;
    return RE2_PROBLEMS.find(([pattern]) => pattern.test(message))?.[1] ?? "invalid syntax";
  }
}

class Heartbeat {
  readonly #groups: ConsumerGroups;
  readonly #meta: GroupMetadata;
  readonly #client: HeartbeatClient;

  constructor(groups: ConsumerGroups, meta: GroupMetadata, client: HeartbeatClient) {
    this.#groups = groups;
    this.#meta = meta;
    this.#client = client;
  }

  run(req: HeartbeatRequest): HeartbeatAnswer {
    if (req.memberEpoch === LEAVE || req.memberEpoch === LEAVE_STATIC) return this.#leave(req);
    const joining = req.memberEpoch === 0;
    // A new group (or an empty classic one it replaces) is kept only if the heartbeat succeeds.
    const group = this.#groups.consumerGroupFor(req.groupId, joining);
    const maxSize = this.#meta.configs.staticNumber("group.consumer.max.size");
    if (
      group.members.size >= maxSize && (req.memberId === "" || !group.members.has(req.memberId))
    ) {
      throw new Refusal(
        ErrorCode.GROUP_MAX_SIZE_REACHED,
        `The consumer group has reached its maximum capacity of ${maxSize} members.`,
      );
    }
    const memberId = req.memberId === "" ? randomUuid() : req.memberId;
    const member = req.instanceId === null
      ? this.#dynamicMember(group, memberId, req, joining)
      : this.#staticMember(group, memberId, req, joining);
    const updated: ConsumerMember = {
      ...member,
      instanceId: req.instanceId ?? member.instanceId,
      rackId: req.rackId ?? member.rackId,
      rebalanceTimeoutMs: req.rebalanceTimeoutMs === -1
        ? member.rebalanceTimeoutMs
        : req.rebalanceTimeoutMs,
      serverAssignor: req.serverAssignor ?? member.serverAssignor,
      subscribedTopicNames: req.subscribedTopicNames
        ? [...req.subscribedTopicNames]
        : member.subscribedTopicNames,
      subscribedTopicRegex: req.subscribedTopicRegex ?? member.subscribedTopicRegex,
      clientId: this.#client.clientId,
      clientHost: this.#client.clientHost,
      classic: null,
    };
    if (
      updated.subscribedTopicRegex &&
      updated.subscribedTopicRegex !== member.subscribedTopicRegex &&
      regexMatcher(updated.subscribedTopicRegex) === null
    ) {
      throw new Refusal(
        ErrorCode.INVALID_REGULAR_EXPRESSION,
        `SubscribedTopicRegex \`${updated.subscribedTopicRegex}\` is not a valid regular expression: ${
          regexProblem(updated.subscribedTopicRegex)
        }.`,
      );
    }
    const next = applyMember(
      this.#groups,
      this.#meta,
      group,
      member,
      updated,
      req.topicPartitions,
    );
    this.#groups.armTimers(group, next, next !== updated);
    this.#groups.maybeRefreshRegexes(group, next.subscribedTopicRegex);
    const full = req.rebalanceTimeoutMs !== -1 &&
      (req.subscribedTopicNames !== null || req.subscribedTopicRegex !== null) &&
      req.topicPartitions !== null;
    const changed = !samePartitions(member.assigned, next.assigned);
    return {
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      memberId: next.memberId,
      memberEpoch: next.memberEpoch,
      heartbeatIntervalMs: this.#groups.groupNumber(
        group.groupId,
        "consumer.heartbeat.interval.ms",
      ),
      assignment: joining || full || changed
        ? { topicPartitions: asTopicPartitions(next.assigned) }
        : null,
    };
  }

  #dynamicMember(
    group: ConsumerGroup,
    memberId: string,
    req: HeartbeatRequest,
    joining: boolean,
  ): ConsumerMember {
    const member = group.members.get(memberId) ??
      (joining ? newMember(memberId) : unknownMember(group, memberId));
    checkEpoch(member, req.memberEpoch, req.topicPartitions);
    return member;
  }

  #staticMember(
    group: ConsumerGroup,
    memberId: string,
    req: HeartbeatRequest,
    joining: boolean,
  ): ConsumerMember {
    const instanceId = req.instanceId!;
    const existingId = group.staticMembers.get(instanceId);
    const existing = existingId === undefined ? undefined : group.members.get(existingId);
    if (joining) {
      if (!existing) return group.members.get(memberId) ?? newMember(memberId);
      if (existing.memberEpoch !== LEAVE_STATIC) {
        throw new Refusal(
          ErrorCode.UNRELEASED_INSTANCE_ID,
          `Static member ${memberId} with instance id ${instanceId} cannot join the group because the instance id is owned by ${existing.memberId} member.`,
        );
      }
      // The member that comes back keeps the partitions its instance had.
      return { ...existing, memberId, memberEpoch: 0, previousMemberEpoch: 0 };
    }
    if (!existing) {
      throw new Refusal(ErrorCode.UNKNOWN_MEMBER_ID, `Instance id ${instanceId} is unknown.`);
    }
    fencedInstance(existing, memberId, instanceId);
    checkEpoch(existing, req.memberEpoch, req.topicPartitions);
    return existing;
  }

  #leave(req: HeartbeatRequest): HeartbeatAnswer {
    if (!this.#groups.consumerGroups.has(req.groupId) && !this.#groups.groups.has(req.groupId)) {
      throw new Refusal(ErrorCode.GROUP_ID_NOT_FOUND, `Group ${req.groupId} not found.`);
    }
    const group = this.#groups.consumerGroupFor(req.groupId, false);
    let member: ConsumerMember;
    if (req.instanceId === null) {
      member = group.members.get(req.memberId) ?? unknownMember(group, req.memberId);
    } else {
      const id = group.staticMembers.get(req.instanceId);
      const found = id === undefined ? undefined : group.members.get(id);
      if (!found) {
        throw new Refusal(ErrorCode.UNKNOWN_MEMBER_ID, `Instance id ${req.instanceId} is unknown.`);
      }
      fencedInstance(found, req.memberId, req.instanceId);
      member = found;
      if (req.memberEpoch === LEAVE_STATIC) {
        // It keeps its partitions until it comes back or its session ends.
        group.updateMember({ ...member, memberEpoch: LEAVE_STATIC, pendingRevocation: new Map() });
        return this.#left(member.memberId, LEAVE_STATIC);
      }
    }
    this.#groups.fence(group, [member.memberId]);
    return this.#left(req.memberId, req.memberEpoch);
  }

  #left(memberId: string, memberEpoch: number): HeartbeatAnswer {
    return {
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      memberId,
      memberEpoch,
      heartbeatIntervalMs: 0,
      assignment: null,
    };
  }
}

/**
 * Applies a member's new subscription to its group, as a heartbeat or a classic JoinGroup does: the
 * group epoch moves when a subscription or the subscribed topics changed, a new target assignment
 * is computed for a new epoch, and the member moves one step toward its target (knowing what it
 * owns). A static member that came back replaces its old self. Returns the member as stored.
 */
export function applyMember(
  groups: ConsumerGroups,
  meta: GroupMetadata,
  group: ConsumerGroup,
  member: ConsumerMember,
  updated: ConsumerMember,
  owned: OwnedPartitions,
): ConsumerMember {
  let bump = group.groupEpoch === 0 ||
    !sameList(updated.subscribedTopicNames, member.subscribedTopicNames) ||
    updated.subscribedTopicRegex !== member.subscribedTopicRegex;
  const replacedId = replaced(group, updated);
  const members = [...group.members.values()]
    .filter((m) => m.memberId !== member.memberId && m.memberId !== replacedId)
    .concat(updated);
  const signature = groups.metadataSignature(group, members);
  if (signature !== group.metadataSignature) bump = true;
  if (bump) {
    group.groupEpoch++;
    group.metadataSignature = signature;
  }
  if (replacedId !== null) {
    // The new member takes over the old one's target assignment and its place.
    const target = group.targetAssignment.get(replacedId);
    group.removeMember(replacedId);
    if (target) group.targetAssignment.set(updated.memberId, target);
  }
  if (group.groupEpoch > group.assignmentEpoch) assignTargets(groups, meta, group, members);
  const next = reconcile(
    updated,
    group.assignmentEpoch,
    group.targetAssignment.get(updated.memberId) ?? new Map(),
    (t, p) => group.partitionEpoch(t, p),
    owned,
  );
  groups.adopt(group);
  group.updateMember(next);
  return next;
}

/** Computes the target assignment of the group epoch with the preferred assignor. */
function assignTargets(
  groups: ConsumerGroups,
  meta: GroupMetadata,
  group: ConsumerGroup,
  members: ConsumerMember[],
): void {
  const name = preferredAssignor(members) ??
    meta.configs.staticList("group.consumer.assignors")[0];
  const assignor = SERVER_ASSIGNORS.get(name) ?? SERVER_ASSIGNORS.get("uniform")!;
  const inputs: AssignorMember[] = members.map((m) => ({
    memberId: m.memberId,
    instanceId: m.instanceId,
    topicIds: groups.subscribedTopicIds(group, m),
    previous: group.targetAssignment.get(m.memberId) ?? new Map(),
  }));
  const assignment = assignor(
    inputs,
    (topicId) => meta.topics.byId.get(topicId)?.partitions.length ?? 0,
  );
  group.targetAssignment.clear();
  for (const [memberId, partitions] of assignment) group.targetAssignment.set(memberId, partitions);
  group.assignmentEpoch = group.groupEpoch;
}

/** The member id a static member that comes back replaces, if any. */
function replaced(group: ConsumerGroup, member: ConsumerMember): string | null {
  if (member.instanceId === null) return null;
  const id = group.staticMembers.get(member.instanceId);
  return id !== undefined && id !== member.memberId ? id : null;
}

function unknownMember(group: ConsumerGroup, memberId: string): never {
  throw new Refusal(
    ErrorCode.UNKNOWN_MEMBER_ID,
    `Member ${memberId} is not a member of group ${group.groupId}.`,
  );
}

function fencedInstance(member: ConsumerMember, memberId: string, instanceId: string): void {
  if (member.memberId !== memberId) {
    throw new Refusal(
      ErrorCode.FENCED_INSTANCE_ID,
      `Static member ${memberId} with instance id ${instanceId} was fenced by member ${member.memberId}.`,
    );
  }
}

/**
 * A member may send its epoch, or its previous epoch while it still owns only partitions it was
 * given (its answer with the new epoch may have been lost).
 */
function checkEpoch(member: ConsumerMember, received: number, owned: OwnedPartitions): void {
  const fenced = (which: string) =>
    new Refusal(
      ErrorCode.FENCED_MEMBER_EPOCH,
      `The consumer group member has a ${which} member epoch (${received}) than the one known by the group coordinator (${member.memberEpoch}). The member must abandon all its partitions and rejoin.`,
    );
  if (received > member.memberEpoch) throw fenced("greater");
  if (
    received < member.memberEpoch &&
    !(received === member.previousMemberEpoch && isSubset(owned, member.assigned))
  ) {
    throw fenced("smaller");
  }
}

function isSubset(owned: OwnedPartitions, assigned: TopicPartitions): boolean {
  if (owned === null) return false;
  return owned.every((t) => t.partitions.every((p) => assigned.get(t.topicId)?.has(p)));
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function samePartitions(a: TopicPartitions, b: TopicPartitions): boolean {
  const size = (m: TopicPartitions) => [...m.values()].reduce((n, s) => n + s.size, 0);
  if (size(a) !== size(b)) return false;
  for (const [t, ps] of a) for (const p of ps) if (!b.get(t)?.has(p)) return false;
  return true;
}

/** An assignment as the protocol carries it, partitions in order. */
export function asTopicPartitions(
  assignment: TopicPartitions,
): { topicId: string; partitions: number[] }[] {
  return [...assignment].map(([topicId, ps]) => ({
    topicId,
    partitions: [...ps].sort((a, b) => a - b),
  }));
}

/**
 * Kafka's message when this node does not coordinate the group: none, since Kafka leaves out a
 * message that only repeats the error's default text.
 */
export const NOT_COORDINATOR_MESSAGE = null;
