/**
 * The producer's sender, as Kafka's Java client frames its requests: it drains at most one batch per
 * partition into each Produce request (one request per leader), keeps up to max.in.flight batches of a
 * partition in flight in separate requests, and handles the answers: acknowledged batches complete,
 * retriable errors send the batch again after its backoff (in sequence order when idempotent), and an
 * unresolvable sequence gap gets the producer a new epoch (KIP-360).
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
  type ProduceResponsePartitionProduceResponse,
} from "../../codec/mod.ts";
import type { KafkaClient } from "../kafka_client.ts";
import { KafkaTimeoutError } from "../errors.ts";
import { Stat } from "../metrics.ts";
import type { Accumulator, ProducerBatch } from "./accumulator.ts";
import type { Idempotence } from "./idempotence.ts";
import type { Transactions } from "./transactions.ts";

/** What the sender needs to know of the producer's configuration. */
export interface SenderOptions {
  acks: number;
  /** The compression codec id. */
  codec: number;
  lingerMs: number;
  deliveryTimeoutMs: number;
  /** request.timeout.ms: how long the leader may wait for acks, sent in each Produce. */
  requestTimeoutMs: number;
  /** Batches of one partition in flight at once (each in its own request). */
  maxInFlight: number;
  /** The idempotent producer's state (absent when not idempotent). */
  idempotence?: Idempotence;
  /** The transactional producer's coordinator conversation. */
  transactions?: Transactions;
  /** True while a flush asks for lingering batches to go now. */
  flushing: () => boolean;
  /** Called whenever batches complete, for flush and close to notice an empty accumulator. */
  onComplete: () => void;
  /** Called when a batch fails for good, for flush and close to report undelivered records. */
  onFailed?: (batch: ProducerBatch, error: Error) => void;
}

/** What a Produce answer says of one partition, as the sender reads it. */
type PartitionAnswer = Pick<
  ProduceResponsePartitionProduceResponse,
  "errorCode" | "baseOffset" | "logAppendTimeMs" | "errorMessage"
>;

/** Java's producer-metrics group. */
const GROUP = "producer-metrics";

/**
 * Sends the accumulator's batches and handles their answers.
 *
 * @example
 * ```ts
 * import { KafkaClient } from "@brook/kafka/client";
 * import { Accumulator } from "./accumulator.ts";
 * import { Sender } from "./sender.ts";
 * const client = new KafkaClient({ bootstrapServers: "127.0.0.1:9092" });
 * const accumulator = new Accumulator(16384, 33554432);
 * const sender = new Sender(client, accumulator, {
 *   acks: 1, codec: 0, lingerMs: 5, deliveryTimeoutMs: 120000, requestTimeoutMs: 30000, maxInFlight: 5,
 *   flushing: () => false, onComplete: () => {},
 * });
 * sender.schedule(0);
 * ```
 */
export class Sender {
  readonly #client: KafkaClient;
  readonly #accumulator: Accumulator;
  readonly #options: SenderOptions;
  readonly #idempotence: Idempotence | undefined;
  readonly #maySend: (batch: ProducerBatch, inFlight: number) => boolean;
  /** Produce requests in flight per leader, and how many its connection takes at once. */
  readonly #requests = new Map<number, number>();
  readonly #requestsPerConnection: number;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #wakeAt = Infinity;
  /** The clock as schedule last read it (ms). */
  #clock = 0;
  #queued = false;
  #metadataRefresh: Promise<void> | undefined;
  #closed = false;
  /** Set when the producer gave up on its records (close timeout): nothing is retried. */
  #aborted: Error | undefined;
  readonly #sent = new Stat();
  readonly #errors = new Stat();
  readonly #retries = new Stat();
  readonly #batchBytes = new Stat();
  readonly #compression = new Stat();
  readonly #throttle = new Stat();

