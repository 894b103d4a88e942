/**
 * ShareAcknowledge (key 79): a share-group member acknowledges records without fetching (KIP-932),
 * in the same share session and epoch sequence as its ShareFetch requests; epoch -1 closes the
 * session and gives back what the member still holds.
 *
 * @module
 */

import { AclOperation, AclResourceType, ApiKey, ErrorCode } from "../../codec/mod.ts";
import { defineHandler } from "../handler.ts";
import { can } from "../security/access.ts";
import { acknowledge, isUuidString } from "../share/acknowledgements.ts";

export default defineHandler({
  apiKey: ApiKey.ShareAcknowledge,
  minVersion: 1,
  maxVersion: 1,
  handle(request, ctx) {
    const { cluster, node } = ctx;
    const shares = cluster.shares;
    const top = (errorCode: number) => ({
      throttleTimeMs: 0,
      errorCode,
      errorMessage: null,
      responses: [],
      nodeEndpoints: [],
    });
    if (cluster.features.level("share.version") < 1) return top(ErrorCode.UNSUPPORTED_VERSION);
    const groupId = request.groupId;
    if (groupId === null) return top(ErrorCode.UNKNOWN_SERVER_ERROR);
    if (!can(ctx, AclOperation.READ, AclResourceType.GROUP, groupId)) {
      return top(ErrorCode.GROUP_AUTHORIZATION_FAILED);
    }
    const memberId = request.memberId;
    if (!isUuidString(memberId)) return top(ErrorCode.UNKNOWN_SERVER_ERROR);
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
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      responses,
      nodeEndpoints: [],
    };
  },
});
