/**
 * Admin calls for share groups (KIP-932), each sent to the group's coordinator:
 * ShareGroupDescribe, DescribeShareGroupOffsets and DeleteShareGroupOffsets.
 *
 * @module
 */

import { ApiKey, ErrorCode, KafkaProtocolError } from "../../codec/mod.ts";
import type { KafkaClient } from "../kafka_client.ts";
import { assignedPartitions } from "./groups.ts";
import type { TopicPartition } from "../topic_partition.ts";

/** A share group as ShareGroupDescribe describes it. */
export interface ShareGroupDescription {
  /** The group's id. */
  groupId: string;
  /** "Empty" or "Stable". */
  state: string;
  /** The group's epoch, bumped on each change of membership or subscriptions. */
  groupEpoch: number;
  /** The epoch of the group's target assignment. */
  assignmentEpoch: number;
  /** The broker's share assignor ("simple"). */
  assignor: string;
  /** The node id of the group's coordinator. */
  coordinator: number;
  /** The members and their assignments. */
  members: {
    memberId: string;
    memberEpoch: number;
    clientId: string;
    clientHost: string;
    subscribedTopics: string[];
    assignment: TopicPartition[];
  }[];
}

/** Where a share group starts reading a partition, as its share state holds it (-1: not yet). */
export interface ShareGroupOffset {
  /** The topic. */
  topic: string;
  /** The partition. */
  partition: number;
  /** The share-partition start offset (SPSO), -1n when not yet initialized. */
  startOffset: bigint;
  /** The leader epoch of the start offset, -1 when unknown. */
  leaderEpoch: number;
}

function fail(code: number, detail: string): never {
  throw new KafkaProtocolError(code, { detail });
}

/** ShareGroupDescribe, one coordinator per group. */
export async function describeShareGroups(
  client: KafkaClient,
  groupIds: string[],
  signal?: AbortSignal,
): Promise<ShareGroupDescription[]> {
  return await Promise.all(groupIds.map(async (groupId) => {
    const coordinator = await client.findCoordinator(groupId, { signal });
    const res = await client.requestNode(coordinator, ApiKey.ShareGroupDescribe, {
      groupIds: [groupId],
      includeAuthorizedOperations: false,
    }, { signal });
    const g = res.groups[0];
    if (g.errorCode !== ErrorCode.NONE) fail(g.errorCode, g.errorMessage ?? `group ${groupId}`);
    return {
      groupId,
      state: g.groupState,
      groupEpoch: g.groupEpoch,
      assignmentEpoch: g.assignmentEpoch,
      assignor: g.assignorName,
      coordinator,
      members: g.members.map((m) => ({
        memberId: m.memberId,
        memberEpoch: m.memberEpoch,
        clientId: m.clientId,
        clientHost: m.clientHost,
        subscribedTopics: m.subscribedTopicNames,
        assignment: assignedPartitions(m.assignment.topicPartitions),
      })),
    };
  }));
}

/** DescribeShareGroupOffsets: the group's share partitions, or those of the given topics. */
export async function listShareGroupOffsets(
  client: KafkaClient,
  groupId: string,
  options: { topics?: { topic: string; partitions: number[] }[]; signal?: AbortSignal },
): Promise<ShareGroupOffset[]> {
  const { topics, signal } = options;
  const coordinator = await client.findCoordinator(groupId, { signal });
  const res = await client.requestNode(coordinator, ApiKey.DescribeShareGroupOffsets, {
    groups: [{
      groupId,
      topics: topics?.map((t) => ({ topicName: t.topic, partitions: t.partitions })) ?? null,
    }],
  }, { signal });
  const g = res.groups[0];
  if (g.errorCode !== ErrorCode.NONE) fail(g.errorCode, g.errorMessage ?? `group ${groupId}`);
  return g.topics.flatMap((t) =>
    t.partitions.map((p) => {
      if (p.errorCode !== ErrorCode.NONE) {
        fail(p.errorCode, `${t.topicName}-${p.partitionIndex}: ${p.errorMessage ?? ""}`);
      }
      return {
        topic: t.topicName,
        partition: p.partitionIndex,
        startOffset: p.startOffset,
        leaderEpoch: p.leaderEpoch,
      };
    })
  );
}

/** DeleteShareGroupOffsets: an empty share group forgets where it was in whole topics. */
export async function deleteShareGroupOffsets(
  client: KafkaClient,
  groupId: string,
  options: { topics: string[]; signal?: AbortSignal },
): Promise<void> {
  const { topics, signal } = options;
  const coordinator = await client.findCoordinator(groupId, { signal });
  const res = await client.requestNode(coordinator, ApiKey.DeleteShareGroupOffsets, {
    groupId,
    topics: topics.map((topicName) => ({ topicName })),
  }, { signal });
  if (res.errorCode !== ErrorCode.NONE) fail(res.errorCode, res.errorMessage ?? `group ${groupId}`);
  for (const t of res.responses) {
    if (t.errorCode !== ErrorCode.NONE) {
      fail(t.errorCode, `topic ${t.topicName}: ${t.errorMessage}`);
    }
  }
}
