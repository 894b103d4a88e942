/**
 * DescribeTopicPartitions (key 75): topics and their partitions in name order, paged by a partition
 * limit and a cursor (KIP-966).
 *
 * @module
 */

import { AclOperation, AclResourceType, ApiKey, ErrorCode, ZERO_UUID } from "../../codec/mod.ts";
import { validateTopicName } from "../metadata/cluster.ts";
import { defineHandler } from "../server/handler.ts";
import { authorizedOperations, can } from "../security/access.ts";

/** The field's default, which Kafka leaves on topics the principal may not describe. */
const NOT_COMPUTED = -2147483648;

export default defineHandler({
  apiKey: ApiKey.DescribeTopicPartitions,
  minVersion: 0,
  maxVersion: 0,
  handle(request, ctx) {
    const all = request.topics.length === 0;
    const asked = [...new Set(all ? ctx.topics.byName.keys() : request.topics.map((t) => t.name))];
    // Topics the principal may not describe are hidden from "all topics", or answered last.
    const describable = (name: string) =>
      can(ctx, AclOperation.DESCRIBE, AclResourceType.TOPIC, name);
    const names = asked.filter(describable).sort();
    const refused = all ? [] : asked.filter((name) => !describable(name)).sort();
    const operations = (name: string) => authorizedOperations(ctx, AclResourceType.TOPIC, name);
    const cursor = request.cursor;
    // As Kafka: a cursor must name a topic the request asks for, and a partition that can exist.
    const cursorAsked = !cursor || all || asked.includes(cursor.topicName);
    const errorAnswer = (errorCode: number) => ({
      topics: request.topics.map((t) => ({
        errorCode,
        name: t.name,
        topicId: ZERO_UUID,
        isInternal: false,
        partitions: [],
        topicAuthorizedOperations: NOT_COMPUTED,
      })),
      nextCursor: null,
    });
    if (cursor && (!cursorAsked || cursor.partitionIndex < 0)) {
      return errorAnswer(ErrorCode.INVALID_REQUEST);
    }
    // Kafka fails the whole request (UNKNOWN_SERVER_ERROR) when it would answer a describable
    // topic named "" (its authorized operations cannot be computed for an empty name).
    if (asked.includes("") && (!cursor || cursor.topicName === "") && describable("")) {
      return errorAnswer(ErrorCode.UNKNOWN_SERVER_ERROR);
    }
    let budget = Math.max(1, request.responsePartitionLimit);
    const topics = [];
    let nextCursor: { topicName: string; partitionIndex: number } | null = null;
    for (const name of names) {
      if (cursor && name < cursor.topicName) continue;
      const topic = ctx.topics.byName.get(name);
      if (!topic) {
        const check = validateTopicName(name);
        topics.push({
          errorCode: check.ok ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION : check.errorCode,
          name,
          topicId: ZERO_UUID,
          isInternal: false,
          partitions: [],
          topicAuthorizedOperations: operations(name),
        });
        continue;
      }
      if (budget === 0) {
        nextCursor = { topicName: name, partitionIndex: 0 };
        break;
      }
      const start = cursor && name === cursor.topicName ? cursor.partitionIndex : 0;
      const partitions = [];
      for (let i = start; i < topic.partitions.length; i++) {
        if (budget === 0) {
          nextCursor = { topicName: name, partitionIndex: i };
          break;
        }
        const p = topic.partitions[i];
        partitions.push({
          errorCode: p.leader < 0 ? ErrorCode.LEADER_NOT_AVAILABLE : ErrorCode.NONE,
          partitionIndex: p.index,
          leaderId: p.leader,
          leaderEpoch: p.leaderEpoch,
          replicaNodes: p.replicas,
          isrNodes: p.isr,
          // Kafka sends the (empty) lists, and its Java client relies on them.
          eligibleLeaderReplicas: [],
          lastKnownElr: [],
          offlineReplicas: p.replicas.filter((id) => !ctx.metadata.node(id)),
        });
        budget--;
      }
      topics.push({
        errorCode: ErrorCode.NONE,
        name,
        topicId: topic.id,
        isInternal: topic.isInternal,
        partitions,
        topicAuthorizedOperations: operations(name),
      });
      if (nextCursor) break;
    }
    for (const name of refused) {
      if (cursor && name < cursor.topicName) continue;
      topics.push({
        errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED,
        name,
        topicId: ZERO_UUID,
        isInternal: false,
        partitions: [],
        topicAuthorizedOperations: NOT_COMPUTED,
      });
    }
    return { topics, nextCursor };
  },
});
