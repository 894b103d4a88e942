/**
 * OffsetDelete (key 47): removes committed offsets of partitions no member is subscribed to.
 *
 * @module
 */

import { AclOperation, AclResourceType, ApiKey, ErrorCode } from "../../codec/mod.ts";
import { decodeSubscription } from "../../codec/consumer_protocol.ts";
import { defineHandler } from "../server/handler.ts";
import { can } from "../security/access.ts";

export default defineHandler({
  apiKey: ApiKey.OffsetDelete,
  minVersion: 0,
  maxVersion: 0,
  handle(request, ctx) {
    const groups = ctx.groups;
    if (!can(ctx, AclOperation.DELETE, AclResourceType.GROUP, request.groupId)) {
      return { errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, topics: [] };
    }
    // Topics without READ are answered TOPIC_AUTHORIZATION_FAILED, first, before any group check.
    const readable = (name: string) => can(ctx, AclOperation.READ, AclResourceType.TOPIC, name);
    const refused = request.topics.filter((t) => !readable(t.name)).map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p) => ({
        partitionIndex: p.partitionIndex,
        errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED,
      })),
    }));
    if (refused.length > 0 && refused.length === request.topics.length) {
      return { errorCode: ErrorCode.NONE, topics: refused };
    }
    const check = groups.check(request.groupId, ctx);
    if (check !== ErrorCode.NONE) return { errorCode: check, topics: [] };
    if (groups.shareGroups.has(request.groupId)) {
      return { errorCode: ErrorCode.GROUP_ID_NOT_FOUND, topics: [] };
    }
    const consumerGroup = groups.consumerGroups.get(request.groupId);
    const streamsGroup = groups.streams.groups.get(request.groupId);
    const g = consumerGroup || streamsGroup ? undefined : groups.group(request.groupId);
    const offsets = consumerGroup?.offsets ?? streamsGroup?.offsets ?? g?.offsets;
    if (
      consumerGroup ? consumerGroup.dead : !streamsGroup && (!g || g.state === "Dead")
    ) {
      return { errorCode: ErrorCode.GROUP_ID_NOT_FOUND, topics: [] };
    }
    // Topics a consumer-protocol member subscribes to keep their offsets (GROUP_SUBSCRIBED_TO_TOPIC).
    const subscribed = new Set<string>();
    if (consumerGroup || streamsGroup) {
      for (const t of request.topics) {
        if ((consumerGroup ?? streamsGroup)!.isSubscribedTo(t.name)) {
          subscribed.add(t.name);
        }
      }
    } else if (g && g.protocolType === "consumer") {
      for (const m of g.members.values()) {
        const meta = m.protocols.find((p) => p.name === g.protocolName)?.metadata;
        if (!meta) continue;
        try {
          for (const t of decodeSubscription(m.memberId, null, meta).topics) subscribed.add(t);
        } catch {
          // Unreadable metadata subscribes to nothing we can name.
        }
      }
    }
    return {
      errorCode: ErrorCode.NONE,
      topics: [
        ...refused,
        ...request.topics.filter((t) => readable(t.name)).map((t) => ({
          name: t.name,
          partitions: t.partitions.map((p) => {
            if (!ctx.topics.partition(t.name, p.partitionIndex)) {
              return {
                partitionIndex: p.partitionIndex,
                errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
              };
            }
            if (subscribed.has(t.name)) {
              return {
                partitionIndex: p.partitionIndex,
                errorCode: ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC,
              };
            }
            offsets!.delete(`${t.name}\u0000${p.partitionIndex}`);
            return { partitionIndex: p.partitionIndex, errorCode: ErrorCode.NONE };
          }),
        })),
      ],
    };
  },
});
