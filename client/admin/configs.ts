/**
 * Admin calls for configs: DescribeConfigs and IncrementalAlterConfigs, with broker resources sent
 * to the broker they name (as Kafka's Admin does) and topic and group resources to any broker.
 *
 * @module
 */

import { ApiKey, ErrorCode, KafkaProtocolError } from "../../codec/mod.ts";
import type { KafkaClient } from "../kafka_client.ts";

/**
 * A config resource: a topic by name, a broker by node id ("" for the cluster default), a group
 * by id (its dynamic group configs, such as share.auto.offset.reset), or a client-metrics
 * subscription by name (KIP-714: `metrics`, `interval.ms`, `match`).
 */
export interface ConfigResource {
  /** The kind of resource. */
  type: "topic" | "broker" | "group" | "client-metrics";
  /**
   * The topic's name, the broker's node id ("" for the cluster default), the group's id or the
   * subscription's name.
   */
  name: string;
}

/** Where a config value comes from, as Kafka's ConfigSource names it. */
export type ConfigSource =
  | "UNKNOWN"
  | "DYNAMIC_TOPIC_CONFIG"
  | "DYNAMIC_BROKER_CONFIG"
  | "DYNAMIC_DEFAULT_BROKER_CONFIG"
  | "STATIC_BROKER_CONFIG"
  | "DEFAULT_CONFIG"
  | "DYNAMIC_BROKER_LOGGER_CONFIG"
  | "CLIENT_METRICS_CONFIG"
  | "GROUP_CONFIG";

const SOURCES: ConfigSource[] = [
  "UNKNOWN",
  "DYNAMIC_TOPIC_CONFIG",
  "DYNAMIC_BROKER_CONFIG",
  "DYNAMIC_DEFAULT_BROKER_CONFIG",
  "STATIC_BROKER_CONFIG",
  "DEFAULT_CONFIG",
  "DYNAMIC_BROKER_LOGGER_CONFIG",
  "CLIENT_METRICS_CONFIG",
  "GROUP_CONFIG",
];

/** One config of a resource. */
export interface ConfigEntry {
  /** The config's name, e.g. "retention.ms". */
  name: string;
  /** Null for sensitive configs and those without a value. */
  value: string | null;
  /** Where the value comes from. */
  source: ConfigSource;
  /** True when the value is the default (source DEFAULT_CONFIG). */
  isDefault: boolean;
  /** True for passwords and the like, whose value is never returned. */
  isSensitive: boolean;
  /** True when it cannot be changed dynamically. */
  readOnly: boolean;
  /** With includeSynonyms: the values this one overrides, most specific first. */
  synonyms: { name: string; value: string | null; source: ConfigSource }[];
  /** With includeDocumentation. */
  documentation: string | null;
}

/** A change of one config (IncrementalAlterConfigs). */
export interface ConfigOp {
  /** The config's name. */
  name: string;
  /** Kafka's AlterConfigOp: set the value, delete the override, append to or subtract from a list. */
  op: "set" | "delete" | "append" | "subtract";
  /** The value; unused by "delete". */
  value?: string | null;
}

const RESOURCE_TYPE = { topic: 2, broker: 4, "client-metrics": 16, group: 32 } as const;
const RESOURCE_NAME: Record<number, string> = {
  2: "topic",
  4: "broker",
  16: "client-metrics",
  32: "group",
};
const OP = { set: 0, delete: 1, append: 2, subtract: 3 } as const;

/** The node a resource's request goes to: the broker itself, or any (-1). */
function targetOf(r: ConfigResource): number {
  return r.type === "broker" && r.name !== "" ? Number(r.name) : -1;
}

/** Splits resources by the node their request must reach. */
function byTarget<T extends { resource: ConfigResource }>(items: T[]): Map<number, T[]> {
  const out = new Map<number, T[]>();
  for (const item of items) {
    const node = targetOf(item.resource);
    out.set(node, [...(out.get(node) ?? []), item]);
  }
  return out;
}

/** DescribeConfigs: every config of each resource, in the order asked. */
export async function describeConfigs(
  client: KafkaClient,
  resources: ConfigResource[],
  options: { includeSynonyms?: boolean; includeDocumentation?: boolean; signal?: AbortSignal },
): Promise<{ resource: ConfigResource; entries: ConfigEntry[] }[]> {
  const answers = new Map<ConfigResource, ConfigEntry[]>();
  for (const [node, group] of byTarget(resources.map((resource) => ({ resource })))) {
    const body = {
      resources: group.map(({ resource }) => ({
        resourceType: RESOURCE_TYPE[resource.type],
        resourceName: resource.name,
        configurationKeys: null,
      })),
      includeSynonyms: options.includeSynonyms ?? false,
      includeDocumentation: options.includeDocumentation ?? false,
    };
    const res = node >= 0
      ? await client.requestNode(node, ApiKey.DescribeConfigs, body, { signal: options.signal })
      : await client.requestAny(ApiKey.DescribeConfigs, body, { signal: options.signal });
    res.results.forEach((r, i) => {
      const resource = group[i].resource;
      if (r.errorCode !== ErrorCode.NONE) {
        throw new KafkaProtocolError(r.errorCode, {
          detail: `${resource.type} ${resource.name}${r.errorMessage ? `: ${r.errorMessage}` : ""}`,
        });
      }
      answers.set(
        resource,
        r.configs.map((c) => ({
          name: c.name,
          value: c.value,
          source: SOURCES[c.configSource] ?? "UNKNOWN",
          isDefault: c.configSource === 5,
          isSensitive: c.isSensitive,
          readOnly: c.readOnly,
          synonyms: c.synonyms.map((s) => ({
            name: s.name,
            value: s.value,
            source: SOURCES[s.source] ?? "UNKNOWN",
          })),
          documentation: c.documentation ?? null,
        })),
      );
    });
  }
  return resources.map((resource) => ({ resource, entries: answers.get(resource)! }));
}

/** IncrementalAlterConfigs: applies each resource's changes; rejects with the first failure. */
export async function incrementalAlterConfigs(
  client: KafkaClient,
  changes: { resource: ConfigResource; ops: ConfigOp[] }[],
  options: { validateOnly?: boolean; signal?: AbortSignal },
): Promise<void> {
  for (const [node, group] of byTarget(changes)) {
    const body = {
      resources: group.map(({ resource, ops }) => ({
        resourceType: RESOURCE_TYPE[resource.type],
        resourceName: resource.name,
        configs: ops.map((o) => ({
          name: o.name,
          configOperation: OP[o.op],
          value: o.value ?? null,
        })),
      })),
      validateOnly: options.validateOnly ?? false,
    };
    const res = node >= 0
      ? await client.requestNode(node, ApiKey.IncrementalAlterConfigs, body, {
        signal: options.signal,
      })
      : await client.requestAny(ApiKey.IncrementalAlterConfigs, body, { signal: options.signal });
    for (const r of res.responses) {
      if (r.errorCode !== ErrorCode.NONE) {
        throw new KafkaProtocolError(r.errorCode, {
          detail: `${RESOURCE_NAME[r.resourceType] ?? "resource"} ${r.resourceName}${
            r.errorMessage ? `: ${r.errorMessage}` : ""
          }`,
        });
      }
    }
  }
}
