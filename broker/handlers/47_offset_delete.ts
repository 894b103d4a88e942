/**
 * OffsetDelete (key 47): removes committed offsets of partitions no member is subscribed to.
 *
 * @module
 */

import { ApiKey, ErrorCode } from "../../codec/mod.ts";
import { decodeSubscription } from "../../codec/consumer_protocol.ts";
import { defineHandler } from "../handler.ts";

export default defineHandler({
  apiKey: ApiKey.OffsetDelete,
  minVersion: 0,
  maxVersion: 0,
  handle(request, ctx) {
    const groups = ctx.cluster.groups;
    const check = groups.check(request.groupId, ctx);
    if (check !== ErrorCode.NONE) return { errorCode: check, throttleTimeMs: 0, topics: [] };
    const g = groups.group(request.groupId);
    if (!g || g.state === "Dead") {
      return { errorCode: ErrorCode.GROUP_ID_NOT_FOUND, throttleTimeMs: 0, topics: [] };
    }
    // Topics a consumer-protocol member subscribes to keep their offsets (GROUP_SUBSCRIBED_TO_TOPIC).
    const subscribed = new Set<string>();
    if (g.protocolType === "consumer") {
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
      throttleTimeMs: 0,
      topics: request.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => {
          if (!ctx.cluster.partition(t.name, p.partitionIndex)) {
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
          g.offsets.delete(`${t.name}\u0000${p.partitionIndex}`);
          return { partitionIndex: p.partitionIndex, errorCode: ErrorCode.NONE };
        }),
      })),
    };
  },
});
