/**
 * The ACL authorizer, with the semantics of Kafka's standard authorizer: super users may do
 * anything; otherwise a matching DENY wins, then a matching ALLOW (where READ, WRITE, DELETE and
 * ALTER imply DESCRIBE, and ALTER_CONFIGS implies DESCRIBE_CONFIGS); a resource that no ACL names
 * at all follows `allow.everyone.if.no.acl.found`, and anything else is denied.
 *
 * @module
 */

import {
  ACL_WILDCARD,
  type AclBinding,
  type AclBindingFilter,
  aclFilterMatches,
  AclOperation,
  AclPatternType,
  AclPermission,
  type AclResourceType,
  CLUSTER_RESOURCE_NAME,
  operationsToBits,
  SUPPORTED_OPERATIONS,
} from "../../codec/acl.ts";

/** How a broker authorizes requests. */
export interface BrokerAuthorizerOptions {
  /** super.users: principals ("User:admin") allowed everything. */
  superUsers?: string[];
  /** allow.everyone.if.no.acl.found: allow actions on resources that no ACL names. Default false. */
  allowEveryoneIfNoAclFound?: boolean;
  /** ACLs present from the start. */
  acls?: AclBinding[];
}

/** What a request would do, as {@linkcode Authorizer.authorize} checks it (Kafka's Action). */
export interface AclAction {
  /** The operation, e.g. READ or WRITE. */
  operation: AclOperation;
  /** The kind of resource: topic, group, cluster, transactional id, delegation token, user. */
  resourceType: AclResourceType;
  /** The resource's name. */
  name: string;
}

/** Who asks: the session's principal and the client's address. */
export interface Requester {
  /** The session's principal, "User:alice" (Kafka's KafkaPrincipal). */
  readonly principal: string;
  /** The client's IP address, matched against an ACL's host. */
  readonly remoteAddress: string;
}

const IMPLIES_DESCRIBE: ReadonlySet<number> = new Set([
  AclOperation.DESCRIBE,
  AclOperation.READ,
  AclOperation.WRITE,
  AclOperation.DELETE,
  AclOperation.ALTER,
]);
const IMPLIES_DESCRIBE_CONFIGS: ReadonlySet<number> = new Set([
  AclOperation.DESCRIBE_CONFIGS,
  AclOperation.ALTER_CONFIGS,
]);

function aclKey(b: AclBinding): string {
  return [
    b.resourceType,
    b.patternType,
    b.resourceName,
    b.principal,
    b.host,
    b.operation,
    b.permission,
  ]
    .join("\u0000");
}

/** Whether an ACL (whose resource already matches) allows, denies, or says nothing of an action. */
function verdict(
  acl: AclBinding,
  principal: string,
  host: string,
  operation: AclOperation,
): "allow" | "deny" | undefined {
  if (acl.principal !== principal && acl.principal !== "User:*") return undefined;
  if (acl.host !== ACL_WILDCARD && acl.host !== host) return undefined;
  if (acl.operation !== AclOperation.ALL) {
    if (acl.permission === AclPermission.ALLOW) {
      // Implications hold for ALLOW only: denying READ does not deny DESCRIBE.
      if (operation === AclOperation.DESCRIBE) {
        if (!IMPLIES_DESCRIBE.has(acl.operation)) return undefined;
      } else if (operation === AclOperation.DESCRIBE_CONFIGS) {
        if (!IMPLIES_DESCRIBE_CONFIGS.has(acl.operation)) return undefined;
      } else if (acl.operation !== operation) return undefined;
    } else if (acl.operation !== operation) return undefined;
  }
  return acl.permission === AclPermission.ALLOW ? "allow" : "deny";
}

function namesResource(acl: AclBinding, name: string): boolean {
  if (acl.patternType === AclPatternType.PREFIXED) return name.startsWith(acl.resourceName);
  return acl.resourceName === name || acl.resourceName === ACL_WILDCARD;
}

/**
 * A broker's ACLs and the decisions made from them.
 *
 * @example
 * ```ts
 * import { Authorizer } from "@brook/kafka/broker";
 * import { AclOperation, AclPatternType, AclPermission, AclResourceType } from "@brook/kafka/codec";
 * const authorizer = new Authorizer({ superUsers: ["User:admin"] });
 * authorizer.add([{
 *   resourceType: AclResourceType.TOPIC, resourceName: "orders", patternType: AclPatternType.LITERAL,
 *   principal: "User:alice", host: "*", operation: AclOperation.READ, permission: AclPermission.ALLOW,
 * }]);
 * const alice = { principal: "User:alice", remoteAddress: "127.0.0.1" };
 * const action = { operation: AclOperation.DESCRIBE, resourceType: AclResourceType.TOPIC, name: "orders" };
 * authorizer.authorize(alice, action); // true
 * ```
 */
export class Authorizer {
  readonly #superUsers: Set<string>;
  readonly #allowIfNoAcl: boolean;
  /** ACLs by resource type, in creation order. */
  readonly #byType = new Map<number, AclBinding[]>();
  readonly #keys = new Set<string>();

