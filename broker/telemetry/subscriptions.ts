/**
 * Client-metrics subscriptions (KIP-714): the CLIENT_METRICS config resources, each with `metrics`
 * (metric name prefixes, or `*`), `interval.ms` (the push interval, 100 ms to an hour) and `match`
 * (`client_id=regex` and the like, all of which a client must match). Checked with Kafka 4.1's
 * refusals and messages, described as Kafka describes them.
 *
 * @module
 */

import { ErrorCode } from "../../codec/mod.ts";

/** A subscription as clients are matched against it. */
export interface Subscription {
  readonly name: string;
  readonly metrics: readonly string[];
  readonly intervalMs: number;
  /** Attribute name to a pattern the whole attribute must match. */
  readonly match: ReadonlyMap<string, RegExp>;
}

/** One config of a described CLIENT_METRICS resource. */
export interface DescribedClientMetricsConfig {
  name: string;
  value: string;
  readOnly: false;
  configSource: number;
  isSensitive: false;
  synonyms: { name: string; value: string; source: number }[];
  configType: number;
}

/** The default push interval (five minutes), as Kafka's. */
export const DEFAULT_INTERVAL_MS = 300_000;

const INT = 3, LIST = 7;
const DEFAULT_CONFIG = 5, DYNAMIC_CLIENT_METRICS_CONFIG = 7;
/** The configs in the order DescribeConfigs lists them (by name). */
const CONFIGS: readonly { name: string; type: number; default: string }[] = [
  { name: "interval.ms", type: INT, default: String(DEFAULT_INTERVAL_MS) },
  { name: "match", type: LIST, default: "" },
  { name: "metrics", type: LIST, default: "" },
];
const MATCH_ATTRIBUTES = new Set([
  "client_instance_id",
  "client_id",
  "client_software_name",
  "client_software_version",
  "client_source_address",
  "client_source_port",
]);

/** A refusal of a subscription's new configs. */
export interface SubscriptionError {
  errorCode: number;
  errorMessage: string;
}

/** A Kafka LIST config's items: split on commas, blanks around them dropped. */
function listItems(value: string): string[] {
  const v = value.trim();
  return v === "" ? [] : v.split(/\s*,\s*/);
}

/** Java's String.split("="), which drops trailing empty strings. */
function javaSplitEquals(s: string): string[] {
  const parts = s.split("=");
  while (parts.length > 0 && parts[parts.length - 1] === "") parts.pop();
  return parts;
}

function parseMatch(patterns: readonly string[]): Map<string, RegExp> | SubscriptionError {
  const out = new Map<string, RegExp>();
  for (const pattern of patterns) {
    const illegal = {
      errorCode: ErrorCode.INVALID_CONFIG,
      errorMessage: `Illegal client matching pattern: ${pattern}`,
    };
    const pair = javaSplitEquals(pattern);
    if (pair.length !== 2 || !MATCH_ATTRIBUTES.has(pair[0].trim())) return illegal;
    try {
      // Java's Matcher.matches: the whole attribute.
      out.set(pair[0].trim(), new RegExp(`^(?:${pair[1].trim()})$`, "u"));
    } catch {
      return illegal;
    }
  }
  return out;
}

/**
 * The CLIENT_METRICS resources of a cluster.
 *
 * @example
 * ```ts
 * import { ClientMetricsSubscriptions } from "./subscriptions.ts";
 * const subs = new ClientMetricsSubscriptions();
 * subs.store("producers", new Map([["metrics", "org.apache.kafka.producer."], ["interval.ms", "1000"]]));
 * console.log(subs.names()); // ["producers"]
 * ```
 */
export class ClientMetricsSubscriptions {
  readonly #configs = new Map<string, Map<string, string>>();
  readonly #parsed = new Map<string, Subscription>();
  #version = 0;

  /** Grows on every change, so that client instances know to match again. */
  get version(): number {
    return this.#version;
  }

  /** The subscriptions' names. */
  names(): string[] {
    return [...this.#configs.keys()];
  }

  /** The subscriptions, parsed. */
  all(): Subscription[] {
    return [...this.#parsed.values()];
  }

  /** A subscription's stored configs (empty for none). */
  configs(name: string): ReadonlyMap<string, string> {
    return this.#configs.get(name) ?? new Map();
  }

  /** Kafka's refusal of a subscription's whole new set of configs, or null when it may be stored. */
  validate(name: string, configs: ReadonlyMap<string, string>): SubscriptionError | null {
    const invalidRequest = (errorMessage: string) => ({
      errorCode: ErrorCode.INVALID_REQUEST,
      errorMessage,
    });
    if (name === "") return invalidRequest("Subscription name can't be empty");
    for (const key of configs.keys()) {
      if (!CONFIGS.some((c) => c.name === key)) {
        return invalidRequest(`Unknown client metrics configuration: ${key}`);
      }
    }
    const interval = configs.get("interval.ms");
    if (interval !== undefined) {
      const t = interval.trim();
      const n = /^[+-]?\d+$/.test(t) ? Number(t) : NaN;
      if (!Number.isSafeInteger(n) || n < -(2 ** 31) || n >= 2 ** 31) {
        return {
          errorCode: ErrorCode.INVALID_CONFIG,
          errorMessage:
            `Invalid value ${interval} for configuration interval.ms: Not a number of type INT`,
        };
      }
      if (n < 100 || n > 3_600_000) {
        return invalidRequest(
          `Invalid value ${n} for interval.ms, interval must be between 100 and 3600000 (1 hour)`,
        );
      }
    }
    const match = configs.get("match");
    if (match !== undefined) {
      const parsed = parseMatch(listItems(match));
      if (!(parsed instanceof Map)) return parsed;
    }
    return null;
  }

  /**
   * Stores a subscription's configs (validated before); an empty set removes it. Values as they
   * were stay as they were: Kafka's controller writes no record for them, so clients are not
   * matched again.
   */
  store(name: string, configs: ReadonlyMap<string, string>): void {
    const current = this.#configs.get(name);
    const same = (current?.size ?? 0) === configs.size &&
      [...configs].every(([k, v]) => current?.get(k) === v);
    if (same) return;
    if (configs.size === 0) {
      if (this.#configs.delete(name)) this.#version++;
      this.#parsed.delete(name);
      return;
    }
    this.#configs.set(name, new Map(configs));
    this.#parsed.set(name, {
      name,
      metrics: listItems(configs.get("metrics") ?? ""),
      intervalMs: Number((configs.get("interval.ms") ?? String(DEFAULT_INTERVAL_MS)).trim()),
      match: parseMatch(listItems(configs.get("match") ?? "")) as Map<string, RegExp>,
    });
    this.#version++;
  }

  /** A subscription's configs as DescribeConfigs lists them (Kafka's defaults where unset). */
  describe(name: string): DescribedClientMetricsConfig[] {
    const stored = this.#configs.get(name);
    return CONFIGS.map((c) => {
      const raw = stored?.get(c.name);
      // Kafka describes the parsed value: a list's items joined by commas, a number as printed.
      const value = raw === undefined
        ? undefined
        : c.type === INT
        ? String(Number(raw.trim()))
        : listItems(raw).join(",");
      const source = value === undefined ? DEFAULT_CONFIG : DYNAMIC_CLIENT_METRICS_CONFIG;
      return {
        name: c.name,
        value: value ?? c.default,
        readOnly: false,
        configSource: source,
        isSensitive: false,
        synonyms: value === undefined ? [] : [{ name: c.name, value, source }],
        configType: c.type,
      };
    });
  }
}
