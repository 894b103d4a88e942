/**
 * ShareAcknowledge (key 79): a share-group member acknowledges records without fetching (KIP-932),
 * in the same share session and epoch sequence as its ShareFetch requests; epoch -1 closes the
 * session and gives back what the member still holds. v2 (Kafka 4.4) may renew acquisition locks
 * (KIP-1222) and answers the lock duration.
 *
 * @module
 */

import { ApiKey, ErrorCode } from "../../codec/mod.ts";
import { defineHandler } from "../server/handler.ts";
import { acknowledge, shareRequestRefusal } from "../share/acknowledgements.ts";

export default defineHandler({
  apiKey: ApiKey.ShareAcknowledge,
  minVersion: 1,
  maxVersion: 2,
  handle(request, ctx) {
    const { node } = ctx;
    const shares = ctx.shares;
    const top = (errorCode: number) => ({
      errorCode,
      acquisitionLockTimeoutMs: 0,
      responses: [],
      nodeEndpoints: [],
    });
    const refused = shareRequestRefusal(ctx, request.groupId, request.memberId);
    if (refused !== null) return top(refused);
    const groupId = request.groupId!;
    const memberId = request.memberId;
    const epoch = request.shareSessionEpoch;
    // A session is opened by ShareFetch only.
    if (epoch === 0) return top(ErrorCode.INVALID_SHARE_SESSION_EPOCH);
    const session = shares.session(node.nodeId, groupId, memberId!);
    if (!session) return top(ErrorCode.SHARE_SESSION_NOT_FOUND);
    if (epoch !== -1) {
      if (session.epoch !== epoch) return top(ErrorCode.INVALID_SHARE_SESSION_EPOCH);
      session.epoch = epoch === 2147483647 ? 1 : epoch + 1;
    }
    const results = acknowledge(
      ctx,
      groupId,
      memberId!,
      request.topics.flatMap((t) =>
        t.partitions.map((p) => ({
          topicId: t.topicId,
          partition: p.partitionIndex,
          batches: p.acknowledgementBatches,
        }))
      ),
      { isRenewAck: ctx.apiVersion >= 2 && request.isRenewAck, version: ctx.apiVersion },
    );
    if (epoch === -1) shares.closeSession(session);
    const responses: {
      topicId: string;
      partitions: { partitionIndex: number; errorCode: number; errorMessage: string | null }[];
    }[] = [];
    for (const r of results) {
      let topic = responses.find((t) => t.topicId === r.topicId);
      if (!topic) responses.push(topic = { topicId: r.topicId, partitions: [] });
      topic.partitions.push({
        partitionIndex: r.partition,
        errorCode: r.errorCode,
        errorMessage: r.errorMessage,
      });
    }
    return {
      errorCode: ErrorCode.NONE,
      acquisitionLockTimeoutMs: shares.lockDurationMs(groupId),
      responses,
      nodeEndpoints: [],
    };
  },
});
