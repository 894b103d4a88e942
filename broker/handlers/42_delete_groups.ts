/**
 * DeleteGroups (key 42): deletes groups that have no members (NON_EMPTY_GROUP otherwise).
 *
 * @module
 */

import { ApiKey, ErrorCode } from "../../codec/mod.ts";
import { defineHandler } from "../handler.ts";

export default defineHandler({
  apiKey: ApiKey.DeleteGroups,
  minVersion: 0,
  maxVersion: 2,
  handle(request, ctx) {
    const groups = ctx.cluster.groups;
    return {
      throttleTimeMs: 0,
      results: request.groupsNames.map((groupId) => {
        const check = groups.check(groupId, ctx);
        if (check !== ErrorCode.NONE) return { groupId, errorCode: check };
        const g = groups.group(groupId);
        if (!g || g.state === "Dead") return { groupId, errorCode: ErrorCode.GROUP_ID_NOT_FOUND };
        if (g.members.size > 0) return { groupId, errorCode: ErrorCode.NON_EMPTY_GROUP };
        g.close();
        g.state = "Dead";
        groups.groups.delete(groupId);
        return { groupId, errorCode: ErrorCode.NONE };
      }),
    };
  },
});
