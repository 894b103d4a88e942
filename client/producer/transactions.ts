/**
 * The transactional side of Brook's producer: talking to the transaction coordinator (found with
 * FindCoordinator key type 1) for InitProducerId, AddPartitionsToTxn, AddOffsetsToTxn, EndTxn, and to
 * the group coordinator for TxnOffsetCommit, with Kafka's retries and its split between abortable
 * and fatal errors. When the cluster runs transaction version 2 (KIP-890), partitions and groups join
 * a transaction implicitly and each EndTxn hands back a bumped epoch.
 *
 * @module
 */

import {
  ApiKey,
  type ApiMessages,
  type CodecApiKey,
  ErrorCode,
  KafkaError,
  KafkaProtocolError,
} from "../../codec/mod.ts";
import type { KafkaClient } from "../kafka_client.ts";
import { topicIds } from "../topic_ids.ts";

/** Where a transactional producer stands. */
export type TransactionPhase =
  | "uninitialized"
  | "ready"
  | "in_transaction"
  | "committing"
  | "aborting"
  | "abortable_error"
  | "fatal_error";

/**
 * A transactional call made in the wrong phase (e.g. `send` outside a transaction, `commit` before
 * `beginTransaction`), as the Java client's IllegalStateException.
 *
 * @example
 * ```ts
 * import { TransactionStateError } from "@brook/kafka/client";
 * throw new TransactionStateError("No transaction is in progress: call beginTransaction() first");
 * ```
 */
export class TransactionStateError extends KafkaError {
  /** Creates the error; `message` says what the transaction's state does not allow. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "TransactionStateError";
  }
}

/** Errors after which the producer cannot go on (it must be closed). */
const FATAL = new Set<number>([
  ErrorCode.PRODUCER_FENCED,
  ErrorCode.INVALID_PRODUCER_EPOCH,
  ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED,
  ErrorCode.INVALID_PRODUCER_ID_MAPPING,
  ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
  ErrorCode.UNSUPPORTED_VERSION,
  ErrorCode.UNSUPPORTED_FOR_MESSAGE_FORMAT,
  ErrorCode.INVALID_TXN_STATE,
]);

/** Errors worth retrying against the coordinator (found again for the first two). */
const REDISCOVER = new Set<number>([
  ErrorCode.NOT_COORDINATOR,
  ErrorCode.COORDINATOR_NOT_AVAILABLE,
]);
const RETRY = new Set<number>([
  ErrorCode.COORDINATOR_LOAD_IN_PROGRESS,
  ErrorCode.CONCURRENT_TRANSACTIONS,
  ErrorCode.REQUEST_TIMED_OUT,
  ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
]);

/** A group's identity for sendOffsetsToTransaction (from the consumer's groupMetadata()). */
export interface ConsumerGroupMetadata {
  /** The consumer's group.id. */
  groupId: string;
  /** The group's generation the consumer is in; default -1 (offsets are then not fenced by it). */
  generationId?: number;
  /** The consumer's member id; default "". */
  memberId?: string;
  /** The consumer's group.instance.id (static membership), or null. */
  groupInstanceId?: string | null;
}

/** One transactional id's coordinator conversation and phase. */
export class Transactions {
  readonly transactionalId: string;
  readonly #client: KafkaClient;
  readonly #timeoutMs: number;
  readonly #maxBlockMs: number;
  #coordinator = -1;
  phase: TransactionPhase = "uninitialized";
  /** The error that made the transaction abortable or the producer unusable. */
  error: Error | undefined;
  producerId = -1n;
  producerEpoch = -1;
  /** True when the cluster runs transaction version 2 (implicit adds, an epoch bump per end). */
  v2 = false;
  /** True once the coordinator knows of the current transaction (a partition or offsets added). */
  started = false;
  /** Partitions ("topic\0partition") added to the current transaction (version 1). */
  readonly added: Set<string> = new Set();

  constructor(
    client: KafkaClient,
    transactionalId: string,
    options: { timeoutMs: number; maxBlockMs: number },
  ) {
    this.#client = client;
    this.transactionalId = transactionalId;
    this.#timeoutMs = options.timeoutMs;
    this.#maxBlockMs = options.maxBlockMs;
  }

