/**
 * StreamsGroupDescribe (key 89): streams groups (KIP-1071) with their epochs, topology as
 * configured against the topics, assignor, and each member's process, endpoint, tasks and target
 * tasks. Version 1's topology description is NOT_STORED when asked for (no description plugin).
 *
 * @module
 */

import { AclResourceType, ApiKey, ErrorCode } from "../../codec/mod.ts";
import { defineHandler, type RequestContext } from "../server/handler.ts";
import { describeGroupsAnswer, unlessTopicsHidden } from "../groups/describe_groups.ts";
import { authorizedOperations } from "../security/access.ts";
import { tasksToWire } from "../streams/tasks.ts";

const NO_OPERATIONS = -2147483648;
const NOT_REQUESTED = 0, NOT_STORED = 1;

export default defineHandler({
  apiKey: ApiKey.StreamsGroupDescribe,
  minVersion: 0,
  maxVersion: 1,
  handle(request, ctx) {
    return describeGroupsAnswer(
      ctx,
      request.groupIds,
      ctx.features.level("streams.version") >= 1,
      (groupId) =>
        describe(groupId, ctx, {
          withOperations: request.includeAuthorizedOperations,
          withDescription: request.includeTopologyDescription,
        }),
    );
  },
});

function describe(
  groupId: string,
  ctx: RequestContext,
  options: { withOperations: boolean; withDescription: boolean },
) {
  const groups = ctx.groups;
  const group = groups.streams.groups.get(groupId);
  if (!group) {
    const elsewhere = groups.groups.has(groupId) || groups.consumerGroups.has(groupId) ||
      groups.shareGroups.has(groupId);
    return {
      groupId,
      errorCode: ErrorCode.GROUP_ID_NOT_FOUND,
      errorMessage: elsewhere
        ? `Group ${groupId} is not a streams group.`
        : `Group ${groupId} not found.`,
    };
  }
  // As Kafka: the topology as configured against the topics, else as the members sent it.
  const subtopologies = group.configured?.subtopologies ??
    [...group.topology?.subtopologies ?? []].sort((a, b) =>
      a.subtopologyId < b.subtopologyId ? -1 : 1
    );
  const described = {
    groupId,
    errorCode: ErrorCode.NONE,
    groupState: group.state,
    groupEpoch: group.groupEpoch,
    assignmentEpoch: group.assignmentEpoch,
    topology: group.topology && {
      epoch: group.topology.epoch,
      subtopologies: subtopologies.map((s) => ({
        subtopologyId: s.subtopologyId,
        sourceTopics: s.sourceTopics,
        repartitionSinkTopics: s.repartitionSinkTopics,
        stateChangelogTopics: s.stateChangelogTopics,
        repartitionSourceTopics: s.repartitionSourceTopics,
      })),
    },
    members: [...group.members.values()].map((m) => ({
      memberId: m.memberId,
      memberEpoch: m.memberEpoch,
      instanceId: m.instanceId,
      rackId: m.rackId,
      clientId: m.clientId,
      clientHost: m.clientHost,
      topologyEpoch: m.topologyEpoch,
      processId: m.processId,
      userEndpoint: m.userEndpoint,
      clientTags: m.clientTags,
      taskOffsets: m.taskOffsets,
      taskEndOffsets: m.taskEndOffsets,
      assignment: tasksToWire(m.assigned),
      targetAssignment: tasksToWire(group.target(m.memberId)),
      isClassic: false,
    })),
    authorizedOperations: options.withOperations
      ? authorizedOperations(ctx, AclResourceType.GROUP, groupId)
      : NO_OPERATIONS,
    topologyDescriptionStatus: options.withDescription ? NOT_STORED : NOT_REQUESTED,
    assignorName: "sticky",
  };
  // As Kafka: a group whose topics the client may not describe is not shown.
  return unlessTopicsHidden(
    ctx,
    groupId,
    subtopologies.flatMap((s) => s.sourceTopics),
    described,
  );
}
