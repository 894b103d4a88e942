/**
 * Kafka's ACL vocabulary as the wire carries it: resource types, pattern types, operations and
 * permission types (their codes are Kafka's), and ACL bindings and filters built from them.
 *
 * @module
 */

/** What an ACL protects (ResourceType codes). */
export const AclResourceType = {
  UNKNOWN: 0,
  ANY: 1,
  TOPIC: 2,
  GROUP: 3,
  CLUSTER: 4,
  TRANSACTIONAL_ID: 5,
  DELEGATION_TOKEN: 6,
  USER: 7,
} as const;
/** A resource type code. */
export type AclResourceType = typeof AclResourceType[keyof typeof AclResourceType];

/** How an ACL's resource name matches (PatternType codes). */
export const AclPatternType = {
  UNKNOWN: 0,
  /** In filters: a pattern of any type with exactly the filter's name. */
  ANY: 1,
  /** In filters: every pattern that would apply to a resource with the filter's name. */
  MATCH: 2,
  LITERAL: 3,
  PREFIXED: 4,
} as const;
/** A pattern type code. */
export type AclPatternType = typeof AclPatternType[keyof typeof AclPatternType];

/** What an ACL allows or denies (AclOperation codes). */
export const AclOperation = {
  UNKNOWN: 0,
  ANY: 1,
  ALL: 2,
  READ: 3,
  WRITE: 4,
  CREATE: 5,
  DELETE: 6,
  ALTER: 7,
  DESCRIBE: 8,
  CLUSTER_ACTION: 9,
  DESCRIBE_CONFIGS: 10,
  ALTER_CONFIGS: 11,
  IDEMPOTENT_WRITE: 12,
  CREATE_TOKENS: 13,
  DESCRIBE_TOKENS: 14,
} as const;
/** An operation code. */
export type AclOperation = typeof AclOperation[keyof typeof AclOperation];

/** Whether an ACL allows or denies (AclPermissionType codes). */
export const AclPermission = { UNKNOWN: 0, ANY: 1, DENY: 2, ALLOW: 3 } as const;
/** A permission type code. */
export type AclPermission = typeof AclPermission[keyof typeof AclPermission];

/** The only name of the CLUSTER resource. */
export const CLUSTER_RESOURCE_NAME = "kafka-cluster";

/** A resource name or principal that matches every name, in a LITERAL ACL. */
export const ACL_WILDCARD = "*";

/** One ACL: who may (or may not) do what, from where, on which resources. */
export interface AclBinding {
  /** The kind of resource: topic, group, cluster, transactional id, delegation token, user. */
  resourceType: AclResourceType;
  /** The resource name, or its prefix for PREFIXED; `*` in a LITERAL ACL matches every name. */
  resourceName: string;
  /** LITERAL or PREFIXED. */
  patternType: AclPatternType;
  /** "Type:name", e.g. "User:alice"; "User:*" matches every user. */
  principal: string;
  /** The client's IP address, or "*". */
  host: string;
  /** The operation it allows or denies, e.g. READ, WRITE, ALL. */
  operation: AclOperation;
  /** ALLOW or DENY. */
  permission: AclPermission;
}

/**
 * Selects ACLs, as DescribeAcls and DeleteAcls do: ANY matches every value of a code, a missing
 * (null) name, principal or host matches every one, and pattern type MATCH selects every ACL that
 * would apply to a resource named `resourceName`.
 */
export interface AclBindingFilter {
  /** The resource type to match; default ANY. */
  resourceType?: AclResourceType;
  /** The resource name to match; null or absent matches every name. */
  resourceName?: string | null;
  /** LITERAL, PREFIXED, ANY or MATCH; default ANY. */
  patternType?: AclPatternType;
  /** The principal to match; null or absent matches every principal. */
  principal?: string | null;
  /** The host to match; null or absent matches every host. */
  host?: string | null;
  /** The operation to match; default ANY. */
  operation?: AclOperation;
  /** ALLOW, DENY or ANY (the default). */
  permission?: AclPermission;
}

/**
 * Whether `binding` is selected by `filter`, with Kafka's rules for each field.
 *
 * @example
 * ```ts
 * import { aclFilterMatches, AclOperation, AclPatternType, AclPermission, AclResourceType } from "@brook/kafka/codec";
 * const acl = {
 *   resourceType: AclResourceType.TOPIC, resourceName: "orders-", patternType: AclPatternType.PREFIXED,
 *   principal: "User:alice", host: "*", operation: AclOperation.READ, permission: AclPermission.ALLOW,
 * };
 * aclFilterMatches({ resourceName: "orders-eu", patternType: AclPatternType.MATCH }, acl); // true
 * ```
 */
