/**
 * Brook's share consumer (KIP-932): a member of a share group, which reads the same partitions as
 * the group's other members, each record handed to one member at a time. It heartbeats to the
 * group coordinator (ShareGroupHeartbeat), fetches from each partition leader in a share session
 * (ShareFetch), and acknowledges what it was given: implicitly (every record of a poll is accepted
 * at the next poll, commit or close) or explicitly, record by record, as accepted, released (to be
 * delivered again) or rejected. With a broker that offers ShareFetch and ShareAcknowledge v2 (Kafka
 * 4.2+) it may also renew a record's acquisition lock (KIP-1222) and ask for at most max.poll.records
 * records (the record-limit acquire mode, KIP-1206).
 *
 * @module
 */

import {
  ApiKey,
  decodeRecordBatches,
  ErrorCode,
  KafkaProtocolError,
  randomUuid,
  UnsupportedVersionError,
} from "../../codec/mod.ts";
import { sleep } from "../backoff.ts";
import { type ClientOptions, KafkaClient } from "../kafka_client.ts";
import type { ConsumerRecord } from "./fetcher.ts";
import type { PollOptions } from "./consumer.ts";
import type { ClientEventMap } from "../instrumentation.ts";
import type { ClientMetricsSnapshot } from "../metrics.ts";
import {
  FETCH_MAX_BYTES,
  FETCH_MAX_WAIT_MS,
  FETCH_MIN_BYTES,
  GROUP_HEARTBEAT_INTERVAL_MS,
  MAX_POLL_RECORDS,
  POLL_TIMEOUT_MS,
} from "../defaults.ts";
import {
  type AckTopic,
  type Batch,
  isRenewal,
  keyOf,
  nextEpoch,
  splitKey,
  toBatches,
  TYPE,
} from "./share_acknowledgements.ts";

/** The pause between ShareFetch rounds that brought nothing, until the poll's deadline. */
const EMPTY_FETCH_PAUSE_MS = 100;

/** Share consumer options; names follow Kafka's share consumer configs. */
export interface ShareConsumerOptions extends ClientOptions {
  /** group.id: the share group. */
  groupId: string;
  /** share.acknowledgement.mode. Default "implicit". */
  acknowledgementMode?: "implicit" | "explicit";
  /** fetch.min.bytes: the least data a leader waits for before answering a ShareFetch. Default 1. */
  fetchMinBytes?: number;
  /** fetch.max.bytes: the most data one ShareFetch answer may hold. Default 52428800 (50 MiB). */
  fetchMaxBytes?: number;
  /** fetch.max.wait.ms: the longest a leader waits for fetch.min.bytes. Default 500. */
  fetchMaxWaitMs?: number;
  /** max.poll.records: the most records one fetch asks for. Default 500. */
  maxPollRecords?: number;
  /** check.crcs. Default true. */
  checkCrcs?: boolean;
  /**
   * share.acquire.mode: "batch_optimized" (whole batches, so a fetch may hold more than
   * max.poll.records) or "record_limit" (at most max.poll.records; needs ShareFetch v2, Kafka 4.2+).
   * Default "batch_optimized".
   */
  acquireMode?: "batch_optimized" | "record_limit";
}

/** A record as a share group delivers it. */
export interface ShareConsumerRecord extends ConsumerRecord {
  /** How many times it has been delivered, this time included. */
  deliveryCount: number;
}

/**
 * How a record is acknowledged: done with, to be delivered again, never to be delivered, or kept
 * longer (renew: its acquisition lock starts again and it still awaits one of the others; explicit
 * mode and ShareAcknowledge v2, Kafka 4.2+, only).
 */
export type AcknowledgeType = "accept" | "release" | "reject" | "renew";

const FINAL_EPOCH = -1;

/** A share session with one broker. */
interface Session {
  epoch: number;
  partitions: Set<string>;
}

/**
 * A Kafka share consumer.
 *
 * @example
 * ```ts
 * import { ShareConsumer } from "@brook/kafka/client";
 * await using consumer = new ShareConsumer({ bootstrapServers: "127.0.0.1:9092", groupId: "workers" });
 * consumer.subscribe(["jobs"]);
 * for await (const record of consumer) {
 *   console.log(record.offset, record.deliveryCount);
 * }
 * ```
 */
