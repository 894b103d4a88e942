/**
 * Admin calls about ACLs: CreateAcls, DescribeAcls and DeleteAcls, sent to any broker as Kafka's
 * admin client sends them.
 *
 * @module
 */

import {
  type AclBinding,
  type AclBindingFilter,
  aclBindingFromFields,
  aclFilterToFields,
  AclPatternType,
  AclPermission,
  ApiKey,
  ErrorCode,
  KafkaProtocolError,
} from "../../codec/mod.ts";
import type { KafkaClient } from "../kafka_client.ts";

/** An ACL to create: host defaults to "*" (any) and the pattern type to LITERAL. */
export type NewAcl = Omit<AclBinding, "host" | "patternType"> & {
  host?: string;
  patternType?: AclPatternType;
};

function fail(code: number, message: string | null, what: string): never {
  throw new KafkaProtocolError(code, { detail: message ? `${what}: ${message}` : what });
}

function describeAcl(b: AclBinding): string {
  return `ACL (${b.principal} ${b.permission === AclPermission.DENY ? "denied" : "allowed"} ` +
    `operation ${b.operation} on resource type ${b.resourceType} '${b.resourceName}')`;
}

/** CreateAcls; throws the first ACL's error, if any. */
export async function createAcls(
  client: KafkaClient,
  acls: NewAcl[],
  signal?: AbortSignal,
): Promise<void> {
  if (acls.length === 0) return;
  const bindings: AclBinding[] = acls.map((a) => ({
    ...a,
    host: a.host ?? "*",
    patternType: a.patternType ?? AclPatternType.LITERAL,
  }));
  const res = await client.requestAny(ApiKey.CreateAcls, {
    creations: bindings.map((b) => ({
      resourceType: b.resourceType,
      resourceName: b.resourceName,
      resourcePatternType: b.patternType,
      principal: b.principal,
      host: b.host,
      operation: b.operation,
      permissionType: b.permission,
    })),
  }, { signal });
  res.results.forEach((r, i) => {
    if (r.errorCode !== ErrorCode.NONE) fail(r.errorCode, r.errorMessage, describeAcl(bindings[i]));
  });
}

/** DescribeAcls: every ACL the filter selects. */
export async function describeAcls(
  client: KafkaClient,
  filter: AclBindingFilter,
  signal?: AbortSignal,
): Promise<AclBinding[]> {
  const res = await client.requestAny(ApiKey.DescribeAcls, aclFilterToFields(filter), { signal });
  if (res.errorCode !== ErrorCode.NONE) fail(res.errorCode, res.errorMessage, "describing ACLs");
  return res.resources.flatMap((r) => r.acls.map((a) => aclBindingFromFields({ ...r, ...a })));
}

/** DeleteAcls: removes what the filters select and returns it; throws the first filter's error. */
export async function deleteAcls(
  client: KafkaClient,
  filters: AclBindingFilter[],
  signal?: AbortSignal,
): Promise<AclBinding[]> {
  if (filters.length === 0) return [];
  const res = await client.requestAny(ApiKey.DeleteAcls, {
    filters: filters.map(aclFilterToFields),
  }, { signal });
  const deleted: AclBinding[] = [];
  for (const r of res.filterResults) {
    if (r.errorCode !== ErrorCode.NONE) fail(r.errorCode, r.errorMessage, "deleting ACLs");
    for (const m of r.matchingAcls) {
      const acl = aclBindingFromFields(m);
      if (m.errorCode !== ErrorCode.NONE) fail(m.errorCode, m.errorMessage, describeAcl(acl));
      deleted.push(acl);
    }
  }
  return deleted;
}
