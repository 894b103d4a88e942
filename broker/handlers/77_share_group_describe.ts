/**
 * ShareGroupDescribe (key 77): share groups (KIP-932) with their epochs, assignor, and each member's
 * subscription and assignment.
 *
 * @module
 */

import { AclResourceType, ApiKey, ErrorCode } from "../../codec/mod.ts";
import { defineHandler, type RequestContext } from "../server/handler.ts";
import { asTopicPartitions } from "../groups/consumer_heartbeat.ts";
import {
  describeGroupsAnswer,
  groupNotFound,
  unlessTopicsHidden,
} from "../groups/describe_groups.ts";
import { authorizedOperations } from "../security/access.ts";

const NO_OPERATIONS = -2147483648;

export default defineHandler({
  apiKey: ApiKey.ShareGroupDescribe,
  minVersion: 1,
  maxVersion: 1,
  handle(request, ctx) {
    return describeGroupsAnswer(
      ctx,
      request.groupIds,
      ctx.features.level("share.version") >= 1,
      (groupId) => describe(groupId, ctx, request.includeAuthorizedOperations),
    );
  },
});

function describe(groupId: string, ctx: RequestContext, withOperations: boolean) {
  const coordinator = ctx.groups;
  const group = coordinator.shareGroups.get(groupId);
  if (!group) return groupNotFound(ctx, groupId, "share");
  const described = {
    groupId,
    errorCode: ErrorCode.NONE,
    groupState: group.state,
    groupEpoch: group.groupEpoch,
    assignmentEpoch: group.assignmentEpoch,
    assignorName: ctx.configs.staticList("group.share.assignors")[0],
    members: [...group.members.values()].map((m) => ({
      memberId: m.memberId,
      rackId: m.rackId,
      memberEpoch: m.memberEpoch,
      clientId: m.clientId,
      clientHost: m.clientHost,
      subscribedTopicNames: m.subscribedTopicNames,
      assignment: {
        topicPartitions: asTopicPartitions(m.assigned).flatMap((t) => {
          const topic = ctx.topics.byId.get(t.topicId);
          return topic ? [{ ...t, topicName: topic.name }] : [];
        }),
      },
    })),
    authorizedOperations: withOperations
      ? authorizedOperations(ctx, AclResourceType.GROUP, groupId)
      : NO_OPERATIONS,
  };
  // As Kafka: a group whose assigned topics the client may not describe is not shown.
  return unlessTopicsHidden(
    ctx,
    groupId,
    described.members.flatMap((m) => m.assignment.topicPartitions.map((t) => t.topicName)),
    described,
  );
}
