/**
 * CreateAcls (key 30): adds ACLs, each answered on its own. Needs ALTER on the cluster; a broker
 * without an authorizer answers SECURITY_DISABLED. An ACL already present is not an error.
 *
 * @module
 */

import {
  type AclBinding,
  AclOperation,
  AclResourceType,
  ApiKey,
  CLUSTER_RESOURCE_NAME,
  ErrorCode,
  knownAclCodes,
} from "../../codec/mod.ts";
import { defineHandler } from "../server/handler.ts";
import { canOnCluster, CLUSTER_REFUSED } from "../security/access.ts";
import { bindingFromCreation, holdsFilterValue } from "../security/acl_wire.ts";

/**
 * Kafka's checks on a new ACL, in its order; the message of the first that fails. (Its other checks
 * concern values that never get this far: UNKNOWN codes close the connection, ANY or MATCH fail all.)
 */
function problem(acl: AclBinding): string | undefined {
  if (acl.resourceType === AclResourceType.CLUSTER && acl.resourceName !== CLUSTER_RESOURCE_NAME) {
    return `The only valid name for the CLUSTER resource is ${CLUSTER_RESOURCE_NAME}`;
  }
  if (acl.resourceName === "") return "Invalid empty resource name";
  // Kafka parses the principal as TYPE:NAME, splitting at the first colon; any type, any name.
  if (!acl.principal.includes(":")) {
    return `Could not parse principal from \`${acl.principal}\` ` +
      "(no colon is present separating the principal type from the principal name)";
  }
  return undefined;
}

export default defineHandler({
  apiKey: ApiKey.CreateAcls,
  minVersion: 1,
  maxVersion: 3,
  handle(request, ctx) {
    const creations = request.creations;
    const known = creations.every((c) =>
      knownAclCodes({
        resourceType: c.resourceType,
        patternType: c.resourcePatternType,
        operation: c.operation,
        permission: c.permissionType,
      })
    );
    // Kafka cannot parse a creation with an UNKNOWN code, and closes the connection.
    if (!known) return "close";
    const all = (errorCode: number, errorMessage: string | null) => ({
      results: creations.map(() => ({ errorCode, errorMessage })),
    });
    if (!canOnCluster(ctx, AclOperation.ALTER)) {
      return all(ErrorCode.CLUSTER_AUTHORIZATION_FAILED, CLUSTER_REFUSED);
    }
    const authorizer = ctx.authorizer;
    if (authorizer === undefined) {
      return all(ErrorCode.SECURITY_DISABLED, "No Authorizer is configured.");
    }
    const acls = creations.map(bindingFromCreation);
    // Kafka cannot even build an ACL with a filter-only value: the whole request fails, unexplained.
    if (acls.some(holdsFilterValue)) return all(ErrorCode.UNKNOWN_SERVER_ERROR, null);
    const results = acls.map((acl) => {
      const message = problem(acl);
      if (message !== undefined) {
        return { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: message };
      }
      authorizer.add([acl]);
      // Kafka sets no message on success, so the field keeps its default, "".
      return { errorCode: ErrorCode.NONE, errorMessage: "" };
    });
    return { results };
  },
});
