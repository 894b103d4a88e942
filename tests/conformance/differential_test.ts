// Differential tests of the broker: request sequences with edge cases sent to a real Kafka 4.1.1
// and to Brook's broker; their responses must match field by field once ids, addresses and
// throttle times are masked (BROOK_INTEROP=1; part of deno task test:interop).
import { assertEquals } from "../assert.ts";
import { aclFilterToFields, ApiKey, encodeRecordBatch } from "../../codec/mod.ts";
import { Broker } from "../../broker/mod.ts";
import { startKafka } from "../interop/kafka_server.ts";
import { configScenarios, KAFKA_TEST_CONFIGS } from "./config_scenarios.ts";
import { configDocScenarios } from "./config_docs_scenarios.ts";
import { staticMemberScenarios } from "./static_member_scenarios.ts";
import { consumerGroupScenarios } from "./consumer_group_scenarios.ts";
import { invalidRequestScenarios } from "./invalid_request_scenarios.ts";
import { produceFramingScenarios } from "./produce_framing_scenarios.ts";
import { partitionLimitScenarios } from "./partition_limit_scenarios.ts";
import { quorumScenarios } from "./quorum_scenarios.ts";
import { shareGroupScenarios } from "./share_group_scenarios.ts";
import { withoutRangesAt44 } from "./kafka44_scenarios.ts";
import { shareTxnScenario } from "./share_txn_scenario.ts";
import { transactionScenarios } from "./txn_scenarios.ts";
import {
  differences,
  produceRequest,
  rawFrame,
  runScenario,
  type Scenario,
  step,
} from "./differential.ts";

const interop = Deno.env.get("BROOK_INTEROP") === "1";
const run = `d${Date.now() % 100000}`;
const T = `${run}-t`;
/** A time well in the past, for batches whose timestamps decide where segments roll. */
const SEGMENT_BASE = Date.now() - 3_600_000;
const value = (n: number) => new Uint8Array(n).fill(7);
const batch = (extra: Parameters<typeof encodeRecordBatch>[0] | object = {}) =>
  encodeRecordBatch({ records: [{ key: null, value: value(10) }], baseTimestamp: 1000, ...extra });
const leaderReady = (r: { topics: { partitions: { leaderId: number }[] }[] }) =>
  r.topics[0]?.partitions.length > 0 && r.topics[0].partitions.every((p) => p.leaderId >= 0);
const produce = (records: Uint8Array, partition = 0, topic = T, version = 9, acks = -1) =>
  step(ApiKey.Produce, version, { ...produceRequest(topic, records, partition), acks });
const concat = (a: Uint8Array, b: Uint8Array) => {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
};
/** A copy of `bytes` with one byte changed (a field of the batch header, or a record's byte). */
const withByte = (bytes: Uint8Array, at: number, byte: number) => {
  const out = bytes.slice();
  out[at] = byte;
  return out;
};

