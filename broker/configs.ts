/**
 * Topic configs and their Kafka 4.1 defaults: what a topic uses when it has no override.
 *
 * @module
 */

import type { Topic } from "./cluster.ts";

/** Kafka's defaults for the topic configs Brook's broker acts on. */
export const TOPIC_CONFIG_DEFAULTS: Readonly<Record<string, string>> = {
  "cleanup.policy": "delete",
  "compression.type": "producer",
  "max.message.bytes": "1048588",
  "message.timestamp.type": "CreateTime",
  "message.timestamp.before.max.ms": "9223372036854775807",
  "message.timestamp.after.max.ms": "3600000",
  "min.insync.replicas": "1",
  "retention.ms": "604800000",
  "retention.bytes": "-1",
  "segment.bytes": "1073741824",
  "min.compaction.lag.ms": "0",
  "delete.retention.ms": "86400000",
};

/** A topic's value for `name`: its override, else Kafka's default. */
export function topicConfig(topic: Topic, name: string): string {
  return topic.configs.get(name) ?? TOPIC_CONFIG_DEFAULTS[name];
}

/** A numeric topic config. */
export function topicConfigNumber(topic: Topic, name: string): number {
  return Number(topicConfig(topic, name));
}
