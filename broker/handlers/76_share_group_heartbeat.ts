/**
 * ShareGroupHeartbeat (key 76): joins, heartbeats and leaves of share groups (KIP-932). Refused with
 * UNSUPPORTED_VERSION until the share.version feature is finalized at 1, as Kafka 4.1 refuses it.
 *
 * @module
 */

import { AclOperation, AclResourceType, ApiKey, ErrorCode } from "../../codec/mod.ts";
import { defineHandler } from "../server/handler.ts";
import { heartbeatRefusal, NOT_COORDINATOR_MESSAGE } from "../groups/consumer_heartbeat.ts";
import { invalidShareHeartbeat } from "../share/share_heartbeat.ts";
import { can } from "../security/access.ts";

export default defineHandler({
  apiKey: ApiKey.ShareGroupHeartbeat,
  minVersion: 1,
  maxVersion: 1,
  handle(request, ctx) {
    const refuse = (errorCode: number, errorMessage: string | null = null) => ({
      ...heartbeatRefusal(errorCode, errorMessage),
    });
    if (ctx.features.level("share.version") < 1) return refuse(ErrorCode.UNSUPPORTED_VERSION);
    if (!can(ctx, AclOperation.READ, AclResourceType.GROUP, request.groupId)) {
      return refuse(ErrorCode.GROUP_AUTHORIZATION_FAILED);
    }
    const names = request.subscribedTopicNames ?? [];
    if (names.some((t) => !can(ctx, AclOperation.DESCRIBE, AclResourceType.TOPIC, t))) {
      return refuse(ErrorCode.TOPIC_AUTHORIZATION_FAILED);
    }
    const invalid = invalidShareHeartbeat(request);
    if (invalid) return refuse(ErrorCode.INVALID_REQUEST, invalid);
    if (ctx.groups.coordinatorFor(request.groupId) !== ctx.node.nodeId) {
      return refuse(ErrorCode.NOT_COORDINATOR, NOT_COORDINATOR_MESSAGE);
    }
    return {
      ...ctx.groups.shareHeartbeat(request, {
        clientId: ctx.header.clientId ?? "",
        clientHost: `/${ctx.connection.remoteAddress}`,
      }),
    };
  },
});
