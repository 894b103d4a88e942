/**
 * AlterPartitionReassignments (key 45): moves partitions to other replicas, with the checks of
 * Kafka's controller (known topic and partition, a non-empty list of distinct live brokers, an
 * unchanged replication factor when v1 asks for one). Brook's in-memory replicas copy at once, so a
 * reassignment completes before the answer: the new replicas are in sync, a leader that was moved
 * away hands over to the first of them, and there is never one in progress to cancel.
 *
 * @module
 */

import { AclOperation, ApiKey, ErrorCode } from "../../codec/mod.ts";
import type { Partition } from "../metadata/cluster.ts";
import { defineHandler, type RequestContext } from "../server/handler.ts";
import { canOnCluster, CLUSTER_REFUSED } from "../security/access.ts";

export default defineHandler({
  apiKey: ApiKey.AlterPartitionReassignments,
  minVersion: 0,
  maxVersion: 1,
  handle(request, ctx) {
    const allowRfChange = ctx.apiVersion < 1 || request.allowReplicationFactorChange;
    if (!canOnCluster(ctx, AclOperation.ALTER)) {
      return {
        allowReplicationFactorChange: allowRfChange,
        errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
        errorMessage: CLUSTER_REFUSED,
        responses: [],
      };
    }

    const responses = request.topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p) => {
        const problem = reassign(ctx, t.name, p.partitionIndex, p.replicas, allowRfChange);
        return {
          partitionIndex: p.partitionIndex,
          errorCode: problem?.[0] ?? ErrorCode.NONE,
          errorMessage: problem?.[1] ?? null,
        };
      }),
    }));
    ctx.topics.appended.notify();
    return {
      allowReplicationFactorChange: allowRfChange,
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      responses,
    };
  },
});

/** Reassigns one partition; returns Kafka's error code and message, or nothing on success. */
function reassign(
  ctx: RequestContext,
  topicName: string,
  index: number,
  replicas: number[] | null,
  allowRfChange: boolean,
): [number, string | null] | undefined {
  const topic = ctx.topics.byName.get(topicName);
  if (!topic) {
    return [ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Unable to find a topic named ${topicName}.`];
  }
  const partition = topic.partitions[index];
  if (!partition) {
    return [
      ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
      `Unable to find partition ${topicName}:${index}.`,
    ];
  }
  // Kafka 4.1.1 gives no message here.
  if (replicas === null) return [ErrorCode.NO_REASSIGNMENT_IN_PROGRESS, null];
  const invalid = (message: string): [number, string] => [
    ErrorCode.INVALID_REPLICA_ASSIGNMENT,
    message,
  ];
  if (replicas.length === 0) {
    return invalid("The manual partition assignment includes an empty replica list.");
  }
  const sorted = [...replicas].sort((a, b) => a - b);
  for (let i = 0; i < sorted.length; i++) {
    if (!ctx.metadata.registeredNodeIds.has(sorted[i])) {
      return invalid(
        `The manual partition assignment includes broker ${
          sorted[i]
        }, but no such broker is registered.`,
      );
    }
    if (i > 0 && sorted[i] === sorted[i - 1]) {
      return invalid(
        `The manual partition assignment includes the broker ${sorted[i]} more than once.`,
      );
    }
  }
  if (!allowRfChange && replicas.length !== partition.replicas.length) {
    return [
      ErrorCode.INVALID_REPLICATION_FACTOR,
      `The replication factor is changed from ${partition.replicas.length} to ${replicas.length}`,
    ];
  }
  moveReplicas(partition, replicas);
  return undefined;
}

/** The reassignment, completed: new replicas in sync, the leader kept unless it was moved away. */
function moveReplicas(partition: Partition, replicas: number[]): void {
  partition.replicas = [...replicas];
  partition.isr = [...replicas];
  if (!replicas.includes(partition.leader)) {
    partition.leader = replicas[0];
    partition.leaderEpoch++;
  }
}