  /** Creates an authorizer with `superUsers`, `allowEveryoneIfNoAclFound` and initial `acls` (Kafka's StandardAuthorizer settings). */
  constructor(options: BrokerAuthorizerOptions = {}) {
    this.#superUsers = new Set(options.superUsers ?? []);
    this.#allowIfNoAcl = options.allowEveryoneIfNoAclFound ?? false;
    if (options.acls) this.add(options.acls);
  }

  /** The number of ACLs. */
  get size(): number {
    return this.#keys.size;
  }

  /** Adds ACLs; one already present is not added twice. The bindings are not validated here. */
  add(bindings: Iterable<AclBinding>): void {
    for (const b of bindings) {
      const key = aclKey(b);
      if (this.#keys.has(key)) continue;
      this.#keys.add(key);
      const list = this.#byType.get(b.resourceType) ?? [];
      list.push({ ...b });
      this.#byType.set(b.resourceType, list);
    }
  }

  /** The ACLs that `filter` selects. */
  list(filter: AclBindingFilter = {}): AclBinding[] {
    const out: AclBinding[] = [];
    for (const list of this.#byType.values()) {
      for (const b of list) if (aclFilterMatches(filter, b)) out.push({ ...b });
    }
    return out;
  }

  /** Removes the ACLs that `filter` selects, and returns them. */
  remove(filter: AclBindingFilter): AclBinding[] {
    const removed: AclBinding[] = [];
    for (const [type, list] of this.#byType) {
      const kept = list.filter((b) => {
        if (!aclFilterMatches(filter, b)) return true;
        removed.push(b);
        this.#keys.delete(aclKey(b));
        return false;
      });
      this.#byType.set(type, kept);
    }
    return removed;
  }

  /** Whether `who` may perform the action: its operation on the resource of its type and name. */
  authorize(who: Requester, action: AclAction): boolean {
    const { operation, resourceType: type, name } = action;
    if (this.#superUsers.has(who.principal)) return true;
    let sawAcl = false;
    let allowed = false;
    for (const acl of this.#byType.get(type) ?? []) {
      if (!namesResource(acl, name)) continue;
      sawAcl = true;
      const v = verdict(acl, who.principal, who.remoteAddress, operation);
      if (v === "deny") return false;
      if (v === "allow") allowed = true;
    }
    if (allowed) return true;
    return !sawAcl && this.#allowIfNoAcl;
  }

  /**
   * Whether `who` may perform `operation` on some resource of `type` (Kafka's
   * authorizeByResourceType): an ALLOW that no DENY of the same or a shorter prefix cancels.
   * Used where any topic's WRITE permits an idempotent producer.
   */
  authorizeByResourceType(who: Requester, operation: AclOperation, type: AclResourceType): boolean {
    // A hard-coded name first, so that super users (and the no-ACL default) pass regardless of DENYs.
    if (this.authorize(who, { operation, resourceType: type, name: "hardcode" })) return true;
    const denyLiteral = new Set<string>();
    const denyPrefix = new Set<string>();
    const allowLiteral = new Set<string>();
    const allowPrefix = new Set<string>();
    for (const acl of this.#byType.get(type) ?? []) {
      if (acl.host !== who.remoteAddress && acl.host !== ACL_WILDCARD) continue;
      if (acl.principal !== who.principal && acl.principal !== "User:*") continue;
      if (acl.operation !== operation && acl.operation !== AclOperation.ALL) continue;
      const literal = acl.patternType === AclPatternType.LITERAL;
      if (acl.permission === AclPermission.DENY) {
        if (literal && acl.resourceName === ACL_WILDCARD) return false;
        (literal ? denyLiteral : denyPrefix).add(acl.resourceName);
      } else if (acl.permission === AclPermission.ALLOW) {
        if (literal && acl.resourceName === ACL_WILDCARD) return true;
        (literal ? allowLiteral : allowPrefix).add(acl.resourceName);
      }
    }
    const deniedByPrefix = (name: string) => {
      for (let i = 1; i <= name.length; i++) if (denyPrefix.has(name.slice(0, i))) return true;
      return false;
    };
    for (const name of allowLiteral) {
      if (!denyLiteral.has(name) && !deniedByPrefix(name)) return true;
    }
    for (const name of allowPrefix) if (!deniedByPrefix(name)) return true;
    return false;
  }

  /** The bit field of the operations `who` may perform on a resource (authorized operations). */
  authorizedOperations(who: Requester, type: AclResourceType, name: string): number {
    const ops = (SUPPORTED_OPERATIONS[type] ?? []).filter((op) =>
      this.authorize(who, { operation: op, resourceType: type, name })
    );
    return operationsToBits(ops);
  }
}

/**
 * Every operation on a resource type, as a bit field: what an unsecured broker reports.
 *
 * @example
 * ```ts
 * import { allOperations } from "@brook/kafka/broker";
 * import { AclResourceType } from "@brook/kafka/codec";
 * console.log(allOperations(AclResourceType.TOPIC).toString(2)); // READ, WRITE, CREATE, DELETE, ...
 * ```
 */
export function allOperations(type: AclResourceType): number {
  return operationsToBits(SUPPORTED_OPERATIONS[type] ?? []);
}

export { CLUSTER_RESOURCE_NAME };
