/**
 * ACL scenarios of malformed principals, hosts and names: Kafka refuses a new ACL whose principal
 * has no colon between its type and name (INVALID_REQUEST, each creation on its own) and stores
 * the rest as given, odd types, empty names and hosts included. Run by acl_differential_test.ts
 * after the scenarios of acl_scenarios.ts, on the super user's PLAINTEXT connection.
 *
 * @module
 */

import {
  aclFilterToFields,
  AclOperation as Op,
  AclPatternType as Pattern,
  AclPermission as Permission,
  AclResourceType as Resource,
  ApiKey,
  type ApiMessages,
} from "../../codec/mod.ts";
import { type Scenario, step } from "./differential.ts";

type DescribeAcls = ApiMessages[typeof ApiKey.DescribeAcls]["response"];
type DeleteAcls = ApiMessages[typeof ApiKey.DeleteAcls]["response"];

/** The topic the ACLs are for: no other scenario's ACL patterns match it. */
const TOPIC = "principals-h";

const readAcl = (principal: string, host = "*") => ({
  resourceType: Resource.TOPIC,
  resourceName: TOPIC,
  resourcePatternType: Pattern.LITERAL,
  principal,
  host,
  operation: Op.READ,
  permissionType: Permission.ALLOW,
});

const VALID = [
  readAcl("User:ok"),
  readAcl(":alice"),
  readAcl("User:"),
  readAcl("Group:alice"),
  readAcl("User:alice:x"),
  readAcl("user:alice"),
  readAcl(" User:alice"),
  readAcl("User:alice", ""),
  readAcl("User:alice", "bad host"),
  readAcl("User:alice", "10.0.0.*"),
];

const acl = (a: { principal: string; host: string; operation: number }) =>
  `${a.principal}\u0000${a.host}\u0000${a.operation}`;

/** Kafka keeps ACLs in hash sets: one order for both sides. */
const sortedAcls = (r: DescribeAcls) => ({
  ...r,
  resources: r.resources.map((res) => ({
    ...res,
    acls: [...res.acls].sort((a, b) => acl(a) < acl(b) ? -1 : 1),
  })),
});
const sortedDeletions = (r: DeleteAcls) => ({
  ...r,
  filterResults: r.filterResults.map((f) => ({
    ...f,
    matchingAcls: [...f.matchingAcls].sort((a, b) => acl(a) < acl(b) ? -1 : 1),
  })),
});

const OURS = aclFilterToFields({
  resourceType: Resource.TOPIC,
  resourceName: TOPIC,
  patternType: Pattern.LITERAL,
});

/**
 * The scenarios.
 *
 * @example
 * ```ts ignore
 * for (const s of ACL_PRINCIPAL_SCENARIOS) console.log(s.name);
 * ```
 */
export const ACL_PRINCIPAL_SCENARIOS: Scenario[] = [{
  name: "acls: principals without a colon are refused, other odd principals and hosts stored",
  steps: [
    step(ApiKey.CreateAcls, 3, {
      creations: [
        readAcl("wrong-principal"),
        VALID[0],
        readAcl(""),
        readAcl("*"),
        readAcl("User"),
        ...VALID.slice(1),
        // An empty name is reported before the principal.
        { ...readAcl("wrong-principal"), resourceName: "" },
      ],
    }),
    step(
      ApiKey.DescribeAcls,
      3,
      OURS,
      (r) => r.resources.flatMap((res) => res.acls).length === VALID.length,
      sortedAcls,
    ),
    step(
      ApiKey.DescribeAcls,
      3,
      { ...OURS, principalFilter: "wrong-principal" },
      undefined,
      sortedAcls,
    ),
    // Filters match principals as text: one without a colon matches nothing, and is no error.
    step(
      ApiKey.DeleteAcls,
      3,
      { filters: [{ ...OURS, principalFilter: "wrong-principal" }] },
      undefined,
      sortedDeletions,
    ),
    step(ApiKey.DeleteAcls, 3, { filters: [OURS] }, undefined, sortedDeletions),
  ],
}];
