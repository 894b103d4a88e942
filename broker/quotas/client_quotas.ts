/**
 * Client quotas (DescribeClientQuotas and AlterClientQuotas) as Kafka's controller stores and
 * checks them: quotas of users, client ids (either may be the default, a null name) and IP
 * addresses, with Kafka's validation and its describe filters. The byte-rate quotas are enforced
 * (quota_enforcer.ts); the others are kept and described.
 *
 * @module
 */

import { ErrorCode } from "../../codec/mod.ts";

/** One entity component: a type ("user", "client-id", "ip") and a name (null: the default). */
export interface QuotaEntityPart {
  entityType: string;
  entityName: string | null;
}

/** Quota keys and their Kafka types, for users and client ids, and for IP addresses. */
const USER_AND_CLIENT_KEYS: ReadonlyMap<string, "LONG" | "DOUBLE"> = new Map([
  ["producer_byte_rate", "LONG"],
  ["consumer_byte_rate", "LONG"],
  ["request_percentage", "DOUBLE"],
  ["controller_mutation_rate", "DOUBLE"],
]);
const IP_KEYS: ReadonlyMap<string, "INT"> = new Map([["connection_creation_rate", "INT"]]);

/** Java's HashMap order of the entity types, as Kafka prints an entity. */
const PRINT_ORDER = ["ip", "client-id", "user"];

/** A refusal for one entity. */
export interface QuotaError {
  errorCode: number;
  errorMessage: string | null;
}

const invalid = (errorMessage: string): QuotaError => ({
  errorCode: ErrorCode.INVALID_REQUEST,
  errorMessage,
});

/** The quotas of every entity, keyed by its canonical form. */
export class ClientQuotas {
  readonly #entities = new Map<string, { parts: QuotaEntityPart[]; values: Map<string, number> }>();

  /**
   * Alters quotas as AlterClientQuotas asks; answers each entity once. As Kafka: an entity named
   * twice, or with a key named twice, is answered "Ignoring duplicate entity" (its first
   * alteration still applies); the valid entities are altered, the others left as they were.
   */
  alter(
    entries: readonly {
      entity: readonly QuotaEntityPart[];
      ops: readonly { key: string; value: number; remove: boolean }[];
    }[],
    validateOnly: boolean,
  ): (QuotaError & { entity: QuotaEntityPart[] })[] {
    const results = new Map<string, QuotaError & { entity: QuotaEntityPart[] }>();
    for (const e of entries) {
      const key = entityKey(e.entity);
      const answer = (error: QuotaError) => results.set(key, { ...error, entity: [...e.entity] });
      const ops = new Map<string, number | null>();
      let repeatedKey = false;
      for (const op of e.ops) {
        if (ops.has(op.key)) repeatedKey = true;
        else ops.set(op.key, op.remove ? null : op.value);
      }
      if (repeatedKey || results.has(key)) {
        answer(invalid(`Ignoring duplicate entity ${printEntity(e.entity)}`));
        continue;
      }
      const problem = this.#check(e.entity, ops);
      answer(problem ?? { errorCode: ErrorCode.NONE, errorMessage: null });
      if (problem || validateOnly) continue;
      const stored = this.#entities.get(key) ?? { parts: [...e.entity], values: new Map() };
      for (const [k, v] of ops) v === null ? stored.values.delete(k) : stored.values.set(k, v);
      if (stored.values.size === 0) this.#entities.delete(key);
      else this.#entities.set(key, stored);
    }
    return [...results.values()];
  }

