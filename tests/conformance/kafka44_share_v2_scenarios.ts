/**
 * Differential scenario of ShareFetch and ShareAcknowledge v2 (Kafka 4.4): the record-limit acquire
 * mode (KIP-1206: at most MaxRecords records, in one range), renew acknowledgements (KIP-1222: the
 * lock of acquired records starts again, their state unchanged) and IsRenewAck, and the acquisition
 * lock timeout ShareAcknowledge v2 answers. Run against a real Kafka 4.4.0, which has share groups on
 * from the start (Brook's broker turns them on with the scenario's first step).
 *
 * @module
 */

import { ApiKey, type ApiMessages } from "../../codec/mod.ts";
import { type Scenario, type Step, step } from "./differential.ts";
import { ack, heartbeat, sharedTopic, shareFetch, topicIdOf } from "./share_group_scenarios.ts";

type Fetched = ApiMessages[typeof ApiKey.ShareFetch]["response"];
type Acknowledged = ApiMessages[typeof ApiKey.ShareAcknowledge]["response"];
type FetchFields = NonNullable<Parameters<typeof shareFetch>[3]>;

/** The limits of a renewing ShareFetch, which must all be 0. */
const RENEWING = { isRenewAck: true, maxWaitMs: 0, minBytes: 0, maxBytes: 0, maxRecords: 0 };

/**
 * The scenario; group and topic names are made unique by `run`.
 *
 * @example
 * ```ts ignore
 * const scenario = shareV2Scenario("k123");
 * ```
 */
export function shareV2Scenario(run: string): Scenario {
  const group = `${run}-k44v`;
  const topic = `${run}-k44v-t`;
  const member = "AAAAAAAAAAAAAAAAAAAACQ";
  // Offsets 0-4 and 5-9, in two batches.
  const [enable, ...setUp] = sharedTopic(group, topic, [5, 5]);
  const joined = setUp.length + 1;
  const fetch = (
    version: number,
    epoch: number,
    fields: FetchFields & { shareAcquireMode?: number; isRenewAck?: boolean } = {},
    until?: (r: Fetched) => boolean,
  ): Step => ({
    ...shareFetch(group, member, epoch, { maxWaitMs: 300, ...fields } as FetchFields, until),
    version,
  });
  const acknowledge = (
    version: number,
    epoch: number,
    batches: ReturnType<typeof ack>[],
    isRenewAck = false,
  ) =>
    step(ApiKey.ShareAcknowledge, version, (earlier) => ({
      groupId: group,
      memberId: member,
      shareSessionEpoch: epoch,
      isRenewAck,
      topics: [{
        topicId: topicIdOf(earlier),
        partitions: [{ partitionIndex: 0, acknowledgementBatches: batches }],
      }],
    }));
  return {
    name: "ShareFetch and ShareAcknowledge v2: record limit, renew acknowledgements",
    steps: [
      // Kafka 4.4.0 has share.version 2 already and refuses the downgrade; Brook turns it on.
      { ...enable, canonical: () => "share groups on" },
      // Kafka 4.4.0 lists topic configs 4.1.1 and Brook do not have.
      ...setUp.map((s) =>
        "apiKey" in s && s.apiKey === ApiKey.CreateTopics
          ? {
            ...s,
            canonical: (r: { topics: { errorCode: number }[] }) => r.topics.map((t) => t.errorCode),
          } as typeof s
          : s
      ),
      heartbeat(
        { groupId: group, memberId: member, subscribedTopicNames: [topic] },
        undefined,
        // A new member's epoch is 2 on Kafka 4.4.0, 1 on Kafka 4.1.1 and Brook.
        (r) => ({ errorCode: r.errorCode }),
      ),
      step(
        ApiKey.ShareGroupHeartbeat,
        1,
        (earlier) => ({
          groupId: group,
          memberId: member,
          memberEpoch: (earlier[joined] as { memberEpoch: number }).memberEpoch,
          rackId: null,
          subscribedTopicNames: null,
        }),
        (r) => r.assignment !== null,
        (r) => ({ errorCode: r.errorCode }),
      ),
      // Record limit: three records of the first batch, in one range.
      fetch(2, 0, { shareAcquireMode: 1, maxRecords: 3, batchSize: 2 }),
      // A renewing fetch asks for nothing else: any of its limits set is refused, the session
      // untouched.
      fetch(2, 1, { acks: [ack(0, 1, 4)], isRenewAck: true, maxRecords: 0, maxBytes: 0 }),
      // Renewed: the same records stay acquired; nothing more is fetched.
      fetch(2, 1, { acks: [ack(0, 1, 4)], ...RENEWING }),
      acknowledge(2, 2, [ack(2, 2, 4)], true),
      // A renew without IsRenewAck, and one in a version before renewals.
      acknowledge(2, 3, [ack(0, 0, 4)]),
      acknowledge(1, 4, [ack(0, 0, 4)]),
      fetch(1, 5, { acks: [ack(1, 1, 4)] }),
      // IsRenewAck without renewals, or with other types beside; a released record renewed.
      fetch(2, 6, { ...RENEWING }),
      acknowledge(2, 7, [ack(0, 1, 4, 1)], true),
      acknowledge(2, 8, [ack(5, 9, 2)]),
      acknowledge(2, 9, [ack(5, 5, 4)], true),
      acknowledge(2, 10, [ack(5, 5, 2)]),
      // Kafka 4.4.0 words this v1 refusal as v2's; Brook keeps 4.1.1's words for v1.
      {
        ...acknowledge(1, 11, [ack(5, 5, 2)]),
        canonical: (r: Acknowledged) => ({
          ...r,
          responses: r.responses.map((t) => ({
            ...t,
            partitions: t.partitions.map((p) => ({ ...p, errorMessage: "<worded by version>" })),
          })),
        }),
      } as Step,
      // A mode Kafka does not know: the acknowledgements are applied, the fetch fails.
      fetch(2, 12, { acks: [ack(0, 0, 1)], shareAcquireMode: 2 }),
      // Released records again, by record limit from a released batch, then batch-optimized.
      fetch(2, 13, { acks: [ack(2, 2, 1)], shareAcquireMode: 1, maxRecords: 2, batchSize: 1 }),
      fetch(2, 14, { acks: [ack(3, 4, 1)], maxRecords: 1 }),
      acknowledge(2, 15, [ack(5, 6, 1)]),
      fetch(2, -1, { acks: [ack(7, 7, 4)], ...RENEWING }),
    ],
  };
}