  /** Throws unless the producer is in one of `phases`. */
  expect(action: string, ...phases: TransactionPhase[]): void {
    if (phases.includes(this.phase)) return;
    if (this.phase === "fatal_error") {
      throw new TransactionStateError(`Cannot ${action}: the producer failed fatally`, {
        cause: this.error,
      });
    }
    if (this.phase === "abortable_error" && !phases.includes("abortable_error")) {
      throw new TransactionStateError(
        `Cannot ${action}: the transaction failed and must be aborted`,
        { cause: this.error },
      );
    }
    const hint = this.phase === "uninitialized"
      ? "call initTransactions() first"
      : this.phase === "ready"
      ? "no transaction is in progress: call beginTransaction() first"
      : `the producer is ${this.phase.replace("_", " ")}`;
    throw new TransactionStateError(`Cannot ${action}: ${hint}`);
  }

  /** Records an error from a send inside the transaction: fatal ones end the producer. */
  fail(error: Error): void {
    if (this.phase === "fatal_error") return;
    const code = (error as KafkaProtocolError).code;
    this.error = error;
    this.phase = code !== undefined && FATAL.has(code) ? "fatal_error" : "abortable_error";
  }

  /** InitProducerId: the producer's id and epoch; fences older producers of the same id. */
  async init(): Promise<void> {
    this.expect("initialize transactions", "uninitialized");
    const res = await this.#call(
      ApiKey.InitProducerId,
      () => ({
        transactionalId: this.transactionalId,
        transactionTimeoutMs: this.#timeoutMs,
        producerId: -1n,
        producerEpoch: -1,
      }),
      (r) => r.errorCode,
      "initializing transactions",
    );
    this.producerId = res.producerId;
    this.producerEpoch = res.producerEpoch;
    const conn = await this.#client.connection(this.#coordinator);
    this.v2 = (conn.finalizedFeatures.get("transaction.version") ?? 0) >= 2 &&
      (conn.brokerVersions.get(ApiKey.EndTxn)?.max ?? 0) >= 5;
    this.phase = "ready";
  }

