/**
 * The producer's record accumulator: open batches per partition, closed batches waiting to be sent,
 * and the memory they hold (buffer.memory), with back-pressure when it is full.
 *
 * @module
 */

import type { RecordInit } from "../../codec/mod.ts";

/** The outcome of one sent record. */
export interface RecordMetadata {
  /** The record's topic. */
  topic: string;
  /** The partition the record was written to. */
  partition: number;
  /** The record's offset, or -1n with acks=0. */
  offset: bigint;
  /** The timestamp the record carries (CreateTime), or the broker's append time (LogAppendTime). */
  timestamp: bigint;
}

/** Where records' outcomes go: one caller's promise, or the slots of one array send. */
export interface DeliverySink {
  deliver(index: number, metadata: RecordMetadata): void;
  fail(index: number, error: Error): void;
}

/** A record waiting in a batch, with where its outcome goes. */
export interface PendingRecord extends RecordInit {
  timestamp: number;
  sink: DeliverySink;
  /** The record's place in its send call (0 for a single record). */
  index: number;
}

/** A batch of one partition. */
export interface ProducerBatch {
  topic: string;
  partition: number;
  records: PendingRecord[];
  /** Estimated bytes of the records, for batch.size and buffer.memory. */
  bytes: number;
  createdAt: number;
  /** Set once encoded: the batch's bytes, kept as they are for retries (same sequence numbers). */
  encoded?: Uint8Array;
  baseSequence: number;
  producerId: bigint;
  producerEpoch: number;
  attempts: number;
  /** When the batch may be retried. */
  retryAt: number;
  /** The batch's place among its partition's batches (creation order), kept by retries. */
  order: number;
  /** True once the batch was sent (its sequence numbers, if any, are taken). */
  sent: boolean;
}

/** A partition's batches. */
interface PartitionQueue {
  topic: string;
  partition: number;
  /** Closed batches, oldest first; the last may still be open. */
  batches: ProducerBatch[];
  open: ProducerBatch | undefined;
  inFlight: number;
}

/** Per-record overhead counted against batch.size and buffer.memory (Kafka's record framing). */
const RECORD_OVERHEAD = 14;

/** When a partition's head batch may go: what {@linkcode Accumulator.drain} applies. */
export interface DrainRules {
  /** linger.ms: how long an open batch waits for more records. */
  lingerMs: number;
  /** Batches of one partition in flight at once. */
  maxInFlight: number;
  /** The idempotence rules: whether this batch may go with `inFlight` of its partition out. */
  maySend?: (batch: ProducerBatch, inFlight: number) => boolean;
}

/** Accumulates records into batches per partition. */
export class Accumulator {
  readonly #batchSize: number;
  readonly #bufferMemory: number;
  readonly #queues: PartitionQueue[] = [];
  /** Per topic, its partitions' queues by partition number (no string key per record). */
  readonly #byTopic = new Map<string, PartitionQueue[]>();
  #buffered = 0;
  #created = 0;
  #spaceWaiters: (() => void)[] = [];

  constructor(batchSize: number, bufferMemory: number) {
    this.#batchSize = batchSize;
    this.#bufferMemory = bufferMemory;
  }

  /** Bytes held by records not yet acknowledged. */
  get bufferedBytes(): number {
    return this.#buffered;
  }

