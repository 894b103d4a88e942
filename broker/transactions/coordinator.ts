/**
 * The transaction coordinator of Brook's cluster, with Kafka 4.1's state machine: transactional ids
 * placed on __transaction_state partitions (their leader coordinates), producer id and epoch
 * assignment with fencing, partitions and groups added to a transaction (explicitly, or implicitly by
 * Produce v12+ and TxnOffsetCommit v5+ under transaction version 2), commit and abort with markers
 * written to every partition (and the bumped epoch of KIP-890 for EndTxn v5+), and timeouts.
 *
 * Markers are written in memory at once, but the transaction stays PrepareCommit or PrepareAbort
 * for a short window after EndTxn (the time Kafka takes to write its markers and the completion):
 * meanwhile AddPartitionsToTxn, AddOffsetsToTxn, EndTxn and InitProducerId answer
 * CONCURRENT_TRANSACTIONS, as Kafka's do and as clients expect.
 *
 * @module
 */

import { ErrorCode } from "../../codec/mod.ts";
import { type TopicCatalog, TRANSACTION_STATE_TOPIC } from "../metadata/topic_catalog.ts";
import type { BrokerConfigs } from "../configs/broker_configs.ts";
import type { ProducerIds } from "../log/producer_state.ts";
import { type MarkerSpec, type MarkerTarget, writeMarkers } from "./markers.ts";
import type { OnTransactionCompleted } from "./transaction_completed.ts";
import { javaHash } from "../metadata/java_hash.ts";
import { type Clock, SYSTEM_CLOCK } from "../metadata/clock.ts";
/** An epoch at or above this is exhausted: the producer gets a new id (Short.MaxValue - 1). */
const EXHAUSTED_EPOCH = 32766;

/** The states of a transaction, as Kafka names them. */
export type TransactionStateName =
  | "Empty"
  | "Ongoing"
  | "PrepareCommit"
  | "PrepareAbort"
  | "CompleteCommit"
  | "CompleteAbort"
  | "PrepareEpochFence"
  | "Dead";

/** A transactional id's state. */
export interface TransactionState {
  readonly transactionalId: string;
  producerId: bigint;
  previousProducerId: bigint;
  producerEpoch: number;
  lastProducerEpoch: number;
  timeoutMs: number;
  state: TransactionStateName;
  /** The partitions in the current transaction, by "topic\0partition". */
  readonly partitions: Map<string, { topic: string; partition: number }>;
  /** The groups whose offsets the current transaction commits. */
  readonly groups: Set<string>;
  /** When the current transaction started (ms), or -1. */
  startTimestamp: number;
  lastUpdateTimestamp: number;
  /** True once the client speaks transaction version 2 (EndTxn v5+, Produce v12+). */
  transactionV2: boolean;
}

/** The answer to InitProducerId and EndTxn. */
export interface ProducerIdAndEpoch {
  errorCode: number;
  producerId: bigint;
  producerEpoch: number;
}

/**
 * The default window after EndTxn, in ms. Kafka has no config for it: on a single-node Kafka 4.1.1
 * the next AddPartitionsToTxn was answered CONCURRENT_TRANSACTIONS for 1-20 ms (most often ~5).
 */
export const DEFAULT_TRANSACTION_COMPLETION_MS = 10;

/** A transactional id's state whose Prepare state turns into its Complete state when due. */
class Transaction implements TransactionState {
  readonly transactionalId: string;
  producerId: bigint;
  previousProducerId = -1n;
  producerEpoch = -1;
  lastProducerEpoch = -1;
  timeoutMs: number;
  readonly partitions: Map<string, { topic: string; partition: number }> = new Map();
  readonly groups: Set<string> = new Set();
  startTimestamp = -1;
  lastUpdateTimestamp: number;
  transactionV2 = false;
  #state: TransactionStateName = "Empty";
  /** When a Prepare state completes (ms since the epoch). */
  #completesAt = 0;
  readonly #clock: Clock;

  constructor(
    transactionalId: string,
    options: { producerId: bigint; timeoutMs: number; clock: Clock },
  ) {
    this.transactionalId = transactionalId;
    this.producerId = options.producerId;
    this.timeoutMs = options.timeoutMs;
    this.#clock = options.clock;
    this.lastUpdateTimestamp = options.clock.now();
  }

