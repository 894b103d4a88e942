/**
 * ListOffsets (key 2): the earliest, latest, max-timestamp or by-timestamp offset of partitions.
 *
 * @module
 */

import { ApiKey, ErrorCode } from "../../codec/mod.ts";
import type { Partition } from "../cluster.ts";
import { defineHandler } from "../handler.ts";

/** Kafka's special timestamps. */
const LATEST = -1n;
const EARLIEST = -2n;
const MAX_TIMESTAMP = -3n;
const EARLIEST_LOCAL = -4n;
const LATEST_TIERED = -5n;

export default defineHandler({
  apiKey: ApiKey.ListOffsets,
  minVersion: 1,
  maxVersion: 10,
  handle(request, ctx) {
    const { cluster, node, apiVersion } = ctx;
    return {
      throttleTimeMs: 0,
      topics: request.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => {
          const partition = cluster.partition(t.name, p.partitionIndex);
          const base = {
            partitionIndex: p.partitionIndex,
            timestamp: -1n,
            offset: -1n,
            leaderEpoch: -1,
          };
          if (!partition) return { ...base, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION };
          if (partition.leader !== node.nodeId) {
            return { ...base, errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER };
          }
          const found = lookUp(partition, p.timestamp);
          const leaderEpoch = apiVersion >= 4 ? partition.leaderEpoch : -1;
          return { ...base, ...found, errorCode: ErrorCode.NONE, leaderEpoch };
        }),
      })),
    };
  },
});

function lookUp(p: Partition, timestamp: bigint): { offset: bigint; timestamp: bigint } {
  const log = p.log;
  switch (timestamp) {
    case LATEST:
      return { offset: log.highWatermark, timestamp: -1n };
    case EARLIEST:
    case EARLIEST_LOCAL:
      return { offset: log.logStartOffset, timestamp: -1n };
    case LATEST_TIERED:
      return { offset: -1n, timestamp: -1n };
    case MAX_TIMESTAMP: {
      let best: { offset: bigint; timestamp: bigint } = { offset: -1n, timestamp: -1n };
      for (const b of log.batches) {
        if (b.isControl) continue;
        if (b.maxTimestamp > best.timestamp) {
          best = { offset: b.lastOffset, timestamp: b.maxTimestamp };
        }
      }
      return best;
    }
  }
  for (const b of log.batches) {
    if (!b.isControl && b.maxTimestamp >= timestamp) {
      return { offset: b.baseOffset, timestamp: b.maxTimestamp };
    }
  }
  return { offset: -1n, timestamp: -1n };
}
