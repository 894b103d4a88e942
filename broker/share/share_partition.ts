/**
 * A share partition (KIP-932): one share group's view of one topic partition, kept on the
 * partition's leader. Records from the share-partition start offset (SPSO) on are in flight: each
 * is AVAILABLE, ACQUIRED by a member under a time lock, ACKNOWLEDGED or ARCHIVED. Records are kept
 * in batches as they were acquired; an operation that touches part of a batch splits it into
 * per-offset states, as Kafka's in-flight cache does, so that what ShareFetch reports as acquired
 * ranges matches Kafka's.
 *
 * @module
 */

import type { StoredBatch } from "../log/partition_log.ts";

/** A record's state. */
export type RecordState = "AVAILABLE" | "ACQUIRED" | "ACKNOWLEDGED" | "ARCHIVED";

/** Kafka's member id of records nobody owns. */
export const NO_MEMBER = "AAAAAAAAAAAAAAAAAAAAAA";

/** The lock of one acquisition: when it fires, what is still acquired under it is released. */
interface Lock {
  timer?: ReturnType<typeof setTimeout>;
}

interface InFlightState {
  state: RecordState;
  deliveryCount: number;
  memberId: string;
  lock?: Lock;
}

interface InFlightBatch {
  first: bigint;
  last: bigint;
  /** The batch's state while all its records share one; null once split. */
  whole: InFlightState | null;
  /** Per-offset states once split. */
  offsets: Map<bigint, InFlightState> | null;
}

/** A range of acquired records, as ShareFetch reports it. */
export interface AcquiredRange {
  firstOffset: bigint;
  lastOffset: bigint;
  deliveryCount: number;
}

/** One acknowledgement batch: a range, and one type for it or one per offset. */
export interface AcknowledgementBatch {
  firstOffset: bigint;
  lastOffset: bigint;
  /** 0 gap, 1 accept, 2 release, 3 reject, 4 renew (Kafka 4.4). */
  acknowledgeTypes: number[];
}

/** Why an acknowledgement was refused: Kafka's error code and message. */
export interface AcknowledgeFailure {
  errorCode: number;
  message: string;
}

/** The limits a share partition works within (the group's configs). */
export interface ShareLimits {
  /** group.share.delivery.count.limit */
  deliveryCountLimit: number;
  /** group.share.partition.max.record.locks */
  maxRecordLocks: number;
  /** The acquisition lock duration (share.record.lock.duration.ms). */
  lockDurationMs: number;
}

const INVALID_REQUEST = 42;
const INVALID_RECORD_STATE = 121;

const finished = (s: InFlightState) => s.state === "ACKNOWLEDGED" || s.state === "ARCHIVED";

/** One share group's in-flight records of one partition. */
export class SharePartition {
  /** The share-partition start offset: records below it are done with. */
  startOffset: bigint;
  /** The last offset in flight; while nothing is, the next offset to fetch (= startOffset). */
  endOffset: bigint;
  /** The start offset as last written to the share state (what DescribeShareGroupOffsets sees). */
  persistedStartOffset: bigint;
  /** Records at or after the persisted start offset that were finished when it was written. */
  persistedFinished = 0n;
  readonly #cache: InFlightBatch[] = [];
  #findNext = false;
  /** Called when records become available again (a fetch waiting for them may go on). */
  readonly #changed: () => void;

  constructor(startOffset: bigint, changed: () => void) {
    this.startOffset = startOffset;
    this.endOffset = startOffset;
    // A new share state holds -1 until its first write.
    this.persistedStartOffset = -1n;
    this.#changed = changed;
  }

  /** The offset the next fetch reads from: the lowest available record, else past the cache. */
  nextFetchOffset(): bigint {
    if (this.#findNext) {
      const available = this.#firstAvailable();
      if (available !== null) return available;
      this.#findNext = false;
    }
    return this.#cache.length === 0 ? this.endOffset : this.endOffset + 1n;
  }

