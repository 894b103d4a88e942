/**
 * Differential scenarios of broker configs: every config a node describes, the cluster-wide
 * dynamic configs, dynamic changes with Kafka's checks, and topics that fall back on them.
 *
 * @module
 */

import { ApiKey, type ApiMessages, encodeRecordBatch } from "../../codec/mod.ts";
import { produceRequest, type Scenario, step } from "./differential.ts";

/**
 * Static configs that describe how each test broker is set up (its listeners, log directories,
 * controller quorum, replication of internal topics): they differ by setup, not by behaviour.
 */
const SETUP = new Set([
  "listeners",
  "advertised.listeners",
  "listener.security.protocol.map",
  "controller.listener.names",
  "controller.quorum.bootstrap.servers",
  "inter.broker.listener.name",
  "log.dirs",
  "offsets.topic.replication.factor",
  "transaction.state.log.replication.factor",
  "transaction.state.log.min.isr",
  "share.coordinator.state.topic.replication.factor",
  "share.coordinator.state.topic.min.isr",
]);

/** The static configs Brook's broker is given so that it is set up as the test's real Kafka. */
export const KAFKA_TEST_CONFIGS: Record<string, string> = {
  "num.partitions": "1",
  "offsets.topic.num.partitions": "3",
  "group.initial.rebalance.delay.ms": "0",
};

type Described = {
  results: { configs: { name: string }[] }[];
};

/** Configs in name order (Kafka's order comes from a hash map), setup-specific ones left out. */
function sorted(response: Described): unknown {
  return {
    ...response,
    results: response.results.map((r) => ({
      ...r,
      configs: r.configs.filter((c) => !SETUP.has(c.name))
        .sort((a, b) => a.name < b.name ? -1 : 1),
    })),
  };
}

type Values = Record<string, string | null>;

/**
 * Describes a resource; `expect` names values it must show (null: no value): a real Kafka's broker
 * applies a change shortly after answering it, so the request is resent until they show.
 */
const describe = (
  resourceType: number,
  resourceName: string,
  keys: string[] | null = null,
  expect: Values = {},
) =>
  step(ApiKey.DescribeConfigs, 4, {
    resources: [{ resourceType, resourceName, configurationKeys: keys }],
    includeSynonyms: true,
    includeDocumentation: false,
  }, (r) => {
    const configs = r.results[0]?.configs ?? [];
    return Object.entries(expect).every(([name, value]) =>
      value === null
        ? !configs.some((c) => c.name === name && c.value !== null)
        : configs.some((c) => c.name === name && c.value === value)
    );
  }, sorted);

/** Times of day in Kafka's messages (the broker's clock) read "<time>"; bigints become strings. */
function timesMasked(_key: string, value: unknown): unknown {
  if (typeof value === "bigint") return `${value}n`;
  return typeof value === "string" ? value.replace(/\d{12,}/g, "<time>") : value;
}

type Op = [name: string, op: number, value: string | null];
const alter = (resourceName: string, ops: Op[], validateOnly = false, resourceType = 4) =>
  step(ApiKey.IncrementalAlterConfigs, 1, {
    resources: [{
      resourceType,
      resourceName,
      configs: ops.map(([name, configOperation, value]) => ({ name, configOperation, value })),
    }],
    validateOnly,
  });
const SET = 0, DELETE = 1, APPEND = 2, SUBTRACT = 3;

