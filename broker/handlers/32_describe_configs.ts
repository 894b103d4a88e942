/**
 * DescribeConfigs (key 32): a topic's configs (its overrides and Kafka's defaults) or a broker's.
 *
 * @module
 */

import { AclOperation, ApiKey, ErrorCode } from "../../codec/mod.ts";
import { brokerConfigs, ConfigSource, configType } from "../config_describe.ts";
import { TOPIC_CONFIG_DEFAULTS } from "../configs.ts";
import { defineHandler } from "../handler.ts";
import { configRefusal } from "../security/access.ts";

const TOPIC = 2;
const BROKER = 4;

export default defineHandler({
  apiKey: ApiKey.DescribeConfigs,
  minVersion: 1,
  maxVersion: 4,
  handle(request, ctx) {
    const { cluster, apiVersion } = ctx;
    // Refused resources are answered after the others, as Kafka answers them.
    const refused = request.resources.flatMap((r) => {
      const no = configRefusal(ctx, AclOperation.DESCRIBE_CONFIGS, r);
      return no === undefined ? [] : [{
        resourceType: r.resourceType,
        resourceName: r.resourceName,
        ...no,
        configs: [],
      }];
    });
    const allowed = refused.length === 0
      ? request.resources
      : request.resources.filter((r) =>
        configRefusal(ctx, AclOperation.DESCRIBE_CONFIGS, r) === undefined
      );
    const results = allowed.map((r) => {
      const base = { resourceType: r.resourceType, resourceName: r.resourceName };
      const fail = (errorCode: number, errorMessage: string) => ({
        ...base,
        errorCode,
        errorMessage,
        configs: [],
      });
      let entries: { name: string; value: string; source: number }[];
      if (r.resourceType === TOPIC) {
        const topic = cluster.topics.get(r.resourceName);
        if (!topic) {
          // Kafka 4.1.1 gives no message here.
          return fail(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, "");
        }
        entries = Object.entries(TOPIC_CONFIG_DEFAULTS).map(([name, def]) => {
          const override = topic.configs.get(name);
          return override === undefined
            ? { name, value: def, source: ConfigSource.DEFAULT_CONFIG }
            : { name, value: override, source: ConfigSource.DYNAMIC_TOPIC_CONFIG };
        });
      } else if (r.resourceType === BROKER) {
        const nodeId = r.resourceName === "" ? ctx.node.nodeId : Number(r.resourceName);
        if (!cluster.node(nodeId)) {
          return fail(
            ErrorCode.INVALID_REQUEST,
            `Unexpected broker id, expected ${ctx.node.nodeId} or empty string, but received ${r.resourceName}`,
          );
        }
        entries = brokerConfigs(cluster, nodeId).map((c) => ({
          name: c.name,
          value: c.value,
          source: c.isDefault ? ConfigSource.DEFAULT_CONFIG : ConfigSource.STATIC_BROKER_CONFIG,
        }));
      } else {
        return fail(ErrorCode.INVALID_REQUEST, `Unsupported resource type ${r.resourceType}`);
      }
      const keys = r.configurationKeys;
      if (keys !== null && keys.length > 0) entries = entries.filter((e) => keys.includes(e.name));
      return {
        ...base,
        errorCode: ErrorCode.NONE,
        errorMessage: null,
        configs: entries.map((e) => ({
          name: e.name,
          value: e.value,
          readOnly: r.resourceType === BROKER,
          configSource: e.source,
          isSensitive: false,
          synonyms: request.includeSynonyms
            ? [{ name: e.name, value: e.value, source: e.source }]
            : [],
          configType: apiVersion >= 3 ? configType(e.name, e.value) : 0,
          documentation: null,
        })),
      };
    });
    return { throttleTimeMs: 0, results: [...results, ...refused] };
  },
});