const SCENARIOS: Scenario[] = [
  {
    name: "topics: create, duplicate, bad replication factor and partition count",
    steps: [
      step(ApiKey.CreateTopics, 7, {
        topics: [{ name: T, numPartitions: 1, replicationFactor: 1 }],
        timeoutMs: 5000,
      }),
      step(
        ApiKey.Metadata,
        12,
        { topics: [{ name: T }], allowAutoTopicCreation: false },
        leaderReady,
      ),
      step(ApiKey.CreateTopics, 7, {
        topics: [
          { name: T, numPartitions: 1, replicationFactor: 1 },
          { name: `${run}-rf`, numPartitions: 1, replicationFactor: 3 },
          { name: `${run}-p0`, numPartitions: 0, replicationFactor: 1 },
          { name: "bad name!", numPartitions: 1, replicationFactor: 1 },
        ],
        timeoutMs: 5000,
      }),
    ],
  },
  {
    name: "metadata: unknown and invalid topics",
    steps: [
      step(ApiKey.Metadata, 12, {
        topics: [{ name: `${run}-unknown` }],
        allowAutoTopicCreation: false,
      }),
      step(ApiKey.Metadata, 12, { topics: [{ name: "bad name!" }], allowAutoTopicCreation: true }),
    ],
  },
  {
    name: "produce and fetch: unknown partition, out-of-range offset, too large a record",
    steps: [
      produce(batch()),
      produce(batch(), 7),
      produce(encodeRecordBatch({ records: [{ key: null, value: value(1_100_000) }] })),
      step(ApiKey.Fetch, 12, {
        maxWaitMs: 0,
        minBytes: 1,
        maxBytes: 1 << 20,
        topics: [{
          topic: T,
          partitions: [{ partition: 0, fetchOffset: 100n, partitionMaxBytes: 1 << 20 }],
        }],
      }),
      // One topic per request: Kafka's order of topics in an answer varies from run to run.
      step(ApiKey.ListOffsets, 7, {
        replicaId: -1,
        topics: [{ name: T, partitions: [{ partitionIndex: 0, timestamp: -1n }] }],
      }),
      step(ApiKey.ListOffsets, 7, {
        replicaId: -1,
        topics: [{ name: `${run}-unknown`, partitions: [{ partitionIndex: 0, timestamp: -1n }] }],
      }),
    ],
  },
  {
    name: "produce: malformed batches and bad acks, checked in Kafka's order",
    steps: [
      produce(concat(batch(), batch())),
      produce(withByte(batch(), 16, 1)),
      produce(batch().subarray(0, 70)),
      produce(batch({ baseOffset: 5n })),
      produce(withByte(batch(), 70, 0x55)),
      // Too large and corrupt: the size is checked first.
      produce(withByte(encodeRecordBatch({ records: [{ value: value(1_100_000) }] }), 80, 0x55)),
      produce(withByte(batch(), 22, 4), 0, T, 3),
      produce(batch(), 0, T, 9, 2),
      produce(concat(batch(), batch()), 0, T, 9, 2),
      produce(batch(), 0, `${run}-unknown`, 9, 2),
      produce(batch({ lastOffsetDelta: 3 })),
    ],
  },
  {
    name: "admin: partition reassignments and their refusals",
    steps: [
      ...[[7], [0], null, [], [7], [1, 1], [1]].map((replicas, i) =>
        step(ApiKey.AlterPartitionReassignments, 1, {
          timeoutMs: 5000,
          allowReplicationFactorChange: i !== 6,
          topics: [{
            name: i === 0 ? `${run}-unknown` : T,
            partitions: [{ partitionIndex: i === 1 ? 9 : 0, replicas }],
          }],
        })
      ),
      step(ApiKey.AlterPartitionReassignments, 1, {
        timeoutMs: 5000,
        allowReplicationFactorChange: false,
        topics: [{ name: T, partitions: [{ partitionIndex: 0, replicas: [1, 7] }] }],
      }),
      step(ApiKey.ListPartitionReassignments, 0, { timeoutMs: 5000, topics: null }),
      step(ApiKey.UnregisterBroker, 0, { brokerId: 7 }),
    ],
  },
  {
    name: "admin: replica log directories and config resources",
    steps: [
      step(
        ApiKey.DescribeLogDirs,
        4,
        { topics: [{ topic: T, partitions: [0] }] },
        undefined,
        (r) => ({
          ...r,
          results: r.results.map((d) => ({
            ...d,
            logDir: "<dir>",
            totalBytes: 0n,
            usableBytes: 0n,
          })),
        }),
      ),
      step(
        ApiKey.AlterReplicaLogDirs,
        2,
        (earlier) => ({
          dirs: [{
            path: (earlier[0] as { results: { logDir: string }[] }).results[0].logDir,
            topics: [{ name: T, partitions: [0, 5] }, { name: `${run}-unknown`, partitions: [0] }],
          }],
        }),
        undefined,
        (r) => ({
          ...r,
          results: [...r.results].sort((a, b) => a.topicName < b.topicName ? -1 : 1).map((t) => ({
            ...t,
            partitions: [...t.partitions].sort((a, b) => a.partitionIndex - b.partitionIndex),
          })),
        }),
      ),
      step(ApiKey.AlterReplicaLogDirs, 2, {
        dirs: [{ path: "relative/dir", topics: [{ name: T, partitions: [0] }] }],
      }),
      step(ApiKey.ListConfigResources, 0, {}),
      step(ApiKey.ListConfigResources, 1, { resourceTypes: [4, 8] }),
      step(ApiKey.ListConfigResources, 1, { resourceTypes: [99] }),
    ],
  },
  {
    name: "log segments: a batch a segment.ms after the first rolls; a fetch reads one segment",
    steps: [
      step(ApiKey.CreateTopics, 7, {
        topics: [{
          name: `${run}-seg`,
          numPartitions: 1,
          replicationFactor: 1,
          configs: [{ name: "segment.ms", value: "1000" }],
        }],
        timeoutMs: 5000,
      }),
      step(
        ApiKey.Metadata,
        12,
        { topics: [{ name: `${run}-seg` }], allowAutoTopicCreation: false },
        leaderReady,
      ),
      ...[0, 10, 5000, 5010].map((delta) =>
        produce(batch({ baseTimestamp: SEGMENT_BASE + delta }), 0, `${run}-seg`)
      ),
      ...[0n, 1n, 2n].map((fetchOffset) =>
        step(ApiKey.Fetch, 12, {
          maxWaitMs: 0,
          minBytes: 1,
          maxBytes: 1 << 20,
          topics: [{
            topic: `${run}-seg`,
            partitions: [{ partition: 0, fetchOffset, partitionMaxBytes: 1 << 20 }],
          }],
        })
      ),
    ],
  },
  {
    name: "delegation tokens: refused on a connection without SASL",
    steps: [
      step(ApiKey.CreateDelegationToken, 3, {
        ownerPrincipalType: null,
        ownerPrincipalName: null,
        renewers: [],
        maxLifetimeMs: -1n,
      }),
      step(ApiKey.RenewDelegationToken, 2, { hmac: new Uint8Array(64), renewPeriodMs: 1n }),
      step(ApiKey.ExpireDelegationToken, 2, { hmac: new Uint8Array(64), expiryTimePeriodMs: 1n }),
      step(ApiKey.DescribeDelegationToken, 3, { owners: null }),
    ],
  },
  {
    name: "idempotent produce: out-of-order sequence, then in order, then a duplicate",
    steps: [
      step(ApiKey.InitProducerId, 4, {
        transactionalId: null,
        transactionTimeoutMs: 60000,
        producerId: -1n,
        producerEpoch: -1,
      }, (r) => r.errorCode === 0),
      step(ApiKey.Produce, 9, (earlier) => idempotent(earlier, 5)),
      step(ApiKey.Produce, 9, (earlier) => idempotent(earlier, 0)),
      step(ApiKey.Produce, 9, (earlier) => idempotent(earlier, 0)),
    ],
  },
  {
    name: "groups: unknown members and generations, a join without member id",
    steps: [
      // The first FindCoordinator makes a real Kafka create its offsets topic.
      step(
        ApiKey.FindCoordinator,
        4,
        { keyType: 0, coordinatorKeys: [`${run}-g`, `${run}-g2`, `${run}-none`] },
        (r) => r.coordinators.every((c) => c.errorCode === 0),
      ),
      // An old (v0-3) answer carries Kafka's default message, "NONE" when there is no error.
      step(ApiKey.FindCoordinator, 3, { key: `${run}-g`, keyType: 0 }),
      // An empty key is a key like any other, for groups and transactional ids alike.
      step(ApiKey.FindCoordinator, 3, { key: "", keyType: 0 }),
      // The first transactional FindCoordinator makes a real Kafka create its transaction log.
      step(
        ApiKey.FindCoordinator,
        4,
        { keyType: 1, coordinatorKeys: [""] },
        (r) => r.coordinators.every((c) => c.errorCode === 0),
      ),
      step(ApiKey.Heartbeat, 4, {
        groupId: `${run}-g`,
        generationId: 1,
        memberId: "nobody",
        groupInstanceId: null,
      }),
      step(ApiKey.JoinGroup, 9, {
        groupId: `${run}-g`,
        sessionTimeoutMs: 10000,
        rebalanceTimeoutMs: 10000,
        memberId: "",
        groupInstanceId: null,
        protocolType: "consumer",
        protocols: [{ name: "range", metadata: new Uint8Array([0, 0, 0, 0, 0, 0, 0, 0, 0, 0]) }],
        reason: null,
      }),
      step(ApiKey.OffsetFetch, 8, {
        groups: [{ groupId: `${run}-none`, topics: null }],
        requireStable: false,
      }),
      step(ApiKey.OffsetCommit, 8, {
        groupId: `${run}-g2`,
        generationIdOrMemberEpoch: 3,
        memberId: "ghost",
        groupInstanceId: null,
        topics: [{ name: T, partitions: [{ partitionIndex: 0, committedOffset: 0n }] }],
      }),
    ],
  },
  {
    name: "admin: unknown topics in DescribeConfigs and DeleteTopics",
    steps: [
      step(ApiKey.DescribeConfigs, 4, {
        resources: [{ resourceType: 2, resourceName: `${run}-unknown`, configurationKeys: null }],
        includeSynonyms: false,
        includeDocumentation: false,
      }),
      step(ApiKey.DeleteTopics, 6, {
        topics: [{ name: `${run}-unknown`, topicId: "AAAAAAAAAAAAAAAAAAAAAA" }],
        timeoutMs: 5000,
      }),
    ],
  },
  {
    name: "fetch: unknown partitions and topics come after the partitions read",
    // A topic of its own, written just before: records of other scenarios may meet retention
    // (their timestamps are old) at a moment that differs between the two brokers.
    steps: [
      step(ApiKey.CreateTopics, 7, {
        topics: [{ name: `${run}-fetched`, numPartitions: 1, replicationFactor: 1 }],
        timeoutMs: 5000,
      }),
      step(
        ApiKey.Metadata,
        12,
        { topics: [{ name: `${run}-fetched` }], allowAutoTopicCreation: false },
        leaderReady,
      ),
      produce(batch({ baseTimestamp: Date.now() }), 0, `${run}-fetched`),
      step(ApiKey.Fetch, 12, {
        maxWaitMs: 0,
        minBytes: 1,
        maxBytes: 1 << 20,
        topics: [`${run}-nothing`, `${run}-fetched`].map((topic) => ({
          topic,
          partitions: [7, 0].map((partition) => ({
            partition,
            fetchOffset: 0n,
            partitionMaxBytes: 1 << 20,
          })),
        })),
      }),
    ],
  },
  {
    // Kafka answers an ApiVersions version it does not know with a v0 body and header.
    name: "versions: ApiVersions v99 gets the v0 answer, byte for byte",
    // Brook serves some keys at Kafka 4.4's ranges (compared with a real Kafka 4.4.0 elsewhere).
    steps: [{ ...rawFrame(ApiKey.ApiVersions, 99, [0, 0, 0]), canonical: withoutRangesAt44 }],
  },
  {
    name: "versions: Produce v2 (below Kafka 4's minimum) closes",
    steps: [rawFrame(ApiKey.Produce, 2)],
  },
  {
    name: "versions: Metadata v14 (above the maximum) closes",
    steps: [rawFrame(ApiKey.Metadata, 14)],
  },
  { name: "versions: an unknown API key closes", steps: [rawFrame(999, 0)] },
  {
    name: "acls: a broker without an authorizer answers SECURITY_DISABLED",
    steps: [
      step(ApiKey.DescribeAcls, 3, aclFilterToFields({})),
      step(ApiKey.CreateAcls, 3, {
        creations: [{
          resourceType: 2,
          resourceName: T,
          resourcePatternType: 3,
          principal: "User:alice",
          host: "*",
          operation: 3,
          permissionType: 3,
        }],
      }),
      step(ApiKey.DeleteAcls, 3, {
        filters: [aclFilterToFields({})],
      }),
    ],
  },
];

