/**
 * ListOffsets (key 2): the earliest, latest, max-timestamp or by-timestamp offset of partitions.
 *
 * @module
 */

import { AclOperation, AclResourceType, ApiKey, ErrorCode } from "../../codec/mod.ts";
import type { Partition } from "../metadata/cluster.ts";
import { defineHandler } from "../server/handler.ts";
import type { StoredBatch } from "../log/partition_log.ts";
import { firstRecordAtOrAfter, offsetForTimestamp } from "../log/offset_for_timestamp.ts";
import { can, secured } from "../security/access.ts";

/** Kafka's special timestamps. */
const LATEST = -1n;
const EARLIEST = -2n;
const MAX_TIMESTAMP = -3n;
const EARLIEST_LOCAL = -4n;
const LATEST_TIERED = -5n;
/** KIP-1023: the earliest offset not yet in remote storage; -1 where remote storage is off. */
const EARLIEST_PENDING_UPLOAD = -6n;

/**
 * The first version that may ask for each special timestamp; Kafka answers UNSUPPORTED_VERSION for
 * an older version, and for a negative timestamp it does not know.
 */
const SINCE = new Map([
  [LATEST, 0],
  [EARLIEST, 0],
  [MAX_TIMESTAMP, 7],
  [EARLIEST_LOCAL, 8],
  [LATEST_TIERED, 9],
  [EARLIEST_PENDING_UPLOAD, 11],
]);

export default defineHandler({
  apiKey: ApiKey.ListOffsets,
  minVersion: 1,
  maxVersion: 11,
  handle(request, ctx) {
    const { node, apiVersion } = ctx;
    // As Kafka, a partition named twice in one request is answered once, with INVALID_REQUEST.
    const seen = new Set<string>();
    const duplicates = new Set<string>();
    for (const t of request.topics) {
      for (const p of t.partitions) {
        const k = `${t.name}\u0000${p.partitionIndex}`;
        if (seen.has(k)) duplicates.add(k);
        seen.add(k);
      }
    }
    const answered = new Set<string>();
    // As Kafka: topics without DESCRIBE are answered TOPIC_AUTHORIZATION_FAILED, after the others.
    const refused = secured(ctx)
      ? request.topics.filter((t) =>
        !can(ctx, AclOperation.DESCRIBE, AclResourceType.TOPIC, t.name)
      )
      : [];
    const allowed = refused.length === 0
      ? request.topics
      : request.topics.filter((t) => !refused.includes(t));
    const refusedAnswers = refused.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p) => ({
        partitionIndex: p.partitionIndex,
        errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED,
        timestamp: -1n,
        offset: -1n,
        leaderEpoch: -1,
      })),
    }));
    return {
      topics: [
        ...allowed.map((t) => ({
          name: t.name,
          partitions: t.partitions.filter((p) => {
            const k = `${t.name}\u0000${p.partitionIndex}`;
            if (answered.has(k)) return false;
            answered.add(k);
            return true;
          }).map((p) => {
            const partition = ctx.topics.partition(t.name, p.partitionIndex);
            const base = {
              partitionIndex: p.partitionIndex,
              timestamp: -1n,
              offset: -1n,
              leaderEpoch: -1,
            };
            if (duplicates.has(`${t.name}\u0000${p.partitionIndex}`)) {
              return { ...base, errorCode: ErrorCode.INVALID_REQUEST };
            }
            if (!partition) return { ...base, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION };
            if (partition.leader !== node.nodeId) {
              return { ...base, errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER };
            }
            if (p.timestamp < 0n && !(apiVersion >= (SINCE.get(p.timestamp) ?? Infinity))) {
              return { ...base, errorCode: ErrorCode.UNSUPPORTED_VERSION };
            }
            // read_committed sees only up to the last stable offset.
            const fetchable = request.isolationLevel === 1
              ? partition.txns.lastStableOffset(partition.log.highWatermark)
              : partition.log.highWatermark;
            const found = lookUp(partition, p.timestamp, fetchable);
            // Offsets of remote storage, which Brook does not have, come without an epoch.
            const remote = p.timestamp === LATEST_TIERED || p.timestamp === EARLIEST_PENDING_UPLOAD;
            const leaderEpoch = apiVersion >= 4 && !remote ? partition.leaderEpoch : -1;
            return { ...base, ...found, errorCode: ErrorCode.NONE, leaderEpoch };
          }),
        })),
        ...refusedAnswers,
      ],
    };
  },
});

function lookUp(
  p: Partition,
  timestamp: bigint,
  fetchable: bigint,
): { offset: bigint; timestamp: bigint } {
  if (timestamp === LATEST) return { offset: fetchable, timestamp: -1n };
  const found = lookUpStored(p, timestamp);
  // As Kafka, an offset found by timestamp must be readable at the request's isolation level.
  const earliest = timestamp === EARLIEST || timestamp === EARLIEST_LOCAL;
  if (!earliest && found.offset >= fetchable) return { offset: -1n, timestamp: -1n };
  return found;
}

function lookUpStored(p: Partition, timestamp: bigint): { offset: bigint; timestamp: bigint } {
  const log = p.log;
  switch (timestamp) {
    case EARLIEST:
    case EARLIEST_LOCAL:
      return { offset: log.logStartOffset, timestamp: -1n };
    case LATEST_TIERED:
    case EARLIEST_PENDING_UPLOAD:
      // Brook has no remote storage.
      return { offset: -1n, timestamp: -1n };
    case MAX_TIMESTAMP: {
      let best: StoredBatch | undefined;
      for (const b of log.batches) {
        if (!b.isControl && (!best || b.maxTimestamp > best.maxTimestamp)) best = b;
      }
      return best ? firstRecordAtOrAfter(best, best.maxTimestamp) : { offset: -1n, timestamp: -1n };
    }
  }
  return offsetForTimestamp(log, timestamp);
}
