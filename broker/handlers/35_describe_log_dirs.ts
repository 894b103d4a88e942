/**
 * DescribeLogDirs (key 35): one log directory per node, holding the partitions the node has replicas
 * of, with their sizes in bytes.
 *
 * @module
 */

import { AclOperation, ApiKey, ErrorCode } from "../../codec/mod.ts";
import { defineHandler } from "../server/handler.ts";
import { canOnCluster } from "../security/access.ts";

/** The one log directory of a node, as DescribeLogDirs names it. */
export function logDirOf(nodeId: number): string {
  return `/brook/node-${nodeId}`;
}

export default defineHandler({
  apiKey: ApiKey.DescribeLogDirs,
  minVersion: 1,
  maxVersion: 5,
  handle(request, ctx) {
    const { node, apiVersion } = ctx;
    if (!canOnCluster(ctx, AclOperation.DESCRIBE)) {
      return { errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, results: [] };
    }
    const wanted = request.topics ??
      [...ctx.topics.byName.values()].map((t) => ({
        topic: t.name,
        partitions: t.partitions.map((p) => p.index),
      }));
    const topics = [];
    let total = 0;
    for (const t of wanted) {
      const partitions = [];
      for (const i of t.partitions) {
        const p = ctx.topics.partition(t.topic, i);
        if (!p || !p.replicas.includes(node.nodeId)) continue;
        partitions.push({
          partitionIndex: i,
          partitionSize: BigInt(p.log.sizeBytes),
          offsetLag: 0n,
          isFutureKey: false,
        });
        total += p.log.sizeBytes;
      }
      if (partitions.length > 0) topics.push({ name: t.topic, partitions });
    }
    return {
      errorCode: ErrorCode.NONE,
      results: [{
        errorCode: ErrorCode.NONE,
        logDir: logDirOf(node.nodeId),
        topics,
        totalBytes: apiVersion >= 4 ? BigInt(total) : -1n,
        usableBytes: apiVersion >= 4 ? 1n << 40n : -1n,
        // v5 (Kafka 4.4): Brook's one directory per node is never cordoned.
        isCordoned: false,
      }],
    };
  },
});
