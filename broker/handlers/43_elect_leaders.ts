/**
 * ElectLeaders (key 43): preferred election moves leadership back to each partition's first replica
 * (bumping the leader epoch); unclean election only matters when no in-sync replica leads, which an
 * in-memory cluster only has while a node is stopped.
 *
 * @module
 */

import { AclOperation, ApiKey, ErrorCode } from "../../codec/mod.ts";
import type { Partition } from "../metadata/cluster.ts";
import { defineHandler } from "../server/handler.ts";
import { canOnCluster, CLUSTER_REFUSED } from "../security/access.ts";

const PREFERRED = 0;

export default defineHandler({
  apiKey: ApiKey.ElectLeaders,
  minVersion: 0,
  maxVersion: 2,
  handle(request, ctx) {
    if (!canOnCluster(ctx, AclOperation.ALTER)) {
      // Refused, every partition asked for says so; a request for all partitions lists none. The
      // top-level error exists from v1 on: a v0 refusal is in the partitions alone.
      return {
        errorCode: ctx.apiVersion >= 1 ? ErrorCode.CLUSTER_AUTHORIZATION_FAILED : ErrorCode.NONE,
        replicaElectionResults: (request.topicPartitions ?? []).map((t) => ({
          topic: t.topic,
          partitionResult: t.partitions.map((partitionId) => ({
            partitionId,
            errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
            errorMessage: CLUSTER_REFUSED,
          })),
        })),
      };
    }
    const electionType = ctx.apiVersion >= 1 ? request.electionType : PREFERRED;
    const wanted = request.topicPartitions ??
      [...ctx.topics.byName.values()].map((t) => ({
        topic: t.name,
        partitions: t.partitions.map((p) => p.index),
      }));
    const elect = (p: Partition) => {
      const alive = new Set(ctx.metadata.nodes.map((n) => n.nodeId));
      if (electionType === PREFERRED) {
        const preferred = p.replicas[0];
        if (p.leader === preferred) {
          return {
            errorCode: ErrorCode.ELECTION_NOT_NEEDED,
            errorMessage: "Leader election not needed for topic partition",
          };
        }
        if (!p.isr.includes(preferred) || !alive.has(preferred)) {
          return {
            errorCode: ErrorCode.PREFERRED_LEADER_NOT_AVAILABLE,
            errorMessage:
              `Failed to elect leader for partition ${p.topic.name}-${p.index} under strategy PreferredReplicaPartitionLeaderElectionStrategy`,
          };
        }
        p.leader = preferred;
        p.leaderEpoch++;
        return { errorCode: ErrorCode.NONE, errorMessage: null };
      }
      if (p.leader >= 0) {
        return {
          errorCode: ErrorCode.ELECTION_NOT_NEEDED,
          errorMessage: "Leader election not needed for topic partition",
        };
      }
      const next = p.replicas.find((r) => alive.has(r));
      if (next === undefined) {
        return {
          errorCode: ErrorCode.ELIGIBLE_LEADERS_NOT_AVAILABLE,
          errorMessage: "No replica is available",
        };
      }
      p.leader = next;
      p.leaderEpoch++;
      return { errorCode: ErrorCode.NONE, errorMessage: null };
    };
    return {
      errorCode: ErrorCode.NONE,
      replicaElectionResults: wanted.map((t) => ({
        topic: t.topic,
        partitionResult: t.partitions.map((i) => {
          const p = ctx.topics.partition(t.topic, i);
          if (!p) {
            return {
              partitionId: i,
              errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
              errorMessage: null,
            };
          }
          return { partitionId: i, ...elect(p) };
        }),
      })),
    };
  },
});
