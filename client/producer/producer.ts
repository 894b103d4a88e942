/**
 * Brook's Kafka producer: batching per partition with linger and batch size, compression, acks,
 * idempotence on by default (as Kafka's Java client), retries within a delivery timeout with ordering
 * kept by sequence numbers, back-pressure from buffer.memory, flush and graceful close.
 *
 * @module
 */

import {
  ApiKey,
  encodeRecordBatch,
  ErrorCode,
  errorInfo,
  KafkaProtocolError,
  type ProduceRequestTopicProduceDataInit,
} from "../../codec/mod.ts";
import { type ClientOptions, KafkaClient } from "../kafka_client.ts";
import { partitionForKey, StickyPartitioner } from "../partitioner.ts";
import { ArrayDelivery, SingleDelivery } from "./delivery.ts";
import {
  availablePartitions,
  CODECS,
  type CompressionName,
  pendingRecord,
  type ProducerRecord,
  type TopicMetadata,
  waitForTopic,
} from "./records.ts";
import { type ConsumerGroupMetadata, Transactions } from "./transactions.ts";
import {
  Accumulator,
  type DeliverySink,
  type PendingRecord,
  type ProducerBatch,
  type RecordMetadata,
} from "./accumulator.ts";

export type { RecordMetadata } from "./accumulator.ts";
export type { CompressionName, ProducerRecord } from "./records.ts";

/** Producer options; names follow Kafka's producer configs. */
export interface ProducerOptions extends ClientOptions {
  /** acks: 0, 1, or -1/"all". Default "all". */
  acks?: 0 | 1 | -1 | "all";
  /** enable.idempotence. Default true (needs acks=all). */
  idempotent?: boolean;
  /** compression.type. Default "none". */
  compression?: CompressionName;
  /** linger.ms. Default 5, as Kafka 4. */
  lingerMs?: number;
  /** batch.size in bytes. Default 16384. */
  batchSize?: number;
  /** buffer.memory in bytes. Default 33554432. */
  bufferMemory?: number;
  /** max.block.ms: how long send waits for metadata or buffer space. Default 60000. */
  maxBlockMs?: number;
  /** delivery.timeout.ms: how long a record may take, retries included. Default 120000. */
  deliveryTimeoutMs?: number;
  /** max.in.flight.requests.per.connection (per partition here). Default 5. */
  maxInFlightPerPartition?: number;
  /**
   * transactional.id: makes the producer transactional (idempotent, acks=all); call
   * initTransactions() once, then send inside beginTransaction() and commitTransaction().
   */
  transactionalId?: string;
  /** transaction.timeout.ms. Default 60000. */
  transactionTimeoutMs?: number;
}

/**
 * A Kafka producer.
 *
 * @example
 * ```ts
 * import { Producer } from "@brook/kafka/client";
 * await using producer = new Producer({ bootstrapServers: "127.0.0.1:9092" });
 * const meta = await producer.send({ topic: "orders", key: "order-1", value: JSON.stringify({ total: 3 }) });
 * console.log(meta.partition, meta.offset);
 * ```
 *
 * @example Transactions
 * ```ts
 * import { Producer } from "@brook/kafka/client";
 * await using producer = new Producer({ bootstrapServers: "127.0.0.1:9092", transactionalId: "billing-1" });
 * await producer.initTransactions();
 * producer.beginTransaction();
 * await producer.send([{ topic: "invoices", value: "42" }, { topic: "ledger", value: "+42" }]);
 * await producer.commitTransaction(); // read_committed consumers see both records, or neither
 * ```
 */
export class Producer implements AsyncDisposable {
  readonly client: KafkaClient;
  readonly #ownsClient: boolean;
  readonly #acks: number;
  readonly #idempotent: boolean;
  readonly #codec: number;
  readonly #lingerMs: number;
  readonly #maxBlockMs: number;
  readonly #deliveryTimeoutMs: number;
  readonly #maxInFlight: number;
  readonly #accumulator: Accumulator;
  readonly #sticky: StickyPartitioner;
  #producerId = -1n;
  #producerEpoch = -1;
  #initializing: Promise<void> | undefined;
  #sequences = new Map<string, number>();
  #timer: ReturnType<typeof setTimeout> | undefined;
  #wakeAt = Infinity;
  #senderQueued = false;
  #metadataRefresh: Promise<void> | undefined;
  #flushing = 0;
  #idleWaiters: (() => void)[] = [];
  #closed = false;
  readonly #txn: Transactions | undefined;

