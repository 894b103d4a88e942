/**
 * The consumer's fetcher: positions per assigned partition, Fetch requests to each partition's
 * leader, decoding (with CRC checks), offset resets, and leader changes.
 *
 * @module
 */

import {
  ApiKey,
  ControlType,
  decodeRecordBatches,
  ErrorCode,
  errorInfo,
  type FetchResponsePartitionData,
  KafkaProtocolError,
  type RecordBatch,
} from "../../codec/mod.ts";
import type { KafkaClient } from "../kafka_client.ts";
import type { FetchEvent } from "../instrumentation.ts";
import { Stat } from "../metrics.ts";
import type { TopicPartition, TopicPartitionOffset } from "../topic_partition.ts";
import { REQUEST_TIMEOUT_MS } from "../defaults.ts";

/** A consumed record. Keys and values are Uint8Array (null when absent). */
export interface ConsumerRecord {
  /** The record's topic. */
  topic: string;
  /** The record's partition. */
  partition: number;
  /** The record's offset. */
  offset: bigint;
  /** The record's timestamp in milliseconds since the epoch. */
  timestamp: bigint;
  /** What the timestamp is: the producer's (CreateTime) or the broker's (LogAppendTime). */
  timestampType: "CreateTime" | "LogAppendTime";
  /** The key, or null. */
  key: Uint8Array | null;
  /** The value, or null (a tombstone on a compacted topic). */
  value: Uint8Array | null;
  /** The record's headers, in order. */
  headers: readonly { key: string; value: Uint8Array | null }[];
  /** The leader epoch of the batch the record came in. */
  leaderEpoch: number;
}

/** What to do when a partition has no valid position: auto.offset.reset. */
export type OffsetReset = "earliest" | "latest" | "none";

/** Fetch settings, Kafka's consumer configs. */
export interface FetcherOptions {
  fetchMinBytes: number;
  fetchMaxBytes: number;
  fetchMaxWaitMs: number;
  maxPartitionFetchBytes: number;
  readCommitted: boolean;
  checkCrcs: boolean;
  autoOffsetReset: OffsetReset;
  clientRack?: string;
}

/** One partition's answer to a Fetch, with the position it was fetched from. */
export interface CompletedFetch {
  state: PartitionState;
  fetchOffset: bigint;
  data: FetchResponsePartitionData;
  /** The leader that answered, and how long its Fetch took. */
  nodeId: number;
  durationMs: number;
}

/** Java's consumer-fetch-manager-metrics group. */
const FETCH_GROUP = "consumer-fetch-manager-metrics";

interface PartitionState {
  topic: string;
  partition: number;
  /** The next offset to fetch, or undefined until reset. */
  position: bigint | undefined;
  paused: boolean;
  /** records-lag after the last fetch: high watermark (LSO for read_committed) minus position. */
  lag: number;
}

function key(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}

/** Positions and fetching for a set of assigned partitions. */
export class Fetcher {
  readonly #client: KafkaClient;
  readonly #requestTimeoutMs: number;
  readonly #options: FetcherOptions;
  #partitions = new Map<string, PartitionState>();
  readonly #latency = new Stat();
  readonly #records = new Stat();
  readonly #bytes = new Stat();
  readonly #lag = new Stat();

