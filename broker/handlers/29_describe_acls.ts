/**
 * DescribeAcls (key 29): the ACLs a filter selects, grouped by resource pattern. Needs DESCRIBE on
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
  apiKey: ApiKey.DescribeAcls,
  minVersion: 1,
  maxVersion: 3,
  handle(request, ctx) {
    const filter = aclFilterFromFields(request);
    // Kafka cannot parse a filter with an UNKNOWN code, and closes the connection.
    if (filter === undefined) return "close";
    const failed = (errorCode: number, errorMessage: string) => ({
      errorCode,
      errorMessage,
      resources: [],
    });
    if (!canOnCluster(ctx, AclOperation.DESCRIBE)) {
      return failed(ErrorCode.CLUSTER_AUTHORIZATION_FAILED, CLUSTER_REFUSED);
    }
    const authorizer = ctx.authorizer;
    if (authorizer === undefined) {
      return failed(ErrorCode.SECURITY_DISABLED, "No Authorizer is configured on the broker");
    }
    const byPattern = new Map<string, ReturnType<typeof aclBindingToFields>[]>();
    for (const acl of authorizer.list(filter)) {
      const key = `${acl.resourceType}\u0000${acl.patternType}\u0000${acl.resourceName}`;
      const list = byPattern.get(key) ?? [];
      list.push(aclBindingToFields(acl));
      byPattern.set(key, list);
    }
    return {
      errorCode: ErrorCode.NONE,
      // Kafka sets no message on success, so the field keeps its default, "".
      errorMessage: "",
      resources: [...byPattern.values()].map((acls) => ({
        resourceType: acls[0].resourceType,
        resourceName: acls[0].resourceName,
        patternType: acls[0].patternType,
        acls: acls.map((a) => ({
          principal: a.principal,
          host: a.host,
          operation: a.operation,
          permissionType: a.permissionType,
        })),
      })),
    };
  },
});