  constructor(options: ProducerOptions, client?: KafkaClient) {
    this.client = client ?? new KafkaClient(options);
    this.#ownsClient = client === undefined;
    const acks = options.acks === "all" || options.acks === undefined ? -1 : options.acks;
    this.#acks = acks;
    this.#idempotent = options.idempotent ?? acks === -1;
    if (options.transactionalId !== undefined && !this.#idempotent) {
      throw new TypeError("A transactional producer is idempotent: it needs acks=all (-1)");
    }
    if (this.#idempotent && acks !== -1) {
      throw new TypeError(
        "An idempotent producer needs acks=all (-1); set idempotent: false to use other acks",
      );
    }
    this.#codec = CODECS[options.compression ?? "none"];
    if (this.#codec === undefined) {
      throw new TypeError(`Unknown compression "${options.compression}"`);
    }
    this.#lingerMs = options.lingerMs ?? 5;
    this.#maxBlockMs = options.maxBlockMs ?? 60000;
    this.#deliveryTimeoutMs = options.deliveryTimeoutMs ?? 120000;
    this.#maxInFlight = Math.min(
      this.#idempotent ? 5 : Infinity,
      options.maxInFlightPerPartition ?? 5,
    );
    const batchSize = options.batchSize ?? 16384;
    this.#accumulator = new Accumulator(batchSize, options.bufferMemory ?? 33554432);
    this.#sticky = new StickyPartitioner(batchSize);
    if (options.transactionalId !== undefined) {
      this.#txn = new Transactions(this.client, options.transactionalId, {
        timeoutMs: options.transactionTimeoutMs ?? 60000,
        maxBlockMs: this.#maxBlockMs,
      });
    }
  }

  /**
   * Sends a record (or an array of records); resolves with its partition and offset (an array, in order)
   * once the broker has acknowledged it (per acks), or rejects when it could not be delivered within the
   * delivery timeout.
   */
  send(record: ProducerRecord): Promise<RecordMetadata>;
  send(records: ProducerRecord[]): Promise<RecordMetadata[]>;
  send(records: ProducerRecord | ProducerRecord[]): Promise<RecordMetadata | RecordMetadata[]> {
    if (this.#closed) return Promise.reject(new Error("The producer is closed"));
    try {
      this.#txn?.expect("send", "in_transaction");
    } catch (e) {
      return Promise.reject(e);
    }
    if (!Array.isArray(records)) {
      const sink = new SingleDelivery();
      try {
        if (!this.#appendNow(records, sink, 0)) {
          this.#append(records, sink, 0).catch((e) => sink.fail(0, e));
        }
      } catch (e) {
        return Promise.reject(e);
      }
      return sink.promise;
    }
    const list = records;
    const sink = new ArrayDelivery(list.length);
    // Fast path: known topics and free buffer memory need no await, so a record costs no extra ticks.
    let i = 0;
    try {
      while (i < list.length && this.#appendNow(list[i], sink, i)) i++;
    } catch (e) {
      sink.fail(i, e as Error);
      return sink.promise;
    }
    if (i < list.length) {
      (async () => {
        for (; i < list.length; i++) await this.#append(list[i], sink, i);
      })().catch((e) => sink.fail(i, e));
    }
    return sink.promise;
  }

  /**
   * Appends without waiting when the topic's metadata is cached and buffer memory has room; false
   * when the caller must take the waiting path.
   */
  #appendNow(r: ProducerRecord, sink: DeliverySink, index: number): boolean {
    const t = this.client.cachedMetadata?.topics.get(r.topic);
    if (!t || t.errorCode !== ErrorCode.NONE || t.partitions.length === 0) return false;
    const record = pendingRecord(r, sink, index);
    const size = Accumulator.sizeOf(record);
    if (!this.#accumulator.tryReserve(size)) return false;
    this.#enqueue(r, t, record, size);
    return true;
  }

  async #append(r: ProducerRecord, sink: DeliverySink, index: number): Promise<void> {
    const metadata = await waitForTopic(this.client, r.topic, this.#maxBlockMs);
    const record = pendingRecord(r, sink, index);
    const size = Accumulator.sizeOf(record);
    await this.#accumulator.reserve(size, this.#maxBlockMs);
    try {
      this.#enqueue(r, metadata, record, size);
    } catch (e) {
      this.#accumulator.release(size);
      throw e;
    }
  }

  #enqueue(
    r: ProducerRecord,
    metadata: TopicMetadata,
    record: PendingRecord,
    size: number,
  ): void {
    const key = record.key;
    const count = metadata.partitions.length;
    let partition = r.partition;
    if (partition === undefined) {
      partition = key != null
        ? partitionForKey(key, count)
        : this.#sticky.partition(r.topic, size, count, () => availablePartitions(metadata));
    } else if (!Number.isInteger(partition) || partition < 0 || partition >= count) {
      this.#accumulator.release(size);
      throw new RangeError(`Topic ${r.topic} has no partition ${partition} (it has ${count})`);
    }
    const full = this.#accumulator.append(r.topic, partition, record, size);
    this.#schedule(full ? 0 : this.#lingerMs);
  }

  /** Runs the sender within `delay` ms (sooner if already due). */
  #schedule(delay: number): void {
    if (delay <= 0) {
      // A microtask, not a zero timer: Deno clamps nested zero timers, which would stall a busy pipeline.
      if (this.#senderQueued) return;
      this.#senderQueued = true;
      queueMicrotask(() => {
        this.#senderQueued = false;
        this.#runSender();
      });
      return;
    }
    const at = Date.now() + delay;
    if (at >= this.#wakeAt) return;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#wakeAt = at;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#wakeAt = Infinity;
      this.#runSender();
    }, Math.max(0, delay));
  }

  #runSender(): void {
    this.#sendReady().catch((e) => console.error("Brook producer: sender failed:", e));
  }

  async #sendReady(): Promise<void> {
    if (this.#idempotent && this.#producerId < 0n && !this.#txn) {
      try {
        await (this.#initializing ??= this.#initProducerId());
      } catch (e) {
        this.#initializing = undefined;
        for (const b of this.#accumulator.drain(Date.now(), 0, Infinity, true)) {
          this.#fail(b, e as Error);
        }
        return;
      }
    }
    const now = Date.now();
    const batches = this.#accumulator.drain(
      now,
      this.#lingerMs,
      this.#maxInFlight,
      this.#flushing > 0,
    );
    if (this.#txn && batches.length > 0) {
      // Transaction version 1: partitions join the transaction before their first batch.
      try {
        await this.#txn.addPartitions(batches);
      } catch (e) {
        for (const b of batches) this.#fail(b, e as Error);
        return;
      }
    }
    const byLeader = new Map<number, ProducerBatch[]>();
    const metadata = this.client.cachedMetadata;
    if (!metadata || metadata.fetchedAt === 0) this.#refreshMetadata();
    for (const b of batches) {
      const leader = metadata?.topics.get(b.topic)?.partitions[b.partition]?.leader ?? -1;
      if (leader < 0) {
        this.client.invalidateMetadata();
        this.#refreshMetadata();
        this.#retry(
          b,
          new KafkaProtocolError(ErrorCode.LEADER_NOT_AVAILABLE, {
            detail: `${b.topic}-${b.partition}`,
          }),
        );
        continue;
      }
      this.#encode(b);
      const list = byLeader.get(leader) ?? [];
      list.push(b);
      byLeader.set(leader, list);
    }
    for (const [leader, list] of byLeader) this.#sendTo(leader, list);
    const next = this.#accumulator.nextWakeUp(this.#lingerMs, this.#maxInFlight);
    if (next !== Infinity) this.#schedule(Math.max(0, next - Date.now()));
    this.#checkIdle();
  }

  /**
   * Refreshes metadata in the background after an error made it stale (a moved leader, a lost
   * node), then wakes the sender, whose retries would otherwise go to the old leader again.
   */
  #refreshMetadata(): void {
    if (this.#metadataRefresh || this.#closed) return;
    this.#metadataRefresh = this.client.metadata([], { force: true }).then(
      () => {
        this.#metadataRefresh = undefined;
        this.#schedule(0);
      },
      () => {
        // Failed refreshes are retried by the next send attempt after its backoff.
        this.#metadataRefresh = undefined;
      },
    );
  }

  #encode(b: ProducerBatch): void {
    if (b.encoded) return;
    if (this.#idempotent) {
      const key = `${b.topic}\u0000${b.partition}`;
      const seq = this.#sequences.get(key) ?? 0;
      b.baseSequence = seq;
      b.producerId = this.#producerId;
      b.producerEpoch = this.#producerEpoch;
      this.#sequences.set(key, (seq + b.records.length) % 0x80000000);
    }
    b.encoded = encodeRecordBatch({
      records: b.records,
      compression: this.#codec,
      producerId: b.producerId,
      producerEpoch: b.producerEpoch,
      baseSequence: b.baseSequence,
      baseTimestamp: b.records[0].timestamp,
      isTransactional: this.#txn !== undefined,
    });
  }

  async #sendTo(leader: number, batches: ProducerBatch[]): Promise<void> {
    const topics = new Map<string, ProduceRequestTopicProduceDataInit>();
    const metadata = this.client.cachedMetadata;
    for (const b of batches) {
      let t = topics.get(b.topic);
      if (!t) {
        t = { name: b.topic, topicId: metadata?.topics.get(b.topic)?.topicId, partitionData: [] };
        topics.set(b.topic, t);
      }
      t.partitionData!.push({ index: b.partition, records: b.encoded! });
    }
    const body = {
      transactionalId: this.#txn?.transactionalId ?? null,
      acks: this.#acks,
      timeoutMs: 30000,
      topicData: [...topics.values()],
    };
    try {
      const conn = await this.client.connection(leader);
      if (this.#acks === 0) {
        await conn.requestWithoutResponse(ApiKey.Produce, body);
        for (const b of batches) this.#succeed(b, -1n, -1n);
        return;
      }
      // A version 1 transaction may not use Produce v12+, which adds partitions implicitly.
      const maxVersion = this.#txn && !this.#txn.v2 ? 11 : undefined;
      const res = await conn.request(ApiKey.Produce, body, { maxVersion });
      for (const t of res.responses) {
        const name = t.name || [...topics.values()].find((x) => x.topicId === t.topicId)?.name;
        for (const p of t.partitionResponses) {
          const b = batches.find((x) => x.topic === name && x.partition === p.index);
          if (!b) continue;
          batches.splice(batches.indexOf(b), 1);
          this.#handleResult(b, p.errorCode, p.baseOffset, p.logAppendTimeMs, p.errorMessage);
        }
      }
      // A partition the broker did not answer for is retried.
      for (const b of batches) this.#retry(b, new Error(`no answer for ${b.topic}-${b.partition}`));
    } catch (e) {
      this.client.invalidateMetadata();
      this.#refreshMetadata();
      for (const b of batches) this.#retry(b, e as Error);
    } finally {
      this.#schedule(0);
    }
  }

  #handleResult(
    b: ProducerBatch,
    code: number,
    baseOffset: bigint,
    appendTime: bigint,
    message: string | null,
  ): void {
    if (code === ErrorCode.NONE || code === ErrorCode.DUPLICATE_SEQUENCE_NUMBER) {
      this.#succeed(b, baseOffset, appendTime);
      return;
    }
    const error = new KafkaProtocolError(code, {
      detail: `${b.topic}-${b.partition}${message ? `: ${message}` : ""}`,
    });
    // An earlier batch's retry leaves a gap that later in-flight batches report as out of order.
    if (errorInfo(code).retriable || code === ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER) {
      if (code !== ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER) {
        this.client.invalidateMetadata();
        this.#refreshMetadata();
      }
      this.#retry(b, error);
    } else {
      this.#fail(b, error);
    }
  }

  #retry(b: ProducerBatch, error: Error): void {
    b.attempts++;
    if (Date.now() - b.createdAt >= this.#deliveryTimeoutMs) {
      this.#fail(
        b,
        new Error(
          `Delivery of ${b.records.length} records to ${b.topic}-${b.partition} timed out: ${error.message}`,
          { cause: error },
        ),
      );
      return;
    }
    this.#accumulator.requeue(b, Date.now() + this.client.retryBackoff(b.attempts - 1));
    this.#schedule(this.client.retryBackoff(b.attempts - 1));
  }

  #succeed(b: ProducerBatch, baseOffset: bigint, appendTime: bigint): void {
    this.#accumulator.complete(b);
    const { topic, partition, records } = b;
    const known = baseOffset >= 0n;
    for (let i = 0; i < records.length; i++) {
      const r = records[i];
      r.sink.deliver(r.index, {
        topic,
        partition,
        offset: known ? baseOffset + BigInt(i) : -1n,
        timestamp: appendTime >= 0n ? appendTime : BigInt(r.timestamp),
      });
    }
    this.#checkIdle();
  }

  #fail(b: ProducerBatch, error: Error): void {
    this.#txn?.fail(error);
    this.#accumulator.complete(b);
    for (const r of b.records) r.sink.fail(r.index, error);
    this.#checkIdle();
  }

  async #initProducerId(): Promise<void> {
    for (let attempt = 0;; attempt++) {
      const res = await this.client.requestAny(ApiKey.InitProducerId, {
        transactionalId: null,
        transactionTimeoutMs: 2147483647,
        producerId: -1n,
        producerEpoch: -1,
      });
      if (res.errorCode === ErrorCode.NONE) {
        this.#producerId = res.producerId;
        this.#producerEpoch = res.producerEpoch;
        return;
      }
      if (!errorInfo(res.errorCode).retriable || attempt >= 10) {
        throw new KafkaProtocolError(res.errorCode, {
          detail: "initializing the idempotent producer",
        });
      }
      await new Promise((r) => setTimeout(r, this.client.retryBackoff(attempt)));
    }
  }

  #checkIdle(): void {
    if (!this.#accumulator.empty) return;
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const w of waiters) w();
  }

  /** Sends every buffered record now and waits until all have been acknowledged or failed. */
  async flush(): Promise<void> {
    this.#flushing++;
    try {
      while (!this.#accumulator.empty) {
        const idle = new Promise<void>((r) => this.#idleWaiters.push(r));
        this.#schedule(0);
        await idle;
      }
    } finally {
      this.#flushing--;
    }
  }

  /**
   * Gets the transactional producer its id and epoch from the transaction coordinator, fencing any
   * older producer with the same transactional id (and aborting its open transaction).
   */
  async initTransactions(): Promise<void> {
    const txn = this.#transactional("initTransactions");
    await txn.init();
    this.#adoptEpoch(txn);
  }

  /** Starts a transaction: the records sent until commit or abort belong to it. */
  beginTransaction(): void {
    const txn = this.#transactional("beginTransaction");
    txn.expect("begin a transaction", "ready");
    txn.phase = "in_transaction";
  }

  /**
   * Commits a consumer group's offsets as part of the transaction (consume-transform-produce):
   * they become the group's committed offsets only if the transaction commits.
   */
  async sendOffsetsToTransaction(
    offsets: { topic: string; partition: number; offset: bigint; metadata?: string | null }[],
    group: ConsumerGroupMetadata,
  ): Promise<void> {
    await this.#transactional("sendOffsetsToTransaction").sendOffsets(offsets, group);
  }

  /**
   * Sends every record of the transaction, then commits it. When a record failed, the commit
   * throws and the transaction must be aborted.
   */
  async commitTransaction(): Promise<void> {
    const txn = this.#transactional("commitTransaction");
    txn.expect("commit the transaction", "in_transaction");
    txn.phase = "committing";
    await this.flush();
    if (txn.phase !== "committing") throw txn.error!;
    await txn.end(true);
    this.#adoptEpoch(txn);
    txn.phase = "ready";
  }

  /**
   * Aborts the transaction: records not sent yet are dropped (their sends reject), those in flight
   * are awaited, and the coordinator writes ABORT markers so that read_committed consumers skip them.
   */
  async abortTransaction(): Promise<void> {
    const txn = this.#transactional("abortTransaction");
    txn.expect("abort the transaction", "in_transaction", "abortable_error");
    txn.phase = "aborting";
    const aborted = new Error(`Transaction of ${txn.transactionalId} was aborted`);
    for (const b of this.#accumulator.removeUnsent()) {
      for (const r of b.records) r.sink.fail(r.index, aborted);
    }
    await this.flush();
    await txn.end(false);
    this.#adoptEpoch(txn);
    txn.phase = "ready";
  }

  #transactional(method: string): Transactions {
    if (!this.#txn) {
      throw new TypeError(
        `${method}() needs a transactional producer (the transactionalId option)`,
      );
    }
    return this.#txn;
  }

  /** A new producer id or epoch starts every partition's sequence numbers at 0. */
  #adoptEpoch(txn: Transactions): void {
    if (txn.producerId !== this.#producerId || txn.producerEpoch !== this.#producerEpoch) {
      this.#producerId = txn.producerId;
      this.#producerEpoch = txn.producerEpoch;
      this.#sequences.clear();
    }
  }

  /** Flushes, then closes the connections (when the producer opened them). */
  async close(): Promise<void> {
    if (this.#closed) return;
    await this.flush();
    this.#closed = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    if (this.#ownsClient) await this.client.close();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
