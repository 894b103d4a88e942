/**
 * Admin calls about partitions' offsets, sent to each partition's leader: ListOffsets (earliest,
 * latest, max timestamp or by timestamp, at an isolation level) and DeleteRecords.
 *
 * @module
 */

import { ApiKey, ErrorCode, KafkaProtocolError } from "../../codec/mod.ts";
import type { KafkaClient } from "../kafka_client.ts";
import { groupByTopic } from "./groups.ts";
import type { TopicPartition, TopicPartitionOffset } from "../topic_partition.ts";

/** Which offset of a partition to look up. */
export type OffsetSpec = "earliest" | "latest" | "max-timestamp" | { timestamp: number | bigint };

/** A looked-up offset: -1n (and timestamp -1n) when no record matches a timestamp. */
export interface ListedOffset {
  /** The topic. */
  topic: string;
  /** The partition. */
  partition: number;
  /** The offset found. */
  offset: bigint;
  /** The record's timestamp, -1n for earliest and latest. */
  timestamp: bigint;
  /** The leader epoch of the offset, -1 when unknown. */
  leaderEpoch: number;
}

function specTimestamp(spec: OffsetSpec): bigint {
  if (spec === "earliest") return -2n;
  if (spec === "latest") return -1n;
  if (spec === "max-timestamp") return -3n;
  return BigInt(spec.timestamp);
}

/** Partitions by their leader, from fresh metadata. */
async function byLeader<T extends TopicPartition>(
  client: KafkaClient,
  items: T[],
  signal?: AbortSignal,
): Promise<Map<number, T[]>> {
  const md = await client.metadata([...new Set(items.map((i) => i.topic))], {
    signal,
    force: true,
  });
  const out = new Map<number, T[]>();
  for (const item of items) {
    const t = md.topics.get(item.topic);
    if (!t || t.errorCode !== ErrorCode.NONE) {
      throw new KafkaProtocolError(t?.errorCode ?? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, {
        detail: `topic ${item.topic}`,
      });
    }
    const leader = t.partitions.find((p) => p.partition === item.partition)?.leader ?? -1;
    if (leader < 0) {
      throw new KafkaProtocolError(
        t.partitions.some((p) => p.partition === item.partition)
          ? ErrorCode.LEADER_NOT_AVAILABLE
          : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
        { detail: `${item.topic}-${item.partition}` },
      );
    }
    out.set(leader, [...(out.get(leader) ?? []), item]);
  }
  return out;
}

/**
 * ListOffsets, one request per leader and round: a request names a partition once, so a partition
 * asked about with several specs takes several rounds.
 */
export async function listOffsets(
  client: KafkaClient,
  requests: { topic: string; partition: number; spec: OffsetSpec }[],
  options: {
    isolationLevel?: "read_uncommitted" | "read_committed";
    signal?: AbortSignal;
    /** The ListOffsets timeout (v10+): the admin call's. */
    timeoutMs: number;
  },
): Promise<ListedOffset[]> {
  const results: ListedOffset[] = new Array(requests.length);
  const rounds: { index: number; topic: string; partition: number; spec: OffsetSpec }[][] = [];
  const seen = new Map<string, number>();
  requests.forEach((r, index) => {
    const k = `${r.topic}\u0000${r.partition}`;
    const round = seen.get(k) ?? 0;
    seen.set(k, round + 1);
    (rounds[round] ??= []).push({ ...r, index });
  });
  for (const round of rounds) {
    for (const [leader, list] of await byLeader(client, round, options.signal)) {
      const topics = new Map<string, typeof list>();
      for (const r of list) topics.set(r.topic, [...(topics.get(r.topic) ?? []), r]);
      const res = await client.requestNode(leader, ApiKey.ListOffsets, {
        replicaId: -1,
        isolationLevel: options.isolationLevel === "read_committed" ? 1 : 0,
        topics: [...topics].map(([name, parts]) => ({
          name,
          partitions: parts.map((p) => ({
            partitionIndex: p.partition,
            currentLeaderEpoch: -1,
            timestamp: specTimestamp(p.spec),
            maxNumOffsets: 1,
          })),
        })),
        timeoutMs: options.timeoutMs,
      }, { signal: options.signal });
      const indexes = new Map(list.map((r) => [`${r.topic}\u0000${r.partition}`, r.index]));
      for (const t of res.topics) {
        for (const p of t.partitions) {
          if (p.errorCode !== ErrorCode.NONE) {
            throw new KafkaProtocolError(p.errorCode, { detail: `${t.name}-${p.partitionIndex}` });
          }
          const index = indexes.get(`${t.name}\u0000${p.partitionIndex}`);
          if (index === undefined) continue;
          results[index] = {
            topic: t.name,
            partition: p.partitionIndex,
            offset: p.offset,
            timestamp: p.timestamp,
            leaderEpoch: p.leaderEpoch,
          };
        }
      }
    }
  }
  return results;
}

/** DeleteRecords: moves each partition's log start to `offset`; returns the new low watermarks. */
export async function deleteRecords(
  client: KafkaClient,
  requests: TopicPartitionOffset[],
  options: { signal?: AbortSignal; timeoutMs: number },
): Promise<{ topic: string; partition: number; lowWatermark: bigint }[]> {
  const { signal, timeoutMs } = options;
  const out: { topic: string; partition: number; lowWatermark: bigint }[] = [];
  for (const [leader, list] of await byLeader(client, requests, signal)) {
    const offsets = new Map(list.map((r) => [`${r.topic}\u0000${r.partition}`, r.offset]));
    const res = await client.requestNode(leader, ApiKey.DeleteRecords, {
      topics: [...groupByTopic(list)].map(([name, indexes]) => ({
        name,
        partitions: indexes.map((partitionIndex) => ({
          partitionIndex,
          offset: offsets.get(`${name}\u0000${partitionIndex}`)!,
        })),
      })),
      timeoutMs,
    }, { signal });
    for (const t of res.topics) {
      for (const p of t.partitions) {
        if (p.errorCode !== ErrorCode.NONE) {
          throw new KafkaProtocolError(p.errorCode, { detail: `${t.name}-${p.partitionIndex}` });
        }
        out.push({ topic: t.name, partition: p.partitionIndex, lowWatermark: p.lowWatermark });
      }
    }
  }
  return out;
}
