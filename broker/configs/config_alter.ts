/**
 * What AlterConfigs and IncrementalAlterConfigs share: Kafka's checks of a request before any
 * resource is changed (each resource once, each config once, no null values, a broker resource
 * names this node) and the alteration of broker resources, validated as Kafka's brokers validate
 * dynamic configs.
 *
 * @module
 */

import { AclOperation, ErrorCode } from "../../codec/mod.ts";
import { brokerConfigDefinition, TOPIC_CONFIG_DEFINITIONS } from "./broker_configs.ts";
import { GROUP_CONFIG_DEFINITIONS, validateGroupConfigs } from "./group_configs.ts";
import type { Topic } from "../metadata/cluster.ts";
import type { RequestContext } from "../server/handler.ts";
import { configRefusal } from "../security/access.ts";

/** Kafka's config resource types that these handlers alter. */
export const ConfigResourceType = { TOPIC: 2, BROKER: 4, GROUP: 32 } as const;

/** Kafka's incremental operations. */
export const ConfigOperation = { SET: 0, DELETE: 1, APPEND: 2, SUBTRACT: 3 } as const;

/** An error answer for one resource. */
export interface ResourceError {
  errorCode: number;
  errorMessage: string | null;
}

const invalid = (errorMessage: string): ResourceError => ({
  errorCode: ErrorCode.INVALID_REQUEST,
  errorMessage,
});

/** The resources named more than once in a request (all of them are refused, as Kafka does). */
export function repeatedResources(
  resources: readonly { resourceType: number; resourceName: string }[],
): Set<string> {
  const seen = new Set<string>(), repeated = new Set<string>();
  for (const r of resources) {
    const key = `${r.resourceType}:${r.resourceName}`;
    if (seen.has(key)) repeated.add(key);
    seen.add(key);
  }
  return repeated;
}

/**
 * Kafka's first checks of one resource, before authorization: repeated resources and configs, null
 * values (`nullAllowed` tells which operations may carry one), and a broker resource's name.
 */
export function preprocessResource(
  ctx: RequestContext,
  resource: {
    resourceType: number;
    resourceName: string;
    configs: readonly { name: string; value: string | null }[];
  },
  repeated: Set<string>,
  nullAllowed: (index: number) => boolean,
): ResourceError | undefined {
  if (repeated.has(`${resource.resourceType}:${resource.resourceName}`)) {
    return invalid("Each resource must appear at most once.");
  }
  const names = resource.configs.map((c) => c.name);
  if (new Set(names).size !== names.length) return invalid("Error due to duplicate config keys");
  const nulls = resource.configs.filter((c, i) => c.value === null && !nullAllowed(i));
  if (nulls.length > 0) {
    return invalid(`Null value not supported for : ${nulls.map((c) => c.name).join(", ")}`);
  }
  if (resource.resourceType === ConfigResourceType.BROKER && resource.resourceName !== "") {
    if (!/^[+-]?\d+$/.test(resource.resourceName)) {
      return invalid(`Node id must be an integer, but it is: ${resource.resourceName}`);
    }
    if (Number(resource.resourceName) !== ctx.node.nodeId) {
      return invalid(
        `Unexpected broker id, expected ${ctx.node.nodeId}, but received ${resource.resourceName}`,
      );
    }
  }
  return undefined;
}

/** Applies incremental operations to a resource's configs, as Kafka applies them. */
export function applyOperations(
  current: ReadonlyMap<string, string>,
  operations: readonly { name: string; configOperation: number; value: string | null }[],
  kind: ConfigKind,
): Map<string, string> | ResourceError {
  const next = new Map(current);
  for (const op of operations) {
    const { name, value } = op;
    switch (op.configOperation) {
      case ConfigOperation.SET:
        next.set(name, value!);
        break;
      case ConfigOperation.DELETE:
        next.delete(name);
        break;
      case ConfigOperation.APPEND:
      case ConfigOperation.SUBTRACT: {
        const append = op.configOperation === ConfigOperation.APPEND;
        if (!kind.isList(name)) return kind.notList(name, append);
        const old = next.get(name) ?? kind.defaultOf(name) ?? "";
        const items = old === "" ? [] : old.split(",");
        if (append) {
          for (const v of value!.split(",")) if (!items.includes(v)) items.push(v);
        } else {
          for (const v of value!.split(",")) {
            const at = items.indexOf(v);
            if (at >= 0) items.splice(at, 1);
          }
        }
        next.set(name, items.join(","));
        break;
      }
      default:
        return invalid(`Unknown operations type ${op.configOperation}`);
    }
  }
  return next;
}

/**
 * Validates a broker resource's new dynamic configs (the cluster-wide ones for an empty name, else
 * this node's), then asks `authorize` (Kafka's controller authorizes after its brokers validated),
 * then stores them unless `validateOnly`.
 */