function idempotent(earlier: unknown[], baseSequence: number) {
  const init = earlier[0] as { producerId: bigint; producerEpoch: number };
  return {
    acks: -1,
    timeoutMs: 5000,
    topicData: [{
      name: T,
      partitionData: [{
        index: 0,
        records: batch({
          producerId: BigInt(init.producerId),
          producerEpoch: init.producerEpoch,
          baseSequence,
        }),
      }],
    }],
  };
}

/** Feature updates, run last: they change the cluster (and put it back). */
const FEATURES: Scenario = {
  name: "features: ApiVersions lists them; UpdateFeatures checks, applies and reverts",
  steps: [
    step(
      ApiKey.ApiVersions,
      4,
      {
        clientSoftwareName: "brook-test",
        clientSoftwareVersion: "1",
      },
      undefined,
      // Brook has Kafka 4.4's streams.version, which Kafka 4.1.1 does not list, and supports 4.4's
      // share.version 2 (4.1.1 goes to 1).
      (r) => ({
        supportedFeatures: r.supportedFeatures.filter((f) => f.name !== "streams.version").map((
          f,
        ) => f.name === "share.version" ? { ...f, maxVersion: "<1 or 2>" } : f),
        finalizedFeatures: r.finalizedFeatures.filter((f) => f.name !== "streams.version"),
      }),
    ),
    ...([
      ["transaction.version", 1, 2],
      ["transaction.version", 1, 1],
      ["transaction.version", 1, 0],
      ["transaction.version", 5, 1],
      ["metadata.version", 28, 1],
      ["nope", 1, 1],
      ["group.version", 0, 3],
    ] as const).map(([feature, maxVersionLevel, upgradeType]) =>
      step(ApiKey.UpdateFeatures, 2, {
        timeoutMs: 5000,
        featureUpdates: [{ feature, maxVersionLevel, upgradeType }],
        validateOnly: true,
      })
    ),
    step(ApiKey.UpdateFeatures, 1, {
      timeoutMs: 5000,
      featureUpdates: [{ feature: "group.version", maxVersionLevel: 0, upgradeType: 2 }],
      validateOnly: false,
    }),
    // Without group.version 1 the consumer rebalance protocol is off.
    step(ApiKey.ConsumerGroupHeartbeat, 1, {
      groupId: `${run}-features`,
      memberId: `${run}-member`,
      memberEpoch: 0,
      instanceId: null,
      rackId: null,
      rebalanceTimeoutMs: 30000,
      subscribedTopicNames: [T],
      subscribedTopicRegex: null,
      serverAssignor: null,
      topicPartitions: [],
    }, (r) => r.errorCode !== 0),
    step(ApiKey.UpdateFeatures, 1, {
      timeoutMs: 5000,
      featureUpdates: [{ feature: "group.version", maxVersionLevel: 1, upgradeType: 1 }],
      validateOnly: false,
    }),
    step(
      ApiKey.ApiVersions,
      4,
      {
        clientSoftwareName: "brook-test",
        clientSoftwareVersion: "1",
      },
      (r) => r.finalizedFeatures.some((f) => f.name === "group.version"),
      (r) => ({
        finalizedFeatures: r.finalizedFeatures.filter((f) => f.name !== "streams.version"),
      }),
    ),
  ],
};

