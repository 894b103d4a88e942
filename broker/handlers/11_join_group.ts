/**
 * JoinGroup (key 11): joins a classic group; answers when the rebalance round completes.
 *
 * @module
 */

import { AclOperation, AclResourceType, ApiKey, ErrorCode } from "../../codec/mod.ts";
import { defineHandler } from "../server/handler.ts";
import { can } from "../security/access.ts";

export default defineHandler({
  apiKey: ApiKey.JoinGroup,
  minVersion: 0,
  maxVersion: 9,
  async handle(request, ctx) {
    if (!can(ctx, AclOperation.READ, AclResourceType.GROUP, request.groupId)) {
      return {
        errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED,
        generationId: -1,
        protocolType: null,
        protocolName: ctx.apiVersion >= 7 ? null : "",
        leader: "",
        skipAssignment: false,
        memberId: "",
        members: [],
      };
    }
    const r = await ctx.groups.join({
      groupId: request.groupId,
      memberId: request.memberId,
      groupInstanceId: request.groupInstanceId,
      sessionTimeoutMs: request.sessionTimeoutMs,
      // Version 0 has no rebalance timeout: Kafka uses the session timeout.
      rebalanceTimeoutMs: ctx.apiVersion >= 1
        ? request.rebalanceTimeoutMs
        : request.sessionTimeoutMs,
      protocolType: request.protocolType,
      protocols: request.protocols,
    }, ctx);
    return {
      errorCode: r.errorCode,
      generationId: r.generationId,
      protocolType: ctx.apiVersion >= 7 ? r.protocolType : null,
      protocolName: r.protocolName ?? (ctx.apiVersion >= 7 ? null : ""),
      leader: r.leader,
      skipAssignment: r.skipAssignment ?? false,
      memberId: r.memberId,
      members: r.members,
    };
  },
});
