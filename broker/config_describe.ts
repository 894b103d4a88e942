/**
 * How DescribeConfigs presents configs: Kafka's config types and sources, and the broker configs
 * Brook's nodes report.
 *
 * @module
 */

import type { Cluster } from "./cluster.ts";
import { TOPIC_CONFIG_DEFAULTS } from "./configs.ts";

/** Kafka's ConfigSource values. */
export const ConfigSource = {
  DYNAMIC_TOPIC_CONFIG: 1,
  STATIC_BROKER_CONFIG: 4,
  DEFAULT_CONFIG: 5,
} as const;

const INT_CONFIGS = new Set([
  "max.message.bytes",
  "min.insync.replicas",
  "index.interval.bytes",
  "segment.bytes",
  "segment.index.bytes",
  "compression.gzip.level",
  "compression.lz4.level",
  "compression.zstd.level",
]);

/** Kafka's ConfigType of a config (BOOLEAN 1, STRING 2, INT 3, LONG 5, DOUBLE 6, LIST 7). */
export function configType(name: string, value: string): number {
  if (value === "true" || value === "false") return 1;
  if (name === "cleanup.policy" || name.endsWith(".throttled.replicas")) return 7;
  if (
    INT_CONFIGS.has(name) || name.endsWith(".partitions") || name === "node.id" ||
    name.endsWith(".factor")
  ) return 3;
  if (/^-?\d+$/.test(value)) return 5;
  if (/^-?\d+\.\d+$/.test(value)) return 6;
  return 2;
}

/** The configs a broker resource describes, with whether each is at its default. */
export function brokerConfigs(
  cluster: Cluster,
  nodeId: number,
): { name: string; value: string; isDefault: boolean }[] {
  const topicDefaults = TOPIC_CONFIG_DEFAULTS;
  return [
    { name: "node.id", value: String(nodeId), isDefault: false },
    { name: "broker.id", value: String(nodeId), isDefault: false },
    {
      name: "num.partitions",
      value: String(cluster.defaultPartitions),
      isDefault: cluster.defaultPartitions === 1,
    },
    {
      name: "default.replication.factor",
      value: String(cluster.replicationFactor),
      isDefault: false,
    },
    {
      name: "auto.create.topics.enable",
      value: String(cluster.autoCreateTopics),
      isDefault: cluster.autoCreateTopics,
    },
    { name: "message.max.bytes", value: topicDefaults["max.message.bytes"], isDefault: true },
    { name: "log.retention.hours", value: "168", isDefault: true },
    { name: "log.cleanup.policy", value: "delete", isDefault: true },
    { name: "min.insync.replicas", value: "1", isDefault: true },
    { name: "offsets.topic.num.partitions", value: "50", isDefault: true },
    { name: "socket.request.max.bytes", value: "104857600", isDefault: true },
    {
      name: "group.initial.rebalance.delay.ms",
      value: String(cluster.groups.initialRebalanceDelayMs),
      isDefault: cluster.groups.initialRebalanceDelayMs === 3000,
    },
  ];
}