/**
 * AlterShareGroupOffsets as Kafka 4.4 applies it (Kafka 4.1.1 changes nothing): an empty group's
 * start offsets set, a group with a member refused, a new group created; described and fetched
 * from. Brook's broker gets share.version 2, as a new Kafka 4.4.0 cluster has it.
 *
 * @example
 * ```ts ignore
 * const scenario = alterShareOffsetsScenario("k123");
 * ```
 */
export function alterShareOffsetsScenario(run: string): Scenario {
  const group = `${run}-k44a`;
  const topic = `${run}-k44a-t`;
  const member = "AAAAAAAAAAAAAAAAAAAACg";
  const [, ...setUp] = sharedTopic(group, topic, [5]);
  const joined = setUp.length + 4;
  const alter = (partitions: [number, bigint][], groupId = group) =>
    step(ApiKey.AlterShareGroupOffsets, 0, {
      groupId,
      topics: [
        { topicName: `${run}-nosuch`, partitions: [{ partitionIndex: 0, startOffset: 0n }] },
        {
          topicName: topic,
          partitions: partitions.map(([partitionIndex, startOffset]) => ({
            partitionIndex,
            startOffset,
          })),
        },
      ],
    });
  const describe = (version: number, groupId = group) =>
    step(ApiKey.DescribeShareGroupOffsets, version, {
      groups: [{ groupId, topics: [{ topicName: topic, partitions: [0, 1] }] }],
    });
  return {
    name: "AlterShareGroupOffsets applied (Kafka 4.4)",
    steps: [
      {
        ...step(ApiKey.UpdateFeatures, 1, {
          timeoutMs: 5000,
          featureUpdates: [{ feature: "share.version", maxVersionLevel: 2, upgradeType: 1 }],
          validateOnly: false,
        }),
        canonical: () => "share.version 2",
      },
      ...setUp.map((s) =>
        "apiKey" in s && s.apiKey === ApiKey.CreateTopics
          ? {
            ...s,
            canonical: (r: { topics: { errorCode: number }[] }) => r.topics.map((t) => t.errorCode),
          } as typeof s
          : s
      ),
      alter([[0, 2n], [7, 1n], [1, 0n]]),
      describe(0),
      describe(1),
      heartbeat(
        { groupId: group, memberId: member, subscribedTopicNames: [topic] },
        undefined,
        (r) => ({ errorCode: r.errorCode }),
      ),
      step(
        ApiKey.ShareGroupHeartbeat,
        1,
        (earlier) => ({
          groupId: group,
          memberId: member,
          memberEpoch: (earlier[joined] as { memberEpoch: number }).memberEpoch,
          rackId: null,
          subscribedTopicNames: null,
        }),
        (r) => r.assignment !== null,
        (r) => ({ errorCode: r.errorCode }),
      ),
      alter([[0, 0n]]),
      // Read from the start offset set.
      { ...shareFetch(group, member, 0, { maxWaitMs: 300 }), version: 2 },
      { ...shareFetch(group, member, -1, { acks: [ack(2, 4, 1)] }), version: 2 },
      heartbeat({ groupId: group, memberId: member, memberEpoch: -1 }, undefined, (r) => ({
        errorCode: r.errorCode,
      })),
      describe(1),
      // A group that does not exist yet.
      alter([[1, 3n]], `${group}-new`),
      describe(1, `${group}-new`),
    ],
  };
}
