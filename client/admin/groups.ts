/**
 * Admin calls for consumer groups and their offsets, each sent to the group's coordinator (found
 * with FindCoordinator): ListGroups (every broker), ConsumerGroupDescribe for consumer groups of
 * KIP-848 and DescribeGroups for classic ones, with the members' assignments, DeleteGroups, OffsetFetch, OffsetCommit as an admin (generation -1, no member) and
 * OffsetDelete.
 *
 * @module
 */

import { ApiKey, ErrorCode, KafkaProtocolError } from "../../codec/mod.ts";
import { decodeAssignment } from "../../codec/consumer_protocol.ts";
import type { KafkaClient } from "../kafka_client.ts";
import { namesById, topicIds } from "../topic_ids.ts";
import type { TopicPartition } from "../topic_partition.ts";

/** A group as ListGroups lists it. */
export interface GroupListing {
  /** The group's id. */
  groupId: string;
  /** "consumer" for consumer groups, "" for other protocols. */
  protocolType: string;
  /** Empty for brokers before ListGroups v4. */
  state: string;
  /** "classic" or "consumer"; empty for brokers before ListGroups v5. */
  type: string;
  /** The node id of the group's coordinator. */
  coordinator: number;
}

/** A group as DescribeGroups (classic) or ConsumerGroupDescribe (KIP-848) describes it. */
export interface GroupDescription {
  /** The group's id. */
  groupId: string;
  /** "classic", or "consumer" for a group of the consumer rebalance protocol (KIP-848). */
  type: "classic" | "consumer";
  /** Kafka's group state, e.g. "Stable", "Empty", "PreparingRebalance". */
  state: string;
  /** "consumer" for consumer groups. */
  protocolType: string;
  /** The assignor (or protocol) the group chose; for KIP-848 groups, the broker's assignor. */
  protocol: string;
  /** The node id of the group's coordinator. */
  coordinator: number;
  /** The members, with what they told the group. */
  members: {
    memberId: string;
    groupInstanceId: string | null;
    clientId: string;
    clientHost: string;
    /** For consumer groups: the partitions the member was assigned. */
    assignment: TopicPartition[];
  }[];
}

/** A committed offset. */
export interface GroupOffset {
  /** The topic. */
  topic: string;
  /** The partition. */
  partition: number;
  /** The committed offset: the next record to read. */
  offset: bigint;
  /** The leader epoch of the committed record, -1 when unknown. */
  leaderEpoch: number;
  /** The metadata committed with the offset, or null. */
  metadata: string | null;
}

/** A described assignment, partition by partition. */
export function assignedPartitions(
  topicPartitions: { topicName: string; partitions: number[] }[],
): TopicPartition[] {
  return topicPartitions.flatMap((t) =>
    t.partitions.map((partition) => ({ topic: t.topicName, partition }))
  );
}

function fail(code: number, detail: string): never {
  throw new KafkaProtocolError(code, { detail });
}

/** ListGroups on every broker, merged; optionally filtered by state (v4+) and type (v5+). */
export async function listGroups(
  client: KafkaClient,
  options: { states?: string[]; types?: string[]; signal?: AbortSignal },
): Promise<GroupListing[]> {
  const md = await client.metadata(null, { signal: options.signal, force: true });
  const out: GroupListing[] = [];
  for (const nodeId of md.brokers.keys()) {
    const res = await client.requestNode(nodeId, ApiKey.ListGroups, {
      statesFilter: options.states ?? [],
      typesFilter: options.types ?? [],
    }, { signal: options.signal });
    if (res.errorCode !== ErrorCode.NONE) fail(res.errorCode, `listing groups on node ${nodeId}`);
    for (const g of res.groups) {
      out.push({
        groupId: g.groupId,
        protocolType: g.protocolType,
        state: g.groupState,
        type: g.groupType,
        coordinator: nodeId,
      });
    }
  }
  return out.sort((a, b) => a.groupId < b.groupId ? -1 : a.groupId > b.groupId ? 1 : 0);
}

