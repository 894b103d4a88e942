/**
 * CreatePartitions (key 37): adds partitions to topics (never removes).
 *
 * @module
 */

import { AclOperation, AclResourceType, ApiKey, ErrorCode } from "../../codec/mod.ts";
import { MAX_RECORDS_PER_USER_OP } from "../metadata/cluster.ts";
import { defineHandler } from "../server/handler.ts";
import { hashSetOrder } from "../metadata/java_hash_set.ts";
import { quotaUser } from "../quotas/quota_enforcer.ts";
import { can, secured } from "../security/access.ts";

export default defineHandler({
  apiKey: ApiKey.CreatePartitions,
  minVersion: 0,
  maxVersion: 3,
  handle(request, ctx) {
    const quota = ctx.quotaEnforcer.mutationQuota(
      quotaUser(ctx.connection.principal),
      ctx.header.clientId ?? "",
      ctx.apiVersion >= 3,
    );
    // As Kafka's controller: topics named twice are answered first, then those refused (ALTER, with
    // no message), then the others; Kafka takes the names from hash sets, so in their order.
    const counts = new Map<string, number>();
    const named: string[] = [];
    for (const t of request.topics) {
      const n = (counts.get(t.name) ?? 0) + 1;
      counts.set(t.name, n);
      if (n === 2) named.push(t.name);
    }
    const duplicates = hashSetOrder(named);
    const once = hashSetOrder([...counts.keys()]).filter((name) => counts.get(name) === 1)
      .map((name) => request.topics.find((t) => t.name === name)!);
    const refused = secured(ctx)
      ? once.filter((t) => !can(ctx, AclOperation.ALTER, AclResourceType.TOPIC, t.name))
      : [];
    const allowed = refused.length === 0 ? once : once.filter((t) => !refused.includes(t));
    // The metadata records (one per new partition) that the request has made so far: Kafka's
    // controller stops at 10,000, answering the topic it was adding UNKNOWN_SERVER_ERROR, and so
    // every later one that adds any.
    let records = 0;
    const results = allowed.map((t) => {
      const fail = (errorCode: number, errorMessage: string | null) => ({
        name: t.name,
        errorCode,
        errorMessage,
      });
      const topic = ctx.topics.byName.get(t.name);
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
      if (t.assignments !== null) {
        if (t.assignments.length !== added) {
          return fail(
            ErrorCode.INVALID_REPLICA_ASSIGNMENT,
            `Attempted to add ${added} additional partition(s), but only ${t.assignments.length} assignment(s) were specified.`,
          );
        }
        const ids = new Set(ctx.metadata.nodes.map((n) => n.nodeId));
        if (t.assignments.some((a) => a.brokerIds.some((id) => !ids.has(id)))) {
          return fail(
            ErrorCode.INVALID_REPLICA_ASSIGNMENT,
            "The manual partition assignment includes a broker that is not registered.",
          );
        }
      }
      // Each new partition takes a token of the controller mutation quota (KIP-599).
      if (!request.validateOnly && !quota.record(added)) {
        return fail(
          ErrorCode.THROTTLING_QUOTA_EXCEEDED,
          null,
        );
      }
      // Refused before any replica list is made. (Kafka keeps the records it made up to the limit,
      // adding partitions while answering an error; Brook adds none.)
      if (records + added > MAX_RECORDS_PER_USER_OP) {
        records = MAX_RECORDS_PER_USER_OP;
        return fail(ErrorCode.UNKNOWN_SERVER_ERROR, null);
      }
      records += added;
      const assignments = t.assignments !== null
        ? t.assignments.map((a) => a.brokerIds)
        : ctx.topics.assignReplicas(added, topic.partitions[0].replicas.length);
      if (!request.validateOnly) ctx.topics.addPartitions(topic, assignments);
      return { name: t.name, errorCode: ErrorCode.NONE };
    });
    return {
      throttleTimeMs: quota.throttleTimeMs(),
      results: [
        ...duplicates.map((name) => ({
          name,
          errorCode: ErrorCode.INVALID_REQUEST,
          errorMessage: "Duplicate topic name.",
        })),
        ...refused.map((t) => ({
          name: t.name,
          errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED,
        })),
        ...results,
      ],
    };
  },
});