  #check(entity: readonly QuotaEntityPart[], ops: Map<string, number | null>): QuotaError | null {
    if (entity.length === 0) return invalid("Invalid empty client quota entity");
    const seen = new Map<string, string | null>();
    for (const { entityType, entityName } of entity) {
      if (seen.has(entityType)) {
        return invalid(`Invalid client quota entity, duplicate entity entry ${entityType}`);
      }
      if (!PRINT_ORDER.includes(entityType)) {
        return invalid(`Unhandled client quota entity type: ${entityType}`);
      }
      seen.set(entityType, entityName);
      if (entityName === "") return invalid(`Empty ${entityType} not supported`);
    }
    let keys: ReadonlyMap<string, string>;
    if (seen.has("ip")) {
      if (seen.has("user") || seen.has("client-id")) {
        return invalid(
          "Invalid quota entity combination, IP entity shouldnot be combined with User or ClientId",
        );
      }
      const ip = seen.get("ip");
      if (ip !== null && ip !== undefined && !validIp(ip)) {
        return invalid(`${ip} is not a valid IP or resolvable host.`);
      }
      keys = IP_KEYS;
    } else {
      keys = USER_AND_CLIENT_KEYS;
    }
    for (const [key, value] of ops) {
      if (value === null) continue;
      const type = keys.get(key);
      if (!type) return invalid(`Invalid configuration key ${key}`);
      if (value <= 0) return invalid(`Quota ${key} must be greater than 0`);
      if (type === "DOUBLE") continue;
      if (type === "INT" && value > 2147483647) {
        return invalid(`Proposed value for ${key} is too large for an INT.`);
      }
      if (type === "LONG" && value > 9.223372036854776e18) {
        return invalid(`Proposed value for ${key} is too large for a LONG.`);
      }
      if (Math.abs(value % 1) > 1e-6) return invalid(`${key} cannot be a fractional value.`);
    }
    return null;
  }

  /** True when no entity has a quota (the common case: nothing to enforce). */
  get isEmpty(): boolean {
    return this.#entities.size === 0;
  }

  /** One entity's value of a quota key, if it has one. */
  valueOf(entity: readonly QuotaEntityPart[], key: string): number | undefined {
    return this.#entities.get(entityKey(entity))?.values.get(key);
  }

  /** Describes the quotas of the entities a DescribeClientQuotas filter matches. */
  describe(
    components: readonly { entityType: string; matchType: number; match: string | null }[],
    strict: boolean,
  ):
    | { entries: { entity: QuotaEntityPart[]; values: { key: string; value: number }[] }[] }
    | QuotaError {
    const exact = new Map<string, string | null>();
    const any = new Set<string>();
    for (const c of components) {
      if (c.entityType === "") return invalid("Invalid empty entity type.");
      if (exact.has(c.entityType) || any.has(c.entityType)) {
        return invalid(`Entity type ${c.entityType} cannot appear more than once in the filter.`);
      }
      if (!PRINT_ORDER.includes(c.entityType)) {
        return {
          errorCode: ErrorCode.UNSUPPORTED_VERSION,
          errorMessage: `Unsupported entity type ${c.entityType}`,
        };
      }
      if (c.matchType === 0) {
        if (c.match === null) {
          return invalid("Request specified MATCH_TYPE_EXACT, but set match string to null.");
        }
        exact.set(c.entityType, c.match);
      } else if (c.matchType === 1) {
        if (c.match !== null) {
          return invalid(
            "Request specified MATCH_TYPE_DEFAULT, but also specified a match string.",
          );
        }
        exact.set(c.entityType, null);
      } else if (c.matchType === 2) {
        if (c.match !== null) {
          return invalid(
            "Request specified MATCH_TYPE_SPECIFIED, but also specified a match string.",
          );
        }
        any.add(c.entityType);
      } else {
        return invalid(`Unknown match type ${c.matchType}`);
      }
    }
    const has = (t: string) => exact.has(t) || any.has(t);
    if (has("ip") && (has("user") || has("client-id"))) {
      return invalid(
        "Invalid entity filter component combination. IP filter component should not be used with user or clientId filter component.",
      );
    }
    const entries = [];
    for (const { parts, values } of this.#entities.values()) {
      const names = new Map(parts.map((p) => [p.entityType, p.entityName]));
      if (strict && names.size !== exact.size + any.size) continue;
      if ([...exact].some(([t, n]) => !names.has(t) || names.get(t) !== n)) continue;
      if ([...any].some((t) => !names.has(t))) continue;
      entries.push({
        entity: parts.map((p) => ({ ...p })),
        values: [...values].map(([key, value]) => ({ key, value })),
      });
    }
    return { entries };
  }
}

/** An entity's identity: its components by type (a null name is the default). */
function entityKey(entity: readonly QuotaEntityPart[]): string {
  return JSON.stringify(
    [...entity].sort((a, b) => a.entityType < b.entityType ? -1 : 1)
      .map((p) => [p.entityType, p.entityName]),
  );
}

/** An entity as Kafka's messages print it ("ClientQuotaEntity(entries={user=alice})"). */
function printEntity(entity: readonly QuotaEntityPart[]): string {
  const parts = [...entity].sort((a, b) =>
    PRINT_ORDER.indexOf(a.entityType) - PRINT_ORDER.indexOf(b.entityType)
  );
  return `ClientQuotaEntity(entries={${
    parts.map((p) => `${p.entityType}=${p.entityName}`).join(", ")
  }})`;
}

/** An IP address Kafka would resolve: IPv4 or IPv6 text, or a name Brook resolves locally. */
function validIp(ip: string): boolean {
  if (/^(\d{1,3})(\.\d{1,3}){3}$/.test(ip)) return ip.split(".").every((o) => Number(o) <= 255);
  if (ip.includes(":")) return /^[0-9a-f:.]+$/i.test(ip);
  return ip === "localhost";
}
