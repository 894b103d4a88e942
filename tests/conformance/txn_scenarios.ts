/**
 * Differential scenarios of the transaction coordinator under transaction version 2 (EndTxn v5,
 * KIP-890): an abort with nothing to abort bumps the epoch, from Empty after InitProducerId and
 * after committed and aborted transactions, repeatedly; an empty commit fails; retries and stale
 * epochs are told apart.
 *
 * Kafka completes every end (an empty abort too) asynchronously: an EndTxn right after another may
 * be answered CONCURRENT_TRANSACTIONS, so each end is resent until it is answered otherwise.
 *
 * @module
 */

import { ApiKey, ErrorCode } from "../../codec/mod.ts";
import { type Scenario, step } from "./differential.ts";

type Producer = { producerId: bigint; producerEpoch: number };

/**
 * The scenarios; transactional ids and topics are made unique by `run`.
 *
 * @example
 * ```ts ignore
 * const scenarios = transactionScenarios("d123");
 * ```
 */
export function transactionScenarios(run: string): Scenario[] {
  return [emptyAborts(run)];
}

function emptyAborts(run: string): Scenario {
  const txn = `${run}-txe`;
  const topic = `${run}-txe-t`;
  const steps: Scenario["steps"] = [
    step(ApiKey.CreateTopics, 7, {
      topics: [{ name: topic, numPartitions: 1, replicationFactor: 1 }],
      timeoutMs: 5000,
    }),
    step(
      ApiKey.Metadata,
      12,
      { topics: [{ name: topic }], allowAutoTopicCreation: false },
      (r) => r.topics[0]?.partitions.length === 1 && r.topics[0].partitions[0].leaderId >= 0,
    ),
    step(
      ApiKey.FindCoordinator,
      4,
      { keyType: 1, coordinatorKeys: [txn] },
      (r) => r.coordinators.every((c) => c.errorCode === 0),
    ),
    step(
      ApiKey.InitProducerId,
      5,
      { transactionalId: txn, transactionTimeoutMs: 60000, producerId: -1n, producerEpoch: -1 },
      (r) => r.errorCode === 0,
    ),
  ];
  const init = steps.length - 1;
  /** The producer id and latest epoch: from the last answer that carried an epoch. */
  const latest = (earlier: unknown[]): Producer => {
    for (let i = earlier.length - 1; i >= init; i--) {
      const a = earlier[i] as Partial<Producer> & { errorCode?: number };
      if (a.errorCode === 0 && typeof a.producerEpoch === "number" && a.producerEpoch >= 0) {
        return { producerId: a.producerId!, producerEpoch: a.producerEpoch };
      }
    }
    throw new Error("no producer epoch yet");
  };
  /** EndTxn v5 with the latest epoch plus `shift` (-1: a retry of the last end, -2: stale). */
  const end = (committed: boolean, shift = 0) =>
    step(ApiKey.EndTxn, 5, (earlier) => {
      const { producerId, producerEpoch } = latest(earlier);
      return { transactionalId: txn, producerId, producerEpoch: producerEpoch + shift, committed };
    }, (r) => r.errorCode !== ErrorCode.CONCURRENT_TRANSACTIONS);
  const add = step(ApiKey.AddPartitionsToTxn, 3, (earlier) => {
    const { producerId, producerEpoch } = latest(earlier);
    return {
      v3AndBelowTransactionalId: txn,
      v3AndBelowProducerId: producerId,
      v3AndBelowProducerEpoch: producerEpoch,
      v3AndBelowTopics: [{ name: topic, partitions: [0] }],
    };
    // Kafka answers CONCURRENT_TRANSACTIONS until the last end has completed.
  }, (r) => r.resultsByTopicV3AndBelow[0]?.resultsByPartition[0]?.partitionErrorCode === 0);
  steps.push(
    // From Empty right after InitProducerId (epoch 0), twice.
    end(false),
    end(false),
    // Nothing to commit.
    end(true),
    // After a committed transaction.
    add,
    end(true),
    end(false),
    end(true),
    // After an aborted transaction, twice.
    add,
    end(false),
    end(false),
    end(false),
    // A retry of the last abort (the epoch before its bump), and a stale epoch.
    end(false, -1),
    end(true, -1),
    end(false, -2),
    step(
      ApiKey.DescribeTransactions,
      0,
      { transactionalIds: [txn] },
      (r) => r.transactionStates[0]?.transactionState === "CompleteAbort",
    ),
  );
  return { name: "transactions v2: aborts with nothing to abort bump the epoch", steps };
}