/** The scenarios, with topic names made unique by `run`. */
export function configScenarios(run: string): Scenario[] {
  const topic = `${run}-configs`;
  const one = new Uint8Array([1]);
  const future = () =>
    step(
      ApiKey.Produce,
      9,
      () =>
        produceRequest(
          topic,
          encodeRecordBatch({
            records: [{ key: one, value: one }, { key: one, value: one, timestamp: 1000 }],
            baseTimestamp: Date.now() + 7_200_000,
          }),
        ),
      undefined,
      (r) => JSON.parse(JSON.stringify(r, timesMasked)),
    );
  const produce = (size: number) =>
    step(
      ApiKey.Produce,
      9,
      produceRequest(
        topic,
        encodeRecordBatch({
          records: [{ key: null, value: new Uint8Array(size).fill(1) }],
          baseTimestamp: 1000,
        }),
      ),
    );
  return [
    {
      name: "broker configs: a node's, the cluster-wide ones, other nodes",
      steps: [
        describe(4, "1"),
        describe(4, ""),
        describe(4, "2"),
        describe(4, "x"),
        step(ApiKey.DescribeConfigs, 1, {
          resources: [{
            resourceType: 4,
            resourceName: "1",
            configurationKeys: ["message.max.bytes", "log.retention.ms", "no.such.config"],
          }],
          includeSynonyms: false,
        }),
      ],
    },
    {
      name: "broker configs: dynamic changes, Kafka's checks, topics that follow them",
      steps: [
        step(ApiKey.CreateTopics, 7, {
          topics: [{
            name: topic,
            numPartitions: 1,
            replicationFactor: 1,
            configs: [{ name: "retention.bytes", value: "1000" }],
          }],
          timeoutMs: 5000,
        }),
        alter("", [["log.retention.ms", SET, "1234567"]]),
        alter("1", [["message.max.bytes", SET, "2000000"]]),
        alter("1", [["num.partitions", SET, "3"]]),
        alter("", [["num.partitions", SET, "3"], ["auto.create.topics.enable", SET, "false"]]),
        alter("", [["brook.custom.config", SET, "3"]]),
        alter("2", [["message.max.bytes", SET, "3"]]),
        alter("x", [["message.max.bytes", SET, "3"]]),
        alter("", [["message.max.bytes", SET, "abc"]]),
        alter("", [["log.cleaner.threads", SET, "-1"]]),
        alter("", [["log.preallocate", SET, "maybe"]]),
        alter("", [["log.cleanup.policy", APPEND, "compact"]]),
        alter("", [["log.cleanup.policy", SET, "bogus"]]),
        alter("", [["min.insync.replicas", SET, "0"]]),
        alter("", [["compression.type", SET, "gzip"]], true),
        alter("", [["max.connections", SET, "100"]]),
        alter("1", [["max.connections", DELETE, null]]),
        alter("", [["ssl.keystore.password", SET, "secret"]]),
        alter("", [["ssl.protocol", SET, "TLSv1.2"]]),
        alter("", [["message.max.bytes", APPEND, "5"]]),
        alter("", [["message.max.bytes", SET, null]]),
        alter("", [["message.max.bytes", SET, "5"], ["message.max.bytes", DELETE, null]]),
        alter("", [["message.max.bytes", 7, "5"]]),
        step(ApiKey.IncrementalAlterConfigs, 1, {
          resources: [
            { resourceType: 4, resourceName: "", configs: [] },
            { resourceType: 4, resourceName: "", configs: [] },
          ],
          validateOnly: false,
        }),
        describe(4, "1", [
          "log.retention.ms",
          "log.retention.hours",
          "message.max.bytes",
          "log.cleanup.policy",
          "max.connections",
          "min.insync.replicas",
          "brook.custom.config",
        ], { "message.max.bytes": "2000000", "log.cleanup.policy": "delete,compact" }),
        describe(4, "", null, { "max.connections": "100" }),
        describe(2, topic, null, {
          "cleanup.policy": "delete,compact",
          "max.message.bytes": "2000000",
        }),
        // The node's message.max.bytes (2000000) is the topic's max.message.bytes now.
        produce(1_500_000),
        produce(2_100_000),
        // Topic configs are checked against their types, ranges and choices.
        ...([
          ["retention.ms", "abc"],
          ["retention.ms", "-5"],
          ["segment.bytes", "5"],
          ["max.message.bytes", "-5"],
          ["cleanup.policy", ""],
          ["cleanup.policy", "compact,bogus"],
          ["cleanup.policy", "compact, delete"],
          ["unclean.leader.election.enable", "maybe"],
          ["min.cleanable.dirty.ratio", "2"],
          ["min.insync.replicas", "0"],
          ["compression.type", "brotli"],
        ].map(([name, value]) => alter(topic, [[name, SET, value]], true, 2))),
        alter(topic, [["max.message.bytes", SET, "1000"]], false, 2),
        describe(2, topic, ["max.message.bytes"], { "max.message.bytes": "1000" }),
        produce(5_000),
        // A record two hours ahead of the broker's clock (message.timestamp.after.max.ms is 1 h).
        future(),
        alter("", [["log.cleanup.policy", SUBTRACT, "delete"]]),
        describe(2, topic, ["cleanup.policy", "max.message.bytes", "retention.ms"], {
          "cleanup.policy": "compact",
        }),
        step(ApiKey.AlterConfigs, 2, {
          resources: [{
            resourceType: 4,
            resourceName: "",
            configs: [
              { name: "min.insync.replicas", value: "1" },
              { name: "log.retention.ms", value: "5000" },
            ],
          }],
          validateOnly: false,
        }),
        step(ApiKey.AlterConfigs, 2, {
          resources: [{
            resourceType: 4,
            resourceName: "1",
            configs: [{ name: "num.io.threads", value: "x" }],
          }],
          validateOnly: false,
        }),
        describe(4, "", null, { "log.retention.ms": "5000", "max.connections": null }),
        alter("", [["log.retention.ms", DELETE, null]]),
        alter("1", [["message.max.bytes", DELETE, null]]),
        describe(4, "", null, { "log.retention.ms": null }),
        // A topic's synonyms come from what the node has applied, so wait for the node first.
        describe(4, "1", ["message.max.bytes", "log.retention.ms"], {
          "message.max.bytes": "1048588",
          "log.retention.ms": null,
        }),
        describe(2, topic, ["max.message.bytes", "retention.ms"], {
          "max.message.bytes": "1000",
          "retention.ms": "604800000",
        }),
      ],
    },
    {
      name: "group configs: describe, dynamic changes and Kafka's checks",
      steps: [
        describe(GROUP, `${run}-gc`),
        describe(GROUP, `${run}-gc`, ["consumer.session.timeout.ms"]),
        describe(GROUP, ""),
        alter(`${run}-gc`, [["consumer.session.timeout.ms", SET, "50000"]], false, GROUP),
        describe(GROUP, `${run}-gc`, null, { "consumer.session.timeout.ms": "50000" }),
        alter(`${run}-gc`, [["consumer.session.timeout.ms", SET, "10"]], false, GROUP),
        alter(`${run}-gc`, [["consumer.session.timeout.ms", SET, "x"]], false, GROUP),
        alter(`${run}-gc`, [["consumer.heartbeat.interval.ms", SET, "1000"]], false, GROUP),
        alter(`${run}-gc`, [["consumer.heartbeat.interval.ms", SET, "50000"]], false, GROUP),
        alter(`${run}-gc`, [["share.isolation.level", SET, "maybe"]], false, GROUP),
        alter(`${run}-gc`, [["share.auto.offset.reset", SET, "soon"]], false, GROUP),
        alter(`${run}-gc`, [["share.record.lock.duration.ms", SET, "999"]], false, GROUP),
        alter(`${run}-gc`, [["streams.num.standby.replicas", SET, "9"]], false, GROUP),
        alter(`${run}-gc`, [["bogus.config", SET, "1"]], false, GROUP),
        alter(`${run}-gc`, [["consumer.heartbeat.interval.ms", SET, "6000"]], true, GROUP),
        alter("", [["consumer.session.timeout.ms", SET, "50000"]], false, GROUP),
        alter(`${run}-gc`, [["consumer.session.timeout.ms", APPEND, "5"]], false, GROUP),
        alter(`${run}-gc`, [["consumer.session.timeout.ms", DELETE, null]], false, GROUP),
        describe(GROUP, `${run}-gc`, ["consumer.session.timeout.ms"], {
          "consumer.session.timeout.ms": "45000",
        }),
        step(ApiKey.AlterConfigs, 2, {
          resources: [{
            resourceType: GROUP,
            resourceName: `${run}-gc`,
            configs: [{ name: "consumer.heartbeat.interval.ms", value: "6000" }],
          }],
          validateOnly: false,
        }),
        // Every resource with configs: the group above, the node, every topic (in name order).
        step(
          ApiKey.ListConfigResources,
          1,
          { resourceTypes: [] },
          (r) => r.configResources.some((c) => c.resourceName === `${run}-gc`),
          (r) => ({
            ...r,
            configResources: [...r.configResources].sort((a, b) =>
              a.resourceType - b.resourceType || (a.resourceName < b.resourceName ? -1 : 1)
            ),
          }),
        ),
      ],
    },
    topicOrderScenario(run),
    quotaScenario(run),
  ];
}

