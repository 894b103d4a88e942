/**
 * One partition's view of transactions, as a Kafka partition leader keeps it: the open transactions
 * (their first offsets bound the last stable offset that read_committed consumers may read up to),
 * and the index of aborted transactions that Fetch returns so that those consumers drop their records.
 *
 * @module
 */

import type { StoredBatch } from "../log/partition_log.ts";

/** An aborted transaction: its producer and the offsets from its first batch to its marker. */
export interface AbortedTransaction {
  readonly producerId: bigint;
  readonly firstOffset: bigint;
  /** The offset of the ABORT marker. */
  readonly lastOffset: bigint;
}

/** Open and aborted transactions of one partition. */
export class PartitionTransactions {
  /** Producer id to the first offset of its open transaction. */
  readonly #open = new Map<bigint, bigint>();
  #aborted: AbortedTransaction[] = [];

  /** The open transactions: producer id and first offset. */
  get open(): ReadonlyMap<bigint, bigint> {
    return this.#open;
  }

  /** Aborted transactions, oldest first. */
  get aborted(): readonly AbortedTransaction[] {
    return this.#aborted;
  }

  /** A transactional batch of `producerId` was appended at `baseOffset`. */
  dataAppended(producerId: bigint, baseOffset: bigint): void {
    if (!this.#open.has(producerId)) this.#open.set(producerId, baseOffset);
  }

  /** A COMMIT or ABORT marker of `producerId` was appended at `offset`. */
  markerAppended(producerId: bigint, committed: boolean, offset: bigint): void {
    const first = this.#open.get(producerId);
    this.#open.delete(producerId);
    if (!committed && first !== undefined) {
      this.#aborted.push({ producerId, firstOffset: first, lastOffset: offset });
    }
  }

  /**
   * The last stable offset: the first offset of the oldest open transaction, or the high watermark
   * when none is open.
   */
  lastStableOffset(highWatermark: bigint): bigint {
    let lso = highWatermark;
    for (const first of this.#open.values()) if (first < lso) lso = first;
    return lso;
  }

  /**
   * The aborted transactions a read_committed fetch of [fetchOffset, upperBound) must be told about:
   * those that end at or after the fetch offset and start before the upper bound.
   */
  abortedBetween(fetchOffset: bigint, upperBound: bigint): AbortedTransaction[] {
    return this.#aborted.filter((t) => t.lastOffset >= fetchOffset && t.firstOffset < upperBound);
  }

  /**
   * The batches of aborted transactions among `batches` (read from `fetchOffset` on), found as
   * Kafka's share partitions find them: walking in offset order, a producer counts as aborted from
   * the first offset of one of its aborted transactions until its ABORT marker, and its
   * transactional batches in between are aborted.
   */
  abortedBatches(batches: readonly StoredBatch[], fetchOffset: bigint): StoredBatch[] {
    if (batches.length === 0) return [];
    const aborted = this.abortedBetween(fetchOffset, batches[batches.length - 1].lastOffset + 1n)
      .sort((a, b) => a.firstOffset < b.firstOffset ? -1 : a.firstOffset > b.firstOffset ? 1 : 0);
    const abortMarkers = new Set(aborted.map((t) => `${t.producerId}:${t.lastOffset}`));
    const producers = new Set<bigint>();
    const out: StoredBatch[] = [];
    let next = 0;
    for (const b of batches) {
      if (b.producerId < 0n) continue;
      while (next < aborted.length && aborted[next].firstOffset <= b.lastOffset) {
        producers.add(aborted[next++].producerId);
      }
      if (b.isControl && abortMarkers.has(`${b.producerId}:${b.baseOffset}`)) {
        producers.delete(b.producerId);
      } else if (b.isTransactional && producers.has(b.producerId)) {
        out.push(b);
      }
    }
    return out;
  }

  /** Forgets aborted transactions wholly before the log start offset (retention, DeleteRecords). */
  truncateBefore(logStartOffset: bigint): void {
    if (this.#aborted.length > 0 && this.#aborted[0].lastOffset < logStartOffset) {
      this.#aborted = this.#aborted.filter((t) => t.lastOffset >= logStartOffset);
    }
  }
}
