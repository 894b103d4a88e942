/**
 * Brook's Kafka producer: batching per partition with linger and batch size, compression, acks,
 * idempotence on by default (as Kafka's Java client), retries within a delivery timeout with ordering
 * kept by sequence numbers, back-pressure from buffer.memory, flush and graceful close.
 *
 * @module
 */

import { ErrorCode } from "../../codec/mod.ts";
import { type ClientOptions, KafkaClient } from "../kafka_client.ts";
import { KafkaClosedError, KafkaDeliveryError, KafkaTimeoutError } from "../errors.ts";
import type { ClientEventMap } from "../instrumentation.ts";
import type { ClientMetricsSnapshot } from "../metrics.ts";
import { partitionForKey, StickyPartitioner } from "./partitioner.ts";
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
  type RecordMetadata,
} from "./accumulator.ts";
import { Idempotence } from "./idempotence.ts";
import { Sender } from "./sender.ts";
import { Fifo } from "./fifo.ts";
import {
  BATCH_SIZE,
  BUFFER_MEMORY,
  DELIVERY_TIMEOUT_MS,
  LINGER_MS,
  MAX_BLOCK_MS,
  MAX_IN_FLIGHT,
  REQUEST_TIMEOUT_MS,
  TRANSACTION_TIMEOUT_MS,
} from "../defaults.ts";

/** After a late close, how long batches still in flight get to fail as their connections close. */
const CLOSE_SETTLE_MS = 100;

export type { RecordMetadata } from "./accumulator.ts";
export type { CompressionName, ProducerRecord } from "./records.ts";

