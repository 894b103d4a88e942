/**
 * AlterConfigs (key 33): replaces a topic's config overrides, or the dynamic configs of a broker
 * resource (a node's own, or the cluster-wide ones under an empty name), a group's or a client-metrics
 * subscription's (KIP-714; an empty set removes it), with the given set.
 *
 * @module
 */

import { AclOperation, ApiKey, ErrorCode } from "../../codec/mod.ts";
import {
  alterableTopic,
  alterBrokerConfigs,
  alterGroupConfigs,
  ConfigResourceType,
  preprocessResource,
  repeatedResources,
  type ResourceError,
  storeTopicConfigs,
} from "../configs/config_alter.ts";
import { validateTopicConfig } from "../configs/configs.ts";
import { defineHandler, type RequestContext } from "../server/handler.ts";
import { configRefusal } from "../security/access.ts";

const CLIENT_METRICS = 16;

export default defineHandler({
  apiKey: ApiKey.AlterConfigs,
  minVersion: 0,
  maxVersion: 2,
  handle(request, ctx) {
    const repeated = repeatedResources(request.resources);
    const responses = request.resources.map((r) => {
      const outcome = alter(ctx, r, repeated, request.validateOnly);
      return { ...outcome, resourceType: r.resourceType, resourceName: r.resourceName };
    });
    return { responses };
  },
});

function alter(
  ctx: RequestContext,
  r: {
    resourceType: number;
    resourceName: string;
    configs: { name: string; value: string | null }[];
  },
  repeated: Set<string>,
  validateOnly: boolean,
): ResourceError {
  // A broker checks the request and its broker resources before its controller authorizes it.
  const early = preprocessResource(ctx, r, repeated, () => false);
  if (early) return early;
  const configs = new Map(r.configs.map((c) => [c.name, c.value!]));
  if (r.resourceType === ConfigResourceType.BROKER) {
    return alterBrokerConfigs(ctx, r.resourceName, configs, {
      validateOnly,
      authorize: () => configRefusal(ctx, AclOperation.ALTER_CONFIGS, r),
    });
  }
  if (r.resourceType === ConfigResourceType.GROUP) {
    return alterGroupConfigs(ctx, r, () => configs, validateOnly);
  }
  if (r.resourceType === CLIENT_METRICS) {
    const refused = configRefusal(ctx, AclOperation.ALTER_CONFIGS, r);
    if (refused) return refused;
    const problem = ctx.clientMetrics.validate(r.resourceName, configs);
    if (problem) return problem;
    if (!validateOnly) ctx.clientMetrics.store(r.resourceName, configs);
    return { errorCode: ErrorCode.NONE, errorMessage: null };
  }
  const topic = alterableTopic(ctx, r);
  if ("errorCode" in topic) return topic;
  for (const [name, value] of configs) {
    const problem = validateTopicConfig(name, value);
    if (problem) return { errorCode: ErrorCode.INVALID_CONFIG, errorMessage: problem };
  }
  return storeTopicConfigs(topic, configs, validateOnly);
}