export class ShareConsumer implements AsyncDisposable {
  /** The cluster client the consumer sends its requests through. */
  readonly client: KafkaClient;
  /** The member id this consumer chose, as Kafka's share consumers do. */
  readonly memberId: string = randomUuid();
  readonly #ownsClient: boolean;
  readonly #options: ShareConsumerOptions;
  #subscription: string[] = [];
  #subscriptionSent = false;
  #memberEpoch = 0;
  #heartbeatIntervalMs = GROUP_HEARTBEAT_INTERVAL_MS;
  #coordinator: number | undefined;
  #heartbeats: Promise<void> | undefined;
  /** Assigned partitions: topic id to partition numbers. */
  #assignment = new Map<string, Set<number>>();
  readonly #names = new Map<string, string>();
  readonly #sessions = new Map<number, Session>();
  /** Acknowledgements not sent yet: partition key to offset to type. */
  readonly #pending = new Map<string, Map<bigint, number>>();
  /** Records of the last poll, accepted at the next one in implicit mode. */
  #delivered: ShareConsumerRecord[] = [];
  #closed = false;
  readonly #abort = new AbortController();

  /**
   * Creates a share consumer over its own connections, or over `client`'s when given (then closing
   * the consumer leaves them open). It joins its share group on the first poll.
   */
  constructor(options: ShareConsumerOptions, client?: KafkaClient) {
    this.client = client ?? new KafkaClient({ metricGroupPrefix: "consumer", ...options });
    this.#ownsClient = client === undefined;
    this.#options = options;
  }

  /** Subscribes to topics (replacing any earlier subscription) and joins the share group. */
  subscribe(topics: string[]): void {
    this.#subscription = [...topics];
    this.#subscriptionSent = false;
    this.#heartbeats ??= this.#heartbeatLoop();
  }

