/**
 * ACL bindings and filters as the ACL requests carry them, with the checks Kafka makes while
 * parsing those requests: a code Kafka does not know (UNKNOWN) makes the request unreadable.
 *
 * @module
 */

import {
  type AclBinding,
  type AclBindingFilter,
  AclOperation,
  AclPatternType,
  AclPermission,
  AclResourceType,
} from "../../codec/acl.ts";

/** The ACL fields of DescribeAcls, DeleteAcls filters and their answers. */
export interface WireAclFilter {
  resourceTypeFilter: number;
  resourceNameFilter: string | null;
  patternTypeFilter: number;
  principalFilter: string | null;
  hostFilter: string | null;
  operation: number;
  permissionType: number;
}

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

/** The fields a response lists for one ACL (DescribeAcls groups the first three). */
export interface WireAcl {
  resourceType: number;
  resourceName: string;
  patternType: number;
  principal: string;
  host: string;
  operation: number;
  permissionType: number;
}

const known = (values: Record<string, number>, code: number) =>
  code !== 0 && Object.values(values).includes(code);

/** Whether every code is one Kafka knows, other than UNKNOWN (which Kafka refuses at parse time). */
export function knownCodes(
  resourceType: number,
  patternType: number,
  operation: number,
  permission: number,
): boolean {
  return known(AclResourceType, resourceType) && known(AclPatternType, patternType) &&
    known(AclOperation, operation) && known(AclPermission, permission);
}

/** A request's filter as an AclBindingFilter, or undefined when it holds an unknown code. */
export function filterFromWire(f: WireAclFilter): AclBindingFilter | undefined {
  if (!knownCodes(f.resourceTypeFilter, f.patternTypeFilter, f.operation, f.permissionType)) {
    return undefined;
  }
  return {
    resourceType: f.resourceTypeFilter as AclResourceType,
    resourceName: f.resourceNameFilter,
    patternType: f.patternTypeFilter as AclPatternType,
    principal: f.principalFilter,
    host: f.hostFilter,
    operation: f.operation as AclOperation,
    permission: f.permissionType as AclPermission,
  };
}

/** A creation as an AclBinding; its codes must have passed `knownCodes`. */
export function bindingFromWire(c: WireAclCreation): AclBinding {
  return {
    resourceType: c.resourceType as AclResourceType,
    resourceName: c.resourceName,
    patternType: c.resourcePatternType as AclPatternType,
    principal: c.principal,
    host: c.host,
    operation: c.operation as AclOperation,
    permission: c.permissionType as AclPermission,
  };
}

/** An ACL as a response lists it. */
export function bindingToWire(b: AclBinding): WireAcl {
  return {
    resourceType: b.resourceType,
    resourceName: b.resourceName,
    patternType: b.patternType,
    principal: b.principal,
    host: b.host,
    operation: b.operation,
    permissionType: b.permission,
  };
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