  constructor(client: KafkaClient, options: FetcherOptions) {
    this.#client = client;
    // The leader may hold a Fetch for fetch.max.wait.ms before the answer's own time starts.
    this.#requestTimeoutMs = client.options.requestTimeoutMs ?? REQUEST_TIMEOUT_MS;
    this.#options = options;
    const metrics = client.instrumentation.metrics;
    metrics.register(this.#latency, {
      group: FETCH_GROUP,
      avg: "fetch-latency-avg",
      max: "fetch-latency-max",
      countRate: "fetch-rate",
      count: "fetch-total",
    });
    metrics.register(this.#records, {
      group: FETCH_GROUP,
      rate: "records-consumed-rate",
      total: "records-consumed-total",
    });
    metrics.register(this.#bytes, {
      group: FETCH_GROUP,
      rate: "bytes-consumed-rate",
      total: "bytes-consumed-total",
    });
    metrics.register(this.#lag, { group: FETCH_GROUP, max: "records-lag-max" });
  }

  /** The assigned partitions. */
  get assignment(): TopicPartition[] {
    return [...this.#partitions.values()].map((p) => ({ topic: p.topic, partition: p.partition }));
  }

  /** True when some assigned partition is not paused. */
  get fetchable(): boolean {
    for (const p of this.#partitions.values()) if (!p.paused) return true;
    return false;
  }

  /** Replaces the assignment; partitions kept keep their position. */
  assign(partitions: { topic: string; partition: number; offset?: bigint }[]): void {
    const next = new Map<string, PartitionState>();
    for (const p of partitions) {
      const k = key(p.topic, p.partition);
      const old = this.#partitions.get(k);
      next.set(
        k,
        old ??
          { topic: p.topic, partition: p.partition, position: p.offset, paused: false, lag: NaN },
      );
      if (p.offset !== undefined) next.get(k)!.position = p.offset;
    }
    const metrics = this.#client.instrumentation.metrics;
    for (const [k, p] of this.#partitions) {
      if (!next.has(k)) {
        metrics.remove({ topic: p.topic, partition: String(p.partition) }, FETCH_GROUP);
      }
    }
    for (const [k, p] of next) {
      if (this.#partitions.has(k)) continue;
      // Java's per-partition records-lag, removed with the partition.
      metrics.gauge(() => p.lag, {
        group: FETCH_GROUP,
        name: "records-lag",
        tags: {
          topic: p.topic,
          partition: String(p.partition),
        },
      });
    }
    this.#partitions = next;
  }

  /** Sets the next offset to fetch. */
  seek(topic: string, partition: number, offset: bigint): void {
    const p = this.#partitions.get(key(topic, partition));
    if (!p) throw new RangeError(`${topic}-${partition} is not assigned`);
    p.position = offset;
  }

  /** The next offset to fetch, if known. */
  position(topic: string, partition: number): bigint | undefined {
    return this.#partitions.get(key(topic, partition))?.position;
  }

  /** Stops or restarts fetching a partition. */
  setPaused(topic: string, partition: number, paused: boolean): void {
    const p = this.#partitions.get(key(topic, partition));
    if (p) p.paused = paused;
  }

  /** Positions of every partition that has one. */
  positions(): TopicPartitionOffset[] {
    const out = [];
    for (const p of this.#partitions.values()) {
      if (p.position !== undefined) {
        out.push({ topic: p.topic, partition: p.partition, offset: p.position });
      }
    }
    return out;
  }

  /** Resolves missing positions with ListOffsets (earliest or latest), or fails for "none". */
  async resetPositions(signal?: AbortSignal): Promise<void> {
    const missing = [...this.#partitions.values()].filter((p) => p.position === undefined);
    if (missing.length === 0) return;
    if (this.#options.autoOffsetReset === "none") {
      throw new KafkaProtocolError(ErrorCode.OFFSET_OUT_OF_RANGE, {
        detail: `no committed offset for ${
          missing.map((p) => `${p.topic}-${p.partition}`).join(", ")
        } and auto.offset.reset is none`,
      });
    }
    const timestamp = this.#options.autoOffsetReset === "earliest" ? -2n : -1n;
    const metadata = await this.#client.metadata([...new Set(missing.map((p) => p.topic))], {
      signal,
    });
    const byLeader = new Map<number, PartitionState[]>();
    for (const p of missing) {
      const leader = metadata.topics.get(p.topic)?.partitions[p.partition]?.leader ?? -1;
      if (leader < 0) continue;
      byLeader.set(leader, [...(byLeader.get(leader) ?? []), p]);
    }
    await Promise.all([...byLeader].map(async ([leader, parts]) => {
      const topics = new Map<string, PartitionState[]>();
      for (const p of parts) topics.set(p.topic, [...(topics.get(p.topic) ?? []), p]);
      const res = await this.#client.requestNode(leader, ApiKey.ListOffsets, {
        replicaId: -1,
        isolationLevel: this.#options.readCommitted ? 1 : 0,
        topics: [...topics].map(([name, ps]) => ({
          name,
          partitions: ps.map((p) => ({
            partitionIndex: p.partition,
            timestamp,
            currentLeaderEpoch: -1,
          })),
        })),
      }, { signal });
      for (const t of res.topics) {
        for (const r of t.partitions) {
          const p = this.#partitions.get(key(t.name, r.partitionIndex));
          if (!p) continue;
          if (r.errorCode === ErrorCode.NONE) p.position = r.offset;
          else if (!errorInfo(r.errorCode).retriable) {
            throw new KafkaProtocolError(r.errorCode, {
              detail: `listing offsets of ${t.name}-${r.partitionIndex}`,
            });
          } else this.#client.invalidateMetadata();
        }
      }
    }));
  }

  /**
   * One round of fetching: a Fetch to each leader of fetchable partitions, in parallel. Returns each
   * partition's answer as it came; {@linkcode drain} turns them into records later (a fetch may
   * outlive the poll that sent it, as Kafka's consumers let it).
   */
  async fetch(signal?: AbortSignal): Promise<CompletedFetch[]> {
    await this.resetPositions(signal);
    const ready = [...this.#partitions.values()].filter((p) =>
      !p.paused && p.position !== undefined
    );
    if (ready.length === 0) return [];
    const metadata = await this.#client.metadata([...new Set(ready.map((p) => p.topic))], {
      signal,
    });
    const byLeader = new Map<number, PartitionState[]>();
    for (const p of ready) {
      const leader = metadata.topics.get(p.topic)?.partitions[p.partition]?.leader ?? -1;
      if (leader < 0) {
        this.#client.invalidateMetadata();
        continue;
      }
      byLeader.set(leader, [...(byLeader.get(leader) ?? []), p]);
    }
    const results = await Promise.all(
      [...byLeader].map(([leader, parts]) =>
        this.#fetchFrom(leader, parts, signal).catch((e) => {
          if ((e as { retriable?: boolean }).retriable) {
            this.#client.invalidateMetadata();
            return [];
          }
          throw e;
        })
      ),
    );
    return results.flat();
  }

  async #fetchFrom(
    leader: number,
    parts: PartitionState[],
    signal?: AbortSignal,
  ): Promise<CompletedFetch[]> {
    const topics = new Map<string, PartitionState[]>();
    for (const p of parts) topics.set(p.topic, [...(topics.get(p.topic) ?? []), p]);
    const metadata = this.#client.cachedMetadata;
    const o = this.#options;
    // The positions fetched from: an answer is for them, whatever happens to them meanwhile.
    const sent = new Map(parts.map((p) => [key(p.topic, p.partition), p.position!]));
    const started = performance.now();
    const res = await this.#client.requestNode(leader, ApiKey.Fetch, {
      replicaId: -1,
      maxWaitMs: o.fetchMaxWaitMs,
      minBytes: o.fetchMinBytes,
      maxBytes: o.fetchMaxBytes,
      isolationLevel: o.readCommitted ? 1 : 0,
      sessionId: 0,
      sessionEpoch: -1,
      topics: [...topics].map(([topic, ps]) => ({
        topic,
        topicId: metadata?.topics.get(topic)?.topicId,
        partitions: ps.map((p) => ({
          partition: p.partition,
          fetchOffset: p.position!,
          partitionMaxBytes: o.maxPartitionFetchBytes,
          currentLeaderEpoch: -1,
          logStartOffset: -1n,
        })),
      })),
      rackId: o.clientRack ?? "",
    }, { signal, timeoutMs: o.fetchMaxWaitMs + this.#requestTimeoutMs });
    const durationMs = performance.now() - started;
    this.#latency.record(durationMs);
    if (res.errorCode !== ErrorCode.NONE) {
      throw new KafkaProtocolError(res.errorCode, { detail: "fetch" });
    }
    const out: CompletedFetch[] = [];
    for (const t of res.responses) {
      const topic = t.topic || [...topics.keys()].find((name) =>
        metadata?.topics.get(name)?.topicId === t.topicId
      ) || "";
      for (const data of t.partitions) {
        const k = key(topic, data.partitionIndex);
        const fetchOffset = sent.get(k);
        const state = this.#partitions.get(k);
        if (fetchOffset !== undefined && state) {
          out.push({ state, fetchOffset, data, nodeId: leader, durationMs });
        }
      }
    }
    return out;
  }

  /**
   * The records of completed fetches, advancing the positions. A partition's answer is dropped when
   * its position moved since the fetch was sent (a seek, a reset, a new assignment) or it was
   * paused, as Kafka's consumer drops such answers.
   */
  drain(completed: readonly CompletedFetch[]): ConsumerRecord[] {
    const o = this.#options;
    const out: ConsumerRecord[] = [];
    const inst = this.#client.instrumentation;
    const events = inst.listens("fetch") ? new Map<number, FetchEvent>() : undefined;
    const now = Date.now();
    for (const { state, fetchOffset, data: r, nodeId, durationMs } of completed) {
      const p = this.#partitions.get(key(state.topic, state.partition));
      if (p !== state || p.paused || p.position !== fetchOffset) continue;
      const before = out.length;
      this.#drainPartition(p, r, out);
      const bytes = r.records?.length ?? 0;
      const records = out.length - before;
      this.#records.record(records, now);
      this.#bytes.record(bytes, now);
      if (r.errorCode === ErrorCode.NONE && p.position !== undefined) {
        const end = o.readCommitted && r.lastStableOffset >= 0n
          ? r.lastStableOffset
          : r.highWatermark;
        p.lag = Math.max(0, Number(end - p.position));
        this.#lag.record(p.lag, now);
      }
      if (events) {
        let e = events.get(nodeId);
        if (!e) events.set(nodeId, e = { nodeId, durationMs, partitions: [] });
        e.partitions.push({
          topic: p.topic,
          partition: p.partition,
          records,
          bytes,
          highWatermark: r.highWatermark,
          lag: BigInt(Number.isNaN(p.lag) ? -1 : p.lag),
          errorCode: r.errorCode,
        });
      }
    }
    for (const e of events?.values() ?? []) inst.emit("fetch", e);
    return out;
  }

  /** Appends a partition's records of a fetch answer to `out`, advancing its position. */
  #drainPartition(p: PartitionState, r: FetchResponsePartitionData, out: ConsumerRecord[]): void {
    const o = this.#options;
    const topic = p.topic;
    if (r.errorCode === ErrorCode.OFFSET_OUT_OF_RANGE) {
      p.position = undefined;
      return;
    }
    if (r.errorCode !== ErrorCode.NONE) {
      if (errorInfo(r.errorCode).retriable) {
        this.#client.invalidateMetadata();
        return;
      }
      throw new KafkaProtocolError(r.errorCode, {
        detail: `fetching ${topic}-${r.partitionIndex}`,
      });
    }
    if (!r.records || r.records.length === 0) return;
    const aborted = o.readCommitted ? new AbortedFilter(r.abortedTransactions) : undefined;
    for (const batch of decodeRecordBatches(r.records, { verifyCrc: o.checkCrcs })) {
      if (batch.lastOffset < p.position!) continue;
      const next = batch.lastOffset + 1n;
      if (!batch.isControl && !aborted?.skips(batch)) {
        // The values of KafkaRecord's offset and timestamp, with fewer BigInts: the next offset is
        // one addition, and records of the same timestamp share one (BigInts are immutable).
        const h = batch.header;
        const position = p.position!;
        const logAppendTime = batch.timestampType === 1;
        const timestampType = logAppendTime ? "LogAppendTime" : "CreateTime";
        let delta = -1;
        let offset = h.baseOffset - 1n;
        let timestampDelta = NaN;
        let timestamp = h.maxTimestamp;
        for (const rec of batch.records) {
          const d = rec.offsetDelta;
          offset = d === delta + 1 ? offset + 1n : h.baseOffset + BigInt(d);
          delta = d;
          if (offset < position) continue;
          if (!logAppendTime && rec.timestampDelta !== timestampDelta) {
            timestampDelta = rec.timestampDelta;
            timestamp = h.baseTimestamp + BigInt(timestampDelta);
          }
          out.push({
            topic,
            partition: p.partition,
            offset,
            timestamp,
            timestampType,
            key: rec.key,
            value: rec.value,
            headers: rec.headers,
            leaderEpoch: h.partitionLeaderEpoch,
          });
        }
      } else if (batch.isControl) aborted?.skips(batch);
      p.position = next;
    }
  }
}

/**
 * Drops the batches of aborted transactions for read_committed, as Kafka's consumer does: an aborted
 * transaction's producer is skipped from the transaction's first offset until its ABORT marker.
 */
class AbortedFilter {
  readonly #pending: { producerId: bigint; firstOffset: bigint }[];
  readonly #active = new Set<bigint>();

  constructor(list: { producerId: bigint; firstOffset: bigint }[] | null) {
    this.#pending = [...(list ?? [])].sort((a, b) =>
      a.firstOffset < b.firstOffset ? -1 : a.firstOffset > b.firstOffset ? 1 : 0
    );
  }

  /** True when the batch belongs to an aborted transaction (control batches end one). */
  skips(batch: RecordBatch): boolean {
    while (this.#pending.length > 0 && this.#pending[0].firstOffset <= batch.lastOffset) {
      this.#active.add(this.#pending.shift()!.producerId);
    }
    const producerId = batch.header.producerId;
    if (batch.isControl) {
      if (batch.controlType === ControlType.Abort) this.#active.delete(producerId);
      return true;
    }
    return batch.isTransactional && this.#active.has(producerId);
  }
}
