/**
 * The idempotent producer's state, as Kafka's Java client keeps it: the producer id and epoch, and per
 * partition the next sequence number and the batches sent but not yet acknowledged, in sequence order.
 * It decides when a partition may send (retries in sequence order, new batches only behind them) and
 * when a gap in the sequences cannot be resolved, so that the producer must take a new epoch (KIP-360)
 * and start the partition's sequences again at 0.
 *
 * @module
 */

import { ApiKey, ErrorCode, errorInfo, KafkaProtocolError } from "../../codec/mod.ts";
import type { KafkaClient } from "../kafka_client.ts";
import type { ProducerBatch } from "./accumulator.ts";
import { IDEMPOTENT_TRANSACTION_TIMEOUT_MS } from "../defaults.ts";

/** One partition's sequences. */
interface PartitionSequences {
  /** The producer id and epoch the sequences belong to. */
  producerId: bigint;
  producerEpoch: number;
  next: number;
  /** Batches with a sequence, sent at least once and not yet completed, lowest sequence first. */
  unacked: ProducerBatch[];
  /** Set when a gap was found: the unacked batches get new sequences once the epoch is bumped. */
  rewrite: boolean;
  /** True once a batch of the current epoch was acknowledged. */
  acknowledged: boolean;
}

/** What to do with a batch whose answer was a sequence error. */
export type SequenceVerdict = "retry" | "bump" | "fail";

/**
 * Producer id, epoch and sequence numbers of an idempotent producer.
 *
 * @example
 * ```ts
 * import { KafkaClient } from "@brook/kafka/client";
 * import { Idempotence } from "./idempotence.ts";
 * const state = new Idempotence(new KafkaClient({ bootstrapServers: "127.0.0.1:9092" }));
 * await state.init();
 * console.log(state.producerId, state.producerEpoch);
 * ```
 */
export class Idempotence {
  readonly #client: KafkaClient;
  producerId = -1n;
  producerEpoch = -1;
  #partitions = new Map<string, PartitionSequences>();
  #bumpNeeded = false;
  #bumping: Promise<void> | undefined;

  constructor(client: KafkaClient) {
    this.#client = client;
  }

  /** True while the producer has no id, or is getting a new epoch: no batch may be sent. */
  get blocked(): boolean {
    return this.producerId < 0n || this.#bumpNeeded || this.#bumping !== undefined;
  }

  /** True when an unresolvable gap asks for a new epoch (taken once nothing is in flight). */
  get bumpNeeded(): boolean {
    return this.#bumpNeeded && this.#bumping === undefined;
  }