/**
 * A topic's configs in the order Kafka 4.1.1 answers them (a hash map's), with and without an
 * override, and for named keys (the answer keeps Kafka's order, not the request's).
 */
function topicOrderScenario(run: string): Scenario {
  const topic = `${run}-config-order`;
  const describe = (keys: string[] | null) =>
    step(ApiKey.DescribeConfigs, 4, {
      resources: [{ resourceType: 2, resourceName: topic, configurationKeys: keys }],
      includeSynonyms: false,
      includeDocumentation: false,
    }, (r) => r.results[0]?.errorCode === 0);
  return {
    name: "topic configs: every config in Kafka's order",
    steps: [
      step(ApiKey.CreateTopics, 7, {
        topics: [{
          name: topic,
          numPartitions: 1,
          replicationFactor: 1,
          configs: [{ name: "retention.ms", value: "86400000" }],
        }],
        timeoutMs: 5000,
      }),
      describe(null),
      describe(["segment.ms", "retention.ms", "cleanup.policy", "compression.type"]),
      step(ApiKey.DeleteTopics, 6, { topics: [{ name: topic }], timeoutMs: 5000 }),
    ],
  };
}

const GROUP = 32;

type QuotaEntity = { entityType: string; entityName: string | null }[];
type QuotaOp = { key: string; value: number; remove: boolean };