  constructor(client: KafkaClient, accumulator: Accumulator, options: SenderOptions) {
    this.#client = client;
    const metrics = client.instrumentation.metrics;
    metrics.register(this.#sent, {
      group: GROUP,
      rate: "record-send-rate",
      total: "record-send-total",
    });
    metrics.register(this.#errors, {
      group: GROUP,
      rate: "record-error-rate",
      total: "record-error-total",
    });
    metrics.register(this.#retries, {
      group: GROUP,
      rate: "record-retry-rate",
      total: "record-retry-total",
    });
    metrics.register(this.#batchBytes, {
      group: GROUP,
      avg: "batch-size-avg",
      max: "batch-size-max",
    });
    metrics.register(this.#compression, { group: GROUP, avg: "compression-rate-avg" });
    metrics.register(this.#throttle, {
      group: GROUP,
      avg: "produce-throttle-time-avg",
      max: "produce-throttle-time-max",
    });
    this.#accumulator = accumulator;
    this.#options = options;
    this.#idempotence = options.idempotence;
    const idempotence = this.#idempotence;
    this.#requestsPerConnection = Math.max(1, client.options.maxInFlight ?? 5);
    // As Java's sender drains only for leaders whose connection can take a request now: a request
    // queued behind a full connection could be overtaken by a later one, reordering batches.
    this.#maySend = (b, inFlight) => {
      const leader = this.#client.cachedMetadata?.topics.get(b.topic)?.partitions[b.partition]
        ?.leader ?? -1;
      if (leader >= 0 && (this.#requests.get(leader) ?? 0) >= this.#requestsPerConnection) {
        return false;
      }
      return idempotence ? idempotence.maySend(b, inFlight) : true;
    };
  }

  /** Runs the sender within `delay` ms (sooner if already due). */
  schedule(delay: number): void {
    if (this.#closed) return;
    if (delay <= 0) {
      // A microtask, not a zero timer: Deno clamps nested zero timers, which would stall a busy pipeline.
      if (this.#queued) return;
      this.#queued = true;
      queueMicrotask(() => {
        this.#queued = false;
        this.#run();
      });
      return;
    }
    // A timer due by an earlier reading of the clock plus `delay` is due in time now too: most sends
    // end here without reading the clock.
    if (this.#wakeAt <= this.#clock + delay) return;
    this.#clock = Date.now();
    const at = this.#clock + delay;
    if (at >= this.#wakeAt) return;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#wakeAt = at;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#wakeAt = Infinity;
      this.#run();
    }, Math.max(0, delay));
  }

  /** Stops the timers (the producer is closed). */
  close(): void {
    this.#closed = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
  }

  /**
   * Gives up on every record (the close timeout passed): batches waiting fail now with `error`,
   * batches in flight when their answer or their connection's end comes.
   */
  abort(error: Error): void {
    this.#aborted = error;
    this.close();
    // Batches waiting (retries included) are not in flight: their memory is released.
    for (const b of this.#accumulator.takeAll()) this.#fail(b, error, false);
  }

  #run(): void {
    this.#sendReady().catch((e) =>
      this.#client.instrumentation.log("error", "producer sender failed", {
        error: (e as Error).message,
      })
    );
  }

  async #sendReady(): Promise<void> {
    const idempotence = this.#idempotence;
    if (idempotence && !this.#options.transactions) {
      if (idempotence.producerId < 0n || idempotence.bumpNeeded) {
        // A new epoch is taken once the batches in flight under the old one have their answers.
        if (idempotence.producerId >= 0n && this.#accumulator.inFlight > 0) return;
        try {
          await idempotence.init({ bump: idempotence.producerId >= 0n });
        } catch (e) {
          for (const b of this.#accumulator.takeAll()) this.#fail(b, e as Error, false);
          this.#options.onComplete();
          return;
        }
      }
    }
    const { lingerMs, maxInFlight } = this.#options;
    // One request per leader per round; each round takes the next batch of every partition, so a
    // partition has up to maxInFlight batches in flight, each in its own request.
    const rules = { lingerMs, maxInFlight, maySend: this.#maySend };
    for (let round = 0; round < maxInFlight; round++) {
      const flushing = this.#options.flushing();
      const batches = this.#accumulator.drain(Date.now(), { ...rules, flushing });
      if (batches.length === 0) break;
      await this.#dispatch(batches);
    }
    const next = this.#accumulator.nextWakeUp(rules);
    if (next !== Infinity) this.schedule(Math.max(0, next - Date.now()));
    this.#options.onComplete();
  }

  async #dispatch(batches: ProducerBatch[]): Promise<void> {
    const txn = this.#options.transactions;
    if (txn) {
      // Transaction version 1: partitions join the transaction before their first batch.
      try {
        await txn.addPartitions(batches);
      } catch (e) {
        for (const b of batches) this.#fail(b, e as Error);
        return;
      }
    }
    const byLeader = new Map<number, ProducerBatch[]>();
    const metadata = this.#client.cachedMetadata;
    if (!metadata || metadata.fetchedAt === 0) this.#refreshMetadata();
    for (const b of batches) {
      const leader = metadata?.topics.get(b.topic)?.partitions[b.partition]?.leader ?? -1;
      if (leader < 0) {
        this.#client.invalidateMetadata();
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
    for (const [leader, list] of byLeader) {
      this.#requests.set(leader, (this.#requests.get(leader) ?? 0) + 1);
      this.#sendTo(leader, list).finally(() => {
        this.#requests.set(leader, this.#requests.get(leader)! - 1);
        this.schedule(0);
      });
    }
  }

  /**
   * Refreshes metadata in the background after an error made it stale (a moved leader, a lost
   * node), then wakes the sender, whose retries would otherwise go to the old leader again.
   */
  #refreshMetadata(): void {
    if (this.#metadataRefresh || this.#closed) return;
    this.#metadataRefresh = this.#client.metadata([], { force: true }).then(
      () => {
        this.#metadataRefresh = undefined;
        this.schedule(0);
      },
      () => {
        // Failed refreshes are retried by the next send attempt after its backoff.
        this.#metadataRefresh = undefined;
      },
    );
  }

  #encode(b: ProducerBatch): void {
    this.#idempotence?.assign(b);
    // A retry sends the same bytes (same sequence numbers); a new epoch re-encodes them.
    if (b.encoded) return;
    b.encoded = encodeRecordBatch({
      records: b.records,
      compression: this.#options.codec,
      producerId: b.producerId,
      producerEpoch: b.producerEpoch,
      baseSequence: b.baseSequence,
      baseTimestamp: b.records[0].timestamp,
      isTransactional: this.#options.transactions !== undefined,
    });
    const now = Date.now();
    this.#batchBytes.record(b.encoded.length, now);
    // As Java's compression-rate-avg: compressed size over uncompressed size (estimated).
    this.#compression.record(b.encoded.length / Math.max(1, b.bytes), now);
  }

  /** One Produce request to `leader`, with one batch per partition. */
  async #sendTo(leader: number, batches: ProducerBatch[]): Promise<void> {
    const txn = this.#options.transactions;
    const topics = new Map<string, ProduceRequestTopicProduceDataInit>();
    const metadata = this.#client.cachedMetadata;
    for (const b of batches) {
      let t = topics.get(b.topic);
      if (!t) {
        t = { name: b.topic, topicId: metadata?.topics.get(b.topic)?.topicId, partitionData: [] };
        topics.set(b.topic, t);
      }
      t.partitionData!.push({ index: b.partition, records: b.encoded! });
    }
    const body = {
      transactionalId: txn?.transactionalId ?? null,
      acks: this.#options.acks,
      timeoutMs: this.#options.requestTimeoutMs,
      topicData: [...topics.values()],
    };
    const now = Date.now();
    const inst = this.#client.instrumentation;
    const listening = inst.listens("send");
    for (const b of batches) {
      this.#sent.record(b.records.length, now);
      if (b.attempts > 0) this.#retries.record(b.records.length, now);
      if (listening) {
        inst.emit("send", {
          topic: b.topic,
          partition: b.partition,
          nodeId: leader,
          records: b.records.length,
          bytes: b.encoded!.length,
          attempt: b.attempts,
        });
      }
    }
    try {
      const conn = await this.#client.connection(leader);
      if (this.#options.acks === 0) {
        await conn.requestWithoutResponse(ApiKey.Produce, body);
        for (const b of batches) this.#succeed(b, -1n, -1n);
        return;
      }
      // A version 1 transaction may not use Produce v12+, which adds partitions implicitly.
      const maxVersion = txn && !txn.v2 ? 11 : undefined;
      const res = await conn.request(ApiKey.Produce, body, { maxVersion });
      this.#throttle.record(res.throttleTimeMs);
      for (const t of res.responses) {
        const name = t.name || [...topics.values()].find((x) => x.topicId === t.topicId)?.name;
        for (const p of t.partitionResponses) {
          const b = batches.find((x) => x.topic === name && x.partition === p.index);
          if (!b) continue;
          batches.splice(batches.indexOf(b), 1);
          this.#handleResult(b, p);
        }
      }
      // A partition the broker did not answer for is retried.
      for (const b of batches) this.#retry(b, new Error(`no answer for ${b.topic}-${b.partition}`));
    } catch (e) {
      this.#client.invalidateMetadata();
      this.#refreshMetadata();
      for (const b of batches) this.#retry(b, e as Error);
    }
  }

  /** Completes, retries or fails a batch by its partition's answer. */
  #handleResult(b: ProducerBatch, answer: PartitionAnswer): void {
    const { errorCode: code, baseOffset, logAppendTimeMs: appendTime, errorMessage: message } =
      answer;
    if (code === ErrorCode.NONE || code === ErrorCode.DUPLICATE_SEQUENCE_NUMBER) {
      this.#succeed(b, baseOffset, appendTime);
      return;
    }
    const error = new KafkaProtocolError(code, {
      detail: `${b.topic}-${b.partition}${message ? `: ${message}` : ""}`,
    });
    const idempotence = this.#idempotence;
    if (
      idempotence &&
      (code === ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER || code === ErrorCode.UNKNOWN_PRODUCER_ID)
    ) {
      const verdict = idempotence.sequenceError(b, this.#options.transactions !== undefined);
      if (verdict === "fail") this.#fail(b, error);
      else this.#retry(b, error);
      return;
    }
    if (errorInfo(code).retriable) {
      this.#client.invalidateMetadata();
      this.#refreshMetadata();
      this.#retry(b, error);
    } else {
      this.#fail(b, error);
    }
  }

  #retry(b: ProducerBatch, error: Error): void {
    b.attempts++;
    if (this.#aborted) {
      this.#fail(b, this.#aborted);
      return;
    }
    if (Date.now() - b.createdAt >= this.#options.deliveryTimeoutMs) {
      this.#fail(
        b,
        new KafkaTimeoutError(
          `Delivery of ${b.records.length} records to ${b.topic}-${b.partition} timed out after ${this.#options.deliveryTimeoutMs} ms: ${error.message}`,
          { cause: error },
        ),
      );
      return;
    }
    this.#client.instrumentation.log("debug", "retrying batch", {
      topic: b.topic,
      partition: b.partition,
      attempt: b.attempts,
      error: error.message,
    });
    const backoff = this.#client.retryBackoff(b.attempts - 1);
    this.#accumulator.requeue(b, Date.now() + backoff);
    this.schedule(backoff);
  }

  #succeed(b: ProducerBatch, baseOffset: bigint, appendTime: bigint): void {
    this.#idempotence?.completed(b, true);
    this.#accumulator.complete(b);
    const { topic, partition, records } = b;
    const known = baseOffset >= 0n;
    const inst = this.#client.instrumentation;
    if (inst.listens("ack")) {
      inst.emit("ack", {
        topic,
        partition,
        records: records.length,
        baseOffset,
        durationMs: Date.now() - b.createdAt,
      });
    }
    // BigInts are immutable: records of the same millisecond share one timestamp, and each offset
    // is one addition, not two allocations.
    let offset = known ? baseOffset : -1n;
    let lastTime = NaN;
    let timestamp = appendTime;
    for (let i = 0; i < records.length; i++) {
      const r = records[i];
      if (appendTime < 0n && r.timestamp !== lastTime) {
        lastTime = r.timestamp;
        timestamp = BigInt(lastTime);
      }
      r.sink.deliver(r.index, { topic, partition, offset, timestamp });
      if (known) offset += 1n;
    }
    this.#options.onComplete();
  }

  /** Fails a batch for good (`inFlight`: false for batches never sent, e.g. without a producer id). */
  #fail(b: ProducerBatch, error: Error, inFlight = true): void {
    this.#options.transactions?.fail(error);
    this.#idempotence?.completed(b, false);
    if (inFlight) this.#accumulator.complete(b);
    else this.#accumulator.release(b.bytes);
    this.#errors.record(b.records.length);
    const inst = this.#client.instrumentation;
    inst.log("warn", "records not delivered", {
      topic: b.topic,
      partition: b.partition,
      records: b.records.length,
      error: error.message,
    });
    if (inst.listens("ack")) {
      inst.emit("ack", {
        topic: b.topic,
        partition: b.partition,
        records: b.records.length,
        baseOffset: -1n,
        durationMs: Date.now() - b.createdAt,
        error,
      });
    }
    this.#options.onFailed?.(b, error);
    for (const r of b.records) r.sink.fail(r.index, error);
    this.#options.onComplete();
  }
}
