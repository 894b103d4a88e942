/**
 * SyncGroup (key 14): the leader hands out assignments; every member gets its own.
 *
 * @module
 */

import { AclOperation, AclResourceType, ApiKey, ErrorCode } from "../../codec/mod.ts";
import { defineHandler } from "../server/handler.ts";
import { can } from "../security/access.ts";

export default defineHandler({
  apiKey: ApiKey.SyncGroup,
  minVersion: 0,
  maxVersion: 5,
  async handle(request, ctx) {
    const v5 = ctx.apiVersion >= 5;
    const answer = (
      errorCode: number,
      assignment: Uint8Array = new Uint8Array(0),
      type: string | null = null,
      name: string | null = null,
    ) => ({
      errorCode,
      protocolType: v5 ? type : null,
      protocolName: v5 ? name : null,
      assignment,
    });
    const groups = ctx.groups;
    if (!can(ctx, AclOperation.READ, AclResourceType.GROUP, request.groupId)) {
      return answer(ErrorCode.GROUP_AUTHORIZATION_FAILED);
    }
    const check = groups.check(request.groupId, ctx);
    if (check !== ErrorCode.NONE) return answer(check);
    const consumerGroup = groups.consumerGroups.get(request.groupId);
    if (consumerGroup) {
      const r = groups.classicMembers.sync(consumerGroup, {
        ...request,
        protocolType: v5 ? request.protocolType : null,
        protocolName: v5 ? request.protocolName : null,
      });
      return answer(r.errorCode, r.assignment, r.protocolType, r.protocolName);
    }
    const group = groups.group(request.groupId);
    if (!group) return answer(ErrorCode.UNKNOWN_MEMBER_ID);
    const invalid = group.validateMember(request.memberId, request.groupInstanceId);
    if (invalid !== ErrorCode.NONE) return answer(invalid);
    const member = group.members.get(request.memberId)!;
    if (request.generationId !== group.generationId) return answer(ErrorCode.ILLEGAL_GENERATION);
    if (
      v5 && ((request.protocolType !== null && request.protocolType !== group.protocolType) ||
        (request.protocolName !== null && request.protocolName !== group.protocolName))
    ) {
      return answer(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    }
    if (group.state === "PreparingRebalance") return answer(ErrorCode.REBALANCE_IN_PROGRESS);
    groups.touch(group, member);
    const r = await group.sync(request.memberId, request.assignments);
    return answer(r.errorCode, r.assignment, r.protocolType, r.protocolName);
  },
});
