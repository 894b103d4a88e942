/**
 * LeaveGroup (key 13): members leave (a batch of them from version 3, by member id or instance id).
 *
 * @module
 */

import { AclOperation, AclResourceType, ApiKey, ErrorCode } from "../../codec/mod.ts";
import { defineHandler } from "../server/handler.ts";
import { can } from "../security/access.ts";

export default defineHandler({
  apiKey: ApiKey.LeaveGroup,
  minVersion: 0,
  maxVersion: 5,
  handle(request, ctx) {
    const groups = ctx.groups;
    const v3 = ctx.apiVersion >= 3;
    const check = can(ctx, AclOperation.READ, AclResourceType.GROUP, request.groupId)
      ? groups.check(request.groupId, ctx)
      : ErrorCode.GROUP_AUTHORIZATION_FAILED;
    if (check !== ErrorCode.NONE) return { errorCode: check, members: [] };
    const leaving = v3
      ? request.members
      : [{ memberId: request.memberId, groupInstanceId: null, reason: null }];
    const consumerGroup = groups.consumerGroups.get(request.groupId);
    if (consumerGroup) {
      const left = groups.classicMembers.leave(consumerGroup, leaving);
      return {
        errorCode: v3 ? ErrorCode.NONE : left[0].errorCode,
        members: v3 ? left : [],
      };
    }
    const group = groups.group(request.groupId);
    const members = leaving.map((l) => {
      const refused = (errorCode: number) => ({
        memberId: l.memberId,
        groupInstanceId: l.groupInstanceId,
        errorCode,
      });
      if (!group) return refused(ErrorCode.UNKNOWN_MEMBER_ID);
      let m;
      if (l.memberId === "") {
        // A static member may leave by its instance id alone (KIP-345).
        const id = l.groupInstanceId === null
          ? undefined
          : group.staticMembers.get(l.groupInstanceId);
        m = id === undefined ? undefined : group.members.get(id);
        if (!m) return refused(ErrorCode.UNKNOWN_MEMBER_ID);
      } else {
        const invalid = group.validateMember(l.memberId, l.groupInstanceId);
        if (invalid !== ErrorCode.NONE) return refused(invalid);
        m = group.members.get(l.memberId)!;
      }
      group.removeMember(m);
      return {
        memberId: m.memberId,
        groupInstanceId: l.groupInstanceId,
        errorCode: ErrorCode.NONE,
      };
    });
    // Before version 3 the single member's error is the top-level error.
    const errorCode = v3 ? ErrorCode.NONE : members[0].errorCode;
    return { errorCode, members: v3 ? members : [] };
  },
});
