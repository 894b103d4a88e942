/**
 * ACL scenarios for differential testing: an administrator (the anonymous super user of the
 * PLAINTEXT listener) creates topics and ACLs, then alice and bob (SASL PLAIN) act within and beyond
 * them, then a DENY and a deletion change what alice may do. Every request's full answer is compared.
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
  encodeRecordBatch,
} from "../../codec/mod.ts";
import type { BrokerOptions } from "../../broker/mod.ts";
import { produceRequest, type Scenario, step } from "./differential.ts";

/** The users of both clusters' SASL listeners (tools/kafka/start.sh --secure makes the same). */
export const USERS = { alice: "alice-secret", bob: "bob-secret", admin: "admin-secret" };

/** Brook's broker set up as tools/kafka/start.sh --secure sets up Kafka's, for these scenarios. */
export const SECURE_BROKER: BrokerOptions = {
  listeners: ["PLAINTEXT://127.0.0.1:0", "SASL_PLAINTEXT://127.0.0.1:0"],
  sasl: { users: USERS, failedAuthenticationDelayMs: 0 },
  authorizer: { superUsers: ["User:ANONYMOUS", "User:admin"] },
};

const alice = { username: "alice", password: USERS.alice };
const bob = { username: "bob", password: USERS.bob };

const ORDERS = "acl-orders";
const SECRET = "acl-secret";
const PUBLIC = "acl-public";
const GROUP = "acl-group";
const TXN = "tx-alice";

type Acl = {
  resourceType: number;
  resourceName: string;
  resourcePatternType: number;
  principal: string;
  host: string;
  operation: number;
  permissionType: number;
};
const acl = (
  principal: string,
  resourceType: number,
  resourceName: string,
  operation: number,
  extra: Partial<Acl> = {},
): Acl => ({
  resourceType,
  resourceName,
  resourcePatternType: Pattern.LITERAL,
  principal,
  host: "*",
  operation,
  permissionType: Permission.ALLOW,
  ...extra,
});
const PREFIXED = { resourcePatternType: Pattern.PREFIXED };

const ACLS: Acl[] = [
  acl("User:alice", Resource.TOPIC, "acl-ord", Op.WRITE, PREFIXED),
  acl("User:alice", Resource.TOPIC, "acl-ord", Op.READ, PREFIXED),
  acl("User:alice", Resource.GROUP, GROUP, Op.READ),
  acl("User:bob", Resource.TOPIC, ORDERS, Op.DESCRIBE),
  acl("User:bob", Resource.TOPIC, "bob-", Op.CREATE, PREFIXED),
  acl("User:*", Resource.TOPIC, PUBLIC, Op.DESCRIBE),
  acl("User:alice", Resource.TRANSACTIONAL_ID, TXN, Op.WRITE),
];

/** A filter that selects every ACL. */
const ANY_FILTER = aclFilterToFields({});

type DescribeAcls = ApiMessages[typeof ApiKey.DescribeAcls]["response"];
type DeleteAcls = ApiMessages[typeof ApiKey.DeleteAcls]["response"];
type Metadata = ApiMessages[typeof ApiKey.Metadata]["response"];
const key = (...parts: unknown[]) => parts.join("\u0000");
const byAcl = (
  a: { principal: string; host: string; operation: number; permissionType: number },
  b: typeof a,
) =>
  key(a.principal, a.host, a.operation, a.permissionType) <
      key(b.principal, b.host, b.operation, b.permissionType)
    ? -1
    : 1;

/** Kafka groups ACLs in hash maps and sets: one order for both sides. */
function sortedAcls(r: DescribeAcls) {
  return {
    ...r,
    resources: r.resources
      .map((res) => ({ ...res, acls: [...res.acls].sort(byAcl) }))
      .sort((a, b) =>
        key(a.resourceType, a.patternType, a.resourceName) <
            key(b.resourceType, b.patternType, b.resourceName)
          ? -1
          : 1
      ),
  };
}