Deno.test({
  name: "conformance: Brook's broker answers edge cases as a real Kafka 4.1.1 does",
  ignore: !interop,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using kafka = await startKafka();
    await using brook = await Broker.start({ configs: KAFKA_TEST_CONFIGS });
    const report: string[] = [];
    // BROOK_DIFF_ONLY=text runs only the scenarios whose names contain it (while developing one).
    const only = Deno.env.get("BROOK_DIFF_ONLY") ?? "";
    for (
      const scenario of [
        ...SCENARIOS,
        ...configScenarios(run),
        ...configDocScenarios(run),
        ...staticMemberScenarios(run),
        ...consumerGroupScenarios(run),
        ...quorumScenarios(run),
        ...produceFramingScenarios(run),
        FEATURES,
        ...shareGroupScenarios(run),
        shareTxnScenario(run),
        ...invalidRequestScenarios(run),
        ...partitionLimitScenarios(run),
        ...transactionScenarios(run),
      ].filter((s) => s.name.includes(only))
    ) {
      const real = await runScenario(kafka.bootstrapServers, scenario);
      const ours = await runScenario(brook.bootstrapServers, scenario);
      if (Deno.env.get("BROOK_DIFF_PRINT")) {
        real.forEach((r, i) =>
          console.log(`#${i + 1}`, JSON.stringify(r), JSON.stringify(ours[i]))
        );
      }
      real.forEach((r, i) => {
        for (const d of differences(ours[i], r)) {
          report.push(`${scenario.name} #${i + 1} ${d}`);
        }
      });
    }
    assertEquals(report, []);
  },
});
