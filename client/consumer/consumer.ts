/**
 * Brook's Kafka consumer: group subscription (topic list or pattern) or manual assignment, range,
 * roundrobin and cooperative-sticky assignors, static membership, heartbeats independent of message
 * processing, auto-commit or manual commit, pause/resume, seek, and `for await` over records.
 *
 * @module
 */

import { sleep } from "../backoff.ts";
import { KafkaClient } from "../kafka_client.ts";
import { ASSIGNORS, type TopicPartitions } from "./assignors.ts";
import { type CompletedFetch, type ConsumerRecord, Fetcher } from "./fetcher.ts";
import { ConsumerMember } from "./consumer_member.ts";
import { GroupMember, type Membership, type RebalanceListener } from "./group.ts";
import { type ClientEventMap, type RebalanceEvent, timedRebalance } from "../instrumentation.ts";
import { type ClientMetricsSnapshot, Stat } from "../metrics.ts";

export type { ConsumerRecord, OffsetReset } from "./fetcher.ts";
export type { ConsumerOptions, PollOptions } from "./consumer_options.ts";
import type { ConsumerOptions, PollOptions } from "./consumer_options.ts";
export type { RebalanceListener } from "./group.ts";
import type { ConsumerGroupMetadata } from "../producer/transactions.ts";
import type { TopicPartition, TopicPartitionOffset } from "../topic_partition.ts";
import * as defaults from "../defaults.ts";

/** The wait between rounds of a poll with nothing to fetch, so that heartbeats and I/O run. */
const IDLE_WAIT_MS = 100;

/**
 * A Kafka consumer.
 *
 * @example
 * ```ts
 * import { Consumer } from "@brook/kafka/client";
 * await using consumer = new Consumer({ bootstrapServers: "127.0.0.1:9092", groupId: "billing", autoOffsetReset: "earliest" });
 * consumer.subscribe(["orders"]);
 * for await (const record of consumer) {
 *   console.log(record.partition, record.offset, new TextDecoder().decode(record.value!));
 * }
 * ```
 */
export class Consumer implements AsyncDisposable {
  /** The cluster client the consumer sends its requests through. */
  readonly client: KafkaClient;
  readonly #ownsClient: boolean;
  readonly #options: ConsumerOptions;
  readonly #fetcher: Fetcher;
  readonly #group: Membership | undefined;
  #subscription: string[] | RegExp | undefined;
  #manual = false;
  /**
   * Fetched records not yet handed to the application: `#buffer` from `#head` on. What was handed out
   * is consumed; commits and positions count only that, as Kafka's consumer does.
   */
  #buffer: ConsumerRecord[] = [];
  #head = 0;
  #closed = false;
  #abort = new AbortController();
  #lastAutoCommit = Date.now();
  /** A (re)join in progress: it may outlast a poll, and goes on while the application works. */
  #joining: Promise<void> | undefined;
  #joinError: unknown;
  /** A Fetch in flight: it may outlast a poll with a shorter timeout, and serves the next one. */
  #inFlight: Promise<{ done: CompletedFetch[] } | { error: unknown }> | undefined;
  /** Java's consumer-coordinator-metrics: commit and rebalance latencies. */
  readonly #commitLatency = new Stat();
  readonly #rebalanceLatency = new Stat();
  #lastPoll = 0;

