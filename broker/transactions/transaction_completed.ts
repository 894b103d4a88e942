/**
 * How the end of a transaction reaches the group coordinator, as Kafka's transaction markers reach
 * its GroupCoordinator.onTransactionCompleted: the offsets the transaction staged become committed,
 * or are dropped. The transaction coordinator is handed the callback and knows nothing of groups.
 *
 * @module
 */

/** A transaction's end, as the groups it committed offsets for see it. */
export interface TransactionCompletion {
  /** The transaction's producer id. */
  readonly producerId: bigint;
  /** True for COMMIT markers, false for ABORT. */
  readonly commit: boolean;
  /** The __consumer_offsets partitions a marker was written to (WriteTxnMarkers names them). */
  readonly offsetsPartitions: readonly number[];
  /** The groups the transaction added offsets for (AddOffsetsToTxn). */
  readonly groups: readonly string[];
}

/**
 * Called once the markers of a transaction are written.
 *
 * @example
 * ```ts
 * import type { OnTransactionCompleted } from "./transaction_completed.ts";
 * const log: OnTransactionCompleted = (c) => console.log(c.producerId, c.commit ? "commit" : "abort");
 * log({ producerId: 1n, commit: true, offsetsPartitions: [], groups: ["g"] });
 * ```
 */
export type OnTransactionCompleted = (completion: TransactionCompletion) => void;