  /** The partitions the group assigned to this member, by topic name. */
  get assignment(): { topic: string; partitions: number[] }[] {
    return [...this.#assignment].map(([id, ps]) => ({
      topic: this.#names.get(id) ?? id,
      partitions: [...ps].sort((a, b) => a - b),
    }));
  }

  /**
   * Records for this member, waiting up to `timeoutMs` (default 1000) for some; an aborted `signal`
   * ends the wait and rejects with its reason. In implicit mode the records of the previous poll are
   * accepted first. (A number is taken as `timeoutMs`.)
   */
  async poll(
    options: Omit<PollOptions, "maxRecords"> | number = {},
  ): Promise<ShareConsumerRecord[]> {
    const { timeoutMs = POLL_TIMEOUT_MS, signal } = typeof options === "number"
      ? { timeoutMs: options }
      : options;
    signal?.throwIfAborted();
    this.#acceptDelivered();
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      signal?.throwIfAborted();
      const records = this.#assignment.size === 0 ? [] : await this.#fetchAll();
      if (records.length > 0 || Date.now() >= deadline || this.#closed) {
        if (this.#options.acknowledgementMode !== "explicit") this.#delivered = records;
        return records;
      }
      await sleep(
        Math.min(EMPTY_FETCH_PAUSE_MS, Math.max(0, deadline - Date.now())),
        signal ? AbortSignal.any([signal, this.#abort.signal]) : this.#abort.signal,
      ).catch(() => {});
    }
  }

  /**
   * Acknowledges a record (explicit mode); sent with the next fetch, commit or close. A renewal is
   * sent in a ShareAcknowledge of its own before the next fetch.
   */
  acknowledge(record: ShareConsumerRecord, type: AcknowledgeType = "accept"): void {
    if (type === "renew" && this.#options.acknowledgementMode !== "explicit") {
      throw new TypeError("Records are renewed in explicit acknowledgement mode only");
    }
    const id = [...this.#names].find(([, name]) => name === record.topic)?.[0];
    if (id === undefined) throw new TypeError(`Record of unknown topic ${record.topic}`);
    this.#ack(keyOf(id, record.partition), record.offset, TYPE[type]);
  }

  /** Sends the acknowledgements not sent yet, and waits for the brokers to apply them. */
  async commit(): Promise<void> {
    this.#acceptDelivered();
    await Promise.all([...this.#sessions].map(async ([node, session]) => {
      if (session.epoch <= 0) return;
      const topics = this.#takeAcks(node);
      if (topics.length === 0) return;
      await this.#sendAcks(node, session, topics);
    }));
  }

  /** Sends acknowledgements in a ShareAcknowledge of the session; rejects with the first error. */
  async #sendAcks(node: number, session: Session, topics: AckTopic[]): Promise<void> {
    const renewing = topics.some((t) =>
      t.partitions.some((p) => p.acknowledgementBatches.some((b) => b.acknowledgeTypes[0] === 4))
    );
    const res = await this.client.requestNode(node, ApiKey.ShareAcknowledge, (version) => {
      if (renewing && version < 2) {
        throw new UnsupportedVersionError(
          "renewing records needs ShareAcknowledge v2 (Kafka 4.2+)",
        );
      }
      return {
        groupId: this.#options.groupId,
        memberId: this.memberId,
        shareSessionEpoch: session.epoch,
        isRenewAck: renewing,
        topics,
      };
    });
    session.epoch = nextEpoch(session.epoch);
    if (res.errorCode !== ErrorCode.NONE) throw new KafkaProtocolError(res.errorCode);
    for (const t of res.responses) {
      for (const p of t.partitions) {
        if (p.errorCode !== ErrorCode.NONE) {
          throw new KafkaProtocolError(p.errorCode, { detail: p.errorMessage ?? undefined });
        }
      }
    }
  }

  /** Acknowledges what is pending, closes the share sessions and leaves the group. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#acceptDelivered();
    // Renewals are moot once the session closes (and a closing acknowledgement cannot carry them).
    for (const offsets of this.#pending.values()) {
      for (const [offset, type] of offsets) if (type === TYPE.renew) offsets.delete(offset);
    }
    this.#closed = true;
    this.#abort.abort();
    await this.#heartbeats?.catch(() => {});
    await Promise.all([...this.#sessions].map(async ([node, session]) => {
      if (session.epoch <= 0) return;
      await this.client.requestNode(node, ApiKey.ShareAcknowledge, {
        groupId: this.#options.groupId,
        memberId: this.memberId,
        shareSessionEpoch: FINAL_EPOCH,
        topics: this.#takeAcks(node),
      }).catch(() => {});
    }));
    this.#sessions.clear();
    if (this.#memberEpoch > 0) {
      const coordinator = this.#coordinator ??
        await this.client.findCoordinator(this.#options.groupId).catch(() => undefined);
      if (coordinator !== undefined) {
        await this.client.requestNode(coordinator, ApiKey.ShareGroupHeartbeat, {
          groupId: this.#options.groupId,
          memberId: this.memberId,
          memberEpoch: FINAL_EPOCH,
          rackId: null,
          subscribedTopicNames: null,
        }).catch(() => {});
      }
    }
    if (this.#ownsClient) await this.client.close();
  }

  /** Closes the share consumer, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /**
   * Listens to the share consumer's connection events (connect, disconnect, request, response).
   *
   * @example
   * ```ts
   * import { ShareConsumer } from "@brook/kafka/client";
   * const worker = new ShareConsumer({ bootstrapServers: "127.0.0.1:9092", groupId: "workers" });
   * worker.on("response", (e) => console.log(e.apiName, e.durationMs));
   * ```
   */
  on<K extends keyof ClientEventMap>(
    type: K,
    listener: (event: ClientEventMap[K]) => void,
  ): () => void {
    return this.client.on(type, listener);
  }

  /**
   * The share consumer's connection metrics, as Kafka's Java client names them.
   *
   * @example
   * ```ts
   * import { ShareConsumer } from "@brook/kafka/client";
   * const worker = new ShareConsumer({ bootstrapServers: "127.0.0.1:9092", groupId: "workers" });
   * console.log(worker.metrics().requestLatency.ShareFetch?.p99Ms);
   * ```
   */
  metrics(): ClientMetricsSnapshot {
    return this.client.metrics();
  }

  /**
   * The records, poll after poll, until the consumer closes. In implicit mode a poll's records are
   * accepted when the next poll is made, that is once the loop has been through them all.
   */
  async *[Symbol.asyncIterator](): AsyncGenerator<ShareConsumerRecord> {
    while (!this.#closed) {
      for (const record of await this.poll({ timeoutMs: POLL_TIMEOUT_MS })) yield record;
    }
  }

  #acceptDelivered(): void {
    for (const r of this.#delivered) this.acknowledge(r, "accept");
    this.#delivered = [];
  }

  #ack(key: string, offset: bigint, type: number): void {
    let offsets = this.#pending.get(key);
    if (!offsets) this.#pending.set(key, offsets = new Map());
    offsets.set(offset, type);
  }

  /** The pending acknowledgements of partitions `node` leads, as request topics; no longer pending. */
  #takeAcks(node: number) {
    const byTopic = new Map<
      string,
      { partitionIndex: number; acknowledgementBatches: Batch[] }[]
    >();
    for (const [key, offsets] of this.#pending) {
      const [topicId, partition] = splitKey(key);
      if (this.#leaderOf(topicId, partition) !== node) continue;
      this.#pending.delete(key);
      const list = byTopic.get(topicId) ?? [];
      list.push({ partitionIndex: partition, acknowledgementBatches: toBatches(offsets) });
      byTopic.set(topicId, list);
    }
    return [...byTopic].map(([topicId, partitions]) => ({ topicId, partitions }));
  }

  #leaderOf(topicId: string, partition: number): number | undefined {
    const name = this.#names.get(topicId);
    const meta = name === undefined ? undefined : this.client.cachedMetadata?.topics.get(name);
    return meta?.partitions.find((p) => p.partition === partition)?.leader;
  }

  async #heartbeatLoop(): Promise<void> {
    while (!this.#closed) {
      try {
        await this.#heartbeat();
      } catch {
        // A failed heartbeat is retried at the next interval, as Kafka's consumer retries it. One
        // that close() cut short says nothing about the coordinator, which close() still needs.
        if (!this.#closed) this.#coordinator = undefined;
      }
      await sleep(this.#heartbeatIntervalMs, this.#abort.signal).catch(() => {});
    }
  }

  async #heartbeat(): Promise<void> {
    const signal = this.#abort.signal;
    this.#coordinator ??= await this.client.findCoordinator(this.#options.groupId, { signal });
    const full = !this.#subscriptionSent;
    const res = await this.client.requestNode(this.#coordinator, ApiKey.ShareGroupHeartbeat, {
      groupId: this.#options.groupId,
      memberId: this.memberId,
      memberEpoch: this.#memberEpoch,
      rackId: null,
      subscribedTopicNames: full ? this.#subscription : null,
    }, { signal });
    switch (res.errorCode) {
      case ErrorCode.NONE:
        break;
      case ErrorCode.NOT_COORDINATOR:
      case ErrorCode.COORDINATOR_NOT_AVAILABLE:
      case ErrorCode.COORDINATOR_LOAD_IN_PROGRESS:
        this.#coordinator = undefined;
        return;
      case ErrorCode.FENCED_MEMBER_EPOCH:
      case ErrorCode.UNKNOWN_MEMBER_ID:
        // Fenced: join again, with nothing assigned.
        this.#memberEpoch = 0;
        this.#subscriptionSent = false;
        this.#assignment = new Map();
        return;
      default:
        throw new KafkaProtocolError(res.errorCode, { detail: res.errorMessage ?? undefined });
    }
    if (full) this.#subscriptionSent = true;
    this.#memberEpoch = res.memberEpoch;
    this.#heartbeatIntervalMs = res.heartbeatIntervalMs;
    if (res.assignment) {
      const metadata = await this.client.metadata(this.#subscription, { force: true, signal });
      for (const t of metadata.topics.values()) this.#names.set(t.topicId, t.name);
      this.#assignment = new Map(
        res.assignment.topicPartitions.map((t) => [t.topicId, new Set(t.partitions)]),
      );
    }
  }

  /** One share fetch from each leader of the assigned partitions. */
  async #fetchAll(): Promise<ShareConsumerRecord[]> {
    const byLeader = new Map<number, { topicId: string; partition: number }[]>();
    for (const [topicId, ps] of this.#assignment) {
      for (const partition of ps) {
        const leader = this.#leaderOf(topicId, partition);
        if (leader === undefined || leader < 0) continue;
        byLeader.set(leader, [...byLeader.get(leader) ?? [], { topicId, partition }]);
      }
    }
    if (byLeader.size === 0) {
      await this.client.metadata(this.#subscription, { force: true, signal: this.#abort.signal });
      return [];
    }
    const results = await Promise.all(
      [...byLeader].map(([node, partitions]) => this.#fetchFrom(node, partitions)),
    );
    return results.flat();
  }

  async #fetchFrom(
    node: number,
    partitions: { topicId: string; partition: number }[],
  ): Promise<ShareConsumerRecord[]> {
    const o = this.#options;
    let session = this.#sessions.get(node);
    if (!session) this.#sessions.set(node, session = { epoch: 0, partitions: new Set() });
    const wanted = new Set(partitions.map((p) => keyOf(p.topicId, p.partition)));
    // Acknowledgements ride on fetches of an open session only; renewals go first on their own, as
    // a fetch that renews fetches nothing.
    let acks = session.epoch > 0 ? this.#takeAcks(node) : [];
    if (acks.some((t) => t.partitions.some((p) => p.acknowledgementBatches.some(isRenewal)))) {
      await this.#sendAcks(node, session, acks);
      acks = [];
    }
    const topics = new Map<string, Map<number, Batch[]>>();
    for (const key of wanted) {
      const [topicId, partition] = splitKey(key);
      if (session.epoch === 0 || !session.partitions.has(key)) {
        topics.set(topicId, (topics.get(topicId) ?? new Map()).set(partition, []));
      }
    }
    for (const t of acks) {
      for (const p of t.partitions) {
        topics.set(
          t.topicId,
          (topics.get(t.topicId) ?? new Map()).set(p.partitionIndex, p.acknowledgementBatches),
        );
      }
    }
    const forgotten = new Map<string, number[]>();
    if (session.epoch > 0) {
      for (const key of session.partitions) {
        if (wanted.has(key)) continue;
        const [topicId, partition] = splitKey(key);
        forgotten.set(topicId, [...forgotten.get(topicId) ?? [], partition]);
      }
    }
    const recordLimit = o.acquireMode === "record_limit";
    const body = {
      groupId: o.groupId,
      memberId: this.memberId,
      shareSessionEpoch: session.epoch,
      maxWaitMs: o.fetchMaxWaitMs ?? FETCH_MAX_WAIT_MS,
      minBytes: o.fetchMinBytes ?? FETCH_MIN_BYTES,
      maxBytes: o.fetchMaxBytes ?? FETCH_MAX_BYTES,
      maxRecords: o.maxPollRecords ?? MAX_POLL_RECORDS,
      batchSize: o.maxPollRecords ?? MAX_POLL_RECORDS,
      shareAcquireMode: recordLimit ? 1 : 0,
      isRenewAck: false,
      topics: [...topics].map(([topicId, ps]) => ({
        topicId,
        partitions: [...ps].map(([partitionIndex, acknowledgementBatches]) => ({
          partitionIndex,
          partitionMaxBytes: 0,
          acknowledgementBatches,
        })),
      })),
      forgottenTopicsData: [...forgotten].map(([topicId, partitions]) => ({
        topicId,
        partitions,
      })),
    };
    const res = await this.client.requestNode(node, ApiKey.ShareFetch, (version) => {
      if (recordLimit && version < 2) {
        throw new UnsupportedVersionError(
          "record_limit acquire mode needs ShareFetch v2 (Kafka 4.2+)",
        );
      }
      return body;
    }, { signal: this.#abort.signal });
    if (res.errorCode !== ErrorCode.NONE) {
      // The session is gone or out of step: start a new one (its acknowledgements are lost, and the
      // records come back when their locks time out).
      this.#sessions.delete(node);
      if (
        res.errorCode === ErrorCode.SHARE_SESSION_NOT_FOUND ||
        res.errorCode === ErrorCode.INVALID_SHARE_SESSION_EPOCH
      ) {
        return [];
      }
      throw new KafkaProtocolError(res.errorCode);
    }
    session.epoch = nextEpoch(session.epoch);
    session.partitions = wanted;
    const out: ShareConsumerRecord[] = [];
    for (const t of res.responses) {
      const topic = this.#names.get(t.topicId) ?? t.topicId;
      for (const p of t.partitions) {
        if (p.errorCode !== ErrorCode.NONE) {
          this.client.invalidateMetadata();
          continue;
        }
        out.push(...this.#records(t.topicId, topic, p));
      }
    }
    return out;
  }

  /** The records a partition's answer holds within its acquired ranges; the rest are gaps. */
  #records(
    topicId: string,
    topic: string,
    p: {
      partitionIndex: number;
      records: Uint8Array;
      acquiredRecords: { firstOffset: bigint; lastOffset: bigint; deliveryCount: number }[];
    },
  ): ShareConsumerRecord[] {
    const ranges = p.acquiredRecords;
    if (ranges.length === 0) return [];
    const rangeOf = (offset: bigint) =>
      ranges.find((r) => r.firstOffset <= offset && offset <= r.lastOffset);
    const seen = new Set<bigint>();
    const out: ShareConsumerRecord[] = [];
    const verifyCrc = this.#options.checkCrcs ?? true;
    for (const batch of decodeRecordBatches(p.records, { verifyCrc })) {
      if (batch.isControl) continue;
      for (const rec of batch.records) {
        const range = rangeOf(rec.offset);
        if (!range) continue;
        seen.add(rec.offset);
        out.push({
          topic,
          partition: p.partitionIndex,
          offset: rec.offset,
          timestamp: rec.timestamp,
          timestampType: batch.timestampType === 1 ? "LogAppendTime" : "CreateTime",
          key: rec.key,
          value: rec.value,
          headers: rec.headers,
          leaderEpoch: batch.header.partitionLeaderEpoch,
          deliveryCount: range.deliveryCount,
        });
      }
    }
    // Acquired offsets without a record (control records, compacted away) are acknowledged as gaps.
    const key = keyOf(topicId, p.partitionIndex);
    for (const r of ranges) {
      for (let o = r.firstOffset; o <= r.lastOffset; o++) {
        if (!seen.has(o)) this.#ack(key, o, TYPE.gap);
      }
    }
    return out;
  }
}
