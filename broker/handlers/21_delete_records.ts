/**
 * DeleteRecords (key 21): moves partitions' log start offsets forward (-1 means the high watermark).
 *
 * @module
 */

import { AclOperation, AclResourceType, ApiKey, ErrorCode } from "../../codec/mod.ts";
import { defineHandler } from "../server/handler.ts";
import { can } from "../security/access.ts";

export default defineHandler({
  apiKey: ApiKey.DeleteRecords,
  minVersion: 0,
  maxVersion: 2,
  handle(request, ctx) {
    const { node } = ctx;
    const deletable = (name: string) => can(ctx, AclOperation.DELETE, AclResourceType.TOPIC, name);
    return {
      topics: request.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((q) => {
          const p = ctx.topics.partition(t.name, q.partitionIndex);
          const answer = (errorCode: number, lowWatermark = -1n) => ({
            partitionIndex: q.partitionIndex,
            lowWatermark,
            errorCode,
          });
          if (!deletable(t.name)) return answer(ErrorCode.TOPIC_AUTHORIZATION_FAILED);
          if (!p) return answer(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
          if (p.leader !== node.nodeId) return answer(ErrorCode.NOT_LEADER_OR_FOLLOWER);
          const offset = q.offset === -1n ? p.log.highWatermark : q.offset;
          if (offset < 0n || offset > p.log.highWatermark) {
            return answer(ErrorCode.OFFSET_OUT_OF_RANGE);
          }
          p.log.truncateBefore(offset);
          p.txns.truncateBefore(offset);
          return answer(ErrorCode.NONE, p.log.logStartOffset);
        }),
      })),
    };
  },
});
