/**
 * One partition's view of transactions, as a Kafka partition leader keeps it: the open transactions
 * (their first offsets bound the last stable offset that read_committed consumers may read up to),
 * and the index of aborted transactions that Fetch returns so that those consumers drop their records.
 *
 * @module
 */

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

  /** Forgets aborted transactions wholly before the log start offset (retention, DeleteRecords). */
  truncateBefore(logStartOffset: bigint): void {
    if (this.#aborted.length > 0 && this.#aborted[0].lastOffset < logStartOffset) {
      this.#aborted = this.#aborted.filter((t) => t.lastOffset >= logStartOffset);
    }
  }
}