  /**
   * Creates a consumer over its own connections, or over `client`'s when given (then closing the
   * consumer leaves them open). It joins its group on the first poll.
   */
  constructor(options: ConsumerOptions, client?: KafkaClient) {
    this.client = client ?? new KafkaClient({ metricGroupPrefix: "consumer", ...options });
    this.#ownsClient = client === undefined;
    const metrics = this.client.instrumentation.metrics;
    metrics.register(this.#commitLatency, {
      group: "consumer-coordinator-metrics",
      avg: "commit-latency-avg",
      max: "commit-latency-max",
      countRate: "commit-rate",
      count: "commit-total",
    });
    metrics.register(this.#rebalanceLatency, {
      group: "consumer-coordinator-metrics",
      avg: "rebalance-latency-avg",
      max: "rebalance-latency-max",
      count: "rebalance-total",
    });
    metrics.gauge((now) => this.#lastPoll === 0 ? -1 : Math.floor((now - this.#lastPoll) / 1000), {
      group: "consumer-metrics",
      name: "last-poll-seconds-ago",
    });
    this.#options = options;
    this.#fetcher = new Fetcher(this.client, {
      fetchMinBytes: options.fetchMinBytes ?? defaults.FETCH_MIN_BYTES,
      fetchMaxBytes: options.fetchMaxBytes ?? defaults.FETCH_MAX_BYTES,
      fetchMaxWaitMs: options.fetchMaxWaitMs ?? defaults.FETCH_MAX_WAIT_MS,
      maxPartitionFetchBytes: options.maxPartitionFetchBytes ?? defaults.MAX_PARTITION_FETCH_BYTES,
      readCommitted: options.isolationLevel === "read_committed",
      checkCrcs: options.checkCrcs ?? true,
      autoOffsetReset: options.autoOffsetReset ?? "latest",
      clientRack: options.clientRack,
    });
    if (options.groupId !== undefined) {
      if (options.groupProtocol === "consumer") {
        // As Kafka's consumer: these belong to the coordinator under the consumer protocol.
        for (const name of ["assignors", "sessionTimeoutMs", "heartbeatIntervalMs"] as const) {
          if (options[name] !== undefined) {
            throw new TypeError(`${name} cannot be set with groupProtocol "consumer"`);
          }
        }
      }
      const assignors = (options.assignors ?? ["range", "cooperative-sticky"]).map((a) => {
        const found = typeof a === "string" ? ASSIGNORS[a] : a;
        if (!found) throw new TypeError(`Unknown assignor "${a}"`);
        return found;
      });
      const user = options.rebalanceListener ?? {};
      const groupId = options.groupId;
      const inst = this.client.instrumentation;
      // Times a rebalance callback (the consumer's own work and the application's) for the event.
      const timed = (
        kind: RebalanceEvent["kind"],
        partitions: TopicPartitions[],
        run: () => Promise<void>,
      ) => timedRebalance(inst, { groupId, kind, partitions }, run);
      const forget = (partitions: TopicPartitions[]) => {
        const gone = new Set(
          partitions.flatMap((tp) => tp.partitions.map((p) => `${tp.topic}\u0000${p}`)),
        );
        this.#fetcher.assign(
          this.#fetcher.assignment.filter((p) => !gone.has(`${p.topic}\u0000${p.partition}`)),
        );
        this.#dropBuffered((r) => gone.has(`${r.topic}\u0000${r.partition}`));
      };
      const listener: RebalanceListener = {
        onPartitionsRevoked: (partitions) =>
          timed("revoked", partitions, async () => {
            if (this.#autoCommit) await this.commit().catch(() => {});
            await user.onPartitionsRevoked?.(partitions);
            forget(partitions);
          }),
        // Lost partitions are not committed: the group no longer takes this member's commits.
        onPartitionsLost: (partitions) =>
          timed("lost", partitions, async () => {
            if (user.onPartitionsLost) await user.onPartitionsLost(partitions);
            else await user.onPartitionsRevoked?.(partitions);
            forget(partitions);
          }),
        onPartitionsAssigned: (partitions) =>
          timed("assigned", partitions, async () => {
            await this.#startFromCommitted(partitions);
            await user.onPartitionsAssigned?.(partitions);
          }),
      };
      const membership = {
        groupId: options.groupId,
        groupInstanceId: options.groupInstanceId ?? null,
        rebalanceTimeoutMs: options.maxPollIntervalMs ?? defaults.MAX_POLL_INTERVAL_MS,
        rackId: options.clientRack ?? null,
      };
      this.#group = options.groupProtocol === "consumer"
        ? new ConsumerMember(this.client, {
          ...membership,
          serverAssignor: options.groupRemoteAssignor ?? null,
        }, listener)
        : new GroupMember(this.client, {
          ...membership,
          sessionTimeoutMs: options.sessionTimeoutMs ?? defaults.SESSION_TIMEOUT_MS,
          heartbeatIntervalMs: options.heartbeatIntervalMs ?? defaults.HEARTBEAT_INTERVAL_MS,
          assignors,
        }, listener);
    }
  }

  get #autoCommit(): boolean {
    return this.#group !== undefined && (this.#options.autoCommit ?? true);
  }

  /** Subscribes to topics (a list, or a pattern matched against the cluster's topics) as a group member. */
  subscribe(topics: string[] | RegExp): void {
    if (!this.#group) throw new TypeError("subscribe() needs a groupId; use assign() without one");
    if (this.#manual) throw new TypeError("This consumer uses assign(); it cannot also subscribe");
    this.#subscription = topics;
    this.#group.requestRejoin();
  }

  /** Assigns partitions by hand (no group membership); an offset given is the starting position. */
  assign(partitions: { topic: string; partition: number; offset?: bigint }[]): void {
    if (this.#subscription) {
      throw new TypeError("This consumer subscribed; it cannot also assign()");
    }
    this.#manual = true;
    this.#fetcher.assign(partitions);
    this.#buffer = [];
    this.#head = 0;
  }

  /**
   * The group's identity now (id, generation, member id, instance id), for a transactional
   * producer's sendOffsetsToTransaction, which the coordinator checks as it checks commits.
   */
  groupMetadata(): ConsumerGroupMetadata {
    if (!this.#group || this.#options.groupId === undefined) {
      throw new TypeError("groupMetadata() needs a consumer with a groupId");
    }
    return {
      groupId: this.#options.groupId,
      generationId: this.#group.generation,
      memberId: this.#group.memberId,
      groupInstanceId: this.#options.groupInstanceId ?? null,
    };
  }

  /** The partitions assigned now. */
  assignment(): TopicPartition[] {
    return this.#fetcher.assignment;
  }

  /** Moves the next offset read from a partition. */
  seek(topic: string, partition: number, offset: bigint): void {
    this.#fetcher.seek(topic, partition, offset);
    this.#dropBuffered((r) => r.topic === topic && r.partition === partition);
  }

  /**
   * The offset of the next record that poll will hand out from a partition: the position after the
   * records already handed out, as Kafka's `position()` (records fetched but not yet returned do not
   * count).
   */
  position(topic: string, partition: number): bigint | undefined {
    for (let i = this.#head; i < this.#buffer.length; i++) {
      const r = this.#buffer[i];
      if (r.topic === topic && r.partition === partition) return r.offset;
    }
    return this.#fetcher.position(topic, partition);
  }

  /**
   * The consumed position of every partition that has one: after the last record handed to the
   * application, never past a record it has not been given. This is what commits write.
   */
  #consumedPositions(): TopicPartitionOffset[] {
    const next = new Map<string, bigint>();
    for (let i = this.#head; i < this.#buffer.length; i++) {
      const r = this.#buffer[i];
      const k = `${r.topic}\u0000${r.partition}`;
      if (!next.has(k)) next.set(k, r.offset);
    }
    return this.#fetcher.positions().map((p) => {
      const offset = next.get(`${p.topic}\u0000${p.partition}`);
      return offset === undefined ? p : { ...p, offset };
    });
  }

  /** Drops buffered (not yet handed out) records that `gone` selects. */
  #dropBuffered(gone: (r: ConsumerRecord) => boolean): void {
    this.#buffer = this.#buffer.slice(this.#head).filter((r) => !gone(r));
    this.#head = 0;
  }

  /** Stops fetching the partitions until resumed. */
  pause(partitions: TopicPartition[]): void {
    for (const p of partitions) this.#fetcher.setPaused(p.topic, p.partition, true);
    this.#dropBuffered((r) =>
      partitions.some((p) => p.topic === r.topic && p.partition === r.partition)
    );
  }

  /** Resumes paused partitions. */
  resume(partitions: TopicPartition[]): void {
    for (const p of partitions) this.#fetcher.setPaused(p.topic, p.partition, false);
  }

  /**
   * The group's committed offsets of partitions, by topic, then partition (absent where none).
   *
   * @example
   * ```ts
   * import { Consumer } from "@brook/kafka/client";
   * await using consumer = new Consumer({ bootstrapServers: "127.0.0.1:9092", groupId: "billing" });
   * const committed = await consumer.committed([{ topic: "orders", partitions: [0, 1] }]);
   * console.log(committed.get("orders")?.get(0)); // e.g. 42n
   * ```
   */
  async committed(
    partitions: TopicPartitions[],
    options: { signal?: AbortSignal } = {},
  ): Promise<Map<string, Map<number, bigint>>> {
    if (!this.#group) throw new TypeError("committed() needs a groupId");
    const flat = await this.#group.committed(partitions, options.signal);
    const out = new Map<string, Map<number, bigint>>();
    for (const tp of partitions) {
      for (const p of tp.partitions) {
        const offset = flat.get(`${tp.topic}\u0000${p}`);
        if (offset === undefined) continue;
        if (!out.has(tp.topic)) out.set(tp.topic, new Map());
        out.get(tp.topic)!.set(p, offset);
      }
    }
    return out;
  }

  /**
   * Commits the given offsets, or else the consumed position of every assigned partition: the
   * offset after the last record that poll (or the iterator) handed out, so that a restart goes on
   * from the first record the application was not given.
   */
  async commit(
    offsets?: TopicPartitionOffset[],
    options: { signal?: AbortSignal } = {},
  ): Promise<void> {
    if (!this.#group) throw new TypeError("commit() needs a groupId");
    const list = offsets ?? this.#consumedPositions();
    const started = performance.now();
    const inst = this.client.instrumentation;
    try {
      await this.#group.commit(list, options.signal);
    } catch (e) {
      inst.log("warn", "commit failed", {
        groupId: this.#options.groupId,
        error: (e as Error).message,
      });
      if (inst.listens("commit")) {
        inst.emit("commit", {
          groupId: this.#options.groupId!,
          partitions: list.length,
          durationMs: performance.now() - started,
          error: e as Error,
        });
      }
      throw e;
    }
    const durationMs = performance.now() - started;
    this.#commitLatency.record(durationMs);
    if (inst.listens("commit")) {
      inst.emit("commit", { groupId: this.#options.groupId!, partitions: list.length, durationMs });
    }
  }

  /**
   * Listens to the consumer's events: fetch, commit, rebalance, and its connections' connect,
   * disconnect, request and response. Returns a function that stops listening.
   *
   * @example
   * ```ts
   * import { Consumer } from "@brook/kafka/client";
   * const consumer = new Consumer({ bootstrapServers: "127.0.0.1:9092", groupId: "billing" });
   * consumer.on("rebalance", (e) => console.log(e.kind, e.partitions, e.durationMs));
   * ```
   */
  on<K extends keyof ClientEventMap>(
    type: K,
    listener: (event: ClientEventMap[K]) => void,
  ): () => void {
    return this.client.on(type, listener);
  }

  /**
   * The consumer's metrics as Kafka's Java consumer names them (records-consumed-rate,
   * fetch-latency-avg, records-lag-max, commit-latency-avg, ...), with its connections'.
   *
   * @example
   * ```ts
   * import { Consumer } from "@brook/kafka/client";
   * const consumer = new Consumer({ bootstrapServers: "127.0.0.1:9092", groupId: "billing" });
   * const lag = consumer.metrics().metrics.find((m) => m.name === "records-lag-max")?.value;
   * ```
   */
  metrics(): ClientMetricsSnapshot {
    return this.client.metrics();
  }

  async #startFromCommitted(partitions: TopicPartitions[]): Promise<void> {
    const committed = await this.#group!.committed(partitions);
    const current = new Map(
      this.#fetcher.assignment.map((p) => [`${p.topic}\u0000${p.partition}`, p]),
    );
    for (const tp of this.#group!.assignment) {
      for (const p of tp.partitions) {
        current.set(`${tp.topic}\u0000${p}`, { topic: tp.topic, partition: p });
      }
    }
    this.#fetcher.assign(
      [...current.values()].filter((p) =>
        this.#group!.assignment.some((tp) =>
          tp.topic === p.topic && tp.partitions.includes(p.partition)
        )
      ).map((p) => ({ ...p, offset: committed.get(`${p.topic}\u0000${p.partition}`) })),
    );
  }

  async #topics(): Promise<string[]> {
    const s = this.#subscription!;
    if (Array.isArray(s)) return s;
    const md = await this.client.metadata(null, { signal: this.#abort.signal });
    return [...md.topics.values()].filter((t) => !t.isInternal && s.test(t.name)).map((t) => t.name)
      .sort();
  }

  /**
   * Fetches the next records (at most max.poll.records-like `maxRecords`, default 500), waiting up to
   * `timeoutMs` (default fetch.max.wait.ms) for some to arrive. A Fetch still waiting on the broker
   * when the timeout passes goes on, and its records come with a later poll. The records returned are
   * consumed: the next commit covers them. An aborted `signal` ends the wait and rejects with its
   * reason; records fetched meanwhile stay for the next poll.
   */
  async poll(options: PollOptions = {}): Promise<ConsumerRecord[]> {
    options.signal?.throwIfAborted();
    this.#lastPoll = Date.now();
    const fetchMaxWaitMs = this.#options.fetchMaxWaitMs ?? defaults.FETCH_MAX_WAIT_MS;
    const { timeoutMs = fetchMaxWaitMs, maxRecords = defaults.MAX_POLL_RECORDS } = options;
    await this.#fill(timeoutMs, options.signal);
    options.signal?.throwIfAborted();
    const end = Math.min(this.#buffer.length, this.#head + maxRecords);
    const out = this.#buffer.slice(this.#head, end);
    this.#take(end);
    return out;
  }

  /** Hands out the buffered records before index `end`. */
  #take(end: number): void {
    this.#head = end;
    if (this.#head >= this.#buffer.length) {
      this.#buffer = [];
      this.#head = 0;
    }
  }

  /**
   * Fills the buffer when it is empty (joining the group and fetching), for up to `timeoutMs`, and
   * auto-commits what was consumed when the interval has passed.
   */
  async #fill(timeoutMs: number, signal?: AbortSignal): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.#buffer.length === this.#head && !this.#closed && !signal?.aborted) {
      if (this.#group && this.#subscription && (this.#group.needsRejoin || this.#joining)) {
        this.#buffer = [];
        this.#head = 0;
        // As Java's poll: a rebalance does not hold the caller past its timeout.
        if (!(await this.#rejoined(deadline, signal))) break;
      }
      try {
        if (this.#fetcher.fetchable) {
          const outcome = await beforeDeadline(this.#prefetch(), deadline, signal);
          if (outcome === undefined) break;
          this.#inFlight = undefined;
          if ("error" in outcome) throw outcome.error;
          this.#buffer = this.#fetcher.drain(outcome.done);
          this.#head = 0;
          // The next Fetch goes out now, from the advanced positions, so that the broker answers
          // while the application works through these records (an answer for a partition sought
          // or paused meanwhile is dropped by drain).
          if (this.#buffer.length > 0 && this.#fetcher.fetchable) this.#prefetch();
        } else {
          // Nothing to fetch (no or paused partitions): wait on a timer, so that heartbeats and I/O run.
          await sleep(
            Math.max(0, Math.min(IDLE_WAIT_MS, deadline - Date.now())),
            signal ? AbortSignal.any([signal, this.#abort.signal]) : this.#abort.signal,
          ).catch(() => {});
        }
      } catch (e) {
        if (this.#closed) return;
        if (!GroupMember.isRebalance(e) && !(e as { retriable?: boolean }).retriable) throw e;
      }
      if (Date.now() >= deadline) break;
    }
    if (
      this.#autoCommit && !this.#closed &&
      Date.now() - this.#lastAutoCommit >=
        (this.#options.autoCommitIntervalMs ?? defaults.AUTO_COMMIT_INTERVAL_MS)
    ) {
      this.#lastAutoCommit = Date.now();
      await this.commit().catch(() => {});
    }
  }

  /** The Fetch in flight, sent now if there is none. */
  #prefetch(): Promise<{ done: CompletedFetch[] } | { error: unknown }> {
    return this.#inFlight ??= this.#fetcher.fetch(this.#abort.signal).then(
      (done) => ({ done }),
      (error) => ({ error }),
    );
  }

  /** Starts or continues the group join; true once it is done, false if `deadline` came first. */
  async #rejoined(deadline: number, signal?: AbortSignal): Promise<boolean> {
    const group = this.#group!;
    const started = performance.now();
    this.#joining ??= this.#topics()
      .then((topics) => group.ensureActive(topics, this.#abort.signal))
      .then(() => this.#rebalanceLatency.record(performance.now() - started))
      .catch((e) => {
        this.#joinError = e;
      })
      .finally(() => (this.#joining = undefined));
    const done = (await beforeDeadline(this.#joining.then(() => true), deadline, signal)) ?? false;
    if (this.#joinError !== undefined) {
      const e = this.#joinError;
      this.#joinError = undefined;
      throw e;
    }
    return done;
  }

  /**
   * Records one by one, until the consumer is closed. A record is consumed (commits cover it) once it
   * is handed to the loop's body; the records after it stay buffered, so breaking out of the loop
   * commits nothing the body did not see.
   */
  async *[Symbol.asyncIterator](): AsyncGenerator<ConsumerRecord> {
    while (!this.#closed) {
      this.#lastPoll = Date.now();
      await this.#fill(defaults.POLL_TIMEOUT_MS);
      while (this.#head < this.#buffer.length) {
        const r = this.#buffer[this.#head];
        this.#take(this.#head + 1);
        yield r;
        if (this.#closed) return;
      }
    }
  }

  /** Commits (with auto-commit), leaves the group and closes the connections it opened. */
  async close(): Promise<void> {
    if (this.#closed) return;
    if (this.#autoCommit) await this.commit().catch(() => {});
    this.#closed = true;
    this.#abort.abort();
    await this.#group?.leave();
    if (this.#ownsClient) await this.client.close();
  }

  /** Closes the consumer, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

/**
 * What `promise` gives if it settles before `deadline` (and before `signal` aborts), else undefined
 * (it goes on).
 */
async function beforeDeadline<T>(
  promise: Promise<T>,
  deadline: number,
  signal?: AbortSignal,
): Promise<T | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let onAbort: (() => void) | undefined;
  const late = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), Math.max(0, deadline - Date.now()));
    onAbort = () => resolve(undefined);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener("abort", onAbort!);
  }
}
