/**
 * Heartbeat (key 12): keeps a member's session alive and tells it when to rejoin.
 *
 * @module
 */

import { AclOperation, AclResourceType, ApiKey, ErrorCode } from "../../codec/mod.ts";
import { defineHandler } from "../server/handler.ts";
import { can } from "../security/access.ts";

export default defineHandler({
  apiKey: ApiKey.Heartbeat,
  minVersion: 0,
  maxVersion: 4,
  handle(request, ctx) {
    const groups = ctx.groups;
    const answer = (errorCode: number) => ({ errorCode });
    if (!can(ctx, AclOperation.READ, AclResourceType.GROUP, request.groupId)) {
      return answer(ErrorCode.GROUP_AUTHORIZATION_FAILED);
    }
    const check = groups.check(request.groupId, ctx);
    if (check !== ErrorCode.NONE) return answer(check);
    const consumerGroup = groups.consumerGroups.get(request.groupId);
    if (consumerGroup) return answer(groups.classicMembers.heartbeat(consumerGroup, request));
    const group = groups.group(request.groupId);
    if (!group) return answer(ErrorCode.UNKNOWN_MEMBER_ID);
    const invalid = group.validateMember(request.memberId, request.groupInstanceId);
    if (invalid !== ErrorCode.NONE) return answer(invalid);
    const member = group.members.get(request.memberId)!;
    if (request.generationId !== group.generationId) return answer(ErrorCode.ILLEGAL_GENERATION);
    groups.touch(group, member);
    return answer(
      group.state === "PreparingRebalance" ? ErrorCode.REBALANCE_IN_PROGRESS : ErrorCode.NONE,
    );
  },
});
