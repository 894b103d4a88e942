/**
 * AlterReplicaLogDirs (key 34): moves replicas between a node's log directories. Each Brook node
 * has one (the one DescribeLogDirs names), so a replica can only be "moved" where it already is;
 * any other directory is LOG_DIR_NOT_FOUND, as Kafka answers an unknown one.
 *
 * @module
 */

import { AclOperation, ApiKey, ErrorCode } from "../../codec/mod.ts";
import { defineHandler } from "../server/handler.ts";
import { canOnCluster } from "../security/access.ts";
import { logDirOf } from "./35_describe_log_dirs.ts";

export default defineHandler({
  apiKey: ApiKey.AlterReplicaLogDirs,
  minVersion: 1,
  maxVersion: 2,
  handle(request, ctx) {
    const { node } = ctx;
    const allowed = canOnCluster(ctx, AclOperation.ALTER);
    const ownDir = logDirOf(node.nodeId);
    // A topic named under several directories is answered once per directory, as Kafka does.
    const results = request.dirs.flatMap((dir) =>
      dir.topics.map((t) => ({
        topicName: t.name,
        partitions: t.partitions.map((partitionIndex) => {
          const partition = ctx.topics.partition(t.name, partitionIndex);
          const errorCode = !allowed
            ? ErrorCode.CLUSTER_AUTHORIZATION_FAILED
            : dir.path !== ownDir
            ? ErrorCode.LOG_DIR_NOT_FOUND
            : !partition || !partition.replicas.includes(node.nodeId)
            ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION
            : ErrorCode.NONE;
          return { partitionIndex, errorCode };
        }),
      }))
    );
    return { results };
  },
});