  /** Whether a fetch may acquire: records are available, or the in-flight limit is not reached. */
  canAcquire(limits: ShareLimits): boolean {
    if (this.#firstAvailable() !== null) return true;
    if (this.#cache.length === 0) return true;
    return this.endOffset - this.startOffset + 1n < BigInt(limits.maxRecordLocks);
  }

  /**
   * Acquires, for `memberId`, the available records among `fetched` (whole log batches read from
   * {@linkcode nextFetchOffset}): records in flight first, then new ones, at most `maxRecords`
   * (rounded up to the end of a log batch) split into ranges of about `batchSize` at batch
   * boundaries. Returns the ranges and the log batches that hold them. With `recordLimit` (the
   * record-limit acquire mode, KIP-1206) at most `maxRecords` are acquired, new ones in one range.
   * With `coalesce` (Kafka 4.4) the records of one split batch acquired together make one range
   * where their offsets follow each other and their delivery counts agree.
   */
  acquire(
    memberId: string,
    fetched: readonly StoredBatch[],
    options: {
      maxRecords: number;
      batchSize: number;
      limits: ShareLimits;
      recordLimit?: boolean;
      coalesce?: boolean;
    },
  ): { acquired: AcquiredRange[]; batches: StoredBatch[] } {
    const recordLimit = options.recordLimit ?? false;
    const acquired: AcquiredRange[] = [];
    if (fetched.length === 0 || options.maxRecords <= 0) return { acquired, batches: [] };
    const lock: Lock = {};
    const firstFetched = fetched[0].baseOffset;
    const lastFetched = fetched[fetched.length - 1].lastOffset;
    let count = 0;
    const take = (s: InFlightState) => {
      s.state = "ACQUIRED";
      s.deliveryCount++;
      s.memberId = memberId;
      s.lock = lock;
    };
    for (const batch of this.#cache) {
      if (batch.last < firstFetched || batch.last < this.startOffset) continue;
      if (batch.first > lastFetched || count >= options.maxRecords) break;
      if (batch.whole) {
        if (batch.whole.state !== "AVAILABLE") continue;
        // A batch the fetched data covers only in part, or that goes past a strict record limit,
        // is acquired record by record.
        const over = recordLimit &&
          count + Number(batch.last - batch.first + 1n) > options.maxRecords;
        if (batch.first < firstFetched || batch.last > lastFetched || over) split(batch);
      }
      if (batch.whole) {
        take(batch.whole);
        acquired.push({
          firstOffset: batch.first,
          lastOffset: batch.last,
          deliveryCount: batch.whole.deliveryCount,
        });
        count += Number(batch.last - batch.first + 1n);
        continue;
      }
      let previous: AcquiredRange | null = null;
      for (const [offset, s] of batch.offsets!) {
        if (offset < firstFetched || offset > lastFetched || offset < this.startOffset) continue;
        if (s.state !== "AVAILABLE") continue;
        if (recordLimit && count >= options.maxRecords) break;
        take(s);
        count++;
        if (
          options.coalesce && previous && previous.lastOffset + 1n === offset &&
          previous.deliveryCount === s.deliveryCount
        ) {
          previous.lastOffset = offset;
          continue;
        }
        previous = { firstOffset: offset, lastOffset: offset, deliveryCount: s.deliveryCount };
        acquired.push(previous);
      }
    }
    const cacheEnd = this.#cache.length === 0 ? this.endOffset - 1n : this.endOffset;
    if (count < options.maxRecords && lastFetched > cacheEnd) {
      const start = cacheEnd + 1n > firstFetched ? cacheEnd + 1n : firstFetched;
      const wanted = start + BigInt(options.maxRecords - count) - 1n;
      const holding = fetched.find((b) => b.baseOffset <= wanted && wanted <= b.lastOffset);
      const last = holding ? holding.lastOffset : lastFetched < wanted ? lastFetched : wanted;
      let rangeStart = start;
      const close = (end: bigint) => {
        const whole: InFlightState = {
          state: "ACQUIRED",
          deliveryCount: 1,
          memberId,
          lock,
        };
        this.#cache.push({ first: rangeStart, last: end, whole, offsets: null });
        acquired.push({ firstOffset: rangeStart, lastOffset: end, deliveryCount: 1 });
      };
      for (const b of fetched) {
        if (recordLimit || b.baseOffset <= rangeStart || b.baseOffset > last) continue;
        if (b.baseOffset - rangeStart >= BigInt(options.batchSize)) {
          close(b.baseOffset - 1n);
          rangeStart = b.baseOffset;
        }
      }
      if (recordLimit && last > wanted) {
        // Record limit: the rest of the log batch is in flight too, available, as Kafka caches it.
        close(wanted);
        this.#cache.push({
          first: wanted + 1n,
          last,
          whole: { state: "AVAILABLE", deliveryCount: 0, memberId: NO_MEMBER },
          offsets: null,
        });
        this.#findNext = true;
      } else close(last);
      this.endOffset = last;
    }
    if (acquired.length === 0) return { acquired, batches: [] };
    const lo = acquired.reduce(
      (m, r) => r.firstOffset < m ? r.firstOffset : m,
      acquired[0].firstOffset,
    );
    const hi = acquired.reduce(
      (m, r) => r.lastOffset > m ? r.lastOffset : m,
      acquired[0].lastOffset,
    );
    lock.timer = setTimeout(
      () => this.#expire(lock, options.limits),
      options.limits.lockDurationMs,
    );
    return {
      acquired,
      batches: fetched.filter((b) => b.lastOffset >= lo && b.baseOffset <= hi),
    };
  }