/** A record waiting for its topic's metadata or for buffer memory. */
interface WaitingRecord {
  r: ProducerRecord;
  record: PendingRecord;
}

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
  /**
   * max.in.flight.requests.per.connection, counted per partition: how many batches of a partition may
   * be in flight at once, each in its own Produce request (Kafka keeps one batch per partition of a
   * request). Default 5; at most 5 when idempotent, whose sequence numbers keep them in order. Without
   * idempotence, more than 1 lets a retried batch land after a later one, as in Kafka.
   */
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
  /** The cluster client the producer sends its requests through. */
  readonly client: KafkaClient;
  readonly #ownsClient: boolean;
  readonly #maxBlockMs: number;
  readonly #lingerMs: number;
  readonly #accumulator: Accumulator;
  readonly #sticky: StickyPartitioner;
  readonly #idempotence: Idempotence | undefined;
  readonly #sender: Sender;
  /** Records of topics waiting for metadata or buffer memory, in send order, per topic. */
  #waiting = new Map<string, Fifo<WaitingRecord>>();
  #flushing = 0;
  #idleWaiters: (() => void)[] = [];
  #closed = false;
  readonly #txn: Transactions | undefined;
  /** Records that failed since the last flush or close reported them, by topic and partition. */
  #undelivered = new Map<string, Map<number, number>>();
  #lastError: Error | undefined;
  #availableFor: TopicMetadata | undefined;
  #available: (() => readonly number[]) | undefined;

  /**
   * Creates a producer over its own connections, or over `client`'s when given (then closing the
   * producer leaves them open). An idempotent or transactional producer gets its producer id on the
   * first send (or initTransactions).
   */
  constructor(options: ProducerOptions, client?: KafkaClient) {
    this.client = client ?? new KafkaClient({ metricGroupPrefix: "producer", ...options });
    this.#ownsClient = client === undefined;
    const acks = options.acks === "all" || options.acks === undefined ? -1 : options.acks;
    const idempotent = options.idempotent ?? acks === -1;
    if (options.transactionalId !== undefined && !idempotent) {
      throw new TypeError("A transactional producer is idempotent: it needs acks=all (-1)");
    }
    if (idempotent && acks !== -1) {
      throw new TypeError(
        "An idempotent producer needs acks=all (-1); set idempotent: false to use other acks",
      );
    }
    const codec = CODECS[options.compression ?? "none"];
    if (codec === undefined) {
      throw new TypeError(`Unknown compression "${options.compression}"`);
    }
    this.#maxBlockMs = options.maxBlockMs ?? MAX_BLOCK_MS;
    const maxInFlight = options.maxInFlightPerPartition ?? MAX_IN_FLIGHT;
    if (!(maxInFlight >= 1) || (idempotent && maxInFlight > 5)) {
      throw new RangeError(
        `maxInFlightPerPartition must be 1 to 5 for an idempotent producer, at least 1 otherwise (got ${maxInFlight})`,
      );
    }
    const batchSize = options.batchSize ?? BATCH_SIZE;
    const bufferMemory = options.bufferMemory ?? BUFFER_MEMORY;
    this.#accumulator = new Accumulator(batchSize, bufferMemory);
    const metrics = this.client.instrumentation.metrics;
    metrics.gauge(() => bufferMemory, { group: "producer-metrics", name: "buffer-total-bytes" });
    metrics.gauge(() => Math.max(0, bufferMemory - this.#accumulator.bufferedBytes), {
      group: "producer-metrics",
      name: "buffer-available-bytes",
    });
    this.#sticky = new StickyPartitioner(batchSize);
    if (options.transactionalId !== undefined) {
      this.#txn = new Transactions(this.client, options.transactionalId, {
        timeoutMs: options.transactionTimeoutMs ?? TRANSACTION_TIMEOUT_MS,
        maxBlockMs: this.#maxBlockMs,
      });
    }
    if (idempotent) this.#idempotence = new Idempotence(this.client);
    this.#sender = new Sender(this.client, this.#accumulator, {
      acks,
      codec,
      lingerMs: options.lingerMs ?? LINGER_MS,
      deliveryTimeoutMs: options.deliveryTimeoutMs ?? DELIVERY_TIMEOUT_MS,
      requestTimeoutMs: options.requestTimeoutMs ?? this.client.options.requestTimeoutMs ??
        REQUEST_TIMEOUT_MS,
      maxInFlight,
      idempotence: this.#idempotence,
      transactions: this.#txn,
      flushing: () => this.#flushing > 0,
      onComplete: () => this.#checkIdle(),
      onFailed: (b, error) => this.#countUndelivered(b.topic, b.partition, b.records.length, error),
    });
    this.#lingerMs = options.lingerMs ?? LINGER_MS;
  }

  /**
   * Sends a record (or an array of records); resolves with its partition and offset (an array, in order)
   * once the broker has acknowledged it (per acks), or rejects when it could not be delivered within the
   * delivery timeout. Records of a partition are stored in the order of the send calls.
   */
  send(record: ProducerRecord): Promise<RecordMetadata>;
  /** Sends records; resolves with their partitions and offsets, in order. */
  send(records: ProducerRecord[]): Promise<RecordMetadata[]>;
  send(records: ProducerRecord | ProducerRecord[]): Promise<RecordMetadata | RecordMetadata[]> {
    if (this.#closed) return Promise.reject(new KafkaClosedError("The producer is closed"));
    try {
      this.#txn?.expect("send", "in_transaction");
    } catch (e) {
      return Promise.reject(e);
    }
    if (!Array.isArray(records)) {
      const sink = new SingleDelivery();
      try {
        this.#add(records, sink, 0);
      } catch (e) {
        return Promise.reject(e);
      }
      return sink.promise;
    }
    const list = records;
    const sink = new ArrayDelivery(list.length);
    // Known topics and free buffer memory need no await, so a record costs no extra ticks.
    for (let i = 0; i < list.length; i++) {
      try {
        this.#add(list[i], sink, i);
      } catch (e) {
        sink.fail(i, e as Error);
        break;
      }
    }
    return sink.promise;
  }

  /** Appends a record now when it can, else queues it behind its topic's waiting records. */
  #add(r: ProducerRecord, sink: DeliverySink, index: number): void {
    const record = pendingRecord(r, sink, index);
    const waiting = this.#waiting.get(r.topic);
    if (waiting) {
      waiting.push({ r, record });
      return;
    }
    const t = this.client.cachedMetadata?.topics.get(r.topic);
    if (t && t.errorCode === ErrorCode.NONE && t.partitions.length > 0) {
      const size = Accumulator.sizeOf(record);
      if (this.#accumulator.tryReserve(size)) {
        this.#enqueue(r, t, record, size);
        return;
      }
    }
    // Later records of the topic queue behind this one, so a partition keeps the send order (as
    // Java's send blocks its caller while it waits for metadata or memory).
    const queue = new Fifo<WaitingRecord>();
    queue.push({ r, record });
    this.#waiting.set(r.topic, queue);
    this.#appendWaiting(r.topic).catch((e) =>
      this.client.instrumentation.log("error", "producer append failed", {
        topic: r.topic,
        error: (e as Error).message,
      })
    );
  }

  /** Appends a topic's waiting records in order, once its metadata and buffer memory allow. */
  async #appendWaiting(topic: string): Promise<void> {
    const queue = this.#waiting.get(topic)!;
    while (queue.length > 0) {
      let metadata: TopicMetadata;
      try {
        metadata = await waitForTopic(this.client, topic, this.#maxBlockMs);
      } catch (e) {
        // Every record that waited with this one gets the error.
        const waited = queue.takeAll();
        this.#countUndelivered(topic, -1, waited.length, e as Error);
        for (const w of waited) w.record.sink.fail(w.record.index, e as Error);
        break;
      }
      while (queue.length > 0) {
        const { r, record } = queue.first!;
        const size = Accumulator.sizeOf(record);
        try {
          if (!this.#accumulator.tryReserve(size)) {
            await this.#accumulator.reserve(size, this.#maxBlockMs);
          }
          const t = this.client.cachedMetadata?.topics.get(topic);
          if (t && t.errorCode === ErrorCode.NONE && t.partitions.length > 0) metadata = t;
          try {
            this.#enqueue(r, metadata, record, size);
          } catch (e) {
            this.#accumulator.release(size);
            throw e;
          }
        } catch (e) {
          this.#countUndelivered(topic, r.partition ?? -1, 1, e as Error);
          record.sink.fail(record.index, e as Error);
        }
        queue.shift();
      }
    }
    this.#waiting.delete(topic);
    this.#checkIdle();
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
        : this.#sticky.partition(r.topic, size, count, this.#availableOf(metadata));
    } else if (!Number.isInteger(partition) || partition < 0 || partition >= count) {
      this.#accumulator.release(size);
      throw new RangeError(`Topic ${r.topic} has no partition ${partition} (it has ${count})`);
    }
    const full = this.#accumulator.append(r.topic, partition, record, size);
    this.#sender.schedule(full ? 0 : this.#lingerMs);
  }

  /**
   * The partitions with a leader, as a function the sticky partitioner calls only when it picks a
   * new partition: one function per metadata snapshot rather than a closure per record.
   */
  #availableOf(metadata: TopicMetadata): () => readonly number[] {
    if (metadata !== this.#availableFor) {
      this.#availableFor = metadata;
      this.#available = () => availablePartitions(metadata);
    }
    return this.#available!;
  }

  #checkIdle(): void {
    if (!this.#accumulator.empty || this.#waiting.size > 0) return;
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const w of waiters) w();
  }

  #countUndelivered(topic: string, partition: number, records: number, error: Error): void {
    let partitions = this.#undelivered.get(topic);
    if (!partitions) this.#undelivered.set(topic, partitions = new Map());
    partitions.set(partition, (partitions.get(partition) ?? 0) + records);
    this.#lastError = error;
  }

  /** Throws the undelivered records counted since the last report, if any, and forgets them. */
  #report(): void {
    if (this.#undelivered.size === 0) return;
    const error = new KafkaDeliveryError(this.#undelivered, this.#lastError!);
    this.#undelivered = new Map();
    this.#lastError = undefined;
    throw error;
  }

  /**
   * Sends every buffered record now and waits until all have been acknowledged or failed. Rejects
   * with a {@linkcode KafkaDeliveryError} when records failed since the last flush (or close)
   * reported failures: how many per partition, and the last error.
   */
  async flush(): Promise<void> {
    await this.#drained();
    this.#report();
  }

  async #drained(): Promise<void> {
    this.#flushing++;
    try {
      while (!this.#accumulator.empty || this.#waiting.size > 0) {
        const idle = new Promise<void>((r) => this.#idleWaiters.push(r));
        this.#sender.schedule(0);
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
    await this.#drained();
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
    await this.#drained();
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
    this.#idempotence?.adopt(txn.producerId, txn.producerEpoch);
  }

  /**
   * Flushes within `timeoutMs` (default: as long as deliveries take), then closes the connections
   * (when the producer opened them). Records still undelivered at the timeout fail with a
   * KafkaTimeoutError. Rejects with a {@linkcode KafkaDeliveryError} counting the records that
   * were not delivered (since the last flush reported failures), after closing.
   *
   * @example
   * ```ts
   * import { Producer } from "@brook/kafka/client";
   * const producer = new Producer({ bootstrapServers: "127.0.0.1:9092" });
   * producer.send({ topic: "orders", value: "1" }).catch(() => {});
   * await producer.close({ timeoutMs: 5000 }); // rejects if the record was not delivered
   * ```
   */
  async close(options: { timeoutMs?: number } = {}): Promise<void> {
    if (this.#closed) return;
    const timeoutMs = options.timeoutMs ?? Infinity;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timedOut = new Promise<boolean>((resolve) => {
      if (timeoutMs !== Infinity) timer = setTimeout(() => resolve(true), timeoutMs);
    });
    const late = await Promise.race([this.#drained().then(() => false), timedOut]);
    clearTimeout(timer);
    this.#closed = true;
    if (late) {
      const error = new KafkaTimeoutError(
        `Records not delivered within the producer's close timeout of ${timeoutMs} ms`,
      );
      for (const [topic, queue] of this.#waiting) {
        const waited = queue.takeAll();
        this.#countUndelivered(topic, waited[0]?.r.partition ?? -1, waited.length, error);
        for (const w of waited) w.record.sink.fail(w.record.index, error);
      }
      this.#sender.abort(error);
    } else {
      this.#sender.close();
    }
    if (this.#ownsClient) await this.client.close();
    // Batches in flight fail as their connections close.
    if (late) {
      await Promise.race([this.#drained(), new Promise((r) => setTimeout(r, CLOSE_SETTLE_MS))]);
    }
    this.#report();
  }

  /**
   * Listens to the producer's events: send (a batch in a Produce request), ack (acknowledged or
   * failed for good), and its connections' connect, disconnect, request and response. Returns a
   * function that stops listening.
   *
   * @example
   * ```ts
   * import { Producer } from "@brook/kafka/client";
   * const producer = new Producer({ bootstrapServers: "127.0.0.1:9092" });
   * producer.on("ack", (e) => console.log(e.topic, e.partition, e.records, e.durationMs, e.error));
   * ```
   */
  on<K extends keyof ClientEventMap>(
    type: K,
    listener: (event: ClientEventMap[K]) => void,
  ): () => void {
    return this.client.on(type, listener);
  }

  /**
   * The producer's metrics as Kafka's Java producer names them (record-send-rate,
   * record-error-rate, batch-size-avg, buffer-available-bytes, ...), with its connections'.
   *
   * @example
   * ```ts
   * import { Producer, prometheusText } from "@brook/kafka/client";
   * const producer = new Producer({ bootstrapServers: "127.0.0.1:9092" });
   * console.log(prometheusText(producer.metrics()));
   * ```
   */
  metrics(): ClientMetricsSnapshot {
    return this.client.metrics();
  }

  /**
   * Closes as `close()` does; undelivered records are logged rather than thrown, since each of
   * their `send()` promises rejected already.
   */
  async [Symbol.asyncDispose](): Promise<void> {
    try {
      await this.close();
    } catch (e) {
      if (!(e instanceof KafkaDeliveryError)) throw e;
      this.client.instrumentation.log("warn", e.message, { undelivered: e.count });
    }
  }
}
