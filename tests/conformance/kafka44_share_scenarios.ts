/**
 * Differential scenario of DescribeShareGroupOffsets v1 (KIP-1226): each share partition's lag
 * beside its start offset, as acknowledgements below, at and above the start offset move it. Run
 * against a real Kafka 4.4.0, which has share groups on from the start (Brook's broker turns them on
 * with the scenario's first step).
 *
 * @module
 */

import { ApiKey } from "../../codec/mod.ts";
import { type Scenario, step } from "./differential.ts";
import { ack, heartbeat, sharedTopic, shareFetch, topicIdOf } from "./share_group_scenarios.ts";

/**
 * The scenario; group and topic names are made unique by `run`.
 *
 * @example
 * ```ts ignore
 * const scenario = shareLagScenario("k123");
 * ```
 */
export function shareLagScenario(run: string): Scenario {
  const group = `${run}-k44s`;
  const topic = `${run}-k44s-t`;
  const member = "AAAAAAAAAAAAAAAAAAAACA";
  const [enable, ...setUp] = sharedTopic(group, topic, [5]);
  // The index of the member's first heartbeat.
  const joined = setUp.length + 2;
  const describe = (version: number) =>
    step(ApiKey.DescribeShareGroupOffsets, version, {
      groups: [{ groupId: group, topics: [{ topicName: topic, partitions: [0, 1] }] }],
    });
  const acknowledge = (epoch: number, batches: ReturnType<typeof ack>[]) =>
    step(ApiKey.ShareAcknowledge, 1, (earlier) => ({
      groupId: group,
      memberId: member,
      shareSessionEpoch: epoch,
      topics: [{
        topicId: topicIdOf(earlier),
        partitions: [{ partitionIndex: 0, acknowledgementBatches: batches }],
      }],
    }));
  return {
    name: "DescribeShareGroupOffsets v1: lag (KIP-1226)",
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
      describe(1),
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
      shareFetch(group, member, 0),
      // Above the start offset: the start stays, the acknowledged records leave the lag.
      acknowledge(1, [ack(2, 3, 1)]),
      describe(1),
      acknowledge(2, [ack(0, 0, 1)]),
      describe(1),
      describe(0),
      acknowledge(-1, [ack(1, 1, 1)]),
      describe(1),
    ],
  };
}
