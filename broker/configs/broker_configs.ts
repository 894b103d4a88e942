/**
 * Broker configs at Kafka's four levels — per-broker dynamic, cluster-wide dynamic, static (set at
 * start, Kafka's server.properties) and Kafka's defaults — and the topic configs that fall back on
 * them, resolved, described and validated as Kafka 4.1 does.
 *
 * @module
 */

import {
  BROKER_CONFIG_CATALOG,
  type ConfigDefinition,
  TOPIC_CONFIG_CATALOG,
} from "./generated/config_catalog.ts";
import { scalaHashMapOrder } from "../metadata/java_hash_set.ts";

/** Kafka's ConfigSource values. */
export const ConfigSource = {
  DYNAMIC_TOPIC_CONFIG: 1,
  DYNAMIC_BROKER_CONFIG: 2,
  DYNAMIC_DEFAULT_BROKER_CONFIG: 3,
  STATIC_BROKER_CONFIG: 4,
  DEFAULT_CONFIG: 5,
} as const;

const BROKER_DEFINITIONS = new Map(BROKER_CONFIG_CATALOG.map((d) => [d.name, d]));
const TOPIC_DEFINITIONS = new Map(TOPIC_CONFIG_CATALOG.map((d) => [d.name, d]));
/** A topic's configs in the order Kafka 4.1.1's DescribeConfigs lists them (a hash map's). */
const TOPIC_DESCRIBE_ORDER = scalaHashMapOrder(TOPIC_CONFIG_CATALOG.map((d) => d.name))
  .map((name) => TOPIC_DEFINITIONS.get(name)!);
const PASSWORD = 9, LIST = 7;
const FIXED_LISTENER_CONFIGS = [
  "listeners",
  "advertised.listeners",
  "listener.security.protocol.map",
];
const HOUR = 3_600_000, MINUTE = 60_000;

/**
 * The broker configs a topic config falls back on, in Kafka's order of precedence, each with the
 * factor that turns it into the topic config's unit.
 */
const TOPIC_SYNONYMS: Readonly<Record<string, readonly (readonly [string, number])[]>> = {
  "segment.bytes": [["log.segment.bytes", 1]],
  "segment.ms": [["log.roll.ms", 1], ["log.roll.hours", HOUR]],
  "segment.jitter.ms": [["log.roll.jitter.ms", 1], ["log.roll.jitter.hours", HOUR]],
  "segment.index.bytes": [["log.index.size.max.bytes", 1]],
  "flush.messages": [["log.flush.interval.messages", 1]],
  "flush.ms": [["log.flush.interval.ms", 1], ["log.flush.scheduler.interval.ms", 1]],
  "retention.bytes": [["log.retention.bytes", 1]],
  "retention.ms": [
    ["log.retention.ms", 1],
    ["log.retention.minutes", MINUTE],
    ["log.retention.hours", HOUR],
  ],
  "max.message.bytes": [["message.max.bytes", 1]],
  "index.interval.bytes": [["log.index.interval.bytes", 1]],
  "delete.retention.ms": [["log.cleaner.delete.retention.ms", 1]],
  "min.compaction.lag.ms": [["log.cleaner.min.compaction.lag.ms", 1]],
  "max.compaction.lag.ms": [["log.cleaner.max.compaction.lag.ms", 1]],
  "file.delete.delay.ms": [["log.segment.delete.delay.ms", 1]],
  "min.cleanable.dirty.ratio": [["log.cleaner.min.cleanable.ratio", 1]],
  "cleanup.policy": [["log.cleanup.policy", 1]],
  "unclean.leader.election.enable": [["unclean.leader.election.enable", 1]],
  "min.insync.replicas": [["min.insync.replicas", 1]],
  "compression.type": [["compression.type", 1]],
  "compression.gzip.level": [["compression.gzip.level", 1]],
  "compression.lz4.level": [["compression.lz4.level", 1]],
  "compression.zstd.level": [["compression.zstd.level", 1]],
  "preallocate": [["log.preallocate", 1]],
  "message.timestamp.type": [["log.message.timestamp.type", 1]],
  "message.timestamp.before.max.ms": [["log.message.timestamp.before.max.ms", 1]],
  "message.timestamp.after.max.ms": [["log.message.timestamp.after.max.ms", 1]],
  "local.retention.ms": [["log.local.retention.ms", 1]],
  "local.retention.bytes": [["log.local.retention.bytes", 1]],
};

