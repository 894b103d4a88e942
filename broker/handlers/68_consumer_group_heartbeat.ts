/**
 * ConsumerGroupHeartbeat (key 68): joins, heartbeats and leaves of the consumer rebalance protocol
 * (KIP-848). Refused with UNSUPPORTED_VERSION when `group.coordinator.rebalance.protocols` leaves
 * out "consumer", as Kafka refuses it.
 *
 * @module
 */

import { AclOperation, AclResourceType, ApiKey, ErrorCode } from "../../codec/mod.ts";
import { defineHandler } from "../server/handler.ts";
import {
  heartbeatRefusal,
  invalidHeartbeat,
  NOT_COORDINATOR_MESSAGE,
} from "../groups/consumer_heartbeat.ts";
import { can } from "../security/access.ts";

export default defineHandler({
  apiKey: ApiKey.ConsumerGroupHeartbeat,
  minVersion: 0,
  maxVersion: 1,
  handle(request, ctx) {
    const configs = ctx.configs;
    const refuse = (errorCode: number, errorMessage: string | null = null) => ({
      ...heartbeatRefusal(errorCode, errorMessage),
    });
    if (
      !configs.staticList("group.coordinator.rebalance.protocols").includes("consumer") ||
      ctx.features.level("group.version") < 1
    ) {
      return refuse(ErrorCode.UNSUPPORTED_VERSION);
    }
    if (!can(ctx, AclOperation.READ, AclResourceType.GROUP, request.groupId)) {
      return refuse(ErrorCode.GROUP_AUTHORIZATION_FAILED);
    }
    const names = request.subscribedTopicNames ?? [];
    if (names.some((t) => !can(ctx, AclOperation.DESCRIBE, AclResourceType.TOPIC, t))) {
      return refuse(ErrorCode.TOPIC_AUTHORIZATION_FAILED);
    }
    const invalid = invalidHeartbeat(
      request,
      ctx.apiVersion,
      configs.staticList("group.consumer.assignors"),
    );
    if (invalid) return refuse(invalid.errorCode, invalid.errorMessage);
    if (ctx.groups.coordinatorFor(request.groupId) !== ctx.node.nodeId) {
      return refuse(ErrorCode.NOT_COORDINATOR, NOT_COORDINATOR_MESSAGE);
    }
    if (ctx.groups.streams.groups.has(request.groupId)) {
      return refuse(
        ErrorCode.GROUP_ID_NOT_FOUND,
        `Group ${request.groupId} is not a consumer group.`,
      );
    }
    return {
      ...ctx.groups.heartbeat(request, {
        apiVersion: ctx.apiVersion,
        clientId: ctx.header.clientId ?? "",
        clientHost: `/${ctx.connection.remoteAddress}`,
      }),
    };
  },
});
