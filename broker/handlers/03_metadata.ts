/**
 * Metadata (key 3): brokers, the controller, and topics with their partitions, leaders, epochs and
 * replicas. Topics named in the request that do not exist are created when auto-creation is allowed,
 * answered as Kafka answers a topic being created: LEADER_NOT_AVAILABLE and no partitions yet.
 *
 * @module
 */

import { ApiKey, ErrorCode, ZERO_UUID } from "../../codec/mod.ts";
import { type Cluster, endpointOf, type Topic, validateTopicName } from "../cluster.ts";
import { defineHandler } from "../handler.ts";

/** Kafka's "authorized operations were not requested" value. */
const OPERATIONS_NOT_REQUESTED = -2147483648;

export default defineHandler({
  apiKey: ApiKey.Metadata,
  minVersion: 0,
  maxVersion: 13,
  handle(request, ctx) {
    const { cluster, apiVersion } = ctx;
    // v0 asks for every topic with an empty list; later versions with null.
    const all = request.topics === null || (apiVersion === 0 && request.topics.length === 0);
    const allowCreate = apiVersion < 4 || request.allowAutoTopicCreation;
    const topics = [];
    if (all) {
      for (const topic of cluster.topics.values()) topics.push(describeTopic(cluster, topic));
    } else {
      for (const wanted of request.topics!) {
        const name = wanted.name ?? cluster.topicsById.get(wanted.topicId)?.name ?? null;
        if (name === null) {
          topics.push(topicError(ErrorCode.UNKNOWN_TOPIC_ID, null, wanted.topicId));
          continue;
        }
        const topic = cluster.topics.get(name);
        if (topic) {
          topics.push(describeTopic(cluster, topic));
          continue;
        }
        const check = validateTopicName(name);
        if (!check.ok) topics.push(topicError(check.errorCode, name));
        else if (allowCreate && cluster.autoCreateTopics) {
          cluster.createTopic(name);
          topics.push(topicError(ErrorCode.LEADER_NOT_AVAILABLE, name));
        } else topics.push(topicError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, name));
      }
    }
    return {
      throttleTimeMs: 0,
      brokers: cluster.nodes.map((n) => ({
        nodeId: n.nodeId,
        ...endpointOf(n, ctx.connection.listenerName),
        rack: n.rack,
      })),
      clusterId: cluster.clusterId,
      controllerId: cluster.controllerId,
      topics,
      clusterAuthorizedOperations: OPERATIONS_NOT_REQUESTED,
    };
  },
});

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

function describeTopic(cluster: Cluster, topic: Topic) {
  return {
    errorCode: ErrorCode.NONE,
    name: topic.name,
    topicId: topic.id,
    isInternal: topic.isInternal,
    partitions: topic.partitions.map((p) => {
      const offline = p.replicas.filter((id) => cluster.node(id) === undefined);
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
