/**
 * OffsetFetch (key 9): a group's committed offsets (all of them for null topics); from version 8 for
 * several groups at once; from version 10 (Kafka 4.4) with topics named by id, an unknown id
 * answered UNKNOWN_TOPIC_ID.
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
import type { GroupCoordinator } from "../groups/coordinator.ts";
import { defineHandler, type RequestContext } from "../server/handler.ts";
import { can, secured } from "../security/access.ts";

interface Wanted {
  name: string;
  partitionIndexes: number[];
}

/** The member a v9+ request names (KIP-848), checked against a consumer group. */
interface Asker {
  memberId: string | null;
  memberEpoch: number;
}

function fetchGroup(
  groups: GroupCoordinator,
  groupId: string,
  topics: Wanted[] | null,
  ctx: RequestContext,
  requireStable: boolean,
  asker: Asker = { memberId: null, memberEpoch: -1 },
) {
  // As Kafka: DESCRIBE on the group; then topics without DESCRIBE are left out of "all topics" and
  // answered TOPIC_AUTHORIZATION_FAILED, after the others, when named.
  const checked = secured(ctx);
  if (checked && !can(ctx, AclOperation.DESCRIBE, AclResourceType.GROUP, groupId)) {
    return { errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, topics: [] };
  }
  const describable = (t: Wanted) =>
    !checked || can(ctx, AclOperation.DESCRIBE, AclResourceType.TOPIC, t.name);
  const refused = topics?.filter((t) => !describable(t)) ?? [];
  let check = groups.check(groupId, ctx);
  const consumerGroup = groups.consumerGroups.get(groupId);
  const streamsGroup = groups.streams.groups.get(groupId);
  const group = consumerGroup ?? streamsGroup ?? groups.group(groupId);
  if (check === ErrorCode.NONE && consumerGroup) {
    check = groups.checkConsumerMember(consumerGroup, asker.memberId, asker.memberEpoch);
  }
  if (check === ErrorCode.NONE && streamsGroup) {
    check = groups.streams.checkMember(streamsGroup, asker);
  }
  let wanted = refused.length > 0 ? topics!.filter(describable) : topics;
  if (wanted === null) {
    const byTopic = new Map<string, number[]>();
    for (const k of group?.offsets.keys() ?? []) {
      const [name, p] = k.split("\u0000");
      byTopic.set(name, [...(byTopic.get(name) ?? []), Number(p)]);
    }
    wanted = [...byTopic].map(([name, partitionIndexes]) => ({ name, partitionIndexes }))
      .filter(describable);
  }
  const refusedAnswers = refused.map((t) => ({
    name: t.name,
    partitions: t.partitionIndexes.map((p) => ({
      partitionIndex: p,
      committedOffset: -1n,
      committedLeaderEpoch: -1,
      metadata: "",
      errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED,
    })),
  }));
  return {
    errorCode: check,
    topics: check !== ErrorCode.NONE ? [] : [
      ...wanted.map((t) => ({
        name: t.name,
        partitions: t.partitionIndexes.map((p) => {
          const key = `${t.name}\u0000${p}`;
          // KIP-447: a consumer asking for stable offsets waits while a transaction holds one.
          if (requireStable && groups.hasPendingOffset(groupId, key)) {
            return {
              partitionIndex: p,
              committedOffset: -1n,
              committedLeaderEpoch: -1,
              metadata: "",
              errorCode: ErrorCode.UNSTABLE_OFFSET_COMMIT,
            };
          }
          const c = group?.offsets.get(key);
          return {
            partitionIndex: p,
            committedOffset: c?.offset ?? -1n,
            committedLeaderEpoch: c?.leaderEpoch ?? -1,
            metadata: c?.metadata ?? "",
            errorCode: ErrorCode.NONE,
          };
        }),
      })),
      ...refusedAnswers,
    ],
  };
}

export default defineHandler({
  apiKey: ApiKey.OffsetFetch,
  minVersion: 1,
  maxVersion: 10,
  handle(request, ctx) {
    const groups = ctx.groups;
    if (ctx.apiVersion >= 10) {
      return {
        groups: request.groups.map((g) => byId(g, ctx, request.requireStable)),
      };
    }
    if (ctx.apiVersion >= 8) {
      return {
        groups: request.groups.map((g) => {
          const r = fetchGroup(groups, g.groupId, g.topics, ctx, request.requireStable, {
            memberId: ctx.apiVersion >= 9 ? g.memberId : null,
            memberEpoch: ctx.apiVersion >= 9 ? g.memberEpoch : -1,
          });
          return { groupId: g.groupId, errorCode: r.errorCode, topics: r.topics };
        }),
      };
    }
    const r = fetchGroup(
      groups,
      request.groupId,
      request.topics,
      ctx,
      ctx.apiVersion >= 7 && request.requireStable,
    );
    const epochs = ctx.apiVersion >= 5;
    return {
      errorCode: r.errorCode,
      topics: r.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => ({
          ...p,
          committedLeaderEpoch: epochs ? p.committedLeaderEpoch : -1,
        })),
      })),
    };
  },
});

type Request = ApiMessages[typeof ApiKey.OffsetFetch]["request"];

/** A v10 group: ids turned into names for the lookup and back for the answer. */
function byId(g: Request["groups"][number], ctx: RequestContext, requireStable: boolean) {
  const { byName: topics, byId: topicsById } = ctx.topics;
  const named = g.topics?.filter((t) => topicsById.has(t.topicId))
    .map((t) => ({ name: topicsById.get(t.topicId)!.name, partitionIndexes: t.partitionIndexes }));
  const r = fetchGroup(ctx.groups, g.groupId, named ?? null, ctx, requireStable, g);
  const unknown = r.errorCode !== ErrorCode.NONE
    ? []
    : (g.topics ?? []).filter((t) => !topicsById.has(t.topicId)).map((t) => ({
      name: "",
      topicId: t.topicId,
      partitions: t.partitionIndexes.map((partitionIndex) => ({
        partitionIndex,
        committedOffset: -1n,
        committedLeaderEpoch: -1,
        metadata: "",
        errorCode: ErrorCode.UNKNOWN_TOPIC_ID,
      })),
    }));
  return {
    groupId: g.groupId,
    errorCode: r.errorCode,
    topics: [
      // Offsets of topics deleted since have no id to be named by.
      ...r.topics.filter((t) => topics.has(t.name)).map((t) => ({
        ...t,
        name: "",
        topicId: topics.get(t.name)!.id,
      })),
      ...unknown,
    ],
  };
}