  #state(b: { topic: string; partition: number }): PartitionSequences {
    const key = `${b.topic}\u0000${b.partition}`;
    let s = this.#partitions.get(key);
    if (!s) {
      s = {
        producerId: this.producerId,
        producerEpoch: this.producerEpoch,
        next: 0,
        unacked: [],
        rewrite: false,
        acknowledged: false,
      };
      this.#partitions.set(key, s);
    }
    return s;
  }

  /**
   * Whether the partition's head batch may be sent now (`inFlight`: the partition's batches in
   * flight). A batch sent before goes again only as the lowest unacknowledged sequence, so retries
   * keep their order; a new batch waits behind them, and behind batches of an older epoch.
   */
  maySend(batch: ProducerBatch, inFlight: number): boolean {
    if (this.blocked) return false;
    const s = this.#state(batch);
    const stale = s.producerId !== this.producerId || s.producerEpoch !== this.producerEpoch;
    if (stale && s.rewrite) {
      if (inFlight > 0) return false;
      this.#resequence(s);
    }
    if (batch.baseSequence < 0) {
      if (s.unacked.length > 0 && (stale || s.rewrite)) return false;
      if (stale) {
        s.producerId = this.producerId;
        s.producerEpoch = this.producerEpoch;
        s.next = 0;
        s.acknowledged = false;
      }
      // A broker takes any sequence as the first of a producer it does not know: until the first
      // batch is acknowledged, a later one could be written before it, so only one is in flight.
      return s.acknowledged || s.unacked.length === 0;
    }
    return s.unacked[0] === batch;
  }

  /** Gives a batch sent for the first time its producer id, epoch and sequence. */
  assign(batch: ProducerBatch): void {
    if (batch.baseSequence >= 0) return;
    const s = this.#state(batch);
    batch.producerId = s.producerId;
    batch.producerEpoch = s.producerEpoch;
    batch.baseSequence = s.next;
    s.next = (s.next + batch.records.length) % 0x80000000;
    s.unacked.push(batch);
  }

  /**
   * The batch is done (`acknowledged`, or failed for good): its sequence is no longer awaited.
   */
  completed(batch: ProducerBatch, acknowledged: boolean): void {
    if (batch.baseSequence < 0) return;
    const s = this.#state(batch);
    if (
      acknowledged && batch.producerId === s.producerId && batch.producerEpoch === s.producerEpoch
    ) s.acknowledged = true;
    const i = s.unacked.indexOf(batch);
    if (i >= 0) s.unacked.splice(i, 1);
  }

  /**
   * A sequence error (OUT_OF_ORDER_SEQUENCE_NUMBER, UNKNOWN_PRODUCER_ID). While an earlier batch of
   * the partition is unacknowledged the error may resolve once it is written: retry. When the batch
   * is the lowest awaited sequence the broker has lost the sequences before it (an earlier batch
   * expired or failed, or its log was truncated): a transactional producer fails the batch, an
   * idempotent one bumps its epoch and sends the partition's batches again from sequence 0.
   */
  sequenceError(batch: ProducerBatch, transactional: boolean): SequenceVerdict {
    const s = this.#state(batch);
    if (s.unacked[0] !== batch) return "retry";
    if (transactional) return "fail";
    if (batch.producerId === this.producerId && batch.producerEpoch === this.producerEpoch) {
      this.#bumpNeeded = true;
    }
    s.rewrite = true;
    return "bump";
  }

  /** New sequences from 0 for the partition's awaited batches, under the current epoch. */
  #resequence(s: PartitionSequences): void {
    s.producerId = this.producerId;
    s.producerEpoch = this.producerEpoch;
    s.next = 0;
    s.rewrite = false;
    s.acknowledged = false;
    const batches = s.unacked;
    s.unacked = [];
    for (const b of batches) {
      b.baseSequence = -1;
      b.encoded = undefined;
      this.assign(b);
    }
  }

  /** InitProducerId: a first producer id, or (with `bump`) a new epoch for the current one (KIP-360). */
  init(options: { bump?: boolean } = {}): Promise<void> {
    const bump = options.bump ?? false;
    this.#bumping ??= this.#init(bump).finally(() => {
      this.#bumping = undefined;
    });
    return this.#bumping;
  }

  async #init(bump: boolean): Promise<void> {
    for (let attempt = 0;; attempt++) {
      const res = await this.#client.requestAny(ApiKey.InitProducerId, {
        transactionalId: null,
        transactionTimeoutMs: IDEMPOTENT_TRANSACTION_TIMEOUT_MS,
        producerId: bump ? this.producerId : -1n,
        producerEpoch: bump ? this.producerEpoch : -1,
      });
      if (res.errorCode === ErrorCode.NONE) {
        this.producerId = res.producerId;
        this.producerEpoch = res.producerEpoch;
        this.#bumpNeeded = false;
        return;
      }
      if (!errorInfo(res.errorCode).retriable || attempt >= 10) {
        throw new KafkaProtocolError(res.errorCode, {
          detail: "initializing the idempotent producer",
        });
      }
      await new Promise((r) => setTimeout(r, this.#client.retryBackoff(attempt)));
    }
  }

  /** Adopts a transactional producer's id and epoch; a new one starts every partition at 0. */
  adopt(producerId: bigint, producerEpoch: number): void {
    if (producerId === this.producerId && producerEpoch === this.producerEpoch) return;
    this.producerId = producerId;
    this.producerEpoch = producerEpoch;
  }
}
