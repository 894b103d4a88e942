/**
 * The checks handlers make before they act, as Kafka's request handlers make them: without an
 * authorizer everything is allowed, as on a Kafka broker with no `authorizer.class.name`.
 *
 * @module
 */

import { AclOperation, AclResourceType, CLUSTER_RESOURCE_NAME } from "../../codec/acl.ts";
import { ErrorCode, errorInfo } from "../../codec/errors.ts";
import type { RequestContext } from "../server/handler.ts";
import { allOperations } from "./authorizer.ts";

/**
 * The message of a refused cluster operation. Kafka's names the request in its own internal form,
 * which no client can rely on; Brook answers the error's default message instead.
 */
export const CLUSTER_REFUSED = errorInfo(ErrorCode.CLUSTER_AUTHORIZATION_FAILED).message;

/** Whether the request's principal may perform `operation` on the resource `type`/`name`. */
export function can(
  ctx: RequestContext,
  operation: AclOperation,
  type: AclResourceType,
  name: string,
): boolean {
  const authorizer = ctx.authorizer;
  return authorizer === undefined ||
    authorizer.authorize(ctx.connection, { operation, resourceType: type, name });
}

/** Whether the request's principal may perform `operation` on the cluster. */
export function canOnCluster(ctx: RequestContext, operation: AclOperation): boolean {
  return can(ctx, operation, AclResourceType.CLUSTER, CLUSTER_RESOURCE_NAME);
}

/** Whether the request's principal may perform `operation` on some resource of `type`. */
export function canOnAny(
  ctx: RequestContext,
  operation: AclOperation,
  type: AclResourceType,
): boolean {
  const authorizer = ctx.authorizer;
  return authorizer === undefined ||
    authorizer.authorizeByResourceType(ctx.connection, operation, type);
}

/** The operations the request's principal may perform on a resource, as a bit field. */
export function authorizedOperations(
  ctx: RequestContext,
  type: AclResourceType,
  name: string,
): number {
  const authorizer = ctx.authorizer;
  return authorizer === undefined
    ? allOperations(type)
    : authorizer.authorizedOperations(ctx.connection, type, name);
}

/**
 * Kafka's treatment of the topics an offset commit may not READ (OffsetCommit, TxnOffsetCommit):
 * they are answered first with `refuse`; `answer` handles the others, and is not called when none
 * is left.
 */
export function unreadableTopicsFirst<T extends { name: string }, A>(
  ctx: RequestContext,
  topics: T[],
  answer: (allowed: T[]) => A[],
  refuse: (topic: T) => A,
): A[] {
  const readable = (t: T) => can(ctx, AclOperation.READ, AclResourceType.TOPIC, t.name);
  const refused = topics.filter((t) => !readable(t));
  if (refused.length === 0) return answer(topics);
  const allowed = topics.filter(readable);
  return [...refused.map(refuse), ...(allowed.length > 0 ? answer(allowed) : [])];
}

/** Whether any check can fail: handlers skip per-resource work on an unsecured broker. */
export function secured(ctx: RequestContext): boolean {
  return ctx.authorizer !== undefined;
}

/** The cluster's authorized operations, as Kafka reports them: none without DESCRIBE on the cluster. */
export function clusterOperations(ctx: RequestContext): number {
  return canOnCluster(ctx, AclOperation.DESCRIBE)
    ? authorizedOperations(ctx, AclResourceType.CLUSTER, CLUSTER_RESOURCE_NAME)
    : 0;
}

const CONFIG_TOPIC = 2;
const CONFIG_BROKER = 4;
const CONFIG_BROKER_LOGGER = 8;
const CONFIG_CLIENT_METRICS = 16;
const CONFIG_GROUP = 32;

/**
 * Kafka's check on a config resource (DESCRIBE_CONFIGS or ALTER_CONFIGS on the topic, or on the
 * cluster for broker-wide resources) and the error it answers when refused, with Kafka's message.
 */
export function configRefusal(
  ctx: RequestContext,
  operation: AclOperation,
  resource: { resourceType: number; resourceName: string },
): { errorCode: number; errorMessage: string } | undefined {
  switch (resource.resourceType) {
    case CONFIG_TOPIC:
      return can(ctx, operation, AclResourceType.TOPIC, resource.resourceName) ? undefined : {
        errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED,
        errorMessage: errorInfo(ErrorCode.TOPIC_AUTHORIZATION_FAILED).message,
      };
    case CONFIG_GROUP:
      return can(ctx, operation, AclResourceType.GROUP, resource.resourceName) ? undefined : {
        errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED,
        errorMessage: errorInfo(ErrorCode.GROUP_AUTHORIZATION_FAILED).message,
      };
    case CONFIG_BROKER:
    case CONFIG_BROKER_LOGGER:
    case CONFIG_CLIENT_METRICS:
      return canOnCluster(ctx, operation) ? undefined : {
        errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
        errorMessage: CLUSTER_REFUSED,
      };
    default:
      return undefined;
  }
}
