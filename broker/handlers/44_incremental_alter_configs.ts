/**
 * IncrementalAlterConfigs (key 44): SET, DELETE, APPEND and SUBTRACT on topic configs, on
 * dynamic broker configs (a node's own, or the cluster-wide ones under an empty name), on group
 * configs and on client-metrics subscriptions (KIP-714), checked and validated in Kafka's order.
 *
 * @module
 */

import { AclOperation, ApiKey, ErrorCode } from "../../codec/mod.ts";
import {
  alterableTopic,
  alterBrokerConfigs,
  alterGroupConfigs,
  applyOperations,
  BROKER_CONFIG_KIND,
  ConfigOperation,
  ConfigResourceType,
  GROUP_CONFIG_KIND,
  preprocessResource,
  repeatedResources,
  type ResourceError,
  storeTopicConfigs,
  TOPIC_CONFIG_KIND,
} from "../configs/config_alter.ts";
import { TOPIC_CONFIG_DEFAULTS, validateTopicConfig } from "../configs/configs.ts";
import { defineHandler, type RequestContext } from "../server/handler.ts";
import { configRefusal } from "../security/access.ts";

export default defineHandler({
  apiKey: ApiKey.IncrementalAlterConfigs,
  minVersion: 0,
  maxVersion: 1,
  handle(request, ctx) {
    const repeated = repeatedResources(request.resources);
    const responses = request.resources.map((r) => {
      const outcome = alter(ctx, r, repeated, request.validateOnly);
      return { ...outcome, resourceType: r.resourceType, resourceName: r.resourceName };
    });
    return { responses };
  },
});

const CLIENT_METRICS = 16;

/** Client-metrics configs: Kafka's controller treats none of them as a list for APPEND and SUBTRACT. */
const CLIENT_METRICS_KIND = {
  ...TOPIC_CONFIG_KIND,
  defaultOf: () => undefined,
  isList: () => false,
};

type Resource = {
  resourceType: number;
  resourceName: string;
  configs: { name: string; configOperation: number; value: string | null }[];
};

function alter(
  ctx: RequestContext,
  r: Resource,
  repeated: Set<string>,
  validateOnly: boolean,
): ResourceError {
  // A broker checks the request and its broker resources before its controller authorizes it.
  const early = preprocessResource(
    ctx,
    r,
    repeated,
    (i) => r.configs[i].configOperation === ConfigOperation.DELETE,
  );
  if (early) return early;
  if (r.resourceType === ConfigResourceType.BROKER) {
    const next = applyOperations(
      ctx.configs.dynamic(r.resourceName === "" ? null : ctx.node.nodeId),
      r.configs,
      BROKER_CONFIG_KIND,
    );
    if (!(next instanceof Map)) return next;
    return alterBrokerConfigs(ctx, r.resourceName, next, {
      validateOnly,
      authorize: () => configRefusal(ctx, AclOperation.ALTER_CONFIGS, r),
    });
  }
  if (r.resourceType === CLIENT_METRICS) return alterClientMetrics(ctx, r, validateOnly);
  if (r.resourceType === ConfigResourceType.GROUP) {
    return alterGroupConfigs(
      ctx,
      r,
      (current) => applyOperations(current, r.configs, GROUP_CONFIG_KIND),
      validateOnly,
    );
  }
  const topic = alterableTopic(ctx, r);
  if ("errorCode" in topic) return topic;
  const next = applyOperations(topic.configs, r.configs, TOPIC_CONFIG_KIND);
  if (!(next instanceof Map)) return next;
  for (const c of r.configs) {
    const value = next.get(c.name);
    const problem = value === undefined
      ? (c.name in TOPIC_CONFIG_DEFAULTS ? null : `Unknown topic config name: ${c.name}`)
      : validateTopicConfig(c.name, value);
    if (problem) return { errorCode: ErrorCode.INVALID_CONFIG, errorMessage: problem };
  }
  return storeTopicConfigs(topic, next, validateOnly);
}

/** A subscription's configs: authorized on the cluster, then applied, validated whole and stored. */
function alterClientMetrics(
  ctx: RequestContext,
  r: Resource,
  validateOnly: boolean,
): ResourceError {
  const refused = configRefusal(ctx, AclOperation.ALTER_CONFIGS, r);
  if (refused) return refused;
  const subscriptions = ctx.clientMetrics;
  const next = applyOperations(
    subscriptions.configs(r.resourceName),
    r.configs,
    CLIENT_METRICS_KIND,
  );
  if (!(next instanceof Map)) return next;
  const problem = subscriptions.validate(r.resourceName, next);
  if (problem) return problem;
  if (!validateOnly) subscriptions.store(r.resourceName, next);
  return { errorCode: ErrorCode.NONE, errorMessage: null };
}
