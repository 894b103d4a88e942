/**
 * The checks handlers make before they act, as Kafka's request handlers make them: without an
 * authorizer everything is allowed, as on a Kafka broker with no `authorizer.class.name`.
 *
 * @module
 */

import { AclOperation, AclResourceType, CLUSTER_RESOURCE_NAME } from "../../codec/acl.ts";
import type { RequestContext } from "../handler.ts";
import { allOperations } from "./authorizer.ts";

/** Whether the request's principal may perform `operation` on the resource `type`/`name`. */
export function can(
  ctx: RequestContext,
  operation: AclOperation,
  type: AclResourceType,
  name: string,
): boolean {
  const authorizer = ctx.cluster.authorizer;
  return authorizer === undefined || authorizer.authorize(ctx.connection, operation, type, name);
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
  const authorizer = ctx.cluster.authorizer;
  return authorizer === undefined ||
    authorizer.authorizeByResourceType(ctx.connection, operation, type);
}

/** The operations the request's principal may perform on a resource, as a bit field. */
export function authorizedOperations(
  ctx: RequestContext,
  type: AclResourceType,
  name: string,
): number {
  const authorizer = ctx.cluster.authorizer;
  return authorizer === undefined
    ? allOperations(type)
    : authorizer.authorizedOperations(ctx.connection, type, name);
}

/** Whether any check can fail: handlers skip per-resource work on an unsecured broker. */
export function secured(ctx: RequestContext): boolean {
  return ctx.cluster.authorizer !== undefined;
}

/** The cluster's authorized operations, as Kafka reports them: none without DESCRIBE on the cluster. */
export function clusterOperations(ctx: RequestContext): number {
  return canOnCluster(ctx, AclOperation.DESCRIBE)
    ? authorizedOperations(ctx, AclResourceType.CLUSTER, CLUSTER_RESOURCE_NAME)
    : 0;
}