export function aclFilterMatches(filter: AclBindingFilter, binding: AclBinding): boolean {
  const type = filter.resourceType ?? AclResourceType.ANY;
  if (type !== AclResourceType.ANY && type !== binding.resourceType) return false;
  const pattern = filter.patternType ?? AclPatternType.ANY;
  if (
    pattern !== AclPatternType.ANY && pattern !== AclPatternType.MATCH &&
    pattern !== binding.patternType
  ) return false;
  const name = filter.resourceName ?? null;
  if (name !== null) {
    if (pattern === AclPatternType.ANY || pattern === binding.patternType) {
      if (name !== binding.resourceName) return false;
    } else if (binding.patternType === AclPatternType.LITERAL) {
      if (name !== binding.resourceName && binding.resourceName !== ACL_WILDCARD) return false;
    } else if (!name.startsWith(binding.resourceName)) {
      return false;
    }
  }
  if ((filter.principal ?? null) !== null && filter.principal !== binding.principal) return false;
  if ((filter.host ?? null) !== null && filter.host !== binding.host) return false;
  const op = filter.operation ?? AclOperation.ANY;
  if (op !== AclOperation.ANY && op !== binding.operation) return false;
  const permission = filter.permission ?? AclPermission.ANY;
  return permission === AclPermission.ANY || permission === binding.permission;
}

/** The operations that ACLs on a resource type can name (AclEntry.supportedOperations). */
export const SUPPORTED_OPERATIONS: Readonly<Record<number, readonly AclOperation[]>> = {
  [AclResourceType.TOPIC]: [
    AclOperation.READ,
    AclOperation.WRITE,
    AclOperation.CREATE,
    AclOperation.DESCRIBE,
    AclOperation.DELETE,
    AclOperation.ALTER,
    AclOperation.DESCRIBE_CONFIGS,
    AclOperation.ALTER_CONFIGS,
  ],
  [AclResourceType.GROUP]: [
    AclOperation.READ,
    AclOperation.DESCRIBE,
    AclOperation.DELETE,
    AclOperation.DESCRIBE_CONFIGS,
    AclOperation.ALTER_CONFIGS,
  ],
  [AclResourceType.CLUSTER]: [
    AclOperation.CREATE,
    AclOperation.CLUSTER_ACTION,
    AclOperation.DESCRIBE_CONFIGS,
    AclOperation.ALTER_CONFIGS,
    AclOperation.IDEMPOTENT_WRITE,
    AclOperation.ALTER,
    AclOperation.DESCRIBE,
  ],
  [AclResourceType.TRANSACTIONAL_ID]: [AclOperation.DESCRIBE, AclOperation.WRITE],
  [AclResourceType.DELEGATION_TOKEN]: [AclOperation.DESCRIBE],
  [AclResourceType.USER]: [AclOperation.CREATE_TOKENS, AclOperation.DESCRIBE_TOKENS],
};

/**
 * The bit field that Metadata, DescribeGroups and DescribeCluster use for authorized operations:
 * bit `code` set for each operation.
 *
 * @example
 * ```ts
 * import { AclOperation, operationsFromBits, operationsToBits } from "@brook/kafka/codec";
 * operationsFromBits(operationsToBits([AclOperation.READ, AclOperation.DESCRIBE])); // [3, 8]
 * ```
 */
export function operationsToBits(operations: Iterable<AclOperation>): number {
  let bits = 0;
  for (const op of operations) bits |= 1 << op;
  return bits;
}

/**
 * The operations in an authorized-operations bit field; none for Kafka's "not asked" value
 * (-2147483648).
 *
 * @example
 * ```ts
 * import { operationsFromBits } from "@brook/kafka/codec";
 * operationsFromBits(0b100001000); // [3, 8]: READ and DESCRIBE
 * ```
 */
export function operationsFromBits(bits: number): AclOperation[] {
  if (bits === -2147483648) return [];
  const ops: AclOperation[] = [];
  for (let code = 0; code < 31; code++) if (bits & (1 << code)) ops.push(code as AclOperation);
  return ops;
}
