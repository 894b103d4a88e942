/**
 * Group configs (DescribeConfigs and AlterConfigs on GROUP resources), as Kafka 4.1 defines and
 * checks them: ten configs whose defaults are the broker's group.* configs, each set per group, and
 * Kafka's checks of a group's whole set (names, types and minimums, then the broker's bounds, then
 * a session longer than the heartbeat interval). Consumer groups of KIP-848 read their session
 * timeout and heartbeat interval from here. The differential suite compares every answer with a
 * real Kafka 4.1.1.
 *
 * @module
 */

import type { BrokerConfigs, DescribedConfig } from "./broker_configs.ts";
import { checkConfigValue } from "./broker_configs.ts";
import type { ConfigDefinition } from "./generated/config_catalog.ts";

const INT = 3, STRING = 2;

/** A group config: its definition, and the broker config its default comes from. */
interface GroupConfigDefinition extends ConfigDefinition {
  readonly brokerDefault?: string;
}

/** Kafka's group configs, in the order Kafka defines (and so checks) them. */
const DEFINITIONS: readonly GroupConfigDefinition[] = [
  int("consumer.session.timeout.ms", { default: "45000", min: 1 }),
  int("consumer.heartbeat.interval.ms", { default: "5000", min: 1 }),
  int("share.session.timeout.ms", { default: "45000", min: 1 }),
  int("share.heartbeat.interval.ms", { default: "5000", min: 1 }),
  int("share.record.lock.duration.ms", { default: "30000", min: 1000 }),
  { name: "share.auto.offset.reset", type: STRING, default: "latest" },
  {
    name: "share.isolation.level",
    type: STRING,
    default: "read_uncommitted",
    choices: ["read_committed", "read_uncommitted"],
  },
  int("streams.session.timeout.ms", { default: "45000", min: 1 }),
  int("streams.heartbeat.interval.ms", { default: "5000", min: 1 }),
  int("streams.num.standby.replicas", { default: "0", min: 0 }),
];

/** An int group config whose default comes from the broker's config of the same name after "group.". */
function int(name: string, options: { default: string; min: number }) {
  return {
    name,
    type: INT,
    default: options.default,
    min: options.min,
    brokerDefault: `group.${name}`,
  };
}

const BY_NAME: ReadonlyMap<string, GroupConfigDefinition> = new Map(
  DEFINITIONS.map((d) => [d.name, d]),
);

/** Group configs for incremental operations (APPEND and SUBTRACT apply to none of them). */
export const GROUP_CONFIG_DEFINITIONS: ReadonlyMap<string, ConfigDefinition> = BY_NAME;

const DYNAMIC_GROUP_CONFIG = 8, DEFAULT_CONFIG = 5;

/** A group's configs as DescribeConfigs lists them: each override, else the broker's default. */
export function describeGroupConfigs(
  overrides: ReadonlyMap<string, string>,
  broker: BrokerConfigs,
): DescribedConfig[] {
  return DEFINITIONS.map((d) => {
    const override = overrides.get(d.name);
    const value = override ?? groupDefault(d, broker);
    const source = override === undefined ? DEFAULT_CONFIG : DYNAMIC_GROUP_CONFIG;
    return {
      name: d.name,
      value,
      readOnly: false,
      configSource: source,
      isSensitive: false,
      synonyms: [{ name: d.name, value, source }],
      configType: d.type,
    };
  });
}

function groupDefault(d: GroupConfigDefinition, broker: BrokerConfigs): string {
  return d.brokerDefault ? broker.staticValue(d.brokerDefault) : d.default!;
}

/** A group's value of a group config: its override, else the broker's default. */
export function groupConfigValue(
  overrides: ReadonlyMap<string, string> | undefined,
  name: string,
  broker: BrokerConfigs,
): string {
  return overrides?.get(name) ?? groupDefault(BY_NAME.get(name)!, broker);
}

/**
 * Every group's dynamic configs (GROUP resources), by group id, kept whether the group exists or not;
 * read with the broker's defaults. The group coordinator and the share store share one.
 *
 * @example
 * ```ts
 * import { GroupConfigs } from "./group_configs.ts";
 * import { BrokerConfigs } from "./broker_configs.ts";
 * const configs = new GroupConfigs(new BrokerConfigs({ shared: {}, ofNode: () => ({}) }));
 * configs.set("g", new Map([["consumer.session.timeout.ms", "60000"]]));
 * console.log(configs.number("g", "consumer.session.timeout.ms")); // 60000
 * ```
 */
