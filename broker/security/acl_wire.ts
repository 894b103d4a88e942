/**
 * CreateAcls creations as the broker reads them, with the checks Kafka makes while parsing them.
 * (Filters and listed ACLs convert with the codec's `aclFilterFromFields` and `aclBindingToFields`.)
 *
 * @module
 */

import {
  type AclBinding,
  AclOperation,
  AclPatternType,
  AclPermission,
  AclResourceType,
} from "../../codec/acl.ts";
import { aclBindingFromFields } from "../../codec/acl_fields.ts";

/** The ACL fields of a CreateAcls creation. */
export interface WireAclCreation {
  resourceType: number;
  resourceName: string;
  resourcePatternType: number;
  principal: string;
  host: string;
  operation: number;
  permissionType: number;
}

/** A creation as an AclBinding; its codes must have passed the codec's `knownAclCodes`. */
export function bindingFromCreation(c: WireAclCreation): AclBinding {
  return aclBindingFromFields({ ...c, patternType: c.resourcePatternType });
}

/**
 * Whether a binding holds a value that only a filter may hold (ANY, MATCH): Kafka cannot build such
 * an ACL and fails the whole CreateAcls request.
 */
export function holdsFilterValue(b: AclBinding): boolean {
  return b.resourceType === AclResourceType.ANY || b.patternType === AclPatternType.ANY ||
    b.patternType === AclPatternType.MATCH || b.operation === AclOperation.ANY ||
    b.permission === AclPermission.ANY;
}
