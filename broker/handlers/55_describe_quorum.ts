/**
 * DescribeQuorum (key 55): the leader, epoch, high watermark and voters of the KRaft metadata
 * log, `__cluster_metadata` partition 0 (see broker/metadata/quorum.ts for how Brook's nodes form the
 * quorum). Kafka's brokers forward it to the controller, which needs DESCRIBE on the cluster and
 * answers any request other than exactly that one partition with UNKNOWN_TOPIC_OR_PARTITION for
 * every partition asked. From v2 the voters' controller listeners are listed: Brook's nodes have
 * none (their controller role is reached on their broker listeners), so the lists are empty.
 *
 * @module
 */

import { AclOperation, ApiKey, ErrorCode, errorInfo } from "../../codec/mod.ts";
import { defineHandler } from "../server/handler.ts";
import { canOnCluster, CLUSTER_REFUSED } from "../security/access.ts";

const METADATA_TOPIC = "__cluster_metadata";

export default defineHandler({
  apiKey: ApiKey.DescribeQuorum,
  minVersion: 0,
  maxVersion: 2,
  handle(request, ctx) {
    if (!canOnCluster(ctx, AclOperation.DESCRIBE)) {
      return {
        errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
        errorMessage: CLUSTER_REFUSED,
        topics: [],
        nodes: [],
      };
    }
    const [only] = request.topics;
    const valid = request.topics.length === 1 && only.topicName === METADATA_TOPIC &&
      only.partitions.length === 1 && only.partitions[0].partitionIndex === 0;
    if (!valid) {
      const errorCode = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
      return {
        errorCode: ErrorCode.NONE,
        errorMessage: "",
        topics: request.topics.map((t) => ({
          topicName: t.topicName,
          partitions: t.partitions.map((p) => ({
            partitionIndex: p.partitionIndex,
            errorCode,
            errorMessage: errorInfo(errorCode).message,
          })),
        })),
        nodes: [],
      };
    }
    const state = ctx.metadata.quorum.describe();
    const v2 = ctx.apiVersion >= 2;
    return {
      errorCode: ErrorCode.NONE,
      errorMessage: "",
      topics: [{
        topicName: METADATA_TOPIC,
        partitions: [{
          partitionIndex: 0,
          errorCode: ErrorCode.NONE,
          errorMessage: "",
          leaderId: state.leaderId,
          leaderEpoch: state.leaderEpoch,
          highWatermark: state.highWatermark,
          currentVoters: state.voters.map((v) => ({
            replicaId: v.nodeId,
            // Directory ids (KIP-853) exist from v2; earlier versions cannot carry them.
            ...(v2 ? { replicaDirectoryId: v.directoryId } : {}),
            logEndOffset: v.logEndOffset,
            lastFetchTimestamp: v.lastFetchTimestamp,
            lastCaughtUpTimestamp: v.lastCaughtUpTimestamp,
          })),
          observers: [],
        }],
      }],
      nodes: v2 ? state.voters.map((v) => ({ nodeId: v.nodeId, listeners: [] })) : [],
    };
  },
});