export class GroupConfigs extends Map<string, Map<string, string>> {
  readonly #broker: BrokerConfigs;

  /** Group configs whose defaults are `broker`'s group.* configs. */
  constructor(broker: BrokerConfigs) {
    super();
    this.#broker = broker;
  }

  /** A group's value of a group config: its override, else the broker's default. */
  value(groupId: string, name: string): string {
    return groupConfigValue(this.get(groupId), name, this.#broker);
  }

  /** A group's value of a numeric group config. */
  number(groupId: string, name: string): number {
    return Number(this.value(groupId, name));
  }
}

const AUTO_OFFSET_RESET =
  /^by_duration:P(?:\d+D)?(?:T(?:\d+H)?(?:\d+M)?(?:\d+(?:[.,]\d{1,9})?S)?)?$/i;

/** Kafka's refusal of a group's new set of configs, or null when it may be stored. */
export function validateGroupConfigs(
  configs: ReadonlyMap<string, string>,
  broker: BrokerConfigs,
): string | null {
  for (const name of configs.keys()) {
    if (!BY_NAME.has(name)) return `Unknown group config name: ${name}`;
  }
  for (const d of DEFINITIONS) {
    const value = configs.get(d.name);
    if (value === undefined) continue;
    const problem = checkConfigValue(d.name, value, BY_NAME);
    if (problem) return problem;
    if (d.name === "share.auto.offset.reset") {
      const v = value.trim().toLowerCase();
      const duration = AUTO_OFFSET_RESET.test(v) && !/^by_duration:pt?$/.test(v);
      if (v !== "earliest" && v !== "latest" && !duration) {
        return `Invalid value ${value} for configuration ${d.name}: Invalid value \`${value}\` for configuration ${d.name}. The value must be either 'earliest', 'latest' or of the format 'by_duration:<PnDTnHnMn.nS>'.`;
      }
    }
  }
  // Unset configs take the definitions' own defaults here, as Kafka parses them.
  const n = (name: string) => Number(configs.get(name) ?? BY_NAME.get(name)!.default);
  const b = (name: string) => broker.staticNumber(name);
  const bounds: [string, string, string][] = [
    [
      "consumer.heartbeat.interval.ms",
      "group.consumer.min.heartbeat.interval.ms",
      "group.consumer.max.heartbeat.interval.ms",
    ],
    [
      "consumer.session.timeout.ms",
      "group.consumer.min.session.timeout.ms",
      "group.consumer.max.session.timeout.ms",
    ],
    [
      "share.heartbeat.interval.ms",
      "group.share.min.heartbeat.interval.ms",
      "group.share.max.heartbeat.interval.ms",
    ],
    [
      "share.session.timeout.ms",
      "group.share.min.session.timeout.ms",
      "group.share.max.session.timeout.ms",
    ],
    [
      "share.record.lock.duration.ms",
      "group.share.min.record.lock.duration.ms",
      "group.share.max.record.lock.duration.ms",
    ],
    [
      "streams.heartbeat.interval.ms",
      "group.streams.min.heartbeat.interval.ms",
      "group.streams.max.heartbeat.interval.ms",
    ],
    [
      "streams.session.timeout.ms",
      "group.streams.min.session.timeout.ms",
      "group.streams.max.session.timeout.ms",
    ],
  ];
  for (const [name, min, max] of bounds) {
    if (n(name) < b(min)) return `${name} must be greater than or equal to ${min}`;
    if (n(name) > b(max)) return `${name} must be less than or equal to ${max}`;
  }
  if (n("streams.num.standby.replicas") > b("group.streams.max.standby.replicas")) {
    return "streams.num.standby.replicas must be less than or equal to group.streams.max.standby.replicas";
  }
  for (const kind of ["consumer", "share", "streams"]) {
    if (n(`${kind}.session.timeout.ms`) <= n(`${kind}.heartbeat.interval.ms`)) {
      return `${kind}.session.timeout.ms must be greater than ${kind}.heartbeat.interval.ms`;
    }
  }
  return null;
}
