/**
 * Admin calls about client quotas (KIP-546): DescribeClientQuotas and AlterClientQuotas, sent to
 * any broker as Kafka's admin client sends them. An entity is a user, a client id, an IP, or a
 * combination (user and client id); a null name is the default entity.
 *
 * @module
 */

import { ApiKey, ErrorCode, KafkaProtocolError } from "../../codec/mod.ts";
import type { KafkaClient } from "../kafka_client.ts";

/** A quota entity: its parts by type ("user", "client-id", "ip"); null names the default. */
export type QuotaEntity = Record<string, string | null>;

/** A filter on entities: an exact name, the default (null name), or any name (`{ any: true }`). */
export interface QuotaFilterComponent {
  entityType: string;
  /** The name to match; null matches the default entity; absent with `any` matches every name. */
  match?: string | null;
  any?: boolean;
}

function fail(code: number, message: string | null, what: string): never {
  throw new KafkaProtocolError(code, { detail: message ? `${what}: ${message}` : what });
}

/**
 * DescribeClientQuotas: the quotas of the entities the filter selects (with `strict`, only
 * entities with exactly these parts).
 *
 * @example
 * ```ts
 * import { KafkaClient } from "@brook/kafka/client";
 * import { describeClientQuotas } from "./quotas.ts";
 * const client = new KafkaClient({ bootstrapServers: "127.0.0.1:9092" });
 * const quotas = await describeClientQuotas(client, [{ entityType: "user", match: "alice" }]);
 * ```
 */
export async function describeClientQuotas(
  client: KafkaClient,
  filter: QuotaFilterComponent[],
  options: { strict?: boolean; signal?: AbortSignal } = {},
): Promise<{ entity: QuotaEntity; values: Record<string, number> }[]> {
  const res = await client.requestAny(ApiKey.DescribeClientQuotas, {
    components: filter.map((c) => ({
      entityType: c.entityType,
      matchType: c.any ? 2 : c.match === null ? 1 : 0,
      match: c.any || c.match === null ? null : c.match ?? null,
    })),
    strict: options.strict ?? false,
  }, { signal: options.signal });
  if (res.errorCode !== ErrorCode.NONE) fail(res.errorCode, res.errorMessage, "describing quotas");
  return (res.entries ?? []).map((e) => ({
    entity: Object.fromEntries(e.entity.map((p) => [p.entityType, p.entityName])),
    values: Object.fromEntries(e.values.map((v) => [v.key, v.value])),
  }));
}

/**
 * AlterClientQuotas: sets (a number) or removes (null) quotas of entities; throws the first
 * entity's error.
 *
 * @example
 * ```ts
 * import { KafkaClient } from "@brook/kafka/client";
 * import { alterClientQuotas } from "./quotas.ts";
 * const client = new KafkaClient({ bootstrapServers: "127.0.0.1:9092" });
 * await alterClientQuotas(client, [{ entity: { user: "alice" }, ops: { consumer_byte_rate: 1024 } }]);
 * ```
 */
export async function alterClientQuotas(
  client: KafkaClient,
  changes: { entity: QuotaEntity; ops: Record<string, number | null> }[],
  options: { validateOnly?: boolean; signal?: AbortSignal } = {},
): Promise<void> {
  const res = await client.requestAny(ApiKey.AlterClientQuotas, {
    entries: changes.map((c) => ({
      entity: Object.entries(c.entity).map(([entityType, entityName]) => ({
        entityType,
        entityName,
      })),
      ops: Object.entries(c.ops).map(([key, value]) => ({
        key,
        value: value ?? 0,
        remove: value === null,
      })),
    })),
    validateOnly: options.validateOnly ?? false,
  }, { signal: options.signal });
  for (const e of res.entries) {
    if (e.errorCode !== ErrorCode.NONE) {
      fail(
        e.errorCode,
        e.errorMessage,
        `quotas of ${
          e.entity.map((p) => `${p.entityType}=${p.entityName ?? "<default>"}`).join(",")
        }`,
      );
    }
  }
}