/** Entities, their values and alteration answers in one order (Kafka's come from hash maps). */
function quotasInOrder<T extends { entries: unknown[] | null }>(r: T): T {
  const key = (x: unknown) => JSON.stringify(x);
  const entries = r.entries?.map((e) => {
    const entry = e as { entity: QuotaEntity; values?: { key: string }[] };
    return {
      ...entry,
      entity: [...entry.entity].sort((a, b) => a.entityType < b.entityType ? -1 : 1),
      ...(entry.values ? { values: [...entry.values].sort((a, b) => a.key < b.key ? -1 : 1) } : {}),
    };
  }).sort((a, b) => key(a.entity) < key(b.entity) ? -1 : 1) ?? null;
  return { ...r, entries };
}

/** Client quotas: alterations with every refusal Kafka makes, then describe filters. */
function quotaScenario(run: string): Scenario {
  const user = (name: string | null): QuotaEntity => [{ entityType: "user", entityName: name }];
  const set = (key: string, value: number): QuotaOp => ({ key, value, remove: false });
  const alter = (entries: { entity: QuotaEntity; ops: QuotaOp[] }[], validateOnly = false) =>
    step(ApiKey.AlterClientQuotas, 1, { entries, validateOnly }, undefined, quotasInOrder);
  const describe = (
    components: { entityType: string; matchType: number; match: string | null }[],
    strict = false,
    until?: (r: ApiMessages[typeof ApiKey.DescribeClientQuotas]["response"]) => boolean,
  ) => step(ApiKey.DescribeClientQuotas, 1, { components, strict }, until, quotasInOrder);
  const alice = `${run}-alice`;
  return {
    name: "client quotas: alterations, Kafka's refusals, describe filters",
    steps: [
      alter([
        {
          entity: user(alice),
          ops: [set("producer_byte_rate", 1024), set("consumer_byte_rate", 2048)],
        },
        { entity: user(null), ops: [set("request_percentage", 50.5)] },
        {
          entity: [...user(alice), { entityType: "client-id", entityName: "c1" }],
          ops: [set("controller_mutation_rate", 10)],
        },
        {
          entity: [{ entityType: "ip", entityName: "127.0.0.1" }],
          ops: [set("connection_creation_rate", 10)],
        },
      ]),
      alter([{
        entity: [{ entityType: "client-id", entityName: null }],
        ops: [set("producer_byte_rate", 1.5)],
      }]),
      alter([{
        entity: [{ entityType: "ip", entityName: "127.0.0.1" }, ...user(alice)],
        ops: [set("connection_creation_rate", 1)],
      }]),
      alter([{ entity: [], ops: [set("producer_byte_rate", 1)] }]),
      alter([{
        entity: [{ entityType: "group", entityName: "g" }],
        ops: [set("producer_byte_rate", 1)],
      }]),
      alter([{ entity: user(""), ops: [set("producer_byte_rate", 1)] }]),
      alter([{ entity: user(alice), ops: [set("bogus", 1)] }]),
      alter([{ entity: user(alice), ops: [set("producer_byte_rate", 0)] }]),
      alter([{ entity: user(alice), ops: [set("producer_byte_rate", 1e20)] }]),
      alter([{
        entity: [{ entityType: "ip", entityName: null }],
        ops: [set("connection_creation_rate", 3e9)],
      }]),
      alter([{
        entity: user(alice),
        ops: [set("producer_byte_rate", 5), set("producer_byte_rate", 6)],
      }]),
      alter([
        { entity: user(`${run}-bob`), ops: [set("producer_byte_rate", 5)] },
        { entity: user(`${run}-bob`), ops: [set("consumer_byte_rate", 6)] },
      ]),
      alter([{ entity: user(`${run}-carol`), ops: [set("producer_byte_rate", 5)] }], true),
      alter([{
        entity: user(alice),
        ops: [{ key: "consumer_byte_rate", value: 0, remove: true }],
      }]),
      // Kafka applies alterations a moment after answering them.
      describe(
        [],
        false,
        (r) =>
          (r.entries ?? []).some((e) =>
            e.entity.length === 1 && e.entity[0].entityName === alice && e.values.length === 1
          ) && (r.entries ?? []).some((e) => e.entity[0]?.entityName === `${run}-bob`),
      ),
      describe([{ entityType: "user", matchType: 0, match: alice }], true),
      describe([{ entityType: "user", matchType: 0, match: alice }]),
      describe([{ entityType: "user", matchType: 1, match: null }]),
      describe([{ entityType: "user", matchType: 2, match: null }], true),
      describe([{ entityType: "ip", matchType: 2, match: null }]),
      describe([{ entityType: "", matchType: 2, match: null }]),
      describe([
        { entityType: "user", matchType: 2, match: null },
        { entityType: "user", matchType: 1, match: null },
      ]),
      describe([{ entityType: "group", matchType: 2, match: null }]),
      describe([{ entityType: "user", matchType: 0, match: null }]),
      describe([{ entityType: "user", matchType: 1, match: "x" }]),
      describe([{ entityType: "user", matchType: 2, match: "x" }]),
      describe([{ entityType: "user", matchType: 7, match: null }]),
      describe([
        { entityType: "ip", matchType: 2, match: null },
        { entityType: "client-id", matchType: 2, match: null },
      ]),
    ],
  };
}