/** DescribeGroups, one coordinator per group. */
export async function describeGroups(
  client: KafkaClient,
  groupIds: string[],
  signal?: AbortSignal,
): Promise<GroupDescription[]> {
  const out: GroupDescription[] = [];
  for (const groupId of groupIds) {
    const coordinator = await client.findCoordinator(groupId, { signal });
    // As Kafka's admin client: a consumer group first; GROUP_ID_NOT_FOUND means a classic one.
    const conn = await client.connection(coordinator, signal);
    if (conn.brokerVersions.has(ApiKey.ConsumerGroupDescribe)) {
      const res = await client.requestNode(coordinator, ApiKey.ConsumerGroupDescribe, {
        groupIds: [groupId],
        includeAuthorizedOperations: false,
      }, { signal });
      const g = res.groups[0];
      if (g.errorCode === ErrorCode.NONE) {
        out.push({
          groupId,
          type: "consumer",
          state: g.groupState,
          protocolType: "consumer",
          protocol: g.assignorName,
          coordinator,
          members: g.members.map((m) => ({
            memberId: m.memberId,
            groupInstanceId: m.instanceId,
            clientId: m.clientId,
            clientHost: m.clientHost,
            assignment: assignedPartitions(m.assignment.topicPartitions),
          })),
        });
        continue;
      }
      if (g.errorCode !== ErrorCode.GROUP_ID_NOT_FOUND) fail(g.errorCode, `group ${groupId}`);
    }
    const res = await client.requestNode(coordinator, ApiKey.DescribeGroups, {
      groups: [groupId],
      includeAuthorizedOperations: false,
    }, { signal });
    const g = res.groups[0];
    if (g.errorCode !== ErrorCode.NONE) fail(g.errorCode, `group ${groupId}`);
    out.push({
      groupId,
      type: "classic",
      state: g.groupState,
      protocolType: g.protocolType,
      protocol: g.protocolData,
      coordinator,
      members: g.members.map((m) => ({
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        assignment: g.protocolType === "consumer" ? classicAssignment(m.memberAssignment) : [],
      })),
    });
  }
  return out;
}

function classicAssignment(bytes: Uint8Array): TopicPartition[] {
  try {
    return decodeAssignment(bytes).partitions.flatMap((tp) =>
      tp.partitions.map((partition) => ({ topic: tp.topic, partition }))
    );
  } catch {
    // A member of another protocol's bytes: nothing to show.
    return [];
  }
}

/** DeleteGroups: rejects with the first group that could not be deleted (e.g. NON_EMPTY_GROUP). */
export async function deleteGroups(
  client: KafkaClient,
  groupIds: string[],
  signal?: AbortSignal,
): Promise<void> {
  for (const groupId of groupIds) {
    const coordinator = await client.findCoordinator(groupId, { signal });
    const res = await client.requestNode(coordinator, ApiKey.DeleteGroups, {
      groupsNames: [groupId],
    }, { signal });
    for (const r of res.results) {
      if (r.errorCode !== ErrorCode.NONE) fail(r.errorCode, `group ${r.groupId}`);
    }
  }
}

/** OffsetFetch: the group's committed offsets (all of them, or those of `partitions`). */
export async function listGroupOffsets(
  client: KafkaClient,
  groupId: string,
  options: { partitions?: TopicPartition[]; signal?: AbortSignal },
): Promise<GroupOffset[]> {
  const { partitions, signal } = options;
  const coordinator = await client.findCoordinator(groupId, { signal });
  const topics = partitions === undefined ? null : [...groupByTopic(partitions)].map((
    [name, partitionIndexes],
  ) => ({ name, partitionIndexes }));
  // Kafka 4.4's v10 names topics by id; without every id the request names them (v7).
  const ids = topics === null
    ? new Map<string, string>()
    : await topicIds(client, topics.map((t) => t.name), { signal });
  const named = topics?.map((t) => ({ ...t, topicId: ids?.get(t.name) })) ?? null;
  const res = await client.requestNode(
    coordinator,
    ApiKey.OffsetFetch,
    (version) =>
      version >= 8
        ? {
          groups: [{ groupId, memberId: null, memberEpoch: -1, topics: named }],
          requireStable: true,
        }
        : { groupId, topics: named, requireStable: true },
    { signal, maxVersion: ids ? undefined : 7 },
  );
  // From v8 the answer is per group; from v10 its topics are named by id.
  const group = res.groups[0] ?? res;
  if (group.errorCode !== ErrorCode.NONE) fail(group.errorCode, `group ${groupId}`);
  let names = namesById(ids);
  if (group.topics.some((t) => !t.name && !names.has(t.topicId))) {
    const meta = await client.metadata(null, { signal });
    names = new Map([...meta.topics.values()].map((t) => [t.topicId, t.name]));
  }
  const out: GroupOffset[] = [];
  for (const answered of group.topics) {
    const t = { ...answered, name: answered.name || names.get(answered.topicId) || "" };
    for (const p of t.partitions) {
      if (p.errorCode !== ErrorCode.NONE) {
        fail(p.errorCode, `${groupId} ${t.name}-${p.partitionIndex}`);
      }
      if (p.committedOffset < 0n) continue;
      out.push({
        topic: t.name,
        partition: p.partitionIndex,
        offset: p.committedOffset,
        leaderEpoch: p.committedLeaderEpoch,
        metadata: p.metadata,
      });
    }
  }
  return out;
}

