/**
 * The static broker configs of a broker that Brook starts: what its options say, in the names of
 * Kafka's server.properties, checked as Kafka checks them.
 *
 * @module
 */

import type { BrokerOptions } from "../broker_options.ts";
import { brokerConfigDefinition, checkConfigValue } from "./broker_configs.ts";
import { parseMappingRules } from "../security/principal_mapping.ts";

/**
 * Kafka's static configs for these options: the given `configs` plus what the other options set.
 * Throws a RangeError naming the first config Kafka does not define or whose value it refuses.
 *
 * @example
 * ```ts
 * import { staticBrokerConfigs } from "./static_configs.ts";
 * staticBrokerConfigs({ defaultPartitions: 3 })["num.partitions"]; // "3"
 * ```
 */
export function staticBrokerConfigs(
  options: BrokerOptions,
  saslMechanisms?: readonly string[],
): Record<string, string> {
  const given = options.configs ?? {};
  for (const [name, value] of Object.entries(given)) {
    if (!brokerConfigDefinition(name) && !/^listener\.name\.[^.]+\../.test(name)) {
      throw new RangeError(`Unknown broker config ${name}`);
    }
    const problem = checkConfigValue(name, String(value));
    if (problem) throw new RangeError(problem);
    // Kafka parses the mapping rules at start and refuses to start on a malformed one.
    if (name === "ssl.principal.mapping.rules") parseMappingRules(String(value));
  }
  const out: Record<string, string> = { ...given };
  const set = (name: string, value: unknown) => {
    if (value !== undefined) out[name] = String(value);
  };
  set("num.partitions", options.defaultPartitions);
  // Brook's default replication factor is min(3, nodes) where Kafka's is 1.
  const nodes = options.nodes ?? 1;
  if (given["default.replication.factor"] === undefined && nodes > 1) {
    set("default.replication.factor", Math.min(3, nodes));
  }
  set("default.replication.factor", options.defaultReplicationFactor);
  set("auto.create.topics.enable", options.autoCreateTopics);
  set("socket.request.max.bytes", options.maxRequestBytes);
  // Brook's default delay is 0 where Kafka's is 3000, so it is always a static config.
  set(
    "group.initial.rebalance.delay.ms",
    options.groupInitialRebalanceDelayMs ?? given["group.initial.rebalance.delay.ms"] ?? 0,
  );
  if (saslMechanisms) set("sasl.enabled.mechanisms", saslMechanisms.join(","));
  if (options.authorizer) {
    set("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
  }
  return out;
}