  /** True when nothing is waiting or in flight. */
  get empty(): boolean {
    for (const q of this.#queues) if (q.batches.length > 0 || q.inFlight > 0) return false;
    return true;
  }

  /** The size a record counts for. */
  static sizeOf(r: RecordInit): number {
    let n = RECORD_OVERHEAD + (r.key?.length ?? 0) + (r.value?.length ?? 0);
    // An index loop: for-of over `?? []` costs an array and an iterator per record.
    const headers = r.headers;
    if (headers !== undefined) {
      for (let i = 0; i < headers.length; i++) {
        n += headers[i].key.length + (headers[i].value?.length ?? 0) + 2;
      }
    }
    return n;
  }

  /** Takes `bytes` of buffer.memory when they fit now; false when the caller must wait. */
  tryReserve(bytes: number): boolean {
    if (this.#buffered + bytes > this.#bufferMemory && this.#buffered > 0) return false;
    this.#buffered += bytes;
    return true;
  }

  /** Gives back `bytes` reserved for a record that was never appended. */
  release(bytes: number): void {
    this.#buffered -= bytes;
    this.#wakeSpaceWaiters();
  }

  /** Waits until `bytes` more fit in buffer.memory, or throws after `maxBlockMs`. */
  async reserve(bytes: number, maxBlockMs: number): Promise<void> {
    const deadline = Date.now() + maxBlockMs;
    while (this.#buffered + bytes > this.#bufferMemory && this.#buffered > 0) {
      const wait = deadline - Date.now();
      if (wait <= 0) {
        throw new Error(
          `Failed to allocate ${bytes} bytes within ${maxBlockMs} ms (buffer.memory ${this.#bufferMemory} is full)`,
        );
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, wait);
        this.#spaceWaiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    this.#buffered += bytes;
  }

  /** Appends a record to its partition's open batch; returns true when that batch became full. */
  append(topic: string, partition: number, record: PendingRecord, bytes: number): boolean {
    const q = this.#queue(topic, partition);
    let batch = q.open;
    if (batch && batch.bytes + bytes > this.#batchSize && batch.records.length > 0) {
      q.open = undefined;
      batch = undefined;
    }
    if (!batch) {
      batch = {
        topic,
        partition,
        records: [],
        bytes: 0,
        createdAt: Date.now(),
        baseSequence: -1,
        producerId: -1n,
        producerEpoch: -1,
        attempts: 0,
        retryAt: 0,
        order: this.#created++,
        sent: false,
      };
      q.batches.push(batch);
      q.open = batch;
    }
    batch.records.push(record);
    batch.bytes += bytes;
    if (batch.bytes >= this.#batchSize) {
      q.open = undefined;
      return true;
    }
    return false;
  }

  #queue(topic: string, partition: number): PartitionQueue {
    let partitions = this.#byTopic.get(topic);
    if (!partitions) {
      partitions = [];
      this.#byTopic.set(topic, partitions);
    }
    let q = partitions[partition];
    if (!q) {
      q = { topic, partition, batches: [], open: undefined, inFlight: 0 };
      partitions[partition] = q;
      this.#queues.push(q);
    }
    return q;
  }

  /**
   * Takes the batches ready to send, at most one per partition (Kafka keeps one batch per partition
   * of a Produce request): the head of each partition's queue when it is closed or older than
   * `lingerMs` (or any when `flushing`), its retry time has come, fewer than `maxInFlight` of the
   * partition's batches are in flight, and `maySend` (the idempotence rules) allows it.
   */
  drain(now: number, rules: DrainRules & { flushing: boolean }): ProducerBatch[] {
    const { lingerMs, maxInFlight, flushing, maySend } = rules;
    const out: ProducerBatch[] = [];
    for (const q of this.#queues) {
      if (q.batches.length === 0 || q.inFlight >= maxInFlight) continue;
      const batch = q.batches[0];
      if (batch.retryAt > now) continue;
      if (batch === q.open && !flushing && now - batch.createdAt < lingerMs) continue;
      if (maySend && !maySend(batch, q.inFlight)) continue;
      if (batch === q.open) q.open = undefined;
      q.batches.shift();
      q.inFlight++;
      batch.sent = true;
      out.push(batch);
    }
    return out;
  }

  /** How many batches are in flight, over all partitions. */
  get inFlight(): number {
    let n = 0;
    for (const q of this.#queues) n += q.inFlight;
    return n;
  }

  /**
   * The earliest time an open batch's linger or a retry backoff ends, for the sender's timer.
   * Partitions at their in-flight limit, or held by `maySend`, are skipped: an acknowledgement wakes
   * the sender for them.
   */
  nextWakeUp(rules: DrainRules): number {
    const { lingerMs, maxInFlight, maySend } = rules;
    let next = Infinity;
    for (const q of this.#queues) {
      const b = q.batches[0];
      if (!b || q.inFlight >= maxInFlight) continue;
      // A batch held by the idempotence rules waits for an answer, which wakes the sender.
      if (maySend && !maySend(b, q.inFlight)) continue;
      next = Math.min(next, b.retryAt > 0 ? b.retryAt : b === q.open ? b.createdAt + lingerMs : 0);
    }
    return next;
  }

  /** A sent batch is done (acknowledged or failed for good): frees its memory. */
  complete(batch: ProducerBatch): void {
    this.#queue(batch.topic, batch.partition).inFlight--;
    this.#buffered -= batch.bytes;
    this.#wakeSpaceWaiters();
  }

  #wakeSpaceWaiters(): void {
    if (this.#spaceWaiters.length === 0) return;
    const waiters = this.#spaceWaiters;
    this.#spaceWaiters = [];
    for (const w of waiters) w();
  }

  /**
   * Takes out every batch not yet sent (never encoded), freeing its memory: an aborted transaction
   * drops them. Batches sent once stay, since their sequence numbers are taken.
   */
  removeUnsent(): ProducerBatch[] {
    const removed: ProducerBatch[] = [];
    for (const q of this.#queues) {
      const keep = q.batches.filter((b) => b.sent);
      for (const b of q.batches) {
        if (!b.sent) {
          removed.push(b);
          this.#buffered -= b.bytes;
        }
      }
      q.batches = keep;
      if (q.open && !q.open.sent) q.open = undefined;
    }
    this.#wakeSpaceWaiters();
    return removed;
  }

  /** A sent batch must be sent again: back in its partition's queue, in creation order. */
  requeue(batch: ProducerBatch, retryAt: number): void {
    const q = this.#queue(batch.topic, batch.partition);
    q.inFlight--;
    batch.retryAt = retryAt;
    let i = 0;
    while (i < q.batches.length && q.batches[i].order < batch.order) i++;
    q.batches.splice(i, 0, batch);
  }

  /** Every batch not yet sent, for failing them when the producer closes. */
  takeAll(): ProducerBatch[] {
    const out: ProducerBatch[] = [];
    for (const q of this.#queues) {
      out.push(...q.batches);
      q.batches = [];
      q.open = undefined;
    }
    return out;
  }
}
