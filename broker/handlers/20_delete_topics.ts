/**
 * DeleteTopics (key 20): deletes topics by name, or by id from version 6.
 *
 * @module
 */

import { AclOperation, AclResourceType, ApiKey, ErrorCode, ZERO_UUID } from "../../codec/mod.ts";
import { defineHandler } from "../server/handler.ts";
import { quotaUser } from "../quotas/quota_enforcer.ts";
import { can, canOnCluster } from "../security/access.ts";

export default defineHandler({
  apiKey: ApiKey.DeleteTopics,
  minVersion: 1,
  maxVersion: 6,
  handle(request, ctx) {
    const { apiVersion } = ctx;
    const quota = ctx.quotaEnforcer.mutationQuota(
      quotaUser(ctx.connection.principal),
      ctx.header.clientId ?? "",
      ctx.apiVersion >= 5,
    );
    const wanted = apiVersion >= 6
      ? request.topics.map((t) => ({ name: t.name, topicId: t.topicId }))
      : request.topicNames.map((name) => ({ name, topicId: ZERO_UUID }));
    // As Kafka's controller: DELETE on the cluster, or DESCRIBE and DELETE on each topic. A topic
    // asked by name that the principal may not describe is refused before its existence is checked;
    // one asked by id keeps its name in the answer only if the principal may describe it.
    const clusterDelete = canOnCluster(ctx, AclOperation.DELETE);
    const may = (op: AclOperation, name: string) =>
      clusterDelete || can(ctx, op, AclResourceType.TOPIC, name);
    const responses = wanted.map((w) => {
      const topic = w.name !== null
        ? ctx.topics.byName.get(w.name)
        : ctx.topics.byId.get(w.topicId);
      const name = topic?.name ?? w.name;
      const base = { name, topicId: apiVersion >= 6 ? topic?.id ?? w.topicId : ZERO_UUID };
      const refused = { errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED };
      if (w.name !== null && !may(AclOperation.DESCRIBE, w.name)) {
        return { name: w.name, topicId: ZERO_UUID, ...refused };
      }
      if (topic && !may(AclOperation.DELETE, topic.name)) {
        return w.name === null && !may(AclOperation.DESCRIBE, topic.name)
          ? { name: null, topicId: base.topicId, ...refused }
          : { ...base, topicId: w.name === null ? base.topicId : ZERO_UUID, ...refused };
      }
      if (!topic) {
        const errorCode = w.name === null
          ? ErrorCode.UNKNOWN_TOPIC_ID
          : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
        return {
          ...base,
          errorCode,
          errorMessage: apiVersion >= 5 ? "This server does not host this topic-partition." : null,
        };
      }
      if (topic.isInternal) {
        return { ...base, errorCode: ErrorCode.TOPIC_DELETION_DISABLED };
      }
      // Each partition deleted takes a token of the controller mutation quota (KIP-599).
      if (!quota.record(topic.partitions.length)) {
        return {
          ...base,
          errorCode: ErrorCode.THROTTLING_QUOTA_EXCEEDED,
        };
      }
      ctx.topics.deleteTopic(topic.name);
      return { ...base, errorCode: ErrorCode.NONE };
    });
    return { throttleTimeMs: quota.throttleTimeMs(), responses };
  },
});
