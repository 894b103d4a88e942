/**
 * StreamsGroupTopologyDescriptionUpdate (key 93, KIP-1331): a member sends its topology's full
 * description for a plugin to store. Kafka refuses it with UNSUPPORTED_VERSION when no topology
 * description plugin is configured, as is the default; Brook has no such plugin.
 *
 * @module
 */

import { AclOperation, AclResourceType, ApiKey, ErrorCode } from "../../codec/mod.ts";
import { defineHandler } from "../server/handler.ts";
import { can } from "../security/access.ts";

export default defineHandler({
  apiKey: ApiKey.StreamsGroupTopologyDescriptionUpdate,
  minVersion: 0,
  maxVersion: 0,
  handle(request, ctx) {
    const refuse = (errorCode: number, errorMessage: string | null = null) => ({
      errorCode,
      errorMessage,
    });
    if (ctx.features.level("streams.version") < 1) {
      return refuse(ErrorCode.UNSUPPORTED_VERSION);
    }
    if (!can(ctx, AclOperation.READ, AclResourceType.GROUP, request.groupId)) {
      return refuse(ErrorCode.GROUP_AUTHORIZATION_FAILED);
    }
    return refuse(
      ErrorCode.UNSUPPORTED_VERSION,
      "The broker has no streams group topology description plugin configured.",
    );
  },
});