export function alterBrokerConfigs(
  ctx: RequestContext,
  resourceName: string,
  configs: ReadonlyMap<string, string>,
  options: { validateOnly: boolean; authorize: () => ResourceError | undefined },
): ResourceError {
  const nodeId = resourceName === "" ? null : ctx.node.nodeId;
  const problem = ctx.configs.validateDynamic(nodeId, configs);
  if (problem) return invalid(problem);
  const refused = options.authorize();
  if (refused) return refused;
  if (!options.validateOnly) ctx.configs.setDynamic(nodeId, configs);
  return { errorCode: ErrorCode.NONE, errorMessage: null };
}

/**
 * The topic a non-broker resource names, once Kafka's controller has authorized its alteration;
 * else the error it answers.
 */
export function alterableTopic(
  ctx: RequestContext,
  r: { resourceType: number; resourceName: string },
): Topic | ResourceError {
  const refused = configRefusal(ctx, AclOperation.ALTER_CONFIGS, r);
  if (refused) return refused;
  if (r.resourceType !== ConfigResourceType.TOPIC) {
    return invalid(`Unknown resource type ${r.resourceType}`);
  }
  return ctx.topics.byName.get(r.resourceName) ?? {
    errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
    errorMessage: `Topic ${r.resourceName} does not exist.`,
  };
}

/** Replaces a topic's overrides unless `validateOnly`; answers success. */
export function storeTopicConfigs(
  topic: Topic,
  configs: ReadonlyMap<string, string>,
  validateOnly: boolean,
): ResourceError {
  if (!validateOnly) {
    topic.configs.clear();
    for (const [k, v] of configs) topic.configs.set(k, v);
  }
  return { errorCode: ErrorCode.NONE, errorMessage: null };
}

/** What incremental operations need to know of a resource type's configs. */
export interface ConfigKind {
  defaultOf(name: string): string | null | undefined;
  isList(name: string): boolean;
  /** The refusal of APPEND or SUBTRACT on a config that is not a list. */
  notList(name: string, append: boolean): ResourceError;
}

/** Broker configs, whose APPEND and SUBTRACT Kafka's brokers check. */
export const BROKER_CONFIG_KIND: ConfigKind = {
  defaultOf: (name) => brokerConfigDefinition(name)?.default,
  isList: (name) => brokerConfigDefinition(name)?.type === 7,
  notList: (name, append) => ({
    errorCode: ErrorCode.INVALID_CONFIG,
    errorMessage: `Config value ${
      append ? "append" : "subtract"
    } is not allowed for config key: ${name}`,
  }),
};

/** Topic configs, whose APPEND and SUBTRACT Kafka's controller checks. */
export const TOPIC_CONFIG_KIND: ConfigKind = {
  defaultOf: (name) => TOPIC_CONFIG_DEFINITIONS.get(name)?.default,
  isList: (name) => TOPIC_CONFIG_DEFINITIONS.get(name)?.type === 7,
  notList: (name, append) => ({
    errorCode: ErrorCode.INVALID_CONFIG,
    errorMessage: `Can't ${
      append ? "APPEND" : "SUBTRACT"
    } to key ${name} because its type is not LIST.`,
  }),
};

/** Group configs, checked as topic configs are (none is a list). */
export const GROUP_CONFIG_KIND: ConfigKind = {
  ...TOPIC_CONFIG_KIND,
  defaultOf: (name) => GROUP_CONFIG_DEFINITIONS.get(name)?.default,
  isList: () => false,
};

/**
 * Replaces a group's configs (GROUP resources), as Kafka's controller does: authorized, a named
 * group, the new set computed by `next` from the current one and validated whole, then stored
 * unless `validateOnly`.
 */
export function alterGroupConfigs(
  ctx: RequestContext,
  r: { resourceType: number; resourceName: string },
  next: (current: ReadonlyMap<string, string>) => Map<string, string> | ResourceError,
  validateOnly: boolean,
): ResourceError {
  const refused = configRefusal(ctx, AclOperation.ALTER_CONFIGS, r);
  if (refused) return refused;
  if (r.resourceName === "") return invalid("Default group resources are not allowed.");
  const all = ctx.groups.groupConfigs;
  const configs = next(all.get(r.resourceName) ?? new Map());
  if (!(configs instanceof Map)) return configs;
  const problem = validateGroupConfigs(configs, ctx.configs);
  if (problem) return { errorCode: ErrorCode.INVALID_CONFIG, errorMessage: problem };
  if (!validateOnly) {
    if (configs.size === 0) all.delete(r.resourceName);
    else all.set(r.resourceName, configs);
  }
  return { errorCode: ErrorCode.NONE, errorMessage: null };
}
