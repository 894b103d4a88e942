/**
 * ACL bindings and filters in the field names the ACL requests and responses use, both ways, so
 * that the client and the broker convert them alike.
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
} from "./acl.ts";

/** A filter as DescribeAcls requests and DeleteAcls filters carry it. */
export interface AclFilterFields {
  /** The resource type code (AclResourceType). */
  resourceTypeFilter: number;
  /** The resource name, or null for any. */
  resourceNameFilter: string | null;
  /** The pattern type code (AclPatternType). */
  patternTypeFilter: number;
  /** The principal, or null for any. */
  principalFilter: string | null;
  /** The host, or null for any. */
  hostFilter: string | null;
  /** The operation code (AclOperation). */
  operation: number;
  /** The permission code (AclPermission). */
  permissionType: number;
}

/** An ACL as DeleteAcls results list it (DescribeAcls groups the resource's three fields). */
export interface AclFields {
  /** The resource type code (AclResourceType). */
  resourceType: number;
  /** The resource name or prefix. */
  resourceName: string;
  /** The pattern type code (AclPatternType). */
  patternType: number;
  /** The principal, "Type:name". */
  principal: string;
  /** The host, or "*". */
  host: string;
  /** The operation code (AclOperation). */
  operation: number;
  /** The permission code (AclPermission). */
  permissionType: number;
}

/**
 * A filter's fields; what the filter leaves out matches anything (ANY, or a null name).
 *
 * @example
 * ```ts
 * import { aclFilterToFields } from "@brook/kafka/codec";
 * aclFilterToFields({ principal: "User:alice" }).resourceTypeFilter; // 1 (ANY)
 * ```
 */
export function aclFilterToFields(f: AclBindingFilter): AclFilterFields {
  return {
    resourceTypeFilter: f.resourceType ?? AclResourceType.ANY,
    resourceNameFilter: f.resourceName ?? null,
    patternTypeFilter: f.patternType ?? AclPatternType.ANY,
    principalFilter: f.principal ?? null,
    hostFilter: f.host ?? null,
    operation: f.operation ?? AclOperation.ANY,
    permissionType: f.permission ?? AclPermission.ANY,
  };
}

/**
 * A filter from its fields, or undefined when a code is one Kafka does not know (or UNKNOWN):
 * Kafka cannot parse such a request.
 *
 * @example
 * ```ts
 * import { aclFilterFromFields } from "@brook/kafka/codec";
 * const fields = { resourceTypeFilter: 0, resourceNameFilter: null, patternTypeFilter: 1,
 *   principalFilter: null, hostFilter: null, operation: 1, permissionType: 1 };
 * aclFilterFromFields(fields); // undefined: resource type UNKNOWN
 * ```
 */
export function aclFilterFromFields(f: AclFilterFields): AclBindingFilter | undefined {
  const codes = {
    resourceType: f.resourceTypeFilter,
    patternType: f.patternTypeFilter,
    operation: f.operation,
    permission: f.permissionType,
  };
  if (!knownAclCodes(codes)) {
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

/**
 * An ACL's fields.
 *
 * @example
 * ```ts
 * import { aclBindingToFields, AclOperation, AclPatternType, AclPermission, AclResourceType } from "@brook/kafka/codec";
 * aclBindingToFields({
 *   resourceType: AclResourceType.TOPIC, resourceName: "t", patternType: AclPatternType.LITERAL,
 *   principal: "User:a", host: "*", operation: AclOperation.READ, permission: AclPermission.ALLOW,
 * }).permissionType; // 3
 * ```
 */
export function aclBindingToFields(b: AclBinding): AclFields {
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
 * An ACL from its fields (a response's, trusted as the broker sent them).
 *
 * @example
 * ```ts
 * import { aclBindingFromFields } from "@brook/kafka/codec";
 * aclBindingFromFields({ resourceType: 2, resourceName: "t", patternType: 3,
 *   principal: "User:a", host: "*", operation: 3, permissionType: 3 }).permission; // 3
 * ```
 */
export function aclBindingFromFields(f: AclFields): AclBinding {
  return {
    resourceType: f.resourceType as AclResourceType,
    resourceName: f.resourceName,
    patternType: f.patternType as AclPatternType,
    principal: f.principal,
    host: f.host,
    operation: f.operation as AclOperation,
    permission: f.permissionType as AclPermission,
  };
}

const known = (values: Record<string, number>, code: number) =>
  code !== 0 && Object.values(values).includes(code);

/** The four codes of an ACL or filter on the wire, as {@linkcode knownAclCodes} checks them. */
export interface AclCodes {
  /** The resource type code (AclResourceType). */
  resourceType: number;
  /** The pattern type code (AclPatternType). */
  patternType: number;
  /** The operation code (AclOperation). */
  operation: number;
  /** The permission code (AclPermission). */
  permission: number;
}

/**
 * Whether every code is one Kafka knows, other than UNKNOWN (which Kafka refuses when parsing).
 *
 * @example
 * ```ts
 * import { knownAclCodes } from "@brook/kafka/codec";
 * knownAclCodes({ resourceType: 2, patternType: 3, operation: 3, permission: 3 }); // true
 * knownAclCodes({ resourceType: 2, patternType: 3, operation: 99, permission: 3 }); // false
 * ```
 */
export function knownAclCodes(codes: AclCodes): boolean {
  const { resourceType, patternType, operation, permission } = codes;
  return known(AclResourceType, resourceType) && known(AclPatternType, patternType) &&
    known(AclOperation, operation) && known(AclPermission, permission);
}