/** Names that are one broker config in several units, as Kafka groups them. */
const SAME_CONFIG = [
  ["log.roll.ms", "log.roll.hours"],
  ["log.roll.jitter.ms", "log.roll.jitter.hours"],
  ["log.retention.ms", "log.retention.minutes", "log.retention.hours"],
];

/** Kafka's synonyms of a broker config, highest precedence first. */
function brokerSynonyms(name: string, matchListenerOverride = true): string[] {
  const group = SAME_CONFIG.find((g) => g.includes(name));
  if (group) return group;
  if (name === "log.flush.interval.ms") return [name, "log.flush.scheduler.interval.ms"];
  const listener = name.match(/^listener\.name\.[^.]*\.(.*)$/);
  if (listener && matchListenerOverride) {
    const mechanism = [
      "sasl.jaas.config",
      "sasl.login.callback.handler.class",
      "sasl.login.class",
      "sasl.server.callback.handler.class",
      "connections.max.reauth.ms",
    ].find((m) => listener[1].endsWith(m));
    return [name, mechanism ?? listener[1]];
  }
  return [name];
}

/** One level of broker configs and the ConfigSource it reports. */
type Level = [configs: ReadonlyMap<string, string>, source: number];

/** One described config, as DescribeConfigs carries it. */
export interface DescribedConfig {
  name: string;
  value: string | null;
  readOnly: boolean;
  configSource: number;
  isSensitive: boolean;
  synonyms: { name: string; value: string | null; source: number }[];
  configType: number;
}

/** A Scala set as Kafka's messages print it. */
function scalaSet(names: string[], kind = "Set"): string {
  return `${names.length > 4 ? "HashSet" : kind}(${names.join(", ")})`;
}

/**
 * Kafka's verdict on a value of a config it defines: null when valid, else the message of its
 * ConfigException ("Invalid value V for configuration N: reason").
 *
 * @example
 * ```ts
 * import { checkConfigValue } from "./broker_configs.ts";
 * checkConfigValue("message.max.bytes", "abc"); // "... Not a number of type INT"
 * ```
 */
export function checkConfigValue(
  name: string,
  value: string,
  definitions: ReadonlyMap<string, ConfigDefinition> = BROKER_DEFINITIONS,
): string | null {
  const def = definitions.get(name);
  if (!def) return null;
  const invalid = (reason: string) => `Invalid value ${value} for configuration ${name}: ${reason}`;
  const v = value.trim();
  const integer = (bits: bigint, type: string) => {
    if (!/^[+-]?\d+$/.test(v)) return invalid(`Not a number of type ${type}`);
    const n = BigInt(v), limit = 1n << (bits - 1n);
    return n < -limit || n >= limit ? invalid(`Not a number of type ${type}`) : null;
  };
  const problem = def.type === 1
    ? (/^(true|false)$/i.test(v) ? null : invalid("Expected value to be either true or false"))
    : def.type === 3
    ? integer(32n, "INT")
    : def.type === 4
    ? integer(16n, "SHORT")
    : def.type === 5
    ? integer(64n, "LONG")
    : def.type === 6
    ? (v !== "" && Number.isFinite(Number(v)) ? null : invalid("Not a number of type DOUBLE"))
    : null;
  if (problem) return problem;
  // Range refusals print the parsed value, as Java prints it (a double "2" as "2.0").
  const parsed = def.type === 6
    ? (Number.isInteger(Number(v)) ? Number(v).toFixed(1) : String(Number(v)))
    : v.replace(/^\+/, "");
  if (def.min !== undefined && Number(v) < def.min) {
    return `Invalid value ${parsed} for configuration ${name}: Value must be at least ${def.min}`;
  }
  if (def.max !== undefined && Number(v) > def.max) {
    return `Invalid value ${parsed} for configuration ${name}: Value must be no more than ${def.max}`;
  }
  if (def.choices) {
    // A list names its first refused item; an empty list is a valid one.
    const items = def.type !== LIST ? [v] : v === "" ? [] : v.split(/\s*,\s*/);
    const refused = items.find((i) => !def.choices!.includes(i));
    if (refused !== undefined) {
      return `Invalid value ${refused} for configuration ${name}: String must be one of: ${
        def.choices.join(", ")
      }`;
    }
  }
  return null;
}

