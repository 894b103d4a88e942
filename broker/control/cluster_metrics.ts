/**
 * Metrics of the cluster's state, for the control API's /metrics: each partition's offsets and log
 * size, and each consumer group's lag per partition (inactive groups too, from their committed
 * offsets).
 *
 * @module
 */

import type { Cluster } from "../metadata/cluster.ts";

/** A group's committed offset on one partition and how far behind the partition's end it is. */
export interface PartitionLag {
  topic: string;
  partition: number;
  committedOffset: number;
  highWatermark: number;
  /** highWatermark - committedOffset, at least 0. */
  lag: number;
}

/** The cluster's state as metrics. */
export interface ClusterMetrics {
  partitions: {
    topic: string;
    partition: number;
    logStartOffset: number;
    highWatermark: number;
    sizeBytes: number;
  }[];
  groups: {
    groupId: string;
    protocol: "classic" | "consumer";
    state: string;
    members: number;
    totalLag: number;
    lag: PartitionLag[];
  }[];
}

/**
 * Every partition's offsets and size, and every consumer group's lag per partition it committed
 * for (partitions of deleted topics left out).
 *
 * @example
 * ```ts
 * import { Broker } from "../broker.ts";
 * import { clusterOf } from "../broker_internals.ts";
 * import { clusterMetrics } from "./cluster_metrics.ts";
 * await using broker = await Broker.start({ topics: { t: {} } });
 * console.log(clusterMetrics(clusterOf(broker)).partitions[0].highWatermark); // 0
 * ```
 */
export function clusterMetrics(cluster: Cluster): ClusterMetrics {
  const partitions = [];
  for (const topic of cluster.topics.values()) {
    if (topic.isInternal) continue;
    for (const p of topic.partitions) {
      partitions.push({
        topic: topic.name,
        partition: p.index,
        logStartOffset: Number(p.log.logStartOffset),
        highWatermark: Number(p.log.highWatermark),
        sizeBytes: p.log.sizeBytes,
      });
    }
  }
  const groups: ClusterMetrics["groups"] = [];
  const all = [
    ...[...cluster.groups.groups.values()].map((g) => ["classic", g] as const),
    ...[...cluster.groups.consumerGroups.values()].map((g) => ["consumer", g] as const),
  ];
  for (const [protocol, g] of all) {
    const lag: PartitionLag[] = [];
    for (const [key, committed] of g.offsets) {
      const [topic, index] = key.split("\0");
      const p = cluster.partition(topic, Number(index));
      if (!p) continue;
      const highWatermark = Number(p.log.highWatermark);
      const committedOffset = Number(committed.offset);
      lag.push({
        topic,
        partition: p.index,
        committedOffset,
        highWatermark,
        lag: Math.max(0, highWatermark - committedOffset),
      });
    }
    lag.sort((a, b) => a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition);
    groups.push({
      groupId: g.groupId,
      protocol,
      state: g.state,
      members: g.members.size,
      totalLag: lag.reduce((n, l) => n + l.lag, 0),
      lag,
    });
  }
  groups.sort((a, b) => a.groupId < b.groupId ? -1 : 1);
  return { partitions, groups };
}
