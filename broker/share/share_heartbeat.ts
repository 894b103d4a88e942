/**
 * ShareGroupHeartbeat as Kafka's group coordinator answers it: a member joins with epoch 0 and its
 * subscription, heartbeats with its epoch, leaves with -1. A heartbeat may move the group epoch (a
 * new subscription, a topic that changed, partitions whose share state became initialized); a new
 * epoch gets a new target assignment, which members take at once (share members revoke nothing).
 *
 * @module
 */

import { ErrorCode, type ShareGroupHeartbeatRequest } from "../../codec/mod.ts";
import type { GroupMetadata, ShareGroups } from "../groups/group_services.ts";
import type { TopicPartitions } from "../groups/assignors.ts";
import { Refusal, refusedHeartbeat } from "../groups/consumer_heartbeat.ts";
import type { ShareGroup, ShareMember } from "./share_group.ts";
import { simpleAssign } from "./simple_assignor.ts";

/** A ShareGroupHeartbeat request. */
export type ShareHeartbeatRequest = Omit<ShareGroupHeartbeatRequest, "unknownTaggedFields">;

/** Its answer, but for the throttle time. */
export interface ShareHeartbeatAnswer {
  errorCode: number;
  errorMessage: string | null;
  memberId: string | null;
  memberEpoch: number;
  heartbeatIntervalMs: number;
  assignment: { topicPartitions: { topicId: string; partitions: number[] }[] } | null;
}

const LEAVE = -1;

/** Refuses what Kafka's group coordinator service refuses before it looks at the group. */
export function invalidShareHeartbeat(req: ShareHeartbeatRequest): string | null {
  const blank = (s: string | null) => s !== null && s.trim() === "";
  if (blank(req.memberId)) return "MemberId can't be empty.";
  if (blank(req.groupId)) return "GroupId can't be empty.";
  if (blank(req.rackId)) return "RackId can't be empty.";
  if (req.memberEpoch === 0) {
    if (req.subscribedTopicNames === null || req.subscribedTopicNames.length === 0) {
      return "SubscribedTopicNames must be set in first request.";
    }
  } else if (req.memberEpoch < LEAVE) {
    return "MemberEpoch is invalid.";
  }
  return null;
}

/** Who sends the heartbeat, for the member's description. */
export interface ShareHeartbeatClient {
  clientId: string;
  clientHost: string;
}

/** Runs one heartbeat; refusals become Kafka's answers. */
export function shareGroupHeartbeat(
  groups: ShareGroups,
  meta: GroupMetadata,
  req: ShareHeartbeatRequest,
  client: ShareHeartbeatClient,
): ShareHeartbeatAnswer {
  try {
    return req.memberEpoch === LEAVE ? leave(groups, req) : heartbeat(groups, meta, req, client);
  } catch (e) {
    return refusedHeartbeat(e);
  }
}

function heartbeat(
  groups: ShareGroups,
  meta: GroupMetadata,
  req: ShareHeartbeatRequest,
  client: ShareHeartbeatClient,
): ShareHeartbeatAnswer {
  const joining = req.memberEpoch === 0;
  const group = groups.shareGroupFor(req.groupId, joining);
  const maxSize = meta.configs.staticNumber("group.share.max.size");
  if (group.members.size >= maxSize && !group.members.has(req.memberId)) {
    throw new Refusal(
      ErrorCode.GROUP_MAX_SIZE_REACHED,
      `The share group has reached its maximum capacity of ${maxSize} members.`,
    );
  }
  const member = group.members.get(req.memberId) ??
    (joining ? newShareMember(req.memberId) : unknownMember(group, req.memberId));
  checkEpoch(member, req.memberEpoch);
  const updated: ShareMember = {
    ...member,
    rackId: req.rackId ?? member.rackId,
    subscribedTopicNames: req.subscribedTopicNames
      ? [...req.subscribedTopicNames]
      : member.subscribedTopicNames,
    clientId: client.clientId,
    clientHost: client.clientHost,
  };
  const subscriptionChanged = !sameNames(member.subscribedTopicNames, updated.subscribedTopicNames);
  const staying = [...group.members.values()].filter((m) => m.memberId !== updated.memberId);
  const subscribed = new Set([...staying, updated].flatMap((m) => subscribedTopicIds(meta, m)));
  let bump = subscriptionChanged || group.initializationPending(subscribed);
  const signature = metadataSignature(meta, [...staying, updated]);
  if (signature !== group.metadataSignature) bump = true;
  if (bump) {
    group.groupEpoch++;
    group.metadataSignature = signature;
  }
  if (!groups.shareGroups.has(group.groupId)) groups.shareGroups.set(group.groupId, group);
  group.members.set(updated.memberId, updated);
  if (group.groupEpoch > group.assignmentEpoch) assignTargets(meta, group);
  const target = group.targetAssignment.get(updated.memberId) ?? new Map();
  if (updated.memberEpoch !== group.assignmentEpoch) {
    updated.previousMemberEpoch = updated.memberEpoch;
    updated.memberEpoch = group.assignmentEpoch;
    updated.assigned = target;
  }
  armSessionTimer(groups, group, updated);
  const full = req.subscribedTopicNames !== null;
  const answer: ShareHeartbeatAnswer = {
    errorCode: ErrorCode.NONE,
    errorMessage: null,
    memberId: updated.memberId,
    memberEpoch: updated.memberEpoch,
    heartbeatIntervalMs: groups.groupNumber(group.groupId, "share.heartbeat.interval.ms"),
    assignment: joining || full || !samePartitions(member.assigned, updated.assigned)
      ? { topicPartitions: asTopicPartitions(updated.assigned) }
      : null,
  };
  initializeSubscribedTopics(meta, group);
  return answer;
}

