/**
 * ConsumerGroupDescribe (key 69): consumer groups (KIP-848) with their epochs, assignor, and each
 * member's subscription, current and target assignments.
 *
 * @module
 */

import { AclResourceType, ApiKey, ErrorCode } from "../../codec/mod.ts";
import { defineHandler, type RequestContext } from "../server/handler.ts";
import { preferredAssignor } from "../groups/consumer_group.ts";
import { asTopicPartitions } from "../groups/consumer_heartbeat.ts";
import {
  describeGroupsAnswer,
  groupNotFound,
  unlessTopicsHidden,
} from "../groups/describe_groups.ts";
import type { TopicPartitions } from "../groups/assignors.ts";
import { authorizedOperations } from "../security/access.ts";

const NO_OPERATIONS = -2147483648;

export default defineHandler({
  apiKey: ApiKey.ConsumerGroupDescribe,
  minVersion: 0,
  maxVersion: 1,
  handle(request, ctx) {
    const enabled = ctx.configs.staticList("group.coordinator.rebalance.protocols").includes(
      "consumer",
    ) &&
      ctx.features.level("group.version") >= 1;
    return describeGroupsAnswer(
      ctx,
      request.groupIds,
      enabled,
      (groupId) => describe(groupId, ctx, request.includeAuthorizedOperations),
    );
  },
});

function describe(groupId: string, ctx: RequestContext, withOperations: boolean) {
  const coordinator = ctx.groups;
  const group = coordinator.consumerGroups.get(groupId);
  if (!group) return groupNotFound(ctx, groupId, "consumer");
  const named = (assignment: TopicPartitions) =>
    asTopicPartitions(assignment).flatMap((t) => {
      const topic = ctx.topics.byId.get(t.topicId);
      return topic ? [{ ...t, topicName: topic.name }] : [];
    });
  const described = {
    groupId,
    errorCode: ErrorCode.NONE,
    groupState: group.state,
    groupEpoch: group.groupEpoch,
    assignmentEpoch: group.assignmentEpoch,
    assignorName: preferredAssignor(group.members.values()) ??
      ctx.configs.staticList("group.consumer.assignors")[0],
    members: [...group.members.values()].map((m) => ({
      memberId: m.memberId,
      instanceId: m.instanceId,
      rackId: m.rackId,
      memberEpoch: m.memberEpoch,
      clientId: m.clientId,
      clientHost: m.clientHost,
      subscribedTopicNames: m.subscribedTopicNames,
      subscribedTopicRegex: m.subscribedTopicRegex,
      assignment: { topicPartitions: named(m.assigned) },
      targetAssignment: {
        topicPartitions: named(group.targetAssignment.get(m.memberId) ?? new Map()),
      },
      memberType: m.classic === null ? 1 : 0,
    })),
    authorizedOperations: withOperations
      ? authorizedOperations(ctx, AclResourceType.GROUP, groupId)
      : NO_OPERATIONS,
  };
  // As Kafka: a group whose assigned topics the client may not describe is not shown.
  return unlessTopicsHidden(
    ctx,
    groupId,
    described.members.flatMap((m) =>
      [...m.assignment.topicPartitions, ...m.targetAssignment.topicPartitions].map((t) =>
        t.topicName
      )
    ),
    described,
  );
}