/** OffsetCommit as an admin: the group must have no members (else UNKNOWN_MEMBER_ID). */
export async function alterGroupOffsets(
  client: KafkaClient,
  groupId: string,
  options: {
    offsets: { topic: string; partition: number; offset: bigint; metadata?: string | null }[];
    signal?: AbortSignal;
  },
): Promise<void> {
  const { offsets, signal } = options;
  const coordinator = await client.findCoordinator(groupId, { signal });
  const topics = new Map<string, typeof offsets>();
  for (const o of offsets) topics.set(o.topic, [...(topics.get(o.topic) ?? []), o]);
  // Kafka 4.4's v10 names topics by id; without every id the request names them (v9).
  const ids = await topicIds(client, [...topics.keys()], { signal });
  const names = namesById(ids);
  const res = await client.requestNode(coordinator, ApiKey.OffsetCommit, {
    groupId,
    generationIdOrMemberEpoch: -1,
    memberId: "",
    groupInstanceId: null,
    retentionTimeMs: -1n,
    topics: [...topics].map(([name, list]) => ({
      name,
      topicId: ids?.get(name),
      partitions: list.map((o) => ({
        partitionIndex: o.partition,
        committedOffset: o.offset,
        committedLeaderEpoch: -1,
        committedMetadata: o.metadata ?? null,
        commitTimestamp: -1n,
      })),
    })),
  }, { signal, maxVersion: ids ? undefined : 9 });
  for (const answered of res.topics) {
    const t = { ...answered, name: answered.name || names.get(answered.topicId) || "" };
    for (const p of t.partitions) {
      if (p.errorCode !== ErrorCode.NONE) {
        fail(p.errorCode, `${groupId} ${t.name}-${p.partitionIndex}`);
      }
    }
  }
}

/** OffsetDelete: removes committed offsets of partitions no member consumes. */
export async function deleteGroupOffsets(
  client: KafkaClient,
  groupId: string,
  options: { partitions: TopicPartition[]; signal?: AbortSignal },
): Promise<void> {
  const { partitions, signal } = options;
  const coordinator = await client.findCoordinator(groupId, { signal });
  const res = await client.requestNode(coordinator, ApiKey.OffsetDelete, {
    groupId,
    topics: [...groupByTopic(partitions)].map(([name, indexes]) => ({
      name,
      partitions: indexes.map((partitionIndex) => ({ partitionIndex })),
    })),
  }, { signal });
  if (res.errorCode !== ErrorCode.NONE) fail(res.errorCode, `group ${groupId}`);
  for (const t of res.topics) {
    for (const p of t.partitions) {
      if (p.errorCode !== ErrorCode.NONE) {
        fail(p.errorCode, `${groupId} ${t.name}-${p.partitionIndex}`);
      }
    }
  }
}

/** Partition numbers by topic. */
export function groupByTopic(
  partitions: TopicPartition[],
): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const p of partitions) out.set(p.topic, [...(out.get(p.topic) ?? []), p.partition]);
  return out;
}
