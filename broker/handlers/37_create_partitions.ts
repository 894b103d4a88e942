/**
 * CreatePartitions (key 37): adds partitions to topics (never removes).
 *
 * @module
 */

import { AclOperation, AclResourceType, ApiKey, ErrorCode } from "../../codec/mod.ts";
import { defineHandler } from "../handler.ts";
import { quotaUser } from "../quota_enforcer.ts";
import { can, secured } from "../security/access.ts";

export default defineHandler({
  apiKey: ApiKey.CreatePartitions,
  minVersion: 0,
  maxVersion: 3,
  handle(request, ctx) {
    const { cluster } = ctx;
    const quota = cluster.quotaEnforcer.mutationQuota(
      quotaUser(ctx.connection.principal),
      ctx.header.clientId ?? "",
      ctx.apiVersion >= 3,
    );
    // As Kafka's controller: refused topics (ALTER) are answered before the others, with no message.
    const refused = secured(ctx)
      ? request.topics.filter((t) => !can(ctx, AclOperation.ALTER, AclResourceType.TOPIC, t.name))
      : [];
    const allowed = refused.length === 0
      ? request.topics
      : request.topics.filter((t) => !refused.includes(t));
    const results = allowed.map((t) => {
      const fail = (errorCode: number, errorMessage: string | null) => ({
        name: t.name,
        errorCode,
        errorMessage,
      });
      const topic = cluster.topics.get(t.name);
      if (!topic) {
        return fail(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `The topic '${t.name}' does not exist.`);
      }
      const current = topic.partitions.length;
      if (t.count < current) {
        return fail(
          ErrorCode.INVALID_PARTITIONS,
          `The topic ${t.name} currently has ${current} partition(s); ${t.count} would not be an increase.`,
        );
      }
      if (t.count === current) {
        return fail(ErrorCode.INVALID_PARTITIONS, `Topic already has ${current} partition(s).`);
      }
      const added = t.count - current;
      let assignments: number[][];
      if (t.assignments !== null) {
        if (t.assignments.length !== added) {
          return fail(
            ErrorCode.INVALID_REPLICA_ASSIGNMENT,
            `Attempted to add ${added} additional partition(s), but only ${t.assignments.length} assignment(s) were specified.`,
          );
        }
        const ids = new Set(cluster.nodes.map((n) => n.nodeId));
        if (t.assignments.some((a) => a.brokerIds.some((id) => !ids.has(id)))) {
          return fail(
            ErrorCode.INVALID_REPLICA_ASSIGNMENT,
            "The manual partition assignment includes a broker that is not registered.",
          );
        }
        assignments = t.assignments.map((a) => a.brokerIds);
      } else {
        assignments = cluster.assignReplicas(added, topic.partitions[0].replicas.length);
      }
      // Each new partition takes a token of the controller mutation quota (KIP-599).
      if (!request.validateOnly && !quota.record(added)) {
        return fail(
          ErrorCode.THROTTLING_QUOTA_EXCEEDED,
          null,
        );
      }
      if (!request.validateOnly) cluster.addPartitions(topic, assignments);
      return { name: t.name, errorCode: ErrorCode.NONE, errorMessage: null };
    });
    return {
      throttleTimeMs: quota.throttleTimeMs(),
      results: [
        ...refused.map((t) => ({
          name: t.name,
          errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED,
          errorMessage: null,
        })),
        ...results,
      ],
    };
  },
});
