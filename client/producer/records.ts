/**
 * The producer's records: what callers give (ProducerRecord), the form the accumulator keeps, the
 * compression codecs by name, and waiting for a topic's metadata.
 *
 * @module
 */

import { CompressionCodec, ErrorCode, errorInfo, KafkaProtocolError } from "../../codec/mod.ts";
import type { KafkaClient } from "../kafka_client.ts";
import type { DeliverySink, PendingRecord } from "./accumulator.ts";

/** A record to send. Strings are sent as UTF-8. */
export interface ProducerRecord {
  /** The topic to send to. */
  topic: string;
  /** The key, which chooses the partition when none is given; default null. */
  key?: Uint8Array | string | null;
  /** The value; null is a tombstone on a compacted topic. */
  value: Uint8Array | string | null;
  /** Headers, by key or as a list (a list may repeat a key); default none. */
  headers?: Record<string, Uint8Array | string | null> | {
    key: string;
    value: Uint8Array | string | null;
  }[];
  /** The partition; default: murmur2 of the key, or sticky for keyless records. */
  partition?: number;
  /** Milliseconds since the epoch; default now. */
  timestamp?: number | bigint;
}

/** The compression codecs by name. */
export type CompressionName = "none" | "gzip" | "snappy" | "lz4" | "zstd";

/** The codec ids by name. */
export const CODECS: Record<CompressionName, number> = {
  none: CompressionCodec.None,
  gzip: CompressionCodec.Gzip,
  snappy: CompressionCodec.Snappy,
  lz4: CompressionCodec.Lz4,
  zstd: CompressionCodec.Zstd,
};
const textEncoder = new TextEncoder();

/** What the producer needs of a topic's metadata. */
export interface TopicMetadata {
  partitions: { partition: number; leader: number }[];
}

const availableCache = new WeakMap<TopicMetadata, number[]>();

/** The partitions with a leader, computed once per metadata snapshot. */
export function availablePartitions(metadata: TopicMetadata): number[] {
  let list = availableCache.get(metadata);
  if (!list) {
    list = metadata.partitions.filter((p) => p.leader >= 0).map((p) => p.partition);
    availableCache.set(metadata, list);
  }
  return list;
}

/** Strings as UTF-8 bytes. */
export function bytesOf(v: Uint8Array | string | null | undefined): Uint8Array | null {
  if (v === undefined || v === null) return null;
  return typeof v === "string" ? textEncoder.encode(v) : v;
}

/** The accumulator's form of a record: bytes, headers and timestamp resolved, with its sink. */
export function pendingRecord(r: ProducerRecord, sink: DeliverySink, index: number): PendingRecord {
  const headers = r.headers === undefined
    ? undefined
    : Array.isArray(r.headers)
    ? r.headers.map((h) => ({ key: h.key, value: bytesOf(h.value) }))
    : Object.entries(r.headers).map(([k, v]) => ({ key: k, value: bytesOf(v) }));
  const timestamp = r.timestamp === undefined ? Date.now() : Number(r.timestamp);
  return { key: bytesOf(r.key), value: bytesOf(r.value), headers, timestamp, sink, index };
}

/** A topic's metadata, waiting (within max.block.ms) while it is being created or has no leader. */
export async function waitForTopic(
  client: KafkaClient,
  topic: string,
  maxBlockMs: number,
): Promise<TopicMetadata> {
  const deadline = Date.now() + maxBlockMs;
  for (let attempt = 0;; attempt++) {
    const md = await client.metadata([topic], {
      allowAutoTopicCreation: true,
      force: attempt > 0,
    });
    const t = md.topics.get(topic);
    if (t && t.errorCode === ErrorCode.NONE && t.partitions.length > 0) return t;
    const code = t?.errorCode ?? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
    if (!errorInfo(code).retriable && code !== ErrorCode.NONE) {
      throw new KafkaProtocolError(code, { detail: `topic ${topic}` });
    }
    if (Date.now() >= deadline) {
      throw new KafkaProtocolError(code, {
        detail: `topic ${topic} not present in metadata after ${maxBlockMs} ms`,
      });
    }
    await new Promise((r) =>
      setTimeout(r, Math.min(client.retryBackoff(attempt), deadline - Date.now()))
    );
  }
}