function leave(groups: ShareGroups, req: ShareHeartbeatRequest): ShareHeartbeatAnswer {
  const group = groups.shareGroups.get(req.groupId);
  if (!group) {
    // Kafka words this one as it words any group lookup.
    if (groups.groups.has(req.groupId) || groups.consumerGroups.has(req.groupId)) {
      throw new Refusal(ErrorCode.GROUP_ID_NOT_FOUND, `Group ${req.groupId} is not a share group.`);
    }
    throw new Refusal(ErrorCode.GROUP_ID_NOT_FOUND, `Group ${req.groupId} not found.`);
  }
  if (!group.members.has(req.memberId)) unknownMember(group, req.memberId);
  groups.fenceShareMember(group, req.memberId);
  return {
    errorCode: ErrorCode.NONE,
    errorMessage: null,
    memberId: req.memberId,
    memberEpoch: req.memberEpoch,
    heartbeatIntervalMs: 0,
    assignment: null,
  };
}

function newShareMember(memberId: string): ShareMember {
  return {
    memberId,
    memberEpoch: 0,
    previousMemberEpoch: 0,
    rackId: null,
    clientId: "",
    clientHost: "",
    subscribedTopicNames: [],
    assigned: new Map(),
  };
}

function unknownMember(group: ShareGroup, memberId: string): never {
  throw new Refusal(
    ErrorCode.UNKNOWN_MEMBER_ID,
    `Member ${memberId} is not a member of group ${group.groupId}.`,
  );
}

function checkEpoch(member: ShareMember, epoch: number): void {
  if (epoch > member.memberEpoch) {
    throw new Refusal(
      ErrorCode.FENCED_MEMBER_EPOCH,
      `The share group member has a greater member epoch (${epoch}) than the one known by the group coordinator (${member.memberEpoch}). The member must abandon all its partitions and rejoin.`,
    );
  }
  if (epoch < member.memberEpoch && epoch !== member.previousMemberEpoch) {
    throw new Refusal(
      ErrorCode.FENCED_MEMBER_EPOCH,
      `The share group member has a smaller member epoch (${epoch}) than the one known by the group coordinator (${member.memberEpoch}), and it does not match the previous member epoch (${member.previousMemberEpoch}). The member must abandon all its partitions and rejoin.`,
    );
  }
}

/** Restarts a member's session timer; when it fires, the member is fenced. */
function armSessionTimer(groups: ShareGroups, group: ShareGroup, member: ShareMember): void {
  clearTimeout(member.sessionTimer);
  const timer = setTimeout(() => {
    if (group.members.get(member.memberId)?.sessionTimer === timer) {
      groups.fenceShareMember(group, member.memberId);
    }
  }, groups.groupNumber(group.groupId, "share.session.timeout.ms"));
  member.sessionTimer = timer;
}

/** The existing topics the members subscribe to, as ids. */
function subscribedTopicIds(meta: GroupMetadata, member: ShareMember): string[] {
  return member.subscribedTopicNames.flatMap((name) => meta.topics.byName.get(name)?.id ?? []);
}

/** What the members' subscribed topics look like; the group epoch moves when it changes. */
export function metadataSignature(meta: GroupMetadata, members: ShareMember[]): string {
  const ids = new Set(members.flatMap((m) => subscribedTopicIds(meta, m)));
  return [...ids].sort().map((id) => {
    const t = meta.topics.byId.get(id)!;
    return `${t.name}:${id}:${t.partitions.length}`;
  }).join(",");
}

/** A new target assignment for the group epoch, over the initialized partitions. */
function assignTargets(meta: GroupMetadata, group: ShareGroup): void {
  const assignment = simpleAssign(
    [...group.members.values()].map((m) => ({
      memberId: m.memberId,
      topicIds: subscribedTopicIds(meta, m),
      previous: group.targetAssignment.get(m.memberId) ?? new Map(),
    })),
    (topicId) => meta.topics.byId.get(topicId)?.partitions.length ?? -1,
    (topicId, partition) => group.isInitialized(topicId, partition),
  );
  group.targetAssignment.clear();
  for (const [id, partitions] of assignment) group.targetAssignment.set(id, partitions);
  group.assignmentEpoch = group.groupEpoch;
}

/** Initializes the share state of every partition of the subscribed topics (after the answer). */
function initializeSubscribedTopics(meta: GroupMetadata, group: ShareGroup): void {
  for (const m of group.members.values()) {
    for (const id of subscribedTopicIds(meta, m)) {
      const count = meta.topics.byId.get(id)!.partitions.length;
      let set = group.initialized.get(id);
      if (!set) group.initialized.set(id, set = new Set());
      for (let p = 0; p < count; p++) set.add(p);
    }
  }
}

function sameNames(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && [...a].sort().join("\0") === [...b].sort().join("\0");
}

function samePartitions(a: TopicPartitions, b: TopicPartitions): boolean {
  const flat = (x: TopicPartitions) =>
    [...x].flatMap(([t, ps]) => [...ps].map((p) => `${t}:${p}`)).sort().join();
  return flat(a) === flat(b);
}

function asTopicPartitions(x: TopicPartitions): { topicId: string; partitions: number[] }[] {
  return [...x].filter(([, ps]) => ps.size > 0).map(([topicId, ps]) => ({
    topicId,
    partitions: [...ps].sort((a, b) => a - b),
  }));
}