  get state(): TransactionStateName {
    if (
      (this.#state === "PrepareCommit" || this.#state === "PrepareAbort") &&
      this.#clock.now() >= this.#completesAt
    ) {
      this.#state = this.#state === "PrepareCommit" ? "CompleteCommit" : "CompleteAbort";
      this.lastUpdateTimestamp = this.#completesAt;
    }
    return this.#state;
  }

  set state(state: TransactionStateName) {
    this.#state = state;
    this.#completesAt = 0;
  }

  /** Enters PrepareCommit or PrepareAbort until `at`, then the matching Complete state. */
  prepare(commit: boolean, at: number): void {
    this.#state = commit ? "PrepareCommit" : "PrepareAbort";
    this.#completesAt = at;
  }

  /** Ends a Prepare state's window now. */
  settle(): void {
    const now = this.#clock.now();
    if (this.#completesAt > now) this.#completesAt = now;
  }
}

const failed = (errorCode: number): ProducerIdAndEpoch => ({
  errorCode,
  producerId: -1n,
  producerEpoch: -1,
});

/** What the transaction coordinator works with. */
export interface TransactionCoordinatorOptions {
  /** The topics: __transaction_state, and the partitions markers go to. */
  readonly topics: TopicCatalog;
  /** The broker configs (transaction.* and transactional.id.* limits). */
  readonly configs: BrokerConfigs;
  /** The cluster's producer ids. */
  readonly producerIds: ProducerIds;
  /** Told when a transaction's markers are written: the group coordinator's offsets. */
  readonly onTransactionCompleted: OnTransactionCompleted;
  /** Wakes the fetches waiting for data when markers are appended. */
  readonly onAppended: () => void;
  /** The time transactions start, time out and expire by, and markers carry; the wall clock by default. */
  readonly clock?: Clock;
}

/**
 * The cluster's transaction coordinator.
 *
 * @example
 * ```ts
 * import { TransactionCoordinator } from "./coordinator.ts";
 * import { Cluster } from "../metadata/cluster.ts";
 * const cluster = new Cluster();
 * const transactions = new TransactionCoordinator({
 *   topics: cluster,
 *   configs: cluster.configs,
 *   producerIds: cluster.producerIds,
 *   onTransactionCompleted: () => {},
 *   onAppended: () => {},
 * });
 * console.log(transactions.check("", 1)); // 42 (INVALID_REQUEST)
 * ```
 */
export class TransactionCoordinator {
  readonly #topics: TopicCatalog;
  readonly #configs: BrokerConfigs;
  readonly #producerIds: ProducerIds;
  readonly #markers: MarkerTarget;
  readonly #clock: Clock;
  readonly transactions: Map<string, TransactionState> = new Map();
  /**
   * How long a transaction stays PrepareCommit or PrepareAbort after EndTxn (or a fencing
   * InitProducerId, or a timeout) before it completes, in ms; 0 completes at once.
   */
  completionMs: number = DEFAULT_TRANSACTION_COMPLETION_MS;

  constructor(options: TransactionCoordinatorOptions) {
    this.#topics = options.topics;
    this.#configs = options.configs;
    this.#producerIds = options.producerIds;
    this.#clock = options.clock ?? SYSTEM_CLOCK;
    this.#markers = {
      clock: this.#clock,
      topics: options.topics,
      onTransactionCompleted: options.onTransactionCompleted,
      onAppended: options.onAppended,
    };
  }

  /**
   * Writes a transaction's markers (WriteTxnMarkers, and each transaction's end): an error code per
   * "topic\0partition", as writeMarkers returns them.
   */
  writeMarkers(spec: MarkerSpec): Map<string, number> {
    return writeMarkers(this.#markers, spec);
  }

  /** The node coordinating `transactionalId`, creating __transaction_state on first use. */
  coordinatorFor(transactionalId: string): number {
    let topic = this.#topics.byName.get(TRANSACTION_STATE_TOPIC);
    if (!topic) {
      topic = this.#topics.createTopic(TRANSACTION_STATE_TOPIC, {
        partitions: this.#configs.staticNumber("transaction.state.log.num.partitions"),
        internal: true,
      });
    }
    const h = javaHash(transactionalId);
    return topic.partitions[(h === -2147483648 ? 0 : Math.abs(h)) % topic.partitions.length].leader;
  }

