/**
 * DeleteAcls (key 31): removes the ACLs each filter selects and lists them per filter. Needs ALTER on
 * the cluster; a broker without an authorizer answers SECURITY_DISABLED.
 *
 * @module
 */

import {
  aclBindingToFields,
  aclFilterFromFields,
  AclOperation,
  ApiKey,
  ErrorCode,
} from "../../codec/mod.ts";
import { defineHandler } from "../server/handler.ts";
import { canOnCluster, CLUSTER_REFUSED } from "../security/access.ts";

export default defineHandler({
  apiKey: ApiKey.DeleteAcls,
  minVersion: 1,
  maxVersion: 3,
  handle(request, ctx) {
    const filters = request.filters.map(aclFilterFromFields);
    // Kafka cannot parse a filter with an UNKNOWN code, and closes the connection.
    if (filters.some((f) => f === undefined)) return "close";
    const all = (errorCode: number, errorMessage: string) => ({
      filterResults: filters.map(() => ({ errorCode, errorMessage, matchingAcls: [] })),
    });
    if (!canOnCluster(ctx, AclOperation.ALTER)) {
      return all(ErrorCode.CLUSTER_AUTHORIZATION_FAILED, CLUSTER_REFUSED);
    }
    const authorizer = ctx.authorizer;
    if (authorizer === undefined) {
      return all(ErrorCode.SECURITY_DISABLED, "No Authorizer is configured.");
    }
    // Each filter is matched against the ACLs as they were before the request, as Kafka's controller
    // matches them: an ACL two filters select is listed under both.
    const matched = filters.map((f) => authorizer.list(f!));
    for (const f of filters) authorizer.remove(f!);
    return {
      filterResults: matched.map((acls) => ({
        errorCode: ErrorCode.NONE,
        errorMessage: null,
        matchingAcls: acls.map((acl) => ({
          errorCode: ErrorCode.NONE,
          errorMessage: null,
          ...aclBindingToFields(acl),
        })),
      })),
    };
  },
});
