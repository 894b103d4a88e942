/**
 * AlterShareGroupOffsets (key 91), as Kafka 4.1.1 answers it: the broker checks each topic (READ
 * on it, and that it exists) and answers those it refuses, but it passes the others on to the group
 * coordinator in a list they cannot join (a request's topic entries belong to the request's own
 * collection), so the coordinator sees no topics and changes nothing. No start offset moves, and
 * the accepted topics are not answered at all. A cluster with share.version 2 (as a new Kafka 4.4
 * cluster has it) gets Kafka 4.4's coordinator, which applies the request: the group (created when
 * new) must be empty, and each partition's share state starts again at the offset given.
 *
 * @module
 */

import {
  AclOperation,
  AclResourceType,
  ApiKey,
  type ApiMessages,
  ErrorCode,
  errorInfo,
} from "../../codec/mod.ts";
import { ZERO_UUID } from "../../codec/protocol/uuid.ts";
import { defineHandler, type RequestContext } from "../server/handler.ts";
import { NOT_COORDINATOR_MESSAGE } from "../groups/consumer_heartbeat.ts";
import { ShareGroup } from "../share/share_group.ts";
import { can } from "../security/access.ts";

type Request = ApiMessages[typeof ApiKey.AlterShareGroupOffsets]["request"];
type Response = ApiMessages[typeof ApiKey.AlterShareGroupOffsets]["responseInit"];
type Topics = NonNullable<Response["responses"]>;

export default defineHandler({
  apiKey: ApiKey.AlterShareGroupOffsets,
  minVersion: 0,
  maxVersion: 0,
  handle(request, ctx) {
    const top = (errorCode: number) => ({
      errorCode,
      errorMessage: errorInfo(errorCode).message,
      responses: [],
    });
    if (ctx.features.level("share.version") < 1) return top(ErrorCode.UNSUPPORTED_VERSION);
    if (!can(ctx, AclOperation.READ, AclResourceType.GROUP, request.groupId)) {
      return top(ErrorCode.GROUP_AUTHORIZATION_FAILED);
    }
    const responses = request.topics.flatMap((t) => {
      const refused = !can(ctx, AclOperation.READ, AclResourceType.TOPIC, t.topicName);
      const topic = ctx.topics.byName.get(t.topicName);
      if (!refused && topic) return [];
      const errorCode = refused
        ? ErrorCode.TOPIC_AUTHORIZATION_FAILED
        : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
      return [{
        topicName: t.topicName,
        topicId: topic?.id ?? ZERO_UUID,
        partitions: t.partitions.map((p) => ({
          partitionIndex: p.partitionIndex,
          errorCode,
          errorMessage: errorInfo(errorCode).message,
        })),
      }];
    });
    if (ctx.features.level("share.version") < 2) {
      return { errorCode: ErrorCode.NONE, responses };
    }
    return apply(request, ctx, responses);
  },
});

/** Kafka 4.4's group coordinator: the accepted topics' start offsets set, after the refused. */
function apply(
  request: Request,
  ctx: RequestContext,
  refused: Topics,
): Response {
  const groups = ctx.groups;
  const accepted = request.topics.filter((t) => !refused.some((r) => r.topicName === t.topicName));
  const answer = (
    errorCode: number,
    errorMessage: string | null,
    responses: Topics = refused,
  ) => ({ errorCode, errorMessage, responses });
  if (accepted.length === 0) return answer(ErrorCode.NONE, null);
  const failed = (errorCode: number, message: string | null = errorInfo(errorCode).message) =>
    answer(errorCode, message, []);
  if (request.groupId === "") return failed(ErrorCode.INVALID_GROUP_ID);
  if (groups.coordinatorFor(request.groupId) !== ctx.node.nodeId) {
    return failed(ErrorCode.NOT_COORDINATOR, NOT_COORDINATOR_MESSAGE);
  }
  if (groups.groups.has(request.groupId) || groups.consumerGroups.has(request.groupId)) {
    return failed(ErrorCode.GROUP_ID_NOT_FOUND, `Group ${request.groupId} is not a share group.`);
  }
  let group = groups.shareGroups.get(request.groupId);
  if (group && group.members.size > 0) return failed(ErrorCode.NON_EMPTY_GROUP);
  if (!group) groups.shareGroups.set(request.groupId, group = new ShareGroup(request.groupId));
  const applied = accepted.map((t) => {
    const topic = ctx.topics.byName.get(t.topicName)!;
    return {
      topicName: t.topicName,
      topicId: topic.id,
      partitions: t.partitions.map((p) => {
        if (p.partitionIndex < 0 || p.partitionIndex >= topic.partitions.length) {
          return {
            partitionIndex: p.partitionIndex,
            errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
            errorMessage: errorInfo(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION).message,
          };
        }
        ctx.shares.alterStartOffset(group.groupId, topic.id, p.partitionIndex, p.startOffset);
        let initialized = group.initialized.get(topic.id);
        if (!initialized) group.initialized.set(topic.id, initialized = new Set());
        initialized.add(p.partitionIndex);
        return { partitionIndex: p.partitionIndex, errorCode: ErrorCode.NONE };
      }),
    };
  });
  return answer(ErrorCode.NONE, null, [...refused, ...applied]);
}