  /** AddPartitionsToTxn (version 1 only: version 2 adds partitions with Produce). */
  async addPartitions(partitions: { topic: string; partition: number }[]): Promise<void> {
    if (this.v2) {
      // Produce v12+ adds the partitions.
      this.started = true;
      return;
    }
    const fresh = partitions.filter((p) => !this.added.has(`${p.topic}\u0000${p.partition}`));
    if (fresh.length === 0) return;
    const topics = new Map<string, number[]>();
    for (const p of fresh) topics.set(p.topic, [...(topics.get(p.topic) ?? []), p.partition]);
    await this.#call(
      ApiKey.AddPartitionsToTxn,
      () => ({
        v3AndBelowTransactionalId: this.transactionalId,
        v3AndBelowProducerId: this.producerId,
        v3AndBelowProducerEpoch: this.producerEpoch,
        v3AndBelowTopics: [...topics].map(([name, partitions]) => ({ name, partitions })),
      }),
      (r) => {
        let code: number = ErrorCode.NONE;
        for (const t of r.resultsByTopicV3AndBelow) {
          for (const p of t.resultsByPartition) {
            if (p.partitionErrorCode === ErrorCode.OPERATION_NOT_ATTEMPTED) continue;
            if (p.partitionErrorCode !== ErrorCode.NONE) code = p.partitionErrorCode;
          }
        }
        return code;
      },
      "adding partitions to the transaction",
      3,
    );
    for (const p of fresh) this.added.add(`${p.topic}\u0000${p.partition}`);
    this.started = true;
  }

  /**
   * Commits a consumer group's offsets with the transaction: AddOffsetsToTxn (version 1), then
   * TxnOffsetCommit to the group's coordinator.
   */
  async sendOffsets(
    offsets: { topic: string; partition: number; offset: bigint; metadata?: string | null }[],
    group: ConsumerGroupMetadata,
  ): Promise<void> {
    this.expect("send offsets to the transaction", "in_transaction");
    try {
      if (!this.v2) {
        await this.#call(
          ApiKey.AddOffsetsToTxn,
          () => ({
            transactionalId: this.transactionalId,
            producerId: this.producerId,
            producerEpoch: this.producerEpoch,
            groupId: group.groupId,
          }),
          (r) => r.errorCode,
          "adding offsets to the transaction",
          3,
        );
      }
      this.started = true;
      const topics = new Map<string, typeof offsets>();
      for (const o of offsets) topics.set(o.topic, [...(topics.get(o.topic) ?? []), o]);
      // Kafka 4.4's v6 names topics by id; without every id the request names them (v5).
      const ids = await topicIds(this.#client, [...topics.keys()]);
      // Typed, so that a field the specs rename is a type error rather than a default on the wire.
      const body = (): ApiMessages[typeof ApiKey.TxnOffsetCommit]["requestInit"] => ({
        transactionalId: this.transactionalId,
        groupId: group.groupId,
        producerId: this.producerId,
        producerEpoch: this.producerEpoch,
        generationIdOrMemberEpoch: group.generationId ?? -1,
        memberId: group.memberId ?? "",
        groupInstanceId: group.groupInstanceId ?? null,
        topics: [...topics].map(([name, list]) => ({
          name,
          topicId: ids?.get(name),
          partitions: list.map((o) => ({
            partitionIndex: o.partition,
            committedOffset: o.offset,
            committedLeaderEpoch: -1,
            committedMetadata: o.metadata ?? null,
          })),
        })),
      });
      const deadline = Date.now() + this.#maxBlockMs;
      for (let attempt = 0;; attempt++) {
        let code: number = ErrorCode.NONE;
        try {
          const node = await this.#client.findCoordinator(group.groupId);
          const res = await this.#client.requestNode(node, ApiKey.TxnOffsetCommit, body(), {
            maxVersion: this.v2 ? (ids ? undefined : 5) : 4,
          });
          for (const t of res.topics) {
            for (const p of t.partitions) if (p.errorCode !== ErrorCode.NONE) code = p.errorCode;
          }
        } catch (e) {
          // A lost connection (the coordinator's node crashed): find the coordinator again, as
          // Kafka's client does, until max.block.ms.
          if (!(e as { retriable?: boolean }).retriable || Date.now() >= deadline) throw e;
          code = ErrorCode.COORDINATOR_NOT_AVAILABLE;
        }
        if (code === ErrorCode.NONE) return;
        if ((REDISCOVER.has(code) || RETRY.has(code)) && Date.now() < deadline) {
          await new Promise((r) => setTimeout(r, this.#client.retryBackoff(attempt)));
          continue;
        }
        throw new KafkaProtocolError(code, { detail: "committing offsets in the transaction" });
      }
    } catch (e) {
      this.fail(e as Error);
      throw e;
    }
  }

  /** EndTxn: commits or aborts; under version 2 the answer carries the producer's next epoch. */
  async end(commit: boolean): Promise<void> {
    if (!this.started) return; // Nothing reached the coordinator: nothing to end.
    const res = await this.#call(
      ApiKey.EndTxn,
      () => ({
        transactionalId: this.transactionalId,
        producerId: this.producerId,
        producerEpoch: this.producerEpoch,
        committed: commit,
      }),
      (r) => r.errorCode,
      commit ? "committing the transaction" : "aborting the transaction",
      this.v2 ? undefined : 4,
    );
    if (this.v2 && res.producerId >= 0n) {
      this.producerId = res.producerId;
      this.producerEpoch = res.producerEpoch;
    }
    this.added.clear();
    this.started = false;
  }

  /** Sends a request to the transaction coordinator, finding it again and retrying as Kafka's client. */
  async #call<K extends CodecApiKey>(
    apiKey: K,
    body: () => ApiMessages[K]["requestInit"],
    errorOf: (response: ApiMessages[K]["response"]) => number,
    what: string,
    maxVersion?: number,
  ): Promise<ApiMessages[K]["response"]> {
    const deadline = Date.now() + this.#maxBlockMs;
    for (let attempt = 0;; attempt++) {
      let code: number;
      let res;
      try {
        if (this.#coordinator < 0) {
          this.#coordinator = await this.#client.findCoordinator(this.transactionalId, {
            keyType: 1,
          });
        }
        res = await this.#client.requestNode(this.#coordinator, apiKey, body(), { maxVersion });
        code = errorOf(res);
      } catch (e) {
        if (!(e as { retriable?: boolean }).retriable || Date.now() >= deadline) throw e;
        this.#coordinator = -1;
        code = ErrorCode.COORDINATOR_NOT_AVAILABLE;
      }
      if (code === ErrorCode.NONE) return res!;
      if (REDISCOVER.has(code)) this.#coordinator = -1;
      if ((REDISCOVER.has(code) || RETRY.has(code)) && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, this.#client.retryBackoff(attempt)));
        continue;
      }
      const error = new KafkaProtocolError(code, { detail: `${what} (${this.transactionalId})` });
      if (this.phase !== "uninitialized") this.fail(error);
      throw error;
    }
  }
}
