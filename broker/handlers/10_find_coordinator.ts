/**
 * FindCoordinator (key 10): the node coordinating a group (key type 0) or a transactional id (key
 * type 1); other key types (share groups) get INVALID_REQUEST. Versions 4+ take a batch of keys.
 *
 * @module
 */

import { AclOperation, AclResourceType, ApiKey, ErrorCode, errorInfo } from "../../codec/mod.ts";
import { endpointOf } from "../metadata/cluster.ts";
import { defineHandler } from "../server/handler.ts";
import { can } from "../security/access.ts";

export default defineHandler({
  apiKey: ApiKey.FindCoordinator,
  minVersion: 0,
  maxVersion: 6,
  handle(request, ctx) {
    const { apiVersion } = ctx;
    // Kafka sets no message on batched (v4+) lookups, so they carry the field's default, "".
    const errorMessage = apiVersion >= 4 ? "" : null;
    const lookUp = (key: string) => {
      const refused = request.keyType === 0
        ? !can(ctx, AclOperation.DESCRIBE, AclResourceType.GROUP, key) &&
          ErrorCode.GROUP_AUTHORIZATION_FAILED
        : request.keyType === 1 &&
          !can(ctx, AclOperation.DESCRIBE, AclResourceType.TRANSACTIONAL_ID, key) &&
          ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED;
      if (refused) {
        return { key, nodeId: -1, host: "", port: -1, errorCode: refused, errorMessage };
      }
      if (request.keyType !== 0 && request.keyType !== 1) {
        return {
          key,
          nodeId: -1,
          host: "",
          port: -1,
          errorCode: ErrorCode.INVALID_REQUEST,
          errorMessage,
        };
      }
      const node = ctx.metadata.node(
        request.keyType === 1
          ? ctx.transactions.coordinatorFor(key)
          : ctx.groups.coordinatorFor(key),
      );
      if (!node) {
        return {
          key,
          nodeId: -1,
          host: "",
          port: -1,
          errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE,
          errorMessage,
        };
      }
      return {
        key,
        nodeId: node.nodeId,
        ...endpointOf(node, ctx.connection.listenerName),
        errorCode: ErrorCode.NONE,
        errorMessage,
      };
    };
    if (apiVersion >= 4) {
      return { coordinators: request.coordinatorKeys.map(lookUp) };
    }
    const c = lookUp(request.key);
    return {
      errorCode: c.errorCode,
      // An old (v0-3) answer carries Kafka's default message.
      errorMessage: errorInfo(c.errorCode).message,
      nodeId: c.nodeId,
      host: c.host,
      port: c.port,
    };
  },
});
