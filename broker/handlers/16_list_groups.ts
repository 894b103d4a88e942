/**
 * ListGroups (key 16): the classic, consumer, share and streams groups this node coordinates, filtered by state
 * (v4+) and type (v5+).
 *
 * @module
 */

import { AclOperation, AclResourceType, ApiKey, ErrorCode } from "../../codec/mod.ts";
import { defineHandler } from "../server/handler.ts";
import { can, canOnCluster } from "../security/access.ts";

export default defineHandler({
  apiKey: ApiKey.ListGroups,
  minVersion: 0,
  maxVersion: 5,
  handle(request, ctx) {
    const groups = ctx.groups;
    const states = ctx.apiVersion >= 4 ? request.statesFilter.map((s) => s.toLowerCase()) : [];
    const types = ctx.apiVersion >= 5 ? request.typesFilter.map((s) => s.toLowerCase()) : [];
    // As Kafka: DESCRIBE on the cluster lists every group, else only the groups it may describe.
    const everyGroup = canOnCluster(ctx, AclOperation.DESCRIBE);
    const all = [
      ...[...groups.groups.values()].filter((g) => g.state !== "Dead").map((g) => ({
        groupId: g.groupId,
        state: g.state,
        type: "classic",
        protocolType: g.protocolType ?? "",
      })),
      ...[...groups.consumerGroups.values()].map((g) => ({
        groupId: g.groupId,
        state: g.state,
        type: "consumer",
        protocolType: "consumer",
      })),
      ...[...groups.shareGroups.values()].map((g) => ({
        groupId: g.groupId,
        state: g.state,
        type: "share",
        protocolType: "share",
      })),
      ...[...groups.streams.groups.values()].map((g) => ({
        groupId: g.groupId,
        state: g.state,
        type: "streams",
        protocolType: "streams",
      })),
    ];
    const listed = [];
    for (const g of all) {
      if (groups.coordinatorFor(g.groupId) !== ctx.node.nodeId) continue;
      if (states.length > 0 && !states.includes(g.state.toLowerCase())) continue;
      if (types.length > 0 && !types.includes(g.type)) continue;
      if (!everyGroup && !can(ctx, AclOperation.DESCRIBE, AclResourceType.GROUP, g.groupId)) {
        continue;
      }
      listed.push({
        groupId: g.groupId,
        protocolType: g.protocolType,
        groupState: ctx.apiVersion >= 4 ? g.state : "",
        groupType: ctx.apiVersion >= 5 ? g.type : "",
      });
    }
    return { errorCode: ErrorCode.NONE, groups: listed };
  },
});
