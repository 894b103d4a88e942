/**
 * DescribeShareGroupOffsets (key 90): where each share partition of a share group starts, as its
 * share state holds it: -1 until the share partition first writes its state (Kafka's lag), and -1
 * where there is no state. Kafka answers an unknown group with no topics, without an error. v1
 * (KIP-1226, Kafka 4.4) adds the lag: the high watermark less the start offset and the records
 * finished above it, as the share state was last written; -1 without a written state.
 *
 * @module
 */

import { AclOperation, AclResourceType, ApiKey, ErrorCode, errorInfo } from "../../codec/mod.ts";
import { ZERO_UUID } from "../../codec/protocol/uuid.ts";
import { defineHandler, type RequestContext } from "../server/handler.ts";
import { NOT_COORDINATOR_MESSAGE } from "../groups/consumer_heartbeat.ts";
import { can } from "../security/access.ts";

type Group = { groupId: string; topics: { topicName: string; partitions: number[] }[] | null };

export default defineHandler({
  apiKey: ApiKey.DescribeShareGroupOffsets,
  minVersion: 0,
  maxVersion: 1,
  handle(request, ctx) {
    return { groups: request.groups.map((g) => describe(g, ctx)) };
  },
});

function describe(g: Group, ctx: RequestContext) {
  const failed = (errorCode: number, errorMessage: string | null = null) => ({
    groupId: g.groupId,
    topics: [],
    errorCode,
    errorMessage,
  });
  if (ctx.features.level("share.version") < 1) return failed(ErrorCode.UNSUPPORTED_VERSION);
  if (!can(ctx, AclOperation.DESCRIBE, AclResourceType.GROUP, g.groupId)) {
    return failed(ErrorCode.GROUP_AUTHORIZATION_FAILED);
  }
  if (ctx.groups.coordinatorFor(g.groupId) !== ctx.node.nodeId) {
    return failed(ErrorCode.NOT_COORDINATOR, NOT_COORDINATOR_MESSAGE);
  }
  const partition = (groupId: string, topicId: string, partitionIndex: number) => {
    const stored = ctx.shares.storedStartOffset(groupId, topicId, partitionIndex);
    const share = ctx.shares.existing(groupId, topicId, partitionIndex);
    const highWatermark = ctx.topics.byId.get(topicId)!.partitions[partitionIndex].log
      .highWatermark;
    const lag = share && stored !== undefined && stored >= 0n
      ? highWatermark - stored - share.persistedFinished
      : -1n;
    return {
      partitionIndex,
      startOffset: stored ?? -1n,
      lag,
      leaderEpoch: stored === undefined
        ? 0
        : ctx.topics.byId.get(topicId)!.partitions[partitionIndex].leaderEpoch,
      errorCode: ErrorCode.NONE,
    };
  };
  const known = (t: { topicName: string }) =>
    !can(ctx, AclOperation.DESCRIBE, AclResourceType.TOPIC, t.topicName) ||
    !ctx.topics.byName.has(t.topicName);
  const topics = g.topics === null
    ? [...ctx.groups.shareGroups.get(g.groupId)?.initialized ?? []].flatMap(([id, ps]) => {
      const topic = ctx.topics.byId.get(id);
      if (!topic || !can(ctx, AclOperation.DESCRIBE, AclResourceType.TOPIC, topic.name)) return [];
      return [{
        topicName: topic.name,
        topicId: id,
        partitions: [...ps].sort((a, b) => a - b).map((p) => partition(g.groupId, id, p)),
      }];
    })
    // Kafka answers the topics it refuses, or does not know, first.
    : [...g.topics].sort((a, b) => Number(known(b)) - Number(known(a))).map((t) => {
      const refused = !can(ctx, AclOperation.DESCRIBE, AclResourceType.TOPIC, t.topicName);
      const topic = ctx.topics.byName.get(t.topicName);
      if (refused || !topic) {
        return {
          topicName: t.topicName,
          topicId: ZERO_UUID,
          partitions: t.partitions.map((partitionIndex) => ({
            partitionIndex,
            startOffset: -1n,
            leaderEpoch: 0,
            lag: -1n,
            errorCode: refused ? ErrorCode.TOPIC_AUTHORIZATION_FAILED : ErrorCode.NONE,
            errorMessage: refused ? errorInfo(ErrorCode.TOPIC_AUTHORIZATION_FAILED).message : null,
          })),
        };
      }
      return {
        topicName: t.topicName,
        topicId: topic.id,
        partitions: t.partitions.map((p) => partition(g.groupId, topic.id, p)),
      };
    });
  return { groupId: g.groupId, topics, errorCode: ErrorCode.NONE };
}
