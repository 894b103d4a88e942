/**
 * ListConfigResources (key 74): the resources that have configs — groups with group configs,
 * client-metrics subscriptions, every node as a broker and as a broker logger,
 * every topic — in Kafka's order; version 0 lists client-metrics resources only.
 *
 * @module
 */

import { AclOperation, ApiKey, ErrorCode } from "../../codec/mod.ts";
import { defineHandler } from "../server/handler.ts";
import { canOnCluster } from "../security/access.ts";

const TOPIC = 2, BROKER = 4, BROKER_LOGGER = 8, CLIENT_METRICS = 16, GROUP = 32;

export default defineHandler({
  apiKey: ApiKey.ListConfigResources,
  minVersion: 0,
  maxVersion: 1,
  handle(request, ctx) {
    const answer = (errorCode: number, configResources: typeof listed = []) => ({
      errorCode,
      configResources,
    });
    const listed: { resourceName: string; resourceType: number }[] = [];
    if (!canOnCluster(ctx, AclOperation.DESCRIBE_CONFIGS)) {
      return answer(ErrorCode.CLUSTER_AUTHORIZATION_FAILED);
    }
    const supported = ctx.apiVersion >= 1
      ? [GROUP, CLIENT_METRICS, BROKER_LOGGER, BROKER, TOPIC]
      : [CLIENT_METRICS];
    const asked = ctx.apiVersion >= 1 && request.resourceTypes.length > 0
      ? request.resourceTypes
      : supported;
    if (asked.some((t) => !supported.includes(t))) return answer(ErrorCode.UNSUPPORTED_VERSION);

    const add = (type: number, names: Iterable<string>) => {
      if (!asked.includes(type)) return;
      for (const resourceName of names) listed.push({ resourceName, resourceType: type });
    };
    const nodeIds = ctx.metadata.nodes.map((n) => String(n.nodeId));
    add(GROUP, ctx.groups.groupConfigs.keys());
    add(CLIENT_METRICS, ctx.clientMetrics.names());
    add(BROKER_LOGGER, nodeIds);
    add(BROKER, nodeIds);
    add(TOPIC, ctx.topics.byName.keys());
    return answer(ErrorCode.NONE, listed);
  },
});
