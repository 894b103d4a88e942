/**
 * Differential scenarios of KIP-714 (BROOK_INTEROP=1): CLIENT_METRICS resources (set, refused,
 * described, listed, removed), GetTelemetrySubscriptions and PushTelemetry with each of their
 * errors, sent to a real Kafka 4.1.1 with a telemetry receiver and to Brook's broker with client
 * telemetry on. Fixed client instance ids make the subscription ids comparable.
 *
 * @module
 */

import { ApiKey, compress, ZERO_UUID } from "../../codec/mod.ts";
import { encodeMetricsData } from "../../codec/telemetry/otlp.ts";
import { type Scenario, step } from "./differential.ts";

const CLIENT_METRICS = 16;
const SET = 0, DELETE = 1, APPEND = 2, SUBTRACT = 3;

type Op = [name: string, op: number, value: string | null];

const alter = (name: string, ops: Op[], validateOnly = false) =>
  step(ApiKey.IncrementalAlterConfigs, 1, {
    resources: [{
      resourceType: CLIENT_METRICS,
      resourceName: name,
      configs: ops.map(([n, configOperation, value]) => ({ name: n, configOperation, value })),
    }],
    validateOnly,
  });

const legacy = (name: string, configs: Record<string, string>) =>
  step(ApiKey.AlterConfigs, 2, {
    resources: [{
      resourceType: CLIENT_METRICS,
      resourceName: name,
      configs: Object.entries(configs).map(([n, value]) => ({ name: n, value })),
    }],
    validateOnly: false,
  });

const describe = (name: string, keys: string[] | null = null) =>
  step(ApiKey.DescribeConfigs, 4, {
    resources: [{ resourceType: CLIENT_METRICS, resourceName: name, configurationKeys: keys }],
    includeSynonyms: true,
    includeDocumentation: false,
  });

const get = (clientInstanceId: string) =>
  step(ApiKey.GetTelemetrySubscriptions, 0, { clientInstanceId });

/**
 * A GetTelemetrySubscriptions right after a subscription changed, asked again until answered: a
 * Kafka broker learns of the change from its metadata log a moment after the controller took it,
 * and refuses the early request as throttled until then.
 */
const getAfterChange = (clientInstanceId: string) =>
  step(ApiKey.GetTelemetrySubscriptions, 0, { clientInstanceId }, (r) => r.errorCode === 0);

/** ListConfigResources of CLIENT_METRICS, asked again until it lists `count` (as above). */
const listed = (count: number, version = 1) =>
  step(
    ApiKey.ListConfigResources,
    version,
    version >= 1 ? { resourceTypes: [CLIENT_METRICS] } : {},
    (r) => r.configResources.length === count,
  );

/** An id of Kafka's Uuid.toString form, fixed so that both brokers compute the same subscription id. */
const id = (n: number) => `Brook${n}TelemetryTestId`.slice(0, 21) + "A";

const otlp = () =>
  encodeMetricsData([{
    resource: {},
    scope: { name: "", version: "" },
    metrics: [{
      name: "org.apache.kafka.producer.record.send.total",
      description: "",
      unit: "",
      kind: "sum",
      temporality: "delta",
      monotonic: true,
      dataPoints: [{ attributes: {}, startTimeUnixNano: 1n, timeUnixNano: 2n, value: 3 }],
    }],
  }]);

/** A push of `instance` with the subscription id of answer `getAt` (1-based), unless given. */
const push = (
  instance: string,
  getAt: number,
  body: { terminating?: boolean; compressionType?: number; metrics?: Uint8Array; id?: number } = {},
) =>
  step(ApiKey.PushTelemetry, 0, (earlier) => ({
    clientInstanceId: instance,
    subscriptionId: body.id ??
      (earlier[getAt - 1] as { subscriptionId: number }).subscriptionId,
    terminating: body.terminating ?? false,
    compressionType: body.compressionType ?? 0,
    metrics: body.metrics ?? otlp(),
  }));