function sortedDeletions(r: DeleteAcls) {
  return {
    ...r,
    filterResults: r.filterResults.map((f) => ({
      ...f,
      matchingAcls: [...f.matchingAcls].sort((a, b) =>
        key(a.resourceType, a.patternType, a.resourceName) <
            key(b.resourceType, b.patternType, b.resourceName)
          ? -1
          : key(a.resourceType, a.patternType, a.resourceName) >
              key(b.resourceType, b.patternType, b.resourceName)
          ? 1
          : byAcl(a, b)
      ),
    })),
  };
}

type AddPartitionsToTxn = ApiMessages[typeof ApiKey.AddPartitionsToTxn]["response"];

/** Kafka answers AddPartitionsToTxn from a hash map. */
const sortedTxnTopics = (r: AddPartitionsToTxn) => ({
  ...r,
  resultsByTopicV3AndBelow: [...r.resultsByTopicV3AndBelow].sort((a, b) =>
    a.name < b.name ? -1 : 1
  ),
});

/** A step of a transaction begun by the scenario's first step (an InitProducerId). */
function txnStep<K extends Parameters<typeof step>[0]>(
  apiKey: K,
  version: number,
  body: (producer: { producerId: bigint; producerEpoch: number }) => ApiMessages[K]["requestInit"],
  canonical?: (response: ApiMessages[K]["response"]) => unknown,
) {
  return step(
    apiKey,
    version,
    (earlier) => body(earlier[0] as { producerId: bigint; producerEpoch: number }),
    undefined,
    canonical,
  );
}

/** All-topics Metadata lists topics in hash order. */
const sortedTopics = (r: Metadata) => ({
  ...r,
  topics: [...r.topics].sort((a, b) => (a.name ?? "") < (b.name ?? "") ? -1 : 1),
});

/**
 * Kafka's message for a refused cluster operation names the request in its internal form
 * ("Request RequestContext(...) is not authorized."), which no client can rely on; Brook sends
 * the error's default message. This is the one masked difference.
 */
function clusterRefusal<T extends { errorMessage: string | null }>(x: T): T {
  return x.errorMessage?.startsWith("Request ") ||
      x.errorMessage === "Cluster authorization failed."
    ? { ...x, errorMessage: "<refused>" }
    : x;
}

const aclCount = (principal: string | null, count: number) => (r: DescribeAcls) =>
  r.resources.flatMap((res) => res.acls).filter((a) =>
    principal === null || a.principal === principal
  )
    .length === count;

const describeAcls = (until?: (r: DescribeAcls) => boolean, filter = {}) =>
  step(ApiKey.DescribeAcls, 3, { ...ANY_FILTER, ...filter }, until, sortedAcls);

const metadata = (names: string[] | null, until?: (r: Metadata) => boolean) =>
  step(
    ApiKey.Metadata,
    12,
    {
      topics: names && names.map((name) => ({ name })),
      allowAutoTopicCreation: false,
      includeTopicAuthorizedOperations: true,
    },
    until,
    names === null ? sortedTopics : undefined,
  );

const produce = (topic: string) =>
  step(
    ApiKey.Produce,
    9,
    produceRequest(
      topic,
      encodeRecordBatch({
        records: [{ key: null, value: new Uint8Array([1, 2, 3]) }],
        // A current time: Kafka rolls a new log segment after a batch older than segment.ms, and
        // one fetch never reads past a segment's end (Brook's logs have no segments).
        baseTimestamp: Date.now(),
      }),
    ),
  );

const fetch = (topic: string) =>
  step(ApiKey.Fetch, 12, {
    maxWaitMs: 0,
    minBytes: 1,
    maxBytes: 1 << 20,
    topics: [{
      topic,
      partitions: [{ partition: 0, fetchOffset: 0n, partitionMaxBytes: 1 << 20 }],
    }],
  });

const leadersReady = (r: Metadata) =>
  r.topics.length === 3 &&
  r.topics.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leaderId >= 0));