  /**
   * Applies a member's acknowledgements, all or nothing: returns Kafka's refusal, or null when every
   * batch was applied. A renewal (KIP-1222) leaves its records acquired by the member under a new
   * lock of the full duration.
   */
  acknowledge(
    memberId: string,
    batches: readonly AcknowledgementBatch[],
    limits: ShareLimits,
  ): AcknowledgeFailure | null {
    const changes: [InFlightState, RecordState][] = [];
    const target = (s: InFlightState, type: number): RecordState =>
      type === 4
        ? "ACQUIRED"
        : type === 1
        ? "ACKNOWLEDGED"
        : type === 2
        ? (s.deliveryCount >= limits.deliveryCountLimit ? "ARCHIVED" : "AVAILABLE")
        : "ARCHIVED";
    for (const ack of batches) {
      if (ack.lastOffset < this.startOffset) continue;
      const failure = this.#checkRange(ack);
      if (failure) return failure;
      const typeOf = (offset: bigint) =>
        ack.acknowledgeTypes.length === 1
          ? ack.acknowledgeTypes[0]
          : ack.acknowledgeTypes[Number(offset - ack.firstOffset)];
      for (const batch of this.#cache) {
        if (batch.last < ack.firstOffset || batch.first > ack.lastOffset) continue;
        const covered = batch.first >= ack.firstOffset && batch.last <= ack.lastOffset;
        if (batch.whole && covered && ack.acknowledgeTypes.length === 1) {
          const s = batch.whole;
          if (s.memberId === NO_MEMBER || s.state !== "ACQUIRED") {
            return stateFailure(
              "The batch cannot be acknowledged. The batch is not in the acquired state.",
            );
          }
          if (s.memberId !== memberId) {
            return stateFailure("Member is not the owner of batch record");
          }
          changes.push([s, target(s, ack.acknowledgeTypes[0])]);
          continue;
        }
        if (batch.whole && batch.whole.state !== "ACQUIRED") {
          return stateFailure(
            "The batch cannot be acknowledged. The subset batch is not in the acquired state.",
          );
        }
        split(batch);
        for (const [offset, s] of batch.offsets!) {
          if (offset < ack.firstOffset || offset > ack.lastOffset || offset < this.startOffset) {
            continue;
          }
          if (s.state !== "ACQUIRED") {
            return stateFailure("The batch cannot be acknowledged. The offset is not acquired.");
          }
          if (s.memberId !== memberId) return stateFailure("Member is not the owner of offset");
          changes.push([s, target(s, typeOf(offset))]);
        }
      }
    }
    let renewal: Lock | undefined;
    const renewed = new Set<Lock>();
    for (const [s, state] of changes) {
      if (state === "ACQUIRED") {
        if (!renewal) {
          const lock: Lock = {};
          lock.timer = setTimeout(() => this.#expire(lock, limits), limits.lockDurationMs);
          renewal = lock;
        }
        if (s.lock) renewed.add(s.lock);
        s.lock = renewal;
        continue;
      }
      s.state = state;
      s.memberId = NO_MEMBER;
      s.lock = undefined;
      if (state === "AVAILABLE") this.#findNext = true;
    }
    if (renewed.size > 0) this.#forEachState((_, s) => s.lock && renewed.delete(s.lock));
    // Locks no record is under any more stop.
    for (const lock of renewed) clearTimeout(lock.timer);
    if (changes.some(([, state]) => state !== "ACQUIRED")) this.#written();
    return null;
  }

  /**
   * Archives the acquired records of [first, last], a batch of an aborted transaction that a
   * read_committed fetch acquired, as Kafka does before answering. The start offset moves past them
   * with the next state change, as Kafka's does.
   */
  archiveAcquired(first: bigint, last: bigint): void {
    const archive = (s: InFlightState) => {
      s.state = "ARCHIVED";
      s.memberId = NO_MEMBER;
      s.lock = undefined;
    };
    for (const batch of this.#cache) {
      if (batch.last < first) continue;
      if (batch.first > last) break;
      if (batch.whole) {
        if (batch.whole.state !== "ACQUIRED") continue;
        if (batch.first >= first && batch.last <= last) {
          archive(batch.whole);
          continue;
        }
        split(batch);
      }
      for (const [offset, s] of batch.offsets!) {
        if (offset >= first && offset <= last && s.state === "ACQUIRED") archive(s);
      }
    }
  }

  /** Gives back every record `memberId` holds (its share session ended); that delivery does not count. */
  releaseMember(memberId: string): void {
    let released = false;
    this.#forEachState((offsetFirst, s) => {
      if (s.state !== "ACQUIRED" || s.memberId !== memberId) return;
      s.state = offsetFirst < this.startOffset ? "ARCHIVED" : "AVAILABLE";
      s.deliveryCount = Math.max(0, s.deliveryCount - 1);
      s.memberId = NO_MEMBER;
      s.lock = undefined;
      released = true;
    });
    if (!released) return;
    this.#findNext = true;
    this.#written();
  }

  /** Moves the start offset forward to `offset` (the log start moved past it), dropping what is below. */
  skipTo(offset: bigint): void {
    if (offset <= this.startOffset) return;
    this.startOffset = offset;
    while (this.#cache.length > 0 && this.#cache[0].last < offset) this.#cache.shift();
    if (this.#cache.length === 0 || this.endOffset < offset) {
      this.#cache.length = 0;
      this.endOffset = offset;
    }
    this.#advance();
  }

  /** Stops the lock timers. */
  close(): void {
    this.#forEachState((_, s) => clearTimeout(s.lock?.timer));
  }

  #checkRange(ack: AcknowledgementBatch): AcknowledgeFailure | null {
    const first = this.#cache[0];
    const last = this.#cache[this.#cache.length - 1];
    if (!first || (ack.firstOffset < first.first && ack.firstOffset >= this.startOffset)) {
      return stateFailure(
        "Batch record not found. The request batch offsets are not found in the cache.",
      );
    }
    if (ack.firstOffset > last.last) {
      return {
        errorCode: INVALID_REQUEST,
        message: "Batch record not found. The first offset in request is past acquired records.",
      };
    }
    if (ack.lastOffset > last.last) {
      return {
        errorCode: INVALID_REQUEST,
        message: "Batch record not found. The last offset in request is past acquired records.",
      };
    }
    return null;
  }

  /** A lock timed out: what is still acquired under it becomes available (or archived at the limit). */
  #expire(lock: Lock, limits: ShareLimits): void {
    let released = false;
    this.#forEachState((offset, s) => {
      if (s.lock !== lock || s.state !== "ACQUIRED") return;
      s.state = s.deliveryCount >= limits.deliveryCountLimit || offset < this.startOffset
        ? "ARCHIVED"
        : "AVAILABLE";
      s.memberId = NO_MEMBER;
      s.lock = undefined;
      released = true;
    });
    if (!released) return;
    this.#findNext = true;
    this.#written();
  }

  /** A state change was written: the share state keeps the start offset from before it. */
  #written(): void {
    this.persistedStartOffset = this.startOffset;
    // KIP-1226's lag leaves out what is finished above the start offset, as the state holds it.
    let done = 0n;
    for (const batch of this.#cache) {
      if (batch.whole) {
        if (!finished(batch.whole) || batch.last < this.startOffset) continue;
        const from = batch.first > this.startOffset ? batch.first : this.startOffset;
        done += batch.last - from + 1n;
      } else {
        for (const [offset, st] of batch.offsets!) {
          if (offset >= this.startOffset && finished(st)) done++;
        }
      }
    }
    this.persistedFinished = done;
    this.#advance();
    this.#changed();
  }

  /** Moves the start offset past the leading finished records, dropping finished batches. */
  #advance(): void {
    while (this.#cache.length > 0) {
      const batch = this.#cache[0];
      if (batch.whole) {
        if (!finished(batch.whole)) return;
      } else {
        for (const [offset, s] of batch.offsets!) {
          if (offset < this.startOffset) continue;
          if (!finished(s)) {
            this.startOffset = offset;
            return;
          }
        }
      }
      this.startOffset = batch.last + 1n;
      this.#cache.shift();
    }
    this.endOffset = this.startOffset;
  }

  #firstAvailable(): bigint | null {
    for (const batch of this.#cache) {
      if (batch.whole) {
        if (batch.whole.state === "AVAILABLE" && batch.last >= this.startOffset) {
          return batch.first > this.startOffset ? batch.first : this.startOffset;
        }
        continue;
      }
      for (const [offset, s] of batch.offsets!) {
        if (offset >= this.startOffset && s.state === "AVAILABLE") return offset;
      }
    }
    return null;
  }

  /** Every state with the first offset it covers. */
  #forEachState(f: (offset: bigint, s: InFlightState) => void): void {
    for (const batch of this.#cache) {
      if (batch.whole) f(batch.first, batch.whole);
      else for (const [offset, s] of batch.offsets!) f(offset, s);
    }
  }
}

function stateFailure(message: string): AcknowledgeFailure {
  return { errorCode: INVALID_RECORD_STATE, message };
}

/** Gives each record of a batch its own state. */
function split(batch: InFlightBatch): void {
  if (!batch.whole) return;
  const offsets = new Map<bigint, InFlightState>();
  for (let o = batch.first; o <= batch.last; o++) offsets.set(o, { ...batch.whole });
  batch.offsets = offsets;
  batch.whole = null;
}
