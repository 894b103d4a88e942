/**
 * ConsumerGroupDescribe (key 69): consumer groups (KIP-848) with their epochs, assignor, and each
 * member's subscription, current and target assignments.
 *
 * @module
 */

import { AclOperation, AclResourceType, ApiKey, ErrorCode } from "../../codec/mod.ts";
import { defineHandler, type RequestContext } from "../handler.ts";
import { preferredAssignor } from "../groups/consumer_group.ts";
import { asTopicPartitions, NOT_COORDINATOR_MESSAGE } from "../groups/consumer_heartbeat.ts";
import type { TopicPartitions } from "../groups/assignors.ts";
import { authorizedOperations, can, secured } from "../security/access.ts";

const NO_OPERATIONS = -2147483648;

export default defineHandler({
  apiKey: ApiKey.ConsumerGroupDescribe,
  minVersion: 0,
  maxVersion: 1,
  handle(request, ctx) {
    const configs = ctx.cluster.configs;
    if (
      !configs.staticList("group.coordinator.rebalance.protocols").includes("consumer") ||
      ctx.cluster.features.level("group.version") < 1
    ) {
      return {
        throttleTimeMs: 0,
        groups: request.groupIds.map((groupId) => ({
          groupId,
          errorCode: ErrorCode.UNSUPPORTED_VERSION,
        })),
      };
    }
    const refused = request.groupIds.filter((g) =>
      !can(ctx, AclOperation.DESCRIBE, AclResourceType.GROUP, g)
    );
    const allowed = request.groupIds.filter((g) => !refused.includes(g));
    const groups = [
      ...refused.map((groupId) => ({ groupId, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED })),
      ...allowed.filter((g) => g === "").map(() => ({
        groupId: "",
        errorCode: ErrorCode.INVALID_GROUP_ID,
      })),
      ...allowed.filter((g) => g !== "").map((groupId) =>
        describe(groupId, ctx, request.includeAuthorizedOperations)
      ),
    ];
    return { throttleTimeMs: 0, groups };
  },
});

function describe(groupId: string, ctx: RequestContext, withOperations: boolean) {
  const { cluster } = ctx;
  const coordinator = cluster.groups;
  const notFound = (errorMessage: string) => ({
    groupId,
    errorCode: ErrorCode.GROUP_ID_NOT_FOUND,
    errorMessage,
  });
  if (coordinator.coordinatorFor(groupId) !== ctx.node.nodeId) {
    return { groupId, errorCode: ErrorCode.NOT_COORDINATOR, errorMessage: NOT_COORDINATOR_MESSAGE };
  }
  const group = coordinator.consumerGroups.get(groupId);
  if (!group) {
    return coordinator.groups.has(groupId) || coordinator.shareGroups.has(groupId)
      ? notFound(`Group ${groupId} is not a consumer group.`)
      : notFound(`Group ${groupId} not found.`);
  }
  const named = (assignment: TopicPartitions) =>
    asTopicPartitions(assignment).flatMap((t) => {
      const topic = cluster.topicsById.get(t.topicId);
      return topic ? [{ ...t, topicName: topic.name }] : [];
    });
  const described = {
    groupId,
    errorCode: ErrorCode.NONE,
    groupState: group.state,
    groupEpoch: group.groupEpoch,
    assignmentEpoch: group.assignmentEpoch,
    assignorName: preferredAssignor(group.members.values()) ??
      cluster.configs.staticList("group.consumer.assignors")[0],
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
  if (secured(ctx)) {
    const hidden = described.members.some((m) =>
      [...m.assignment.topicPartitions, ...m.targetAssignment.topicPartitions].some((t) =>
        !can(ctx, AclOperation.DESCRIBE, AclResourceType.TOPIC, t.topicName)
      )
    );
    if (hidden) {
      return {
        groupId,
        errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED,
        errorMessage:
          "The group has described topic(s) that the client is not authorized to describe.",
        members: [],
      };
    }
  }
  return described;
}