/** The scenarios; `run` names the subscription so that reruns on a kept Kafka do not collide. */
export function telemetryScenarios(run: string): Scenario[] {
  const sub = `${run}-sub`;
  return [
    {
      name: "telemetry: CLIENT_METRICS resources set, refused, described and listed",
      steps: [
        alter(sub, [
          ["metrics", SET, "org.apache.kafka.producer., org.apache.kafka.consumer.coordinator"],
          ["interval.ms", SET, " 1000 "],
          ["match", SET, "client_id=brook-.*"],
        ]),
        alter(sub, [["bogus", SET, "1"]]),
        alter(sub, [["interval.ms", SET, "50"]]),
        alter(sub, [["interval.ms", SET, "3600001"]]),
        alter(sub, [["interval.ms", SET, "abc"]]),
        alter(sub, [["match", SET, "client_id=x=y"]]),
        alter(sub, [["match", SET, "client_id="]]),
        alter(sub, [["match", SET, "foo=bar"]]),
        alter(sub, [["match", SET, "client_id=[a"]]),
        alter("", [["metrics", SET, "a"]]),
        alter(sub, [["metrics", APPEND, "org.apache.kafka.share."]]),
        alter(sub, [["metrics", SUBTRACT, "org.apache.kafka.producer."]]),
        alter(`${run}-none`, [["metrics", DELETE, null]]),
        alter(`${run}-checked`, [["metrics", SET, "*"]], true),
        describe(sub),
        describe(sub, ["match"]),
        describe(""),
        describe(`${run}-none`),
        listed(1),
        listed(1, 0),
      ],
    },
    {
      name: "telemetry: subscriptions, pushes and their errors",
      steps: [
        get(id(1)), // 1
        get(id(1)), // 2: THROTTLING_QUOTA_EXCEEDED before the interval
        push(id(1), 1), // 3
        push(id(1), 1), // 4: throttled
        push(id(1), 1, { terminating: true }), // 5: a terminating push is never throttled
        push(id(1), 1), // 6: INVALID_REQUEST after the terminating push
        get(id(2)), // 7
        push(id(2), 7, { id: 12345 }), // 8: UNKNOWN_SUBSCRIPTION_ID
        get(id(3)), // 9
        push(id(3), 9, { compressionType: 9 }), // 10: UNSUPPORTED_COMPRESSION_TYPE
        get(id(4)), // 11
        push(id(4), 11, { metrics: new Uint8Array([0xff, 0xff, 0xff]) }), // 12: INVALID_RECORD
        get(id(5)), // 13
        push(id(5), 13, { compressionType: 4, metrics: compress(4, otlp()) }), // 14
        get(id(6)), // 15
        push(id(6), 15, { compressionType: 3, metrics: compress(3, otlp()) }), // 16
        get(id(7)), // 17
        push(id(7), 17, { metrics: new Uint8Array(1_048_577) }), // 18: TELEMETRY_TOO_LARGE
        push(ZERO_UUID, 1), // 19: INVALID_REQUEST
        push("AAAAAAAAAAAAAAAAAAAAAQ", 1), // 20: INVALID_REQUEST
        push(id(8), 1), // 21: an unknown instance: UNKNOWN_SUBSCRIPTION_ID
        step(
          ApiKey.GetTelemetrySubscriptions,
          0,
          { clientInstanceId: ZERO_UUID },
          undefined,
          // The id is the broker's choice, and the subscription id depends on it.
          (r) => ({ ...r, clientInstanceId: r.errorCode === 0, subscriptionId: "<masked>" }),
        ),
      ],
    },
    {
      name: "telemetry: a changed subscription is matched again at once",
      steps: [
        get(id(9)),
        // Unchanged values are no change: the next request is still too early.
        alter(sub, [["interval.ms", SET, " 1000 "]]),
        get(id(9)),
        alter(sub, [["interval.ms", SET, "2000"], ["match", DELETE, null]]),
        getAfterChange(id(9)),
        push(id(9), 1),
        push(id(9), 5),
        alter(sub, [["metrics", SET, "*"]]),
        getAfterChange(id(9)),
        alter(sub, [["metrics", DELETE, null], ["interval.ms", DELETE, null]]),
        getAfterChange(id(9)),
        listed(0),
      ],
    },
    {
      name: "telemetry: AlterConfigs replaces a subscription's configs",
      steps: [
        legacy(`${run}-legacy`, { metrics: "org.apache.kafka.consumer.", "interval.ms": "500" }),
        legacy(`${run}-legacy`, { bogus: "1" }),
        legacy(`${run}-legacy`, { "interval.ms": "99" }),
        legacy("", { metrics: "*" }),
        legacy(`${run}-legacy`, { metrics: "*" }),
        describe(`${run}-legacy`),
        listed(1),
        legacy(`${run}-legacy`, {}),
        listed(0),
        get(id(10)),
      ],
    },
    {
      // The last scenario's connection made instance 10 and closed: the broker forgot it.
      name: "telemetry: an instance is forgotten when the connection that made it closes",
      steps: [getAfterChange(id(10)), get(id(10))],
    },
  ];
}