  #txn(transactionalId: string): Transaction | undefined {
    return this.transactions.get(transactionalId) as Transaction | undefined;
  }

  /** NOT_COORDINATOR unless `nodeId` coordinates the id; INVALID_REQUEST for an empty id. */
  check(transactionalId: string, nodeId: number): number {
    if (transactionalId === "") return ErrorCode.INVALID_REQUEST;
    return this.coordinatorFor(transactionalId) === nodeId
      ? ErrorCode.NONE
      : ErrorCode.NOT_COORDINATOR;
  }

  /** InitProducerId with a transactional id (KIP-98, KIP-360 for the expected id and epoch). */
  initProducerId(
    transactionalId: string,
    timeoutMs: number,
    expected?: { producerId: bigint; producerEpoch: number },
  ): ProducerIdAndEpoch {
    if (transactionalId === "") return failed(ErrorCode.INVALID_REQUEST);
    if (
      timeoutMs <= 0 || timeoutMs > this.#configs.staticNumber("transaction.max.timeout.ms")
    ) {
      return failed(ErrorCode.INVALID_TRANSACTION_TIMEOUT);
    }
    const now = this.#clock.now();
    let txn = this.#txn(transactionalId);
    if (!txn) {
      txn = new Transaction(transactionalId, {
        producerId: this.#producerIds.allocate(),
        timeoutMs,
        clock: this.#clock,
      });
      this.transactions.set(transactionalId, txn);
    }
    if (expected && !validExpectedProducer(txn, expected)) {
      return failed(ErrorCode.PRODUCER_FENCED);
    }
    if (txn.state === "Ongoing") {
      // Fence the current producer: abort its transaction with a bumped epoch, and have the caller
      // retry (it then gets the epoch bumped once more).
      txn.lastProducerEpoch = txn.producerEpoch;
      txn.producerEpoch++;
      this.#complete(txn, false);
      return failed(ErrorCode.CONCURRENT_TRANSACTIONS);
    }
    if (txn.state === "PrepareCommit" || txn.state === "PrepareAbort") {
      return failed(ErrorCode.CONCURRENT_TRANSACTIONS);
    }
    if (
      txn.producerEpoch >= EXHAUSTED_EPOCH &&
      (!expected || expected.producerEpoch === txn.producerEpoch)
    ) {
      txn.previousProducerId = txn.producerId;
      txn.producerId = this.#producerIds.allocate();
      txn.producerEpoch = 0;
      txn.lastProducerEpoch = -1;
    } else if (
      expected && txn.producerEpoch !== -1 && expected.producerEpoch !== txn.producerEpoch
    ) {
      // A retry of a bump whose answer was lost gets the same epoch back; anything else is fenced.
      if (expected.producerEpoch !== txn.lastProducerEpoch) {
        return failed(ErrorCode.PRODUCER_FENCED);
      }
    } else {
      txn.lastProducerEpoch = txn.producerEpoch;
      txn.producerEpoch++;
    }
    txn.timeoutMs = timeoutMs;
    txn.state = "Empty";
    txn.partitions.clear();
    txn.groups.clear();
    txn.startTimestamp = -1;
    txn.lastUpdateTimestamp = now;
    return {
      errorCode: ErrorCode.NONE,
      producerId: txn.producerId,
      producerEpoch: txn.producerEpoch,
    };
  }

  /**
   * The state a request about an ongoing transaction may act on, or the error Kafka answers:
   * INVALID_PRODUCER_ID_MAPPING for an unknown id or another producer id, PRODUCER_FENCED for
   * another epoch, CONCURRENT_TRANSACTIONS while the transaction completes. An implicit add
   * (Produce v12+, TxnOffsetCommit v5+) waits for the completion instead, as Kafka's partition
   * leaders retry their AddPartitionsToTxn for longer (add.partitions.to.txn.retry.backoff.max.ms)
   * than the window lasts.
   */
  #current(
    transactionalId: string,
    producerId: bigint,
    epoch: number,
    implicit: boolean,
  ): TransactionState | number {
    const txn = this.#txn(transactionalId);
    if (!txn || txn.producerId !== producerId) return ErrorCode.INVALID_PRODUCER_ID_MAPPING;
    if (txn.producerEpoch !== epoch) return ErrorCode.PRODUCER_FENCED;
    if (implicit) txn.settle();
    if (txn.state === "PrepareCommit" || txn.state === "PrepareAbort") {
      return ErrorCode.CONCURRENT_TRANSACTIONS;
    }
    return txn;
  }

  /**
   * Adds partitions to the transaction (AddPartitionsToTxn, or Produce v12+ implicitly), or with
   * `verifyOnly` checks that they are in it (TRANSACTION_ABORTABLE for those that are not).
   * Returns one error for the whole request, or an error per partition key.
   */
  addPartitions(
    transactionalId: string,
    producerId: bigint,
    epoch: number,
    partitions: { topic: string; partition: number }[],
    options: { verifyOnly?: boolean; transactionV2?: boolean } = {},
  ): number | Map<string, number> {
    const implicit = !options.verifyOnly && options.transactionV2 === true;
    const txn = this.#current(transactionalId, producerId, epoch, implicit);
    if (typeof txn === "number") return txn;
    const results = new Map<string, number>();
    for (const p of partitions) {
      const key = `${p.topic}\u0000${p.partition}`;
      if (options.verifyOnly) {
        results.set(
          key,
          txn.partitions.has(key) ? ErrorCode.NONE : ErrorCode.TRANSACTION_ABORTABLE,
        );
      } else {
        this.#begin(txn, options.transactionV2 ?? false);
        txn.partitions.set(key, { topic: p.topic, partition: p.partition });
        results.set(key, ErrorCode.NONE);
      }
    }
    return results;
  }

  /** Adds a group's offsets to the transaction (AddOffsetsToTxn, or TxnOffsetCommit v5+). */
  addGroup(
    transactionalId: string,
    producerId: bigint,
    epoch: number,
    groupId: string,
    options: { verifyOnly?: boolean; transactionV2?: boolean } = {},
  ): number {
    const implicit = !options.verifyOnly && options.transactionV2 === true;
    const txn = this.#current(transactionalId, producerId, epoch, implicit);
    if (typeof txn === "number") return txn;
    if (options.verifyOnly) {
      return txn.groups.has(groupId) ? ErrorCode.NONE : ErrorCode.TRANSACTION_ABORTABLE;
    }
    this.#begin(txn, options.transactionV2 ?? false);
    txn.groups.add(groupId);
    return ErrorCode.NONE;
  }

  #begin(txn: TransactionState, transactionV2: boolean): void {
    if (txn.state !== "Ongoing") {
      txn.state = "Ongoing";
      txn.startTimestamp = this.#clock.now();
      txn.transactionV2 = transactionV2;
    }
    txn.lastUpdateTimestamp = this.#clock.now();
  }

  /**
   * EndTxn: commits or aborts; with transaction version 2 (EndTxn v5+) the epoch is bumped, and an
   * abort with the current epoch is accepted with nothing to abort (from Empty, CompleteCommit or
   * CompleteAbort), bumping the epoch all the same, as Kafka 4.1 does.
   */
  end(
    transactionalId: string,
    producerId: bigint,
    epoch: number,
    commit: boolean,
    transactionV2: boolean,
  ): ProducerIdAndEpoch {
    if (transactionalId === "") return failed(ErrorCode.INVALID_REQUEST);
    const txn = this.#txn(transactionalId);
    if (!txn) return failed(ErrorCode.INVALID_PRODUCER_ID_MAPPING);
    const state = txn.state;
    const v2 = txn.transactionV2 || (transactionV2 && state !== "Ongoing");
    // A retried EndTxn of a transaction already ended with a bumped epoch (or a new producer id).
    const retryOnBump = v2 && txn.producerEpoch === epoch + 1;
    const retryOnOverflow = v2 && txn.previousProducerId === producerId &&
      epoch === EXHAUSTED_EPOCH && txn.producerEpoch === 0;
    if (txn.producerId !== producerId && !retryOnOverflow) {
      return failed(ErrorCode.INVALID_PRODUCER_ID_MAPPING);
    }
    const completed = state === "CompleteCommit" || state === "CompleteAbort";
    const preparing = state === "PrepareCommit" || state === "PrepareAbort";
    const current = epoch === txn.producerEpoch && !retryOnOverflow;
    const validEpoch = !v2
      ? epoch === txn.producerEpoch
      : completed || preparing
      ? current || retryOnBump || retryOnOverflow
      : epoch === txn.producerEpoch;
    if (!validEpoch) return failed(ErrorCode.PRODUCER_FENCED);
    // Kafka answers any EndTxn while the markers are written so, whatever it asks.
    if (preparing) return failed(ErrorCode.CONCURRENT_TRANSACTIONS);
    // Transaction version 2: an abort with nothing open still ends a transaction.
    const emptyAbort = transactionV2 && !commit && current &&
      (state === "Empty" || completed);
    if (state === "Ongoing" || emptyAbort) {
      if (transactionV2) {
        txn.transactionV2 = true;
        txn.lastProducerEpoch = txn.producerEpoch;
        if (txn.producerEpoch >= EXHAUSTED_EPOCH) {
          // The markers carry the exhausted epoch + 1; the producer continues with a new id.
          txn.producerEpoch++;
          this.#complete(txn, commit);
          txn.previousProducerId = txn.producerId;
          txn.producerId = this.#producerIds.allocate();
          txn.producerEpoch = 0;
          txn.lastProducerEpoch = -1;
          return { errorCode: ErrorCode.NONE, producerId: txn.producerId, producerEpoch: 0 };
        }
        txn.producerEpoch++;
      }
      this.#complete(txn, commit);
      return {
        errorCode: ErrorCode.NONE,
        producerId: txn.producerId,
        producerEpoch: txn.producerEpoch,
      };
    }
    switch (state) {
      case "CompleteCommit":
      case "CompleteAbort":
        // Under version 2 only a retry (the epoch before the bump) of the same end succeeds.
        if ((state === "CompleteCommit") === commit && (!v2 || !current)) {
          return {
            errorCode: ErrorCode.NONE,
            producerId: txn.producerId,
            producerEpoch: txn.producerEpoch,
          };
        }
        return failed(ErrorCode.INVALID_TXN_STATE);
      default:
        return failed(ErrorCode.INVALID_TXN_STATE);
    }
  }

  /** Writes the markers; the transaction completes once the window after EndTxn has passed. */
  #complete(txn: Transaction, commit: boolean): void {
    this.writeMarkers({
      producerId: txn.producerId,
      producerEpoch: txn.producerEpoch,
      commit,
      partitions: [...txn.partitions.values()],
      groups: [...txn.groups],
    });
    const now = this.#clock.now();
    txn.partitions.clear();
    txn.groups.clear();
    // The start time stays, as Kafka's coordinator keeps it until the next transaction begins.
    txn.lastUpdateTimestamp = now;
    txn.prepare(commit, now + this.completionMs);
  }

  /**
   * Forgets transactional ids idle (with no transaction open) for longer than
   * transactional.id.expiration.ms, as Kafka's periodic cleanup does: DescribeTransactions no longer
   * finds them, and InitProducerId gives them a new producer id.
   */
  expireTransactionalIds(now: number = this.#clock.now()): void {
    const expiration = this.#configs.staticNumber("transactional.id.expiration.ms");
    for (const [id, txn] of this.transactions) {
      const idle = txn.state === "Empty" || txn.state === "CompleteCommit" ||
        txn.state === "CompleteAbort";
      if (idle && txn.lastUpdateTimestamp <= now - expiration) this.transactions.delete(id);
    }
  }

  /**
   * Aborts transactions open longer than their timeout, bumping the epoch so that the producer that
   * let it expire is fenced, as Kafka's periodic check does.
   */
  abortTimedOut(now: number = this.#clock.now()): void {
    for (const txn of this.transactions.values() as Iterable<Transaction>) {
      if (txn.state !== "Ongoing" || now - txn.startTimestamp <= txn.timeoutMs) continue;
      if (txn.producerEpoch < EXHAUSTED_EPOCH) {
        txn.lastProducerEpoch = txn.producerEpoch;
        txn.producerEpoch++;
      }
      this.#complete(txn, false);
    }
  }
}

function validExpectedProducer(
  txn: TransactionState,
  expected: { producerId: bigint; producerEpoch: number },
): boolean {
  return txn.producerEpoch === -1 || expected.producerId === txn.producerId ||
    (expected.producerId === txn.previousProducerId && expected.producerEpoch >= EXHAUSTED_EPOCH);
}
