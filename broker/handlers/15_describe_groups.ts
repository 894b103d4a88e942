/**
 * DescribeGroups (key 15): state, protocol and members of classic groups.
 *
 * @module
 */

import { AclOperation, AclResourceType, ApiKey, ErrorCode } from "../../codec/mod.ts";
import { defineHandler } from "../server/handler.ts";
import { authorizedOperations, can } from "../security/access.ts";

export default defineHandler({
  apiKey: ApiKey.DescribeGroups,
  minVersion: 0,
  maxVersion: 6,
  handle(request, ctx) {
    const groups = ctx.groups;
    // As Kafka: groups without DESCRIBE come first, with GROUP_AUTHORIZATION_FAILED.
    const describable = (groupId: string) =>
      can(ctx, AclOperation.DESCRIBE, AclResourceType.GROUP, groupId);
    const refused = request.groups.filter((g) => !describable(g)).map((groupId) => ({
      groupId,
      authorizedOperations: -2147483648,
      errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED,
      groupState: "",
      protocolType: "",
      protocolData: "",
      members: [],
    }));
    const withOperations = ctx.apiVersion >= 3 && request.includeAuthorizedOperations;
    return {
      groups: [
        ...refused,
        ...request.groups.filter(describable).map((groupId) => {
          const check = groups.check(groupId, ctx);
          const g = groups.group(groupId);
          const base = { groupId, authorizedOperations: -2147483648 };
          if (withOperations && check === ErrorCode.NONE) {
            base.authorizedOperations = authorizedOperations(ctx, AclResourceType.GROUP, groupId);
          }
          if (check !== ErrorCode.NONE) {
            return {
              ...base,
              errorCode: check,
              groupState: "",
              protocolType: "",
              protocolData: "",
              members: [],
            };
          }
          if (groups.consumerGroups.has(groupId) || groups.streams.groups.has(groupId)) {
            // Kafka describes consumer groups (KIP-848) only with ConsumerGroupDescribe, streams
            // groups with StreamsGroupDescribe.
            return {
              ...base,
              errorCode: ctx.apiVersion >= 6 ? ErrorCode.GROUP_ID_NOT_FOUND : ErrorCode.NONE,
              errorMessage: ctx.apiVersion >= 6 ? `Group ${groupId} is not a classic group.` : null,
              groupState: "Dead",
              protocolType: "",
              protocolData: "",
              members: [],
            };
          }
          if (!g) {
            // Version 6 (KIP-1043) says the group is not found; older versions only call it Dead.
            return {
              ...base,
              errorCode: ctx.apiVersion >= 6 ? ErrorCode.GROUP_ID_NOT_FOUND : ErrorCode.NONE,
              errorMessage: ctx.apiVersion >= 6 ? `Group ${groupId} not found.` : null,
              groupState: "Dead",
              protocolType: "",
              protocolData: "",
              members: [],
            };
          }
          const stable = g.state === "Stable";
          return {
            ...base,
            errorCode: ErrorCode.NONE,
            groupState: g.state,
            protocolType: g.protocolType ?? "",
            protocolData: stable ? g.protocolName ?? "" : "",
            members: [...g.members.values()].map((m) => ({
              memberId: m.memberId,
              groupInstanceId: ctx.apiVersion >= 4 ? m.groupInstanceId : null,
              clientId: m.clientId,
              clientHost: m.clientHost,
              memberMetadata: stable
                ? m.protocols.find((p) => p.name === g.protocolName)?.metadata ?? new Uint8Array(0)
                : new Uint8Array(0),
              memberAssignment: stable ? m.assignment : new Uint8Array(0),
            })),
          };
        }),
      ],
    };
  },
});