/** Options of a cluster's broker configs. */
export interface BrokerConfigsOptions {
  /** Static configs every node starts with (Kafka's server.properties). */
  shared: Record<string, string>;
  /** Static configs of one node (its id and listeners), read when described. */
  ofNode: (nodeId: number) => Record<string, string>;
}

/**
 * A cluster's broker configs: what each node started with, what was altered at run time for the
 * cluster and for each node, and the topic configs that follow them.
 *
 * @example
 * ```ts
 * import { BrokerConfigs } from "./broker_configs.ts";
 * const configs = new BrokerConfigs({ shared: {}, ofNode: (id) => ({ "node.id": String(id) }) });
 * configs.value(1, "message.max.bytes"); // "1048588"
 * ```
 */
export class BrokerConfigs {
  readonly #shared: Map<string, string>;
  readonly #ofNode: (nodeId: number) => Record<string, string>;
  readonly #clusterWide = new Map<string, string>();
  readonly #perNode = new Map<number, Map<string, string>>();
  /** Merged static and dynamic configs per node (without the node's own), rebuilt after changes. */
  #merged = new Map<number, Map<string, string>>();

  constructor(options: BrokerConfigsOptions) {
    this.#shared = new Map(Object.entries(options.shared));
    this.#ofNode = options.ofNode;
  }

  /** The dynamic configs of a node, or the cluster-wide ones (`null`), as stored. */
  dynamic(nodeId: number | null): ReadonlyMap<string, string> {
    return nodeId === null ? this.#clusterWide : this.#perNode.get(nodeId) ?? new Map();
  }

  /** Replaces the dynamic configs of a node or of the cluster (`null`); validate first. */
  setDynamic(nodeId: number | null, configs: ReadonlyMap<string, string>): void {
    const target = nodeId === null ? this.#clusterWide : this.#perNode.get(nodeId) ?? new Map();
    target.clear();
    for (const [k, v] of configs) target.set(k, v);
    if (nodeId !== null) this.#perNode.set(nodeId, target);
    this.#merged = new Map();
  }

