/**
 * TxnOffsetCommit (key 28): stages a group's offsets inside a producer's transaction; they become
 * the group's committed offsets only when the transaction commits. From v5 (transaction version 2)
 * the request adds the group to the transaction itself; before, AddOffsetsToTxn must have. v6 (Kafka
 * 4.4) names topics by id: an id no topic has is UNKNOWN_TOPIC_ID.
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
import type { CommittedOffset } from "../groups/classic_group.ts";
import { defineHandler, type RequestContext } from "../server/handler.ts";
import { commitByTopicId } from "./commit_by_topic_id.ts";
import { can, secured, unreadableTopicsFirst } from "../security/access.ts";

type Request = ApiMessages[typeof ApiKey.TxnOffsetCommit]["request"];
type RequestTopic = Request["topics"][number];

function failed(t: RequestTopic, errorCode: number) {
  return {
    name: t.name,
    topicId: t.topicId,
    partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode })),
  };
}

export default defineHandler({
  apiKey: ApiKey.TxnOffsetCommit,
  minVersion: 0,
  maxVersion: 6,
  handle(request, ctx) {
    if (ctx.apiVersion < 6) return serve(request, ctx);
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
  // As Kafka: WRITE on the transactional id, READ on the group, then READ on each topic; refused
  // topics are answered first, and a request with no topic left goes no further.
  const all = (errorCode: number) => ({
    topics: request.topics.map((t) => failed(t, errorCode)),
  });
  if (!can(ctx, AclOperation.WRITE, AclResourceType.TRANSACTIONAL_ID, request.transactionalId)) {
    return all(ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
  }
  if (!can(ctx, AclOperation.READ, AclResourceType.GROUP, request.groupId)) {
    return all(ErrorCode.GROUP_AUTHORIZATION_FAILED);
  }
  return {
    topics: unreadableTopicsFirst(
      ctx,
      request.topics,
      (topics) => commit({ ...request, topics }, ctx).topics,
      (t) => failed(t, ErrorCode.TOPIC_AUTHORIZATION_FAILED),
    ),
  };
}

function commit(request: Request, ctx: RequestContext) {
  const { apiVersion } = ctx;
  const groups = ctx.groups;
  const all = (errorCode: number) => ({
    topics: request.topics.map((t) => failed(t, errorCode)),
  });
  const check = groups.check(request.groupId, ctx);
  if (check !== ErrorCode.NONE) return all(check);
  let txnCode = ctx.transactions.addGroup(
    request.transactionalId,
    request.producerId,
    request.producerEpoch,
    request.groupId,
    { verifyOnly: apiVersion < 5, transactionV2: apiVersion >= 5 },
  );
  if (txnCode === ErrorCode.PRODUCER_FENCED) txnCode = ErrorCode.INVALID_PRODUCER_EPOCH;
  // Clients before v4 do not know TRANSACTION_ABORTABLE.
  if (txnCode === ErrorCode.TRANSACTION_ABORTABLE && apiVersion < 4) {
    txnCode = ErrorCode.INVALID_TXN_STATE;
  }
  if (txnCode !== ErrorCode.NONE) return all(txnCode);
  const streamsGroup = groups.streams.groups.get(request.groupId);
  const consumerGroup = groups.consumerGroups.get(request.groupId);
  const group = consumerGroup ? undefined : groups.group(request.groupId);
  if (streamsGroup) {
    // A streams group (KIP-1071), as a consumer group: a member commits with its epoch.
    const anonymous = request.generationIdOrMemberEpoch === -1 && request.memberId === "" &&
      request.groupInstanceId === null;
    if (
      !(request.generationIdOrMemberEpoch < 0 && streamsGroup.members.size === 0) && !anonymous
    ) {
      const member = streamsGroup.members.get(request.memberId);
      if (!member) return all(ErrorCode.UNKNOWN_MEMBER_ID);
      if (member.memberEpoch !== request.generationIdOrMemberEpoch) {
        return all(ErrorCode.ILLEGAL_GENERATION);
      }
    }
  } else if (consumerGroup) {
    // A consumer group (KIP-848): a member commits with its epoch; a stale one is ILLEGAL_GENERATION.
    const anonymous = request.generationIdOrMemberEpoch === -1 && request.memberId === "" &&
      request.groupInstanceId === null;
    if (
      !(request.generationIdOrMemberEpoch < 0 && consumerGroup.members.size === 0) && !anonymous
    ) {
      const member = consumerGroup.members.get(request.memberId);
      if (!member) return all(ErrorCode.UNKNOWN_MEMBER_ID);
      if (member.memberEpoch !== request.generationIdOrMemberEpoch) {
        return all(ErrorCode.ILLEGAL_GENERATION);
      }
    }
  } else if (
    request.memberId !== "" || request.generationIdOrMemberEpoch >= 0 ||
    request.groupInstanceId !== null
  ) {
    if (!group) return all(ErrorCode.UNKNOWN_MEMBER_ID);
    const invalid = group.validateMember(request.memberId, request.groupInstanceId);
    if (invalid !== ErrorCode.NONE) return all(invalid);
    if (request.generationIdOrMemberEpoch !== group.generationId) {
      return all(ErrorCode.ILLEGAL_GENERATION);
    }
  } else if (!group) {
    // A group without Kafka's membership management may commit, as with OffsetCommit.
    groups.group(request.groupId, true);
  }
  const now = Date.now();
  const staged: [string, CommittedOffset][] = [];
  const topics = request.topics.map((t) => ({
    name: t.name,
    topicId: t.topicId,
    partitions: t.partitions.map((p) => {
      let errorCode: number = ErrorCode.NONE;
      if (!ctx.topics.partition(t.name, p.partitionIndex)) {
        errorCode = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
      } else if (
        (p.committedMetadata?.length ?? 0) >
          ctx.configs.staticNumber("offset.metadata.max.bytes")
      ) {
        errorCode = ErrorCode.OFFSET_METADATA_TOO_LARGE;
      } else {
        staged.push([`${t.name}\u0000${p.partitionIndex}`, {
          offset: p.committedOffset,
          leaderEpoch: p.committedLeaderEpoch,
          metadata: p.committedMetadata,
          commitTimestamp: now,
        }]);
      }
      return { partitionIndex: p.partitionIndex, errorCode };
    }),
  }));
  groups.addTransactionalOffsets(request.groupId, request.producerId, staged);
  // As Kafka (4.1 and 4.4): a topic's unknown partitions are answered before the others.
  const unknownFirst = (p: { errorCode: number }) =>
    p.errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION ? 0 : 1;
  return {
    topics: topics.map((t) => ({
      ...t,
      partitions: [...t.partitions].sort((a, b) => unknownFirst(a) - unknownFirst(b)),
    })),
  };
}
