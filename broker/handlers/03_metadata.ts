/**
 * Metadata (key 3): brokers, the controller, and topics with their partitions, leaders, epochs and
 * replicas. Topics named in the request that do not exist are created when auto-creation is allowed,
 * answered as Kafka answers a topic being created: LEADER_NOT_AVAILABLE and no partitions yet.
 *
 * @module
 */

import { AclOperation, AclResourceType, ApiKey, ErrorCode, ZERO_UUID } from "../../codec/mod.ts";
import { endpointOf, type Topic, validateTopicName } from "../metadata/cluster.ts";
import { defineHandler } from "../server/handler.ts";
import type { ClusterMetadata } from "../server/services.ts";
import { authorizedOperations, can, canOnCluster, clusterOperations } from "../security/access.ts";

/** Kafka's "authorized operations were not requested" value. */
const OPERATIONS_NOT_REQUESTED = -2147483648;

export default defineHandler({
  apiKey: ApiKey.Metadata,
  minVersion: 0,
  maxVersion: 13,
  handle(request, ctx) {
    const { apiVersion } = ctx;
    // v0 asks for every topic with an empty list; later versions with null.
    const all = request.topics === null || (apiVersion === 0 && request.topics.length === 0);
    // Topic ids come with v12: before it, a topic without a name or with an id is refused.
    if (
      !all && apiVersion < 12 &&
      request.topics!.some((t) => t.name === null || t.topicId !== ZERO_UUID)
    ) {
      return errorAnswer(request.topics!, ErrorCode.INVALID_REQUEST);
    }
    // As Kafka: once any topic is asked for by id, only the ids count (names beside them are left
    // out); otherwise a topic with neither name nor id fails the request (UNKNOWN_SERVER_ERROR).
    const byId = !all && request.topics!.some((t) => t.topicId !== ZERO_UUID);
    if (!all && !byId && request.topics!.some((t) => t.name === null)) {
      return errorAnswer(request.topics!, ErrorCode.UNKNOWN_SERVER_ERROR);
    }
    const allowCreate = apiVersion < 4 || request.allowAutoTopicCreation;
    const topics = [];
    // As Kafka: unknown topic ids first, then the topics that exist, then those that do not.
    const unknownIds = [];
    const missing = [];
    // As Kafka: topics the principal may not describe are left out of "all topics" and answered
    // TOPIC_AUTHORIZATION_FAILED when named, after the authorized ones and without their ids.
    const refusedCreate = [];
    const refused = [];
    const describable = (name: string) =>
      can(ctx, AclOperation.DESCRIBE, AclResourceType.TOPIC, name);
    if (all) {
      for (const topic of ctx.topics.byName.values()) {
        if (describable(topic.name)) topics.push(describeTopic(ctx.metadata, topic));
      }
    } else {
      const mayCreate = (name: string) =>
        canOnCluster(ctx, AclOperation.CREATE) ||
        can(ctx, AclOperation.CREATE, AclResourceType.TOPIC, name);
      // As Kafka, each topic and each id is answered once, however often it is asked for.
      const seen = new Set<string>();
      for (const wanted of request.topics!) {
        if (byId && wanted.topicId === ZERO_UUID) continue;
        const key = byId ? wanted.topicId : wanted.name!;
        if (seen.has(key)) continue;
        seen.add(key);
        const name = byId ? ctx.topics.byId.get(wanted.topicId)?.name ?? null : wanted.name!;
        if (name === null) {
          unknownIds.push(topicError(ErrorCode.UNKNOWN_TOPIC_ID, null, wanted.topicId));
          continue;
        }
        if (byId && seen.has(`name:${name}`)) continue;
        seen.add(`name:${name}`);
        if (!describable(name)) {
          // Topic ids are not secret: asked by id, the answer keeps it (and drops the name).
          refused.push(
            byId
              ? topicError(ErrorCode.TOPIC_AUTHORIZATION_FAILED, null, wanted.topicId)
              : topicError(ErrorCode.TOPIC_AUTHORIZATION_FAILED, name),
          );
          continue;
        }
        const topic = ctx.topics.byName.get(name);
        if (topic) {
          topics.push(describeTopic(ctx.metadata, topic));
          continue;
        }
        const check = validateTopicName(name);
        const autoCreate = allowCreate && ctx.topics.autoCreateTopics;
        if (autoCreate && !mayCreate(name)) {
          refusedCreate.push(topicError(ErrorCode.TOPIC_AUTHORIZATION_FAILED, name));
        } else if (!check.ok) missing.push(topicError(check.errorCode, name));
        else if (autoCreate) {
          ctx.topics.createTopic(name);
          missing.push(topicError(ErrorCode.LEADER_NOT_AVAILABLE, name));
        } else missing.push(topicError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, name));
      }
      topics.push(...missing);
    }
    if (apiVersion >= 8 && request.includeTopicAuthorizedOperations) {
      for (const t of topics) {
        if (t.name !== null) {
          t.topicAuthorizedOperations = authorizedOperations(ctx, AclResourceType.TOPIC, t.name);
        }
      }
    }
    topics.unshift(...unknownIds);
    topics.push(...refusedCreate, ...refused);
    return {
      brokers: ctx.metadata.nodes.map((n) => ({
        nodeId: n.nodeId,
        ...endpointOf(n, ctx.connection.listenerName),
        rack: n.rack,
      })),
      clusterId: ctx.metadata.clusterId,
      controllerId: ctx.metadata.controllerId,
      topics,
      clusterAuthorizedOperations: apiVersion >= 8 && apiVersion <= 10 &&
          request.includeClusterAuthorizedOperations
        ? clusterOperations(ctx)
        : OPERATIONS_NOT_REQUESTED,
    };
  },
});

/**
 * Kafka's error answer to a Metadata request: no brokers, no controller, and every topic asked for
 * with the error (a missing name becomes "", which versions before 12 cannot leave null).
 */
function errorAnswer(topics: { name: string | null; topicId: string }[], errorCode: number) {
  return {
    brokers: [],
    clusterId: null,
    controllerId: -1,
    topics: topics.map((t) => ({
      ...topicError(errorCode, t.name ?? ""),
      topicId: t.topicId,
    })),
    clusterAuthorizedOperations: OPERATIONS_NOT_REQUESTED,
  };
}

function topicError(errorCode: number, name: string | null, topicId = ZERO_UUID) {
  return {
    errorCode,
    name,
    topicId,
    isInternal: false,
    partitions: [],
    topicAuthorizedOperations: OPERATIONS_NOT_REQUESTED,
  };
}

function describeTopic(metadata: ClusterMetadata, topic: Topic) {
  return {
    errorCode: ErrorCode.NONE,
    name: topic.name,
    topicId: topic.id,
    isInternal: topic.isInternal,
    partitions: topic.partitions.map((p) => {
      const offline = p.replicas.filter((id) => metadata.node(id) === undefined);
      return {
        errorCode: p.leader < 0 ? ErrorCode.LEADER_NOT_AVAILABLE : ErrorCode.NONE,
        partitionIndex: p.index,
        leaderId: p.leader,
        leaderEpoch: p.leaderEpoch,
        replicaNodes: p.replicas,
        isrNodes: p.isr,
        offlineReplicas: offline,
      };
    }),
    topicAuthorizedOperations: OPERATIONS_NOT_REQUESTED,
  };
}
