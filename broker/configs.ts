/**
 * Topic configs: Kafka 4.1's defaults and its validation of the values a topic may be given.
 *
 * @module
 */

import { TOPIC_CONFIG_DEFINITIONS } from "./broker_configs.ts";

/** Kafka's defaults for its topic configs (before broker configs change them). */
export const TOPIC_CONFIG_DEFAULTS: Readonly<Record<string, string>> = Object.fromEntries(
  [...TOPIC_CONFIG_DEFINITIONS.values()].map((d) => [d.name, d.default ?? ""]),
);

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
