/**
 * What ConsumerGroupDescribe and ShareGroupDescribe share, as Kafka's handlers share it: groups the
 * client may not describe come first with GROUP_AUTHORIZATION_FAILED, an empty id is
 * INVALID_GROUP_ID, a group this node does not coordinate is NOT_COORDINATOR, and a described group
 * whose assigned topics the client may not describe is hidden behind TOPIC_AUTHORIZATION_FAILED.
 *
 * @module
 */

import { AclOperation, AclResourceType, ErrorCode } from "../../codec/mod.ts";
import type { RequestContext } from "../server/handler.ts";
import { can, secured } from "../security/access.ts";
import { NOT_COORDINATOR_MESSAGE } from "./consumer_heartbeat.ts";

/** A group's answer when it is not described. */
export interface GroupRefusal {
  groupId: string;
  errorCode: number;
  errorMessage?: string | null;
  members?: never[];
}

/** Describes each group with `describe`, after Kafka's checks; refused groups first. */
function describeEach<G>(
  ctx: RequestContext,
  groupIds: readonly string[],
  describe: (groupId: string) => G | GroupRefusal,
): (G | GroupRefusal)[] {
  const refused = groupIds.filter((g) =>
    !can(ctx, AclOperation.DESCRIBE, AclResourceType.GROUP, g)
  );
  const allowed = groupIds.filter((g) => !refused.includes(g));
  return [
    ...refused.map((groupId) => ({ groupId, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED })),
    ...allowed.filter((g) => g === "").map(() => ({
      groupId: "",
      errorCode: ErrorCode.INVALID_GROUP_ID,
    })),
    ...allowed.filter((g) => g !== "").map((groupId) =>
      ctx.groups.coordinatorFor(groupId) === ctx.node.nodeId ? describe(groupId) : {
        groupId,
        errorCode: ErrorCode.NOT_COORDINATOR,
        errorMessage: NOT_COORDINATOR_MESSAGE,
      }
    ),
  ];
}

/**
 * A ConsumerGroupDescribe or ShareGroupDescribe answer: UNSUPPORTED_VERSION for every group while
 * the kind of group is off (`enabled` false), else each group described after Kafka's checks.
 */
export function describeGroupsAnswer<G>(
  ctx: RequestContext,
  groupIds: readonly string[],
  enabled: boolean,
  describe: (groupId: string) => G | GroupRefusal,
): { throttleTimeMs: number; groups: (G | GroupRefusal)[] } {
  return {
    throttleTimeMs: 0,
    groups: enabled ? describeEach(ctx, groupIds, describe) : unsupportedForEach(groupIds),
  };
}

/** The group, or Kafka's refusal when the client may not describe one of its assigned topics. */
export function unlessTopicsHidden<G>(
  ctx: RequestContext,
  groupId: string,
  topicNames: readonly string[],
  described: G,
): G | GroupRefusal {
  if (
    !secured(ctx) ||
    topicNames.every((t) => can(ctx, AclOperation.DESCRIBE, AclResourceType.TOPIC, t))
  ) {
    return described;
  }
  return {
    groupId,
    errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED,
    errorMessage: "The group has described topic(s) that the client is not authorized to describe.",
    members: [],
  };
}

/** The answer to every group when the API is off. */
function unsupportedForEach(groupIds: readonly string[]): GroupRefusal[] {
  return groupIds.map((groupId) => ({ groupId, errorCode: ErrorCode.UNSUPPORTED_VERSION }));
}

/**
 * Kafka's answer for a group id that names no group of `kind`: GROUP_ID_NOT_FOUND, saying so when
 * the id names a group of another kind.
 */
export function groupNotFound(
  ctx: RequestContext,
  groupId: string,
  kind: "consumer" | "share",
): GroupRefusal {
  const { groups } = ctx;
  const elsewhere = groups.groups.has(groupId) || groups.streams.groups.has(groupId) ||
    (kind === "consumer" ? groups.shareGroups : groups.consumerGroups).has(groupId);
  return {
    groupId,
    errorCode: ErrorCode.GROUP_ID_NOT_FOUND,
    errorMessage: elsewhere
      ? `Group ${groupId} is not a ${kind} group.`
      : `Group ${groupId} not found.`,
  };
}
