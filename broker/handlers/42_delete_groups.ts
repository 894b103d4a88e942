/**
 * DeleteGroups (key 42): deletes groups that have no members (NON_EMPTY_GROUP otherwise). v3 (Kafka
 * 4.4) adds an error message per group, which Kafka leaves null for these errors.
 *
 * @module
 */

import { AclOperation, AclResourceType, ApiKey, ErrorCode } from "../../codec/mod.ts";
import { defineHandler } from "../server/handler.ts";
import { can } from "../security/access.ts";

export default defineHandler({
  apiKey: ApiKey.DeleteGroups,
  minVersion: 0,
  maxVersion: 3,
  handle(request, ctx) {
    const groups = ctx.groups;
    // As Kafka: each group once; those without DELETE last, with GROUP_AUTHORIZATION_FAILED.
    const names = [...new Set(request.groupsNames)];
    const deletable = (groupId: string) =>
      can(ctx, AclOperation.DELETE, AclResourceType.GROUP, groupId);
    const refused = names.filter((g) => !deletable(g)).map((groupId) => ({
      groupId,
      errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED,
    }));
    return {
      results: [
        ...names.filter(deletable).map((groupId) => {
          const check = groups.check(groupId, ctx);
          if (check !== ErrorCode.NONE) return { groupId, errorCode: check };
          const share = groups.shareGroups.get(groupId);
          if (share) {
            if (share.members.size > 0) return { groupId, errorCode: ErrorCode.NON_EMPTY_GROUP };
            groups.deleteShareGroup(share);
            return { groupId, errorCode: ErrorCode.NONE };
          }
          const streams = groups.streams.groups.get(groupId);
          if (streams) {
            if (streams.members.size > 0) return { groupId, errorCode: ErrorCode.NON_EMPTY_GROUP };
            groups.streams.delete(groupId);
            return { groupId, errorCode: ErrorCode.NONE };
          }
          const consumer = groups.consumerGroups.get(groupId);
          if (consumer) {
            if (consumer.members.size > 0) return { groupId, errorCode: ErrorCode.NON_EMPTY_GROUP };
            consumer.close();
            consumer.dead = true;
            groups.consumerGroups.delete(groupId);
            return { groupId, errorCode: ErrorCode.NONE };
          }
          const g = groups.group(groupId);
          if (!g || g.state === "Dead") return { groupId, errorCode: ErrorCode.GROUP_ID_NOT_FOUND };
          if (g.members.size > 0) return { groupId, errorCode: ErrorCode.NON_EMPTY_GROUP };
          g.close();
          g.state = "Dead";
          groups.groups.delete(groupId);
          return { groupId, errorCode: ErrorCode.NONE };
        }),
        ...refused,
      ],
    };
  },
});
