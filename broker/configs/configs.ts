/**
 * Topic configs: Kafka 4.1's defaults and its validation of the values a topic may be given.
 *
 * @module
 */

import { checkConfigValue, TOPIC_CONFIG_DEFINITIONS } from "./broker_configs.ts";

/** Kafka's defaults for its topic configs (before broker configs change them). */
export const TOPIC_CONFIG_DEFAULTS: Readonly<Record<string, string>> = Object.fromEntries(
  [...TOPIC_CONFIG_DEFINITIONS.values()].map((d) => [d.name, d.default ?? ""]),
);

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
  if (!TOPIC_CONFIG_DEFINITIONS.has(name)) return `Unknown topic config name: ${name}`;
  if (value === null) return `Null value not supported for topic configs: ${name}`;
  return checkConfigValue(name, value, TOPIC_CONFIG_DEFINITIONS);
}
