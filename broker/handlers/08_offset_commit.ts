/**
 * OffsetCommit (key 8): stores a group's offsets, after Kafka's member and generation checks. A
 * generation of -1 with no member id is a "simple" commit, allowed while the group has no members.
 * v10 (Kafka 4.4) names topics by id: an id no topic has is UNKNOWN_TOPIC_ID.
 *
 * @module
 */

import {
  AclOperation,
  AclResourceType,
  ApiKey,
  type ApiMessages,
  ErrorCode,
} from "../../codec/mod.ts";
import { defineHandler, type RequestContext } from "../server/handler.ts";
import { commitByTopicId } from "./commit_by_topic_id.ts";
import { can, secured, unreadableTopicsFirst } from "../security/access.ts";

type Request = ApiMessages[typeof ApiKey.OffsetCommit]["request"];
type RequestTopic = Request["topics"][number];

const failedTopic = (t: RequestTopic, errorCode: number) => ({
  name: t.name,
  topicId: t.topicId,
  partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode })),
});

export default defineHandler({
  apiKey: ApiKey.OffsetCommit,
  minVersion: 2,
  maxVersion: 10,
  handle(request, ctx) {
    if (ctx.apiVersion < 10) return serve(request, ctx);
    // As Kafka 4.4: topics named by id (commit_by_topic_id.ts).
    return {
      topics: commitByTopicId(
        ctx.topics,
        request.topics,
        (named) => serve({ ...request, topics: named }, ctx).topics,
      ),
    };
  },
});

function serve(request: Request, ctx: RequestContext) {
  if (!secured(ctx)) return commit(request, ctx);
  // As Kafka: READ on the group, then READ on each topic; refused topics are answered first,
  // and a request with no topic left is not checked further.
  if (!can(ctx, AclOperation.READ, AclResourceType.GROUP, request.groupId)) {
    return {
      topics: request.topics.map((t) => failedTopic(t, ErrorCode.GROUP_AUTHORIZATION_FAILED)),
    };
  }
  return {
    topics: unreadableTopicsFirst(
      ctx,
      request.topics,
      (topics) => commit({ ...request, topics }, ctx).topics,
      (t) => failedTopic(t, ErrorCode.TOPIC_AUTHORIZATION_FAILED),
    ),
  };
}

function commit(request: Request, ctx: RequestContext) {
  const groups = ctx.groups;
  const all = (errorCode: number) => ({
    topics: request.topics.map((t) => failedTopic(t, errorCode)),
  });
  const check = groups.check(request.groupId, ctx);
  if (check !== ErrorCode.NONE) return all(check);
  // Share groups keep no committed offsets.
  if (groups.shareGroups.has(request.groupId)) return all(ErrorCode.GROUP_ID_NOT_FOUND);
  const generation = request.generationIdOrMemberEpoch;
  const streamsGroup = groups.streams.groups.get(request.groupId);
  if (streamsGroup) {
    // A streams group (KIP-1071): its members commit with their epoch, from v9 on.
    const invalid = groups.streams.checkMember(streamsGroup, {
      memberId: request.memberId,
      memberEpoch: generation,
    }, { commitVersion: ctx.apiVersion });
    if (invalid !== ErrorCode.NONE) return all(invalid);
    return stored(request, ctx, streamsGroup.offsets);
  }
  const consumerGroup = groups.consumerGroups.get(request.groupId);
  // Kafka 4.1.1 creates a group only for a simple commit (generation -1); a generation for a
  // group that does not exist is GROUP_ID_NOT_FOUND from v9, ILLEGAL_GENERATION before.
  if (generation >= 0 && !consumerGroup && !groups.group(request.groupId, false)) {
    return all(ctx.apiVersion >= 9 ? ErrorCode.GROUP_ID_NOT_FOUND : ErrorCode.ILLEGAL_GENERATION);
  }
  let offsets;
  if (consumerGroup) {
    // A consumer group (KIP-848): its members commit with their epoch, from v9 on.
    if (generation >= 0 || consumerGroup.members.size > 0) {
      const member = consumerGroup.members.get(request.memberId);
      if (!member) return all(ErrorCode.UNKNOWN_MEMBER_ID);
      // Classic members commit with their generation, at any version.
      const classic = member.classic !== null;
      if (!classic && ctx.apiVersion < 9) return all(ErrorCode.UNSUPPORTED_VERSION);
      if (member.memberEpoch !== generation) {
        return all(classic ? ErrorCode.ILLEGAL_GENERATION : ErrorCode.STALE_MEMBER_EPOCH);
      }
    }
    offsets = consumerGroup.offsets;
  } else {
    const group = groups.group(request.groupId, true)!;
    // As Kafka's validateOffsetCommit: without a generation an empty group takes any commit (an
    // admin's, or a consumer's outside group management); a request naming a member is checked.
    if (generation < 0 && group.state === "Empty") {
      // committed below
    } else if (generation < 0 && request.memberId === "" && request.groupInstanceId === null) {
      return all(ErrorCode.UNKNOWN_MEMBER_ID);
    } else {
      const invalid = group.validateMember(request.memberId, request.groupInstanceId);
      if (invalid !== ErrorCode.NONE) return all(invalid);
      const member = group.members.get(request.memberId)!;
      if (generation !== group.generationId) return all(ErrorCode.ILLEGAL_GENERATION);
      if (group.state === "CompletingRebalance") return all(ErrorCode.REBALANCE_IN_PROGRESS);
      groups.touch(group, member);
    }
    offsets = group.offsets;
  }
  return stored(request, ctx, offsets);
}

/** Stores a commit's offsets in a group's map, answering each partition. */
function stored(
  request: Request,
  ctx: RequestContext,
  offsets: Map<
    string,
    { offset: bigint; leaderEpoch: number; metadata: string | null; commitTimestamp: number }
  >,
) {
  const now = Date.now();
  return {
    topics: request.topics.map((t) => ({
      name: t.name,
      topicId: t.topicId,
      partitions: t.partitions.map((p) => {
        const partition = ctx.topics.partition(t.name, p.partitionIndex);
        let errorCode: number = ErrorCode.NONE;
        if (!partition) errorCode = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
        else if (
          (p.committedMetadata?.length ?? 0) >
            ctx.configs.staticNumber("offset.metadata.max.bytes")
        ) {
          errorCode = ErrorCode.OFFSET_METADATA_TOO_LARGE;
        } else {
          offsets.set(`${t.name}\u0000${p.partitionIndex}`, {
            offset: p.committedOffset,
            leaderEpoch: p.committedLeaderEpoch,
            metadata: p.committedMetadata,
            commitTimestamp: now,
          });
        }
        return { partitionIndex: p.partitionIndex, errorCode };
      }),
    })),
  };
}
