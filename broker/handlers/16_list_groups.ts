/**
 * ListGroups (key 16): the groups this node coordinates, filtered by state (v4+) and type (v5+).
 *
 * @module
 */

import { ApiKey, ErrorCode } from "../../codec/mod.ts";
import { defineHandler } from "../handler.ts";

export default defineHandler({
  apiKey: ApiKey.ListGroups,
  minVersion: 0,
  maxVersion: 5,
  handle(request, ctx) {
    const groups = ctx.cluster.groups;
    const states = ctx.apiVersion >= 4 ? request.statesFilter.map((s) => s.toLowerCase()) : [];
    const types = ctx.apiVersion >= 5 ? request.typesFilter.map((s) => s.toLowerCase()) : [];
    const listed = [];
    for (const g of groups.groups.values()) {
      if (g.state === "Dead" || groups.coordinatorFor(g.groupId) !== ctx.node.nodeId) continue;
      if (states.length > 0 && !states.includes(g.state.toLowerCase())) continue;
      if (types.length > 0 && !types.includes("classic")) continue;
      listed.push({
        groupId: g.groupId,
        protocolType: g.protocolType ?? "",
        groupState: ctx.apiVersion >= 4 ? g.state : "",
        groupType: ctx.apiVersion >= 5 ? "classic" : "",
      });
    }
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, groups: listed };
  },
});
