/**
 * AlterConfigs (key 33): replaces a topic's config overrides with the given set.
 *
 * @module
 */

import { AclOperation, ApiKey, ErrorCode } from "../../codec/mod.ts";
import { validateTopicConfig } from "../configs.ts";
import { defineHandler } from "../handler.ts";
import { configRefusal } from "../security/access.ts";

export default defineHandler({
  apiKey: ApiKey.AlterConfigs,
  minVersion: 0,
  maxVersion: 2,
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
      for (const c of r.configs) {
        const problem = validateTopicConfig(c.name, c.value);
        if (problem) return answer(ErrorCode.INVALID_CONFIG, problem);
      }
      if (!request.validateOnly) {
        topic.configs.clear();
        for (const c of r.configs) topic.configs.set(c.name, c.value!);
      }
      return answer(ErrorCode.NONE);
    });
    return { throttleTimeMs: 0, responses };
  },
});
