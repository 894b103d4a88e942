/**
 * AlterShareGroupOffsets (key 91), as Kafka 4.1.1 answers it: the broker checks each topic (READ
 * on it, and that it exists) and answers those it refuses, but it passes the others on to the group
 * coordinator in a list they cannot join (a request's topic entries belong to the request's own
 * collection), so the coordinator sees no topics and changes nothing. No start offset moves, and
 * the accepted topics are not answered at all.
 *
 * @module
 */

import {
  AclOperation,
  AclResourceType,
  ApiKey,
  ErrorCode,
  errorInfo,
} from "../../codec/mod.ts";
import { ZERO_UUID } from "../../codec/protocol/uuid.ts";
import { defineHandler } from "../server/handler.ts";
import { can } from "../security/access.ts";

export default defineHandler({
  apiKey: ApiKey.AlterShareGroupOffsets,
  minVersion: 0,
  maxVersion: 0,
  handle(request, ctx) {
    const top = (errorCode: number) => ({
      throttleTimeMs: 0,
      errorCode,
      errorMessage: errorInfo(errorCode).message,
      responses: [],
    });
    if (ctx.features.level("share.version") < 1) {
      return top(ErrorCode.UNSUPPORTED_VERSION);
    }
    if (!can(ctx, AclOperation.READ, AclResourceType.GROUP, request.groupId)) {
      return top(ErrorCode.GROUP_AUTHORIZATION_FAILED);
    }
    const responses = request.topics.flatMap((t) => {
      const refused = !can(
        ctx,
        AclOperation.READ,
        AclResourceType.TOPIC,
        t.topicName,
      );
      const topic = ctx.topics.byName.get(t.topicName);
      if (!refused && topic) return [];
      const errorCode = refused
        ? ErrorCode.TOPIC_AUTHORIZATION_FAILED
        : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
      return [{
        topicName: t.topicName,
        topicId: topic?.id ?? ZERO_UUID,
        partitions: t.partitions.map((p) => ({
          partitionIndex: p.partitionIndex,
          errorCode,
          errorMessage: errorInfo(errorCode).message,
        })),
      }];
    });
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      responses,
    };
  },
});
