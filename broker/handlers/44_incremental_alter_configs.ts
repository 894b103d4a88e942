/**
 * IncrementalAlterConfigs (key 44): SET, DELETE, APPEND and SUBTRACT on topic configs, validated as
 * Kafka validates them. Brook's broker configs are fixed at start, so broker resources are refused.
 *
 * @module
 */

import { AclOperation, ApiKey, ErrorCode } from "../../codec/mod.ts";
import { TOPIC_CONFIG_DEFAULTS, validateTopicConfig } from "../configs.ts";
import { defineHandler } from "../handler.ts";
import { configRefusal } from "../security/access.ts";

const SET = 0, DELETE = 1, APPEND = 2, SUBTRACT = 3;

export default defineHandler({
  apiKey: ApiKey.IncrementalAlterConfigs,
  minVersion: 0,
  maxVersion: 1,
  handle(request, ctx) {
    const responses = request.resources.map((r) => {
      const answer = (errorCode: number, errorMessage: string | null = null) => ({
        errorCode,
        errorMessage,
        resourceType: r.resourceType,
        resourceName: r.resourceName,
      });
      // ALTER_CONFIGS is checked before the resource is looked at, as Kafka's controller checks.
      const refused = configRefusal(ctx, AclOperation.ALTER_CONFIGS, r);
      if (refused) return answer(refused.errorCode, refused.errorMessage);
      if (r.resourceType !== 2) {
        return answer(
          ErrorCode.INVALID_REQUEST,
          "Brook's broker configs are set at start and cannot be altered",
        );
      }
      const topic = ctx.cluster.topics.get(r.resourceName);
      if (!topic) {
        return answer(
          ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
          `Topic ${r.resourceName} does not exist.`,
        );
      }
      const next = new Map(topic.configs);
      for (const c of r.configs) {
        const current = next.get(c.name) ?? TOPIC_CONFIG_DEFAULTS[c.name] ?? "";
        const list = current === "" ? [] : current.split(",");
        const items = (c.value ?? "").split(",").filter((x) => x !== "");
        let value: string | null;
        if (c.configOperation === SET) value = c.value;
        else if (c.configOperation === DELETE) value = null;
        else if (c.configOperation === APPEND) {
          value = [
            ...list,
            ...items.filter((i) => !list.includes(i)),
          ].join(",");
        } else if (c.configOperation === SUBTRACT) {
          value = list.filter((i) => !items.includes(i)).join(",");
        } else {return answer(
            ErrorCode.INVALID_REQUEST,
            `Unknown config operation ${c.configOperation}`,
          );}
        if (value === null) {
          if (!(c.name in TOPIC_CONFIG_DEFAULTS)) {
            return answer(ErrorCode.INVALID_CONFIG, `Unknown topic config name: ${c.name}`);
          }
          next.delete(c.name);
          continue;
        }
        const problem = validateTopicConfig(c.name, value);
        if (problem) return answer(ErrorCode.INVALID_CONFIG, problem);
        next.set(c.name, value);
      }
      if (!request.validateOnly) {
        topic.configs.clear();
        for (const [k, v] of next) topic.configs.set(k, v);
      }
      return answer(ErrorCode.NONE);
    });
    return { throttleTimeMs: 0, responses };
  },
});
