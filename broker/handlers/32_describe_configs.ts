/**
 * DescribeConfigs (key 32): a topic's configs (its overrides, the broker configs they fall back on,
 * Kafka's defaults), a broker's (every level, with Kafka's synonyms), a group's or a client-metrics
 * subscription's (KIP-714).
 *
 * @module
 */

import { AclOperation, ApiKey, ErrorCode } from "../../codec/mod.ts";
import type { DescribedConfig } from "../configs/broker_configs.ts";
import { describeGroupConfigs } from "../configs/group_configs.ts";
import { CONFIG_DOCS } from "../configs/generated/config_docs.ts";
import { defineHandler } from "../server/handler.ts";
import { configRefusal } from "../security/access.ts";

const TOPIC = 2;
const BROKER = 4;
const CLIENT_METRICS = 16;
const GROUP = 32;
/** Each config's documentation, by resource type, as Kafka describes it. */
const DOCS = new Map<number, Readonly<Record<string, string>>>([
  [TOPIC, CONFIG_DOCS.topic],
  [BROKER, CONFIG_DOCS.broker],
  [CLIENT_METRICS, CONFIG_DOCS.clientMetrics],
  [GROUP, CONFIG_DOCS.group],
]);

export default defineHandler({
  apiKey: ApiKey.DescribeConfigs,
  minVersion: 1,
  maxVersion: 4,
  handle(request, ctx) {
    const { apiVersion } = ctx;
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
      let entries: DescribedConfig[];
      if (r.resourceType === TOPIC) {
        const topic = ctx.topics.byName.get(r.resourceName);
        if (!topic) {
          // Kafka 4.1.1 gives no message here.
          return fail(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, "");
        }
        entries = ctx.configs.describeTopic(topic.configs, ctx.node.nodeId);
      } else if (r.resourceType === BROKER) {
        // A node describes itself, or the cluster-wide dynamic configs (an empty name).
        const own = ctx.node.nodeId;
        if (r.resourceName !== "" && !/^[+-]?\d+$/.test(r.resourceName)) {
          return fail(
            ErrorCode.INVALID_REQUEST,
            `Broker id must be an integer, but it is: ${r.resourceName}`,
          );
        }
        if (r.resourceName !== "" && Number(r.resourceName) !== own) {
          return fail(
            ErrorCode.INVALID_REQUEST,
            `Unexpected broker id, expected ${own} or empty string, but received ${r.resourceName}`,
          );
        }
        entries = ctx.configs.describeBroker(r.resourceName === "" ? null : own, own);
      } else if (r.resourceType === GROUP) {
        if (r.resourceName === "") {
          return fail(ErrorCode.INVALID_REQUEST, "Group name must not be empty");
        }
        entries = describeGroupConfigs(
          ctx.groups.groupConfigs.get(r.resourceName) ?? new Map(),
          ctx.configs,
        );
      } else if (r.resourceType === CLIENT_METRICS) {
        if (r.resourceName === "") {
          return fail(
            ErrorCode.INVALID_REQUEST,
            "Client metrics subscription name must not be empty",
          );
        }
        entries = ctx.clientMetrics.describe(r.resourceName);
      } else {
        return fail(ErrorCode.INVALID_REQUEST, `Unsupported resource type ${r.resourceType}`);
      }
      const docs = DOCS.get(r.resourceType);
      const keys = r.configurationKeys;
      if (keys !== null && keys.length > 0) entries = entries.filter((e) => keys.includes(e.name));
      return {
        ...base,
        errorCode: ErrorCode.NONE,
        errorMessage: "",
        configs: entries.map((e) => ({
          ...e,
          synonyms: request.includeSynonyms ? e.synonyms : [],
          configType: apiVersion >= 3 ? e.configType : 0,
          documentation: request.includeDocumentation ? docs?.[e.name] ?? null : null,
        })),
      };
    });
    return { results: [...results, ...refused] };
  },
});