/** The scenarios, in order: later ones depend on what earlier ones created. */
export const ACL_SCENARIOS: Scenario[] = [
  {
    name: "acls: the super user creates topics and ACLs, with Kafka's checks on new ACLs",
    steps: [
      step(ApiKey.CreateTopics, 7, {
        topics: [ORDERS, SECRET, PUBLIC].map((name) => ({
          name,
          numPartitions: 1,
          replicationFactor: 1,
        })),
        timeoutMs: 5000,
      }),
      metadata([ORDERS, SECRET, PUBLIC], leadersReady),
      step(ApiKey.CreateAcls, 3, {
        creations: [
          ...ACLS,
          // Again: an ACL already present is no error.
          ACLS[0],
          acl("User:alice", Resource.CLUSTER, "other-cluster", Op.ALTER),
          acl("User:alice", Resource.TOPIC, "", Op.READ),
        ],
      }),
      describeAcls(aclCount(null, ACLS.length)),
      describeAcls(undefined, { principalFilter: "User:alice" }),
      describeAcls(undefined, {
        resourceTypeFilter: Resource.TOPIC,
        resourceNameFilter: ORDERS,
        patternTypeFilter: Pattern.MATCH,
      }),
      describeAcls(undefined, {
        resourceTypeFilter: Resource.TOPIC,
        resourceNameFilter: "acl-ord",
        patternTypeFilter: Pattern.PREFIXED,
      }),
      produce(SECRET),
      // A fresh Kafka makes its group and producer id machinery ready in the background.
      step(
        ApiKey.FindCoordinator,
        4,
        { keyType: 0, coordinatorKeys: [GROUP] },
        (r) => r.coordinators.every((c) => c.errorCode === 0),
      ),
      step(
        ApiKey.InitProducerId,
        5,
        { transactionalId: null, transactionTimeoutMs: 60000 },
        (r) => r.errorCode === 0,
      ),
      step(
        ApiKey.FindCoordinator,
        4,
        { keyType: 1, coordinatorKeys: [TXN] },
        (r) => r.coordinators.every((c) => c.errorCode === 0),
      ),
      step(
        ApiKey.InitProducerId,
        4,
        { transactionalId: "tx-ready", transactionTimeoutMs: 60000 },
        (r) => r.errorCode === 0,
      ),
    ],
  },
  {
    name: "acls: alice reads and writes her topics and group, and nothing else",
    login: alice,
    steps: [
      metadata(null),
      metadata([ORDERS, SECRET, "acl-ordnew", PUBLIC]),
      produce(ORDERS),
      produce(SECRET),
      fetch(ORDERS),
      fetch(SECRET),
      step(ApiKey.Fetch, 12, {
        maxWaitMs: 0,
        minBytes: 1,
        maxBytes: 1 << 20,
        topics: [SECRET, ORDERS].map((topic) => ({
          topic,
          partitions: [{ partition: 0, fetchOffset: 0n, partitionMaxBytes: 1 << 20 }],
        })),
      }),
      step(ApiKey.ListOffsets, 7, {
        replicaId: -1,
        topics: [{ name: SECRET, partitions: [{ partitionIndex: 0, timestamp: -1n }] }],
      }),
      step(ApiKey.FindCoordinator, 4, { keyType: 0, coordinatorKeys: [GROUP, "other-group"] }),
      step(ApiKey.JoinGroup, 9, {
        groupId: "other-group",
        sessionTimeoutMs: 10000,
        rebalanceTimeoutMs: 10000,
        memberId: "",
        protocolType: "consumer",
        protocols: [{ name: "range", metadata: new Uint8Array(0) }],
      }),
      step(ApiKey.OffsetCommit, 9, {
        groupId: GROUP,
        generationIdOrMemberEpoch: -1,
        memberId: "",
        topics: [ORDERS, SECRET].map((name) => ({
          name,
          partitions: [{ partitionIndex: 0, committedOffset: 1n, committedMetadata: "" }],
        })),
      }),
      step(ApiKey.OffsetFetch, 9, {
        groups: [{ groupId: GROUP, memberId: null, memberEpoch: -1, topics: null }],
      }),
      step(ApiKey.DescribeGroups, 5, {
        groups: [GROUP, "other-group"],
        includeAuthorizedOperations: true,
      }),
      step(ApiKey.CreateTopics, 7, {
        topics: [{ name: "acl-ordnew", numPartitions: 1, replicationFactor: 1 }],
        timeoutMs: 5000,
      }),
      step(ApiKey.DescribeConfigs, 4, {
        resources: [
          { resourceType: 2, resourceName: ORDERS, configurationKeys: null },
          { resourceType: 4, resourceName: "1", configurationKeys: null },
        ],
      }),
      step(ApiKey.InitProducerId, 5, { transactionalId: null, transactionTimeoutMs: 60000 }),
      step(ApiKey.InitProducerId, 5, {
        transactionalId: "tx-other",
        transactionTimeoutMs: 60000,
      }),
      step(ApiKey.DescribeAcls, 3, ANY_FILTER, undefined, clusterRefusal),
      step(ApiKey.CreateAcls, 3, { creations: [ACLS[0]] }, undefined, (r) => ({
        ...r,
        results: r.results.map(clusterRefusal),
      })),
      step(ApiKey.DeleteAcls, 3, { filters: [ANY_FILTER] }, undefined, (r) => ({
        ...r,
        filterResults: r.filterResults.map(clusterRefusal),
      })),
    ],
  },
  {
    name: "acls: bob describes, creates under his prefix, and may not write",
    login: bob,
    steps: [
      metadata([ORDERS]),
      step(ApiKey.CreateTopics, 7, {
        topics: ["bob-topic", "acl-bob"].map((name) => ({
          name,
          numPartitions: 1,
          replicationFactor: 1,
        })),
        timeoutMs: 5000,
      }),
      produce(ORDERS),
      step(ApiKey.InitProducerId, 5, { transactionalId: null, transactionTimeoutMs: 60000 }),
    ],
  },
  {
    name: "acls: alice's transaction may hold only what she may write and read",
    login: alice,
    steps: [
      step(
        ApiKey.InitProducerId,
        4,
        { transactionalId: TXN, transactionTimeoutMs: 60000 },
        (r) => r.errorCode === 0,
      ),
      txnStep(ApiKey.AddPartitionsToTxn, 3, (p) => ({
        v3AndBelowTransactionalId: TXN,
        v3AndBelowProducerId: p.producerId,
        v3AndBelowProducerEpoch: p.producerEpoch,
        v3AndBelowTopics: [
          { name: ORDERS, partitions: [0] },
          { name: SECRET, partitions: [0] },
        ],
      }), sortedTxnTopics),
      txnStep(ApiKey.AddPartitionsToTxn, 3, (p) => ({
        v3AndBelowTransactionalId: TXN,
        v3AndBelowProducerId: p.producerId,
        v3AndBelowProducerEpoch: p.producerEpoch,
        v3AndBelowTopics: [{ name: ORDERS, partitions: [0] }],
      })),
      txnStep(ApiKey.AddOffsetsToTxn, 3, (p) => ({
        transactionalId: TXN,
        producerId: p.producerId,
        producerEpoch: p.producerEpoch,
        groupId: "other-group",
      })),
      txnStep(ApiKey.AddOffsetsToTxn, 3, (p) => ({
        transactionalId: TXN,
        producerId: p.producerId,
        producerEpoch: p.producerEpoch,
        groupId: GROUP,
      })),
      txnStep(ApiKey.TxnOffsetCommit, 3, (p) => ({
        transactionalId: TXN,
        groupId: GROUP,
        producerId: p.producerId,
        producerEpoch: p.producerEpoch,
        generationIdOrMemberEpoch: -1,
        memberId: "",
        groupInstanceId: null,
        topics: [SECRET, ORDERS].map((name) => ({
          name,
          partitions: [{ partitionIndex: 0, committedOffset: 1n, committedMetadata: "" }],
        })),
      })),
      txnStep(ApiKey.EndTxn, 4, (p) => ({
        transactionalId: TXN,
        producerId: p.producerId,
        producerEpoch: p.producerEpoch,
        committed: true,
      })),
      txnStep(ApiKey.AddPartitionsToTxn, 3, (p) => ({
        v3AndBelowTransactionalId: "tx-other",
        v3AndBelowProducerId: p.producerId,
        v3AndBelowProducerEpoch: p.producerEpoch,
        v3AndBelowTopics: [{ name: ORDERS, partitions: [0] }],
      })),
      txnStep(ApiKey.EndTxn, 4, (p) => ({
        transactionalId: "tx-other",
        producerId: p.producerId,
        producerEpoch: p.producerEpoch,
        committed: false,
      })),
    ],
  },
  {
    name: "acls: a DENY is added for alice's writes to one topic",
    steps: [
      step(ApiKey.CreateAcls, 3, {
        creations: [
          acl("User:alice", Resource.TOPIC, ORDERS, Op.WRITE, { permissionType: Permission.DENY }),
        ],
      }),
      describeAcls(aclCount("User:alice", 5)),
    ],
  },
  {
    name: "acls: the DENY wins over alice's prefixed ALLOW; her reads still pass",
    login: alice,
    steps: [produce(ORDERS), fetch(ORDERS), metadata([ORDERS])],
  },
  {
    name: "acls: alice may not see or change the cluster, and sees only her transactions",
    login: alice,
    steps: [
      step(ApiKey.DescribeLogDirs, 4, { topics: null }),
      step(
        ApiKey.ListPartitionReassignments,
        0,
        { timeoutMs: 1000, topics: null },
        undefined,
        clusterRefusal,
      ),
      step(
        ApiKey.ElectLeaders,
        2,
        {
          electionType: 0,
          topicPartitions: [{ topic: ORDERS, partitions: [0] }],
          timeoutMs: 1000,
        },
        undefined,
        (r) => ({
          ...r,
          replicaElectionResults: r.replicaElectionResults.map((t) => ({
            ...t,
            partitionResult: t.partitionResult.map(clusterRefusal),
          })),
        }),
      ),
      step(ApiKey.DescribeUserScramCredentials, 0, { users: [{ name: "alice" }] }),
      step(
        ApiKey.AlterUserScramCredentials,
        0,
        {
          deletions: [{ name: "bob", mechanism: 1 }],
          upsertions: [],
        },
        undefined,
        (r) => ({ ...r, results: r.results.map(clusterRefusal) }),
      ),
      step(ApiKey.DescribeProducers, 0, {
        topics: [SECRET, ORDERS].map((name) => ({ name, partitionIndexes: [0] })),
      }),
      // A transaction committed just before is complete once its markers are written: a moment
      // on either broker.
      step(
        ApiKey.ListTransactions,
        1,
        { stateFilters: [], producerIdFilters: [] },
        (r) => r.transactionStates.every((t) => !t.transactionState.startsWith("Prepare")),
      ),
      step(ApiKey.DescribeTransactions, 0, { transactionalIds: [TXN, "tx-ready"] }),
    ],
  },
  {
    name: "acls: the super user deletes alice's ACLs",
    steps: [
      step(
        ApiKey.DeleteAcls,
        3,
        {
          filters: [
            { ...ANY_FILTER, principalFilter: "User:alice", resourceTypeFilter: Resource.TOPIC },
            { ...ANY_FILTER, principalFilter: "User:alice" },
          ],
        },
        undefined,
        sortedDeletions,
      ),
      describeAcls(aclCount("User:alice", 0)),
    ],
  },
  {
    name: "acls: with no ACL left, alice sees only what everyone may see",
    login: alice,
    steps: [metadata(null), produce(ORDERS)],
  },
];
