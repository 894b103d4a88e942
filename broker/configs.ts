/**
 * Topic configs and their Kafka 4.1 defaults: what a topic uses when it has no override.
 *
 * @module
 */

import type { Topic } from "./cluster.ts";

/** Kafka's defaults for the topic configs Brook's broker acts on. */
export const TOPIC_CONFIG_DEFAULTS: Readonly<Record<string, string>> = {
  "cleanup.policy": "delete",
  "compression.gzip.level": "-1",
  "compression.lz4.level": "9",
  "compression.type": "producer",
  "compression.zstd.level": "3",
  "delete.retention.ms": "86400000",
  "file.delete.delay.ms": "60000",
  "flush.messages": "9223372036854775807",
  "flush.ms": "9223372036854775807",
  "follower.replication.throttled.replicas": "",
  "index.interval.bytes": "4096",
  "leader.replication.throttled.replicas": "",
  "local.retention.bytes": "-2",
  "local.retention.ms": "-2",
  "max.compaction.lag.ms": "9223372036854775807",
  "max.message.bytes": "1048588",
  "message.timestamp.after.max.ms": "3600000",
  "message.timestamp.before.max.ms": "9223372036854775807",
  "message.timestamp.type": "CreateTime",
  "min.cleanable.dirty.ratio": "0.5",
  "min.compaction.lag.ms": "0",
  "min.insync.replicas": "1",
  "preallocate": "false",
  "remote.log.copy.disable": "false",
  "remote.log.delete.on.disable": "false",
  "remote.storage.enable": "false",
  "retention.bytes": "-1",
  "retention.ms": "604800000",
  "segment.bytes": "1073741824",
  "segment.index.bytes": "10485760",
  "segment.jitter.ms": "0",
  "segment.ms": "604800000",
  "unclean.leader.election.enable": "false",
};

const CHOICES: Readonly<Record<string, readonly string[]>> = {
  "cleanup.policy": ["delete", "compact", "compact,delete", "delete,compact", ""],
  "compression.type": ["uncompressed", "zstd", "lz4", "snappy", "gzip", "producer"],
  "message.timestamp.type": ["CreateTime", "LogAppendTime"],
  "preallocate": ["true", "false"],
  "remote.storage.enable": ["true", "false"],
  "unclean.leader.election.enable": ["true", "false"],
};

/**
 * Kafka's verdict on a topic config: null when valid, else the INVALID_CONFIG message.
 *
 * @example
 * ```ts
 * import { validateTopicConfig } from "./configs.ts";
 * validateTopicConfig("cleanup.policy", "compact"); // null
 * ```
 */
export function validateTopicConfig(name: string, value: string | null): string | null {
  if (!(name in TOPIC_CONFIG_DEFAULTS)) return `Unknown topic config name: ${name}`;
  if (value === null) return `Null value not supported for topic configs: ${name}`;
  const choices = CHOICES[name];
  if (choices) {
    return choices.includes(value.replaceAll(" ", ""))
      ? null
      : `Invalid value ${value} for configuration ${name}: String must be one of: ${
        choices.join(", ")
      }`;
  }
  const def = TOPIC_CONFIG_DEFAULTS[name];
  if (def !== "" && /^-?\d+(\.\d+)?$/.test(def)) {
    if (!/^-?\d+(\.\d+)?$/.test(value.trim())) {
      return `Invalid value ${value} for configuration ${name}: Not a number`;
    }
    if (name === "min.insync.replicas" && Number(value) < 1) {
      return `Invalid value ${value} for configuration ${name}: Value must be at least 1`;
    }
  }
  return null;
}

/** A topic's value for `name`: its override, else Kafka's default. */
export function topicConfig(topic: Topic, name: string): string {
  return topic.configs.get(name) ?? TOPIC_CONFIG_DEFAULTS[name];
}

/** A numeric topic config. */
export function topicConfigNumber(topic: Topic, name: string): number {
  return Number(topicConfig(topic, name));
}
