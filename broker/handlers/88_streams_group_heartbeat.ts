/**
 * StreamsGroupHeartbeat (key 88): joins, heartbeats and leaves of streams groups (KIP-1071).
 * Refused with UNSUPPORTED_VERSION unless the streams.version feature is finalized at 1, as Kafka
 * refuses it.
 *
 * @module
 */

import { AclOperation, AclResourceType, ApiKey, ErrorCode } from "../../codec/mod.ts";
import { defineHandler } from "../server/handler.ts";
import { NOT_COORDINATOR_MESSAGE } from "../groups/consumer_heartbeat.ts";
import { invalidStreamsHeartbeat, streamsRefusal } from "../streams/coordinator.ts";
import { can } from "../security/access.ts";

export default defineHandler({
  apiKey: ApiKey.StreamsGroupHeartbeat,
  minVersion: 0,
  maxVersion: 1,
  handle(request, ctx) {
    const refuse = (errorCode: number, errorMessage: string | null = null) => ({
      ...streamsRefusal(errorCode, errorMessage),
    });
    if (ctx.features.level("streams.version") < 1) return refuse(ErrorCode.UNSUPPORTED_VERSION);
    if (!can(ctx, AclOperation.READ, AclResourceType.GROUP, request.groupId)) {
      return refuse(ErrorCode.GROUP_AUTHORIZATION_FAILED);
    }
    if (request.topology) {
      const topics = new Set(request.topology.subtopologies.flatMap((s) => [
        ...s.sourceTopics,
        ...s.repartitionSinkTopics,
        ...s.repartitionSourceTopics.map((t) => t.name),
        ...s.stateChangelogTopics.map((t) => t.name),
      ]));
      const refused = [...topics].filter((t) =>
        !can(ctx, AclOperation.DESCRIBE, AclResourceType.TOPIC, t)
      );
      if (refused.length > 0) {
        return refuse(
          ErrorCode.TOPIC_AUTHORIZATION_FAILED,
          `Unauthorized topics ${refused.sort().join(", ")}`,
        );
      }
    }
    const invalid = invalidStreamsHeartbeat(request);
    if (invalid) return refuse(ErrorCode.INVALID_REQUEST, invalid);
    const groups = ctx.groups;
    if (groups.coordinatorFor(request.groupId) !== ctx.node.nodeId) {
      return refuse(ErrorCode.NOT_COORDINATOR, NOT_COORDINATOR_MESSAGE);
    }
    const id = request.groupId;
    if (groups.groups.has(id) || groups.consumerGroups.has(id) || groups.shareGroups.has(id)) {
      return refuse(ErrorCode.GROUP_ID_NOT_FOUND, `Group ${id} is not a streams group.`);
    }
    const answer = groups.streams.heartbeat(request, {
      clientId: ctx.header.clientId ?? "",
      clientHost: `/${ctx.connection.remoteAddress}`,
    });
    // Version 0 carries the recovery lag in its legacy int32 field, version 1 in the int64 one.
    if (ctx.apiVersion >= 1) answer.acceptableRecoveryLagLegacy = 0;
    return { ...answer };
  },
});
