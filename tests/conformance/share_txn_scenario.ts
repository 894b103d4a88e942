/**
 * Differential scenario of a share group reading transactional records with
 * share.isolation.level=read_committed: aborted transactions' records are archived and left out
 * of the acquired ranges, markers and committed records are acquired, and the start offset moves
 * past all of them once the member acknowledges.
 *
 * @module
 */

import { ApiKey, encodeRecordBatch } from "../../codec/mod.ts";
import { produceRequest, type Scenario, step } from "./differential.ts";
import {
  ack,
  groupConfig,
  heartbeat,
  records,
  sharedTopic,
  shareFetch,
} from "./share_group_scenarios.ts";

type Producer = { producerId: bigint; producerEpoch: number };

/** The scenario; group, topic and transactional id are made unique by `run`. */
export function shareTxnScenario(run: string): Scenario {
  const group = `${run}-stx`;
  const topic = `${run}-stxt`;
  const txn = `${run}-stx-txn`;
  const member = "AAAAAAAAAAAAAAAAAAAABw";
  const steps: Scenario["steps"] = [
    // Offsets 0-1: two records outside any transaction.
    ...sharedTopic(group, topic, [2]),
    groupConfig(group, "share.isolation.level", "read_committed"),
    step(
      ApiKey.FindCoordinator,
      4,
      { keyType: 1, coordinatorKeys: [txn] },
      (r) => r.coordinators.every((c) => c.errorCode === 0),
    ),
  ];
  const initAt = steps.length;
  steps.push(step(
    ApiKey.InitProducerId,
    4,
    { transactionalId: txn, transactionTimeoutMs: 60000 },
    (r) => r.errorCode === 0,
  ));
  const producer = (earlier: unknown[]) => earlier[initAt] as Producer;
  let sequence = 0;
  let written = 2;
  /** A transaction of `count` records, committed or aborted, with an outside batch in it. */
  const transaction = (count: number, committed: boolean, outside: number) => {
    const baseSequence = sequence;
    sequence += count;
    const from = written;
    written += count + outside;
    steps.push(
      step(ApiKey.AddPartitionsToTxn, 3, (earlier) => ({
        v3AndBelowTransactionalId: txn,
        v3AndBelowProducerId: producer(earlier).producerId,
        v3AndBelowProducerEpoch: producer(earlier).producerEpoch,
        v3AndBelowTopics: [{ name: topic, partitions: [0] }],
        // Kafka answers CONCURRENT_TRANSACTIONS until the last transaction's markers are written.
      }), (r) => r.resultsByTopicV3AndBelow[0]?.resultsByPartition[0]?.partitionErrorCode === 0),
      step(ApiKey.Produce, 9, (earlier) => ({
        ...produceRequest(
          topic,
          encodeRecordBatch({
            records: Array.from({ length: count }, (_, i) => ({
              key: null,
              value: new TextEncoder().encode(`t${from + i}`),
            })),
            baseTimestamp: BigInt(Date.now()),
            producerId: producer(earlier).producerId,
            producerEpoch: producer(earlier).producerEpoch,
            baseSequence,
            isTransactional: true,
          }),
        ),
        transactionalId: txn,
      })),
    );
    if (outside > 0) {
      steps.push(step(ApiKey.Produce, 9, produceRequest(topic, records(outside, from + count))));
    }
    steps.push(step(ApiKey.EndTxn, 4, (earlier) => ({
      transactionalId: txn,
      producerId: producer(earlier).producerId,
      producerEpoch: producer(earlier).producerEpoch,
      committed,
    })));
    written++; // the marker
  };
  // 2-4 aborted, marker 5; 6-7 committed, marker 8; 9-10 aborted around 11, marker 12.
  transaction(3, false, 0);
  transaction(2, true, 0);
  transaction(2, false, 1);
  const end = BigInt(written);
  const fetchAll = step(ApiKey.Fetch, 12, {
    maxWaitMs: 0,
    minBytes: 1,
    maxBytes: 1 << 20,
    isolationLevel: 1,
    topics: [{
      topic,
      partitions: [{ partition: 0, fetchOffset: 0n, partitionMaxBytes: 1 << 20 }],
    }],
  }, (r) => r.responses[0]?.partitions[0]?.lastStableOffset === end);
  const fetchAcking = (epoch: number, ...acks: ReturnType<typeof ack>[]) =>
    shareFetch(group, member, epoch, { acks, maxWaitMs: 500 });
  steps.push(
    // The markers are written: every transaction has ended (Kafka writes them after EndTxn).
    fetchAll,
    heartbeat({ groupId: group, memberId: member, subscribedTopicNames: [topic] }),
    heartbeat({ groupId: group, memberId: member, memberEpoch: 1 }, (r) => r.assignment !== null),
    fetchAcking(0),
    // Accepting what was acquired; archived offsets are already done with.
    fetchAcking(1, ack(0, 1, 1), ack(5, 8, 1)),
    fetchAcking(2, ack(2, 4, 1)),
    fetchAcking(3, ack(11, 12, 1)),
    step(ApiKey.DescribeShareGroupOffsets, 0, {
      groups: [{ groupId: group, topics: [{ topicName: topic, partitions: [0] }] }],
    }),
    fetchAcking(-1),
    heartbeat({ groupId: group, memberId: member, memberEpoch: -1 }),
  );
  return {
    name: "share groups (KIP-932): read_committed archives aborted transactions' records",
    steps,
  };
}