  /** A node's configs as Kafka merges its levels: static, then cluster-wide, then its own. */
  #mergedOf(nodeId: number): Map<string, string> {
    let merged = this.#merged.get(nodeId);
    if (!merged) {
      merged = new Map(this.#shared);
      for (const level of [this.#clusterWide, this.#perNode.get(nodeId) ?? new Map()]) {
        for (const [k, v] of level) {
          // A dynamic value hides the static values of its synonyms (log.roll.hours vs .ms).
          for (const s of brokerSynonyms(k, false)) merged.delete(s);
          merged.set(k, v);
        }
      }
      this.#merged.set(nodeId, merged);
    }
    return merged;
  }

  /** The value of a broker config on a node, null when unset and without a default. */
  value(nodeId: number, name: string): string | null {
    return this.#ofNode(nodeId)[name] ?? this.#mergedOf(nodeId).get(name) ??
      BROKER_DEFINITIONS.get(name)?.default ?? null;
  }

  /** A read-only broker config that every node shares (set at start). */
  staticValue(name: string): string {
    return this.#shared.get(name) ?? BROKER_DEFINITIONS.get(name)?.default ?? "";
  }

  /** A read-only broker config that every node shares (set at start), as a number. */
  staticNumber(name: string): number {
    return Number(this.staticValue(name));
  }

  /** A read-only broker config of type LIST that every node shares, its items trimmed. */
  staticList(name: string): string[] {
    return this.staticValue(name).split(",").map((s) => s.trim()).filter((s) => s !== "");
  }

  /** A topic's value of a topic config on a node: its override, else the broker's, else Kafka's. */
  topicValue(overrides: ReadonlyMap<string, string>, name: string, nodeId: number): string {
    const override = overrides.get(name);
    if (override !== undefined) return override;
    const merged = this.#mergedOf(nodeId);
    for (const [synonym, factor] of TOPIC_SYNONYMS[name] ?? []) {
      const v = merged.get(synonym) ?? BROKER_DEFINITIONS.get(synonym)?.default ?? null;
      if (v === null) continue;
      if (factor === 1) return v.trim();
      const ms = Number(v) * factor;
      return String(ms < 0 ? -1 : ms);
    }
    return TOPIC_DEFINITIONS.get(name)?.default ?? "";
  }

  /** A node's four levels, highest precedence first, with the source each reports. */
  #levels(nodeId: number): Level[] {
    return [
      [this.#perNode.get(nodeId) ?? new Map(), ConfigSource.DYNAMIC_BROKER_CONFIG],
      [this.#clusterWide, ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG],
      [
        new Map([...this.#shared, ...Object.entries(this.#ofNode(nodeId))]),
        ConfigSource.STATIC_BROKER_CONFIG,
      ],
      [defaults, ConfigSource.DEFAULT_CONFIG],
    ];
  }

  /** Kafka's synonym list of a broker config: every level that sets one of its names. */
  #synonyms(levels: Level[], name: string, sensitive: boolean) {
    const names = brokerSynonyms(name);
    const all = levels.flatMap(([level, source]) =>
      names.flatMap((n) => {
        const value = level.get(n);
        return value === undefined ? [] : [{ name: n, value: sensitive ? null : value, source }];
      })
    );
    // Kafka drops the synonyms of higher precedence than the config itself.
    const own = all.findIndex((s) => s.name === name);
    return own < 0 ? [] : all.slice(own);
  }

  /**
   * Describes a node's configs (`nodeId`), or the cluster-wide dynamic ones (`nodeId` null, asked
   * of node `askedOf`), as Kafka's DescribeConfigs answers for a BROKER resource.
   */
  describeBroker(nodeId: number | null, askedOf: number): DescribedConfig[] {
    const levels = this.#levels(askedOf);
    const entry = (name: string, value: string | null, perBroker: boolean): DescribedConfig => {
      const def = BROKER_DEFINITIONS.get(name);
      // Kafka treats a config it does not define as sensitive.
      const sensitive = !def || def.type === PASSWORD;
      const synonyms = this.#synonyms(levels, name, sensitive)
        .filter((s) => perBroker || s.source === ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG);
      return {
        name,
        value: sensitive ? null : value,
        readOnly: def?.mode === undefined,
        configSource: synonyms[0]?.source ?? ConfigSource.DEFAULT_CONFIG,
        isSensitive: sensitive,
        synonyms,
        configType: def?.type ?? 0,
      };
    };
    if (nodeId === null) {
      return [...this.#clusterWide].map(([name, value]) => entry(name, value, false));
    }
    const names = new Set([
      ...BROKER_DEFINITIONS.keys(),
      ...this.#mergedOf(nodeId).keys(),
      ...Object.keys(this.#ofNode(nodeId)),
    ]);
    return [...names].map((name) => entry(name, this.value(nodeId, name), true));
  }

  /**
   * Describes a topic's configs on a node, as Kafka's DescribeConfigs answers for a TOPIC, in its
   * order (or in name order with `nameOrder`, as CreateTopics lists them).
   */
  describeTopic(
    overrides: ReadonlyMap<string, string>,
    nodeId: number,
    options: { nameOrder?: boolean } = {},
  ): DescribedConfig[] {
    const levels = this.#levels(nodeId);
    const definitions = options.nameOrder ? TOPIC_CONFIG_CATALOG : TOPIC_DESCRIBE_ORDER;
    return definitions.map(({ name, type }) => {
      const value = this.topicValue(overrides, name, nodeId);
      const first = TOPIC_SYNONYMS[name]?.[0][0];
      const synonyms = first === undefined ? [] : this.#synonyms(levels, first, false);
      const override = overrides.get(name);
      if (override !== undefined) {
        synonyms.unshift({ name, value: override, source: ConfigSource.DYNAMIC_TOPIC_CONFIG });
      }
      return {
        name,
        value,
        readOnly: false,
        configSource: synonyms[0]?.source ?? ConfigSource.DEFAULT_CONFIG,
        isSensitive: false,
        synonyms,
        configType: type,
      };
    });
  }

  /**
   * Kafka's verdict on a node's (`nodeId`) or the cluster's (`null`) complete set of dynamic
   * configs: null when it may be applied, else the INVALID_REQUEST message.
   */
  validateDynamic(nodeId: number | null, configs: ReadonlyMap<string, string>): string | null {
    const names = [...configs.keys()];
    const readOnly = names.filter((n) =>
      BROKER_DEFINITIONS.get(n)?.mode === undefined &&
      BROKER_DEFINITIONS.has(n)
    );
    if (readOnly.length > 0) {
      return `Cannot update these configs dynamically: ${scalaSet(readOnly)}`;
    }
    const listenerOnly = names.filter((n) => BROKER_DEFINITIONS.get(n)?.mode === "per-listener");
    if (listenerOnly.length > 0) {
      return "These security configs can be dynamically updated only per-listener using the " +
        `listener prefix: ${scalaSet(listenerOnly, "HashSet")}`;
    }
    for (const [name, value] of configs) {
      const base = name.match(/^listener\.name\.[^.]*\.(.*)$/)?.[1] ?? name;
      const problem = checkConfigValue(base, value);
      if (problem) return problem.replace(`configuration ${base}:`, `configuration ${name}:`);
    }
    if (nodeId === null) {
      const perBroker = names.filter((n) =>
        BROKER_DEFINITIONS.get(n)?.mode === "per-broker" ||
        /^listener\.name\.[^.]*\.(?!max\.connections$|max\.connection\.creation\.rate$)/.test(n)
      );
      if (perBroker.length > 0) {
        return "Cannot update these configs at default cluster level, broker id must be " +
          `specified: ${scalaSet(perBroker)}`;
      }
    }
    // Kafka rebinds its sockets for these; Brook's nodes keep the listeners they started with.
    const listeners = names.filter((n) => FIXED_LISTENER_CONFIGS.includes(n));
    if (listeners.length > 0) {
      return `Brook's broker cannot change its listeners while it runs: ${scalaSet(listeners)}`;
    }
    return null;
  }
}

const defaults: ReadonlyMap<string, string> = new Map(
  BROKER_CONFIG_CATALOG.flatMap((d) => d.default === null ? [] : [[d.name, d.default]]),
);

/** Whether Kafka defines a broker config of this name, and whether it may change at run time. */
export function brokerConfigDefinition(name: string): ConfigDefinition | undefined {
  return BROKER_DEFINITIONS.get(name);
}

/** Kafka's topic configs and their defaults. */
export const TOPIC_CONFIG_DEFINITIONS: ReadonlyMap<string, ConfigDefinition> = TOPIC_DEFINITIONS;
