/**
 * CreateTopics (key 19): creates topics (or only validates them), with Kafka's checks on names,
 * partition counts, replication factors, assignments and configs.
 *
 * @module
 */

import {
  AclOperation,
  AclResourceType,
  ApiKey,
  type CreateTopicsResponseCreatableTopicResultInit,
  ErrorCode,
} from "../../codec/mod.ts";
import { MAX_RECORDS_PER_USER_OP, validateTopicName } from "../metadata/cluster.ts";
import { hashSetOrder } from "../metadata/java_hash_set.ts";
import { validateTopicConfig } from "../configs/configs.ts";
import { defineHandler } from "../server/handler.ts";
import { quotaUser } from "../quotas/quota_enforcer.ts";
import { can, canOnCluster } from "../security/access.ts";

/** The metadata log's topic, which no request may create. */
const CLUSTER_METADATA = "__cluster_metadata";

/** A topic that passed every check, as it will be created. */
interface Plan {
  name: string;
  partitions: number;
  replication: number;
  assignments: number[][] | undefined;
  configs: Record<string, string>;
  /** The partitions it gets, and their replication factor. */
  count: number;
  rf: number;
}

export default defineHandler({
  apiKey: ApiKey.CreateTopics,
  minVersion: 2,
  maxVersion: 7,
  handle(request, ctx) {
    const { apiVersion } = ctx;
    const quota = ctx.quotaEnforcer.mutationQuota(
      quotaUser(ctx.connection.principal),
      ctx.header.clientId ?? "",
      apiVersion >= 6,
    );
    const seen = new Map<string, number>();
    const named: string[] = [];
    for (const t of request.topics) {
      const n = (seen.get(t.name) ?? 0) + 1;
      seen.set(t.name, n);
      if (n === 2) named.push(t.name);
    }
    // As Kafka's controller: the topics it creates are answered in the request's order, then those
    // named twice, then those it may not create (__cluster_metadata, and without CREATE on the
    // cluster or on the topic), each set in Java's hash-set order. Configs are returned only with
    // DESCRIBE_CONFIGS on the topic.
    const clusterCreate = canOnCluster(ctx, AclOperation.CREATE);
    const creatable = (name: string) =>
      name !== CLUSTER_METADATA &&
      (clusterCreate || can(ctx, AclOperation.CREATE, AclResourceType.TOPIC, name));
    const duplicates = hashSetOrder(named).map((name) => ({
      name,
      errorCode: ErrorCode.INVALID_REQUEST,
      errorMessage: "Duplicate topic name.",
    }));
    const refused = hashSetOrder([...seen.keys()])
      .filter((name) => seen.get(name) === 1 && !creatable(name))
      .map((name) => ({
        name,
        errorCode: name === CLUSTER_METADATA
          ? ErrorCode.INVALID_REQUEST
          : ErrorCode.TOPIC_AUTHORIZATION_FAILED,
        errorMessage: name === CLUSTER_METADATA
          ? `Creation of internal topic ${CLUSTER_METADATA} is prohibited.`
          : "Authorization failed.",
      }));
    const allowed = request.topics.filter((t) => seen.get(t.name) === 1 && creatable(t.name));
    // As Kafka's controller, before anything else: more than 10,000 partitions asked in one request
    // (counted with Java's int arithmetic, duplicate and refused topics left out) refuse every
    // topic of the request, in its order.
    const excessive = (message: string) => ({
      throttleTimeMs: quota.throttleTimeMs(),
      topics: request.topics.map((t) => ({
        name: t.name,
        errorCode: ErrorCode.POLICY_VIOLATION,
        errorMessage: message,
      })),
    });
    let asked = 0;
    for (const t of allowed) {
      const count = t.assignments.length > 0
        ? t.assignments.length
        : t.numPartitions === -1
        ? ctx.topics.defaultPartitions
        : Math.max(t.numPartitions, 0);
      asked = (asked + count) | 0;
    }
    if (asked > MAX_RECORDS_PER_USER_OP) {
      return excessive("Excessively large number of partitions per request.");
    }
    const plans = allowed.map((t): Plan | CreateTopicsResponseCreatableTopicResultInit => {
      const fail = (errorCode: number, errorMessage: string | null) => ({
        name: t.name,
        errorCode,
        errorMessage,
      });
      const name = validateTopicName(t.name);
      if (!name.ok) return fail(name.errorCode, name.message);
      if (ctx.topics.byName.has(t.name)) {
        return fail(ErrorCode.TOPIC_ALREADY_EXISTS, `Topic '${t.name}' already exists.`);
      }
      const nodes = ctx.metadata.nodes.map((n) => n.nodeId);
      let assignments: number[][] | undefined;
      if (t.assignments.length > 0) {
        if (t.numPartitions !== -1 || t.replicationFactor !== -1) {
          return fail(
            ErrorCode.INVALID_REQUEST,
            "Both numPartitions or replicationFactor and replicasAssignments were set. Both cannot be used at the same time.",
          );
        }
        const sorted = [...t.assignments].sort((a, b) => a.partitionIndex - b.partitionIndex);
        if (sorted.some((a, i) => a.partitionIndex !== i)) {
          return fail(
            ErrorCode.INVALID_REPLICA_ASSIGNMENT,
            "Partitions should be a consecutive 0-based integer sequence",
          );
        }
        const bad = sorted.find((a) =>
          a.brokerIds.length === 0 || new Set(a.brokerIds).size !== a.brokerIds.length ||
          a.brokerIds.some((id) => !nodes.includes(id))
        );
        if (bad) {
          return fail(
            ErrorCode.INVALID_REPLICA_ASSIGNMENT,
            `Invalid replica assignment for partition ${bad.partitionIndex}: ${bad.brokerIds}`,
          );
        }
        assignments = sorted.map((a) => a.brokerIds);
      }
      const partitions = t.numPartitions === -1 ? ctx.topics.defaultPartitions : t.numPartitions;
      const replication = t.replicationFactor === -1
        ? ctx.topics.replicationFactor
        : t.replicationFactor;
      if (!assignments && partitions <= 0) {
        return fail(
          ErrorCode.INVALID_PARTITIONS,
          "Number of partitions was set to an invalid non-positive value.",
        );
      }
      if (!assignments && replication <= 0) {
        return fail(
          ErrorCode.INVALID_REPLICATION_FACTOR,
          "Replication factor must be larger than 0, or -1 to use the default value.",
        );
      }
      if (!assignments && replication > nodes.length) {
        return fail(
          ErrorCode.INVALID_REPLICATION_FACTOR,
          `Unable to replicate the partition ${replication} time(s): The target replication factor of ${replication} cannot be reached because only ${nodes.length} broker(s) are registered.`,
        );
      }
      const configs: Record<string, string> = {};
      for (const c of t.configs) {
        const problem = validateTopicConfig(c.name, c.value);
        if (problem) return fail(ErrorCode.INVALID_CONFIG, problem);
        configs[c.name] = c.value!;
      }
      const count = assignments?.length ?? partitions;
      const rf = assignments?.[0].length ?? replication;
      // Each partition takes a token of the controller mutation quota (KIP-599).
      if (!request.validateOnly && !quota.record(count)) {
        return fail(
          ErrorCode.THROTTLING_QUOTA_EXCEEDED,
          null,
        );
      }
      return { name: t.name, partitions, replication, assignments, configs, count, rf };
    });
    // Kafka's controller writes a topic, its configs and its partitions as metadata records, at
    // most 10,000 for one request (the sum above may have wrapped around), else it refuses them all.
    let records = 0;
    for (const plan of plans) {
      if ("count" in plan) records += 1 + Object.keys(plan.configs).length + plan.count;
    }
    if (records > MAX_RECORDS_PER_USER_OP) {
      return excessive("Unable to perform excessively large batch operation.");
    }
    const topics = plans.map((plan): CreateTopicsResponseCreatableTopicResultInit => {
      if (!("count" in plan)) return plan;
      const { partitions, replication, assignments, configs, count, rf } = plan;
      if (!can(ctx, AclOperation.DESCRIBE_CONFIGS, AclResourceType.TOPIC, plan.name)) {
        const created = request.validateOnly ? undefined : ctx.topics.createTopic(plan.name, {
          partitions,
          replicationFactor: replication,
          assignments,
          configs,
        });
        if (apiVersion < 5) return { name: plan.name, errorCode: ErrorCode.NONE };
        return {
          name: plan.name,
          errorCode: ErrorCode.NONE,
          errorMessage: null,
          topicId: created?.id,
          topicConfigErrorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED,
        };
      }
      const described = {
        name: plan.name,
        errorCode: ErrorCode.NONE,
        errorMessage: null,
        numPartitions: count,
        replicationFactor: rf,
        // Kafka lists them in name order here, unlike DescribeConfigs.
        configs: ctx.configs.describeTopic(new Map(Object.entries(configs)), ctx.node.nodeId, {
          nameOrder: true,
        }).map(({ name, value, readOnly, configSource, isSensitive }) => ({
          name,
          value,
          readOnly,
          configSource,
          isSensitive,
        })),
      };
      if (request.validateOnly) {
        return apiVersion >= 5 ? described : { name: plan.name, errorCode: ErrorCode.NONE };
      }
      const topic = ctx.topics.createTopic(plan.name, {
        partitions,
        replicationFactor: replication,
        assignments,
        configs,
      });
      return apiVersion >= 5
        ? { ...described, topicId: topic.id }
        : { name: plan.name, errorCode: ErrorCode.NONE };
    });
    return {
      throttleTimeMs: quota.throttleTimeMs(),
      topics: [...topics, ...duplicates, ...refused],
    };
  },
});
