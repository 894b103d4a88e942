/**
 * DeleteShareGroupOffsets (key 92): drops an empty share group's share state of whole topics, so
 * that it starts them again as share.auto.offset.reset says.
 *
 * @module
 */

import {
  AclOperation,
  AclResourceType,
  ApiKey,
  type DeleteShareGroupOffsetsResponseTopicInit,
  ErrorCode,
  errorInfo,
} from "../../codec/mod.ts";
import { ZERO_UUID } from "../../codec/protocol/uuid.ts";
import { defineHandler } from "../server/handler.ts";
import { NOT_COORDINATOR_MESSAGE } from "../groups/consumer_heartbeat.ts";
import { can } from "../security/access.ts";

export default defineHandler({
  apiKey: ApiKey.DeleteShareGroupOffsets,
  minVersion: 0,
  maxVersion: 0,
  handle(request, ctx) {
    const top = (
      errorCode: number,
      errorMessage: string | null = errorInfo(errorCode).message,
    ) => ({
      errorCode,
      errorMessage,
      responses: [],
    });
    if (ctx.features.level("share.version") < 1) return top(ErrorCode.UNSUPPORTED_VERSION);
    if (!can(ctx, AclOperation.DELETE, AclResourceType.GROUP, request.groupId)) {
      return top(ErrorCode.GROUP_AUTHORIZATION_FAILED);
    }
    const refused = request.topics
      .filter((t) => !can(ctx, AclOperation.READ, AclResourceType.TOPIC, t.topicName))
      .map((t) => ({
        topicName: t.topicName,
        topicId: ZERO_UUID,
        errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED,
        errorMessage: errorInfo(ErrorCode.TOPIC_AUTHORIZATION_FAILED).message,
      }));
    const allowed = request.topics.filter((t) => !refused.some((r) => r.topicName === t.topicName));
    const answer = (responses: DeleteShareGroupOffsetsResponseTopicInit[]) => ({
      errorCode: ErrorCode.NONE,
      responses,
    });
    if (allowed.length === 0) return answer(refused);
    const groups = ctx.groups;
    if (request.groupId === "") return top(ErrorCode.INVALID_GROUP_ID);
    if (groups.coordinatorFor(request.groupId) !== ctx.node.nodeId) {
      return top(ErrorCode.NOT_COORDINATOR, NOT_COORDINATOR_MESSAGE);
    }
    const group = groups.shareGroups.get(request.groupId);
    if (!group) {
      const other = groups.groups.has(request.groupId) ||
        groups.consumerGroups.has(request.groupId);
      return top(
        ErrorCode.GROUP_ID_NOT_FOUND,
        other
          ? `Group ${request.groupId} is not a share group.`
          : `Group ${request.groupId} not found.`,
      );
    }
    if (group.members.size > 0) return top(ErrorCode.NON_EMPTY_GROUP);
    const deleted = allowed.map((t) => {
      const topic = ctx.topics.byName.get(t.topicName);
      const failed = (message: string) => ({
        topicName: t.topicName,
        topicId: topic?.id ?? ZERO_UUID,
        errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
        errorMessage: message,
      });
      if (!topic) return failed(errorInfo(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION).message);
      if (!group.initialized.has(topic.id)) {
        return failed("There is no offset information to delete.");
      }
      group.initialized.delete(topic.id);
      ctx.shares.dropTopic(group.groupId, topic.id);
      return { topicName: t.topicName, topicId: topic.id, errorCode: 0 };
    });
    return answer([...refused, ...deleted]);
  },
});
