/**
 * Idempotent producers, as a Kafka broker tracks them: producer ids handed out by InitProducerId, and
 * per partition each producer's epoch and the last five batches' sequence ranges, so that a retried
 * batch is answered with its first offsets instead of being written twice, and a gap is refused.
 *
 * @module
 */

import { ErrorCode } from "../../codec/mod.ts";

/** Batches remembered per producer and partition for duplicate detection (Kafka keeps five). */
const REMEMBERED_BATCHES = 5;
const SEQUENCE_WRAP = 0x80000000;

interface BatchSequence {
  firstSequence: number;
  lastSequence: number;
  baseOffset: bigint;
}

interface PartitionProducer {
  epoch: number;
  batches: BatchSequence[];
  /** The max timestamp of its latest batch or transaction marker (-1 before any). */
  lastTimestamp: bigint;
  /** The coordinator epoch of its latest transaction marker (-1 before any). */
  coordinatorEpoch: number;
}

function newProducer(epoch: number): PartitionProducer {
  return { epoch, batches: [], lastTimestamp: -1n, coordinatorEpoch: -1 };
}

/** The verdict on a batch's producer fields. */
export type SequenceCheck =
  | { kind: "append" }
  | { kind: "duplicate"; baseOffset: bigint }
  | { kind: "error"; errorCode: number; message: string };

/** Producer ids for the cluster, and per-partition sequence state. */
export class ProducerIds {
  #next = 1000n;

  /** A new producer id. */
  allocate(): bigint {
    return this.#next++;
  }
}

/** A produced batch's producer epoch and sequence numbers, as its header carries them. */
export interface BatchSequences {
  /** The producer's epoch. */
  epoch: number;
  /** The first record's sequence number. */
  firstSequence: number;
  /** How many records the batch holds. */
  count: number;
}

/** One partition's producers. */
export class PartitionProducers {
  #producers = new Map<bigint, PartitionProducer>();

  /** The producer ids writing to this partition, with their epoch and last sequence. */
  get active(): {
    producerId: bigint;
    epoch: number;
    lastSequence: number;
    lastTimestamp: bigint;
    coordinatorEpoch: number;
  }[] {
    return [...this.#producers.entries()].map(([producerId, p]) => ({
      producerId,
      epoch: p.epoch,
      lastSequence: p.batches[p.batches.length - 1]?.lastSequence ?? -1,
      lastTimestamp: p.lastTimestamp,
      coordinatorEpoch: p.coordinatorEpoch,
    }));
  }

  /**
   * Forgets producers whose last batch is `expirationMs` old or more, unless they have a
   * transaction open here (producer.id.expiration.ms, as Kafka's producer state manager does).
   */
  expire(now: bigint, expirationMs: bigint, ongoing: (producerId: bigint) => boolean): void {
    for (const [id, p] of this.#producers) {
      if (!ongoing(id) && now - p.lastTimestamp >= expirationMs) this.#producers.delete(id);
    }
  }

  /** Checks a batch from producer `id` at `epoch` with sequences first..first+count-1. */
  check(id: bigint, batch: BatchSequences): SequenceCheck {
    const { epoch, firstSequence, count } = batch;
    if (id < 0n) return { kind: "append" };
    const p = this.#producers.get(id);
    const lastSequence = (firstSequence + count - 1) % SEQUENCE_WRAP;
    if (!p || epoch > p.epoch) {
      if (firstSequence !== 0 && p !== undefined) {
        return {
          kind: "error",
          errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
          message:
            `Invalid sequence number for new epoch ${epoch}: ${firstSequence} (request epoch), 0 (expected)`,
        };
      }
      return { kind: "append" };
    }
    if (epoch < p.epoch) {
      return {
        kind: "error",
        errorCode: ErrorCode.INVALID_PRODUCER_EPOCH,
        message: `Epoch ${epoch} is older than the current ${p.epoch}`,
      };
    }
    for (const b of p.batches) {
      if (b.firstSequence === firstSequence && b.lastSequence === lastSequence) {
        return { kind: "duplicate", baseOffset: b.baseOffset };
      }
    }
    const last = p.batches[p.batches.length - 1];
    const expected = last === undefined ? 0 : (last.lastSequence + 1) % SEQUENCE_WRAP;
    if (firstSequence !== expected) {
      return {
        kind: "error",
        errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
        message:
          `Out of order sequence number for producer ${id} at offset ... : ${firstSequence} (incoming seq. number), ${
            expected - 1
          } (current end sequence number)`,
      };
    }
    return { kind: "append" };
  }

  /**
   * A transaction marker of producer `id` at `epoch`: false when the partition has seen a newer
   * epoch (the marker is refused); a newer epoch starts the producer's sequences afresh, as Kafka's
   * producer state does.
   */
  acceptMarker(id: bigint, epoch: number): boolean {
    const p = this.#producers.get(id);
    if (p && epoch < p.epoch) return false;
    if (!p || epoch > p.epoch) this.#producers.set(id, newProducer(epoch));
    return true;
  }

  /** Records a transaction marker written for producer `id`, as Kafka's producer state does. */
  markerWritten(id: bigint, coordinatorEpoch: number, timestamp: bigint): void {
    const p = this.#producers.get(id);
    if (!p) return;
    p.coordinatorEpoch = coordinatorEpoch;
    p.lastTimestamp = timestamp;
  }

  /** Records an appended batch: its sequences, where it was written, its greatest timestamp. */
  appended(
    id: bigint,
    batch: BatchSequences & { baseOffset: bigint; maxTimestamp: bigint },
  ): void {
    const { epoch, firstSequence, count, baseOffset, maxTimestamp } = batch;
    if (id < 0n) return;
    let p = this.#producers.get(id);
    if (!p || epoch > p.epoch) {
      p = newProducer(epoch);
      this.#producers.set(id, p);
    }
    p.lastTimestamp = maxTimestamp;
    p.batches.push({
      firstSequence,
      lastSequence: (firstSequence + count - 1) % SEQUENCE_WRAP,
      baseOffset,
    });
    if (p.batches.length > REMEMBERED_BATCHES) p.batches.shift();
  }
}

/**
 * What producer expiration reads: every topic's partitions (their leader, producers and open
 * transactions) and the leader's producer.id.expiration.ms. The cluster is one.
 */
export interface ProducerExpirationScope {
  /** Topics by name. */
  readonly topics: ReadonlyMap<string, { readonly partitions: readonly ExpiringPartition[] }>;
  /** Broker configs, per node. */
  readonly configs: { value(nodeId: number, name: string): string | null };
}

/** A partition as producer expiration sees it. */
export interface ExpiringPartition {
  /** The node leading the partition, whose configs apply. */
  readonly leader: number;
  /** The partition's idempotent producers. */
  readonly producers: PartitionProducers;
  /** The producers with a transaction open on the partition, who do not expire. */
  readonly txns: { readonly open: { has(producerId: bigint): boolean } };
}

/**
 * Forgets the idempotent producers of every partition whose last batch is older than the leader's
 * producer.id.expiration.ms, except those with a transaction open there.
 *
 * @example
 * ```ts
 * import { expireProducers } from "./producer_state.ts";
 * expireProducers({ topics: new Map(), configs: { value: () => null } });
 * ```
 */
export function expireProducers(scope: ProducerExpirationScope, now: number = Date.now()): void {
  for (const topic of scope.topics.values()) {
    for (const p of topic.partitions) {
      const expiration = BigInt(
        scope.configs.value(p.leader, "producer.id.expiration.ms") ?? "86400000",
      );
      p.producers.expire(BigInt(now), expiration, (id) => p.txns.open.has(id));
    }
  }
}
