/**
 * Bytes and records in (Produce, stored) and out (Fetch, answered) per topic and partition, counted
 * by an interceptor that sees each request and the answer the client gets (after faults), for the
 * metrics port.
 *
 * @module
 */

import { BatchAttributes, BatchLayout as L } from "../../codec/mod.ts";
import type { Cluster } from "../metadata/cluster.ts";
import type { InterceptedRequest } from "./interceptor.ts";
import { labelValue } from "./cluster_prometheus.ts";

interface Counts {
  bytesIn: number;
  recordsIn: number;
  bytesOut: number;
  recordsOut: number;
}

/**
 * Records in a buffer of record batches (control batches left out), walking batch headers.
 *
 * @example
 * ```ts
 * import { countRecords } from "./topic_traffic.ts";
 * console.log(countRecords(new Uint8Array(0))); // 0
 * ```
 */
export function countRecords(bytes: Uint8Array): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let records = 0;
  for (let at = 0; at + L.headerSize <= bytes.length;) {
    const size = L.logOverhead + view.getInt32(at + L.batchLength);
    if (size < L.headerSize || at + size > bytes.length) break;
    const control = (view.getInt16(at + L.attributes) & BatchAttributes.control) !== 0;
    if (view.getInt8(at + L.magic) === 2 && !control) records += view.getInt32(at + L.recordsCount);
    at += size;
  }
  return records;
}

interface TopicEntry {
  name: string;
  topicId?: string;
}

/**
 * Traffic per partition.
 *
 * @example
 * ```ts
 * import { Broker } from "../broker.ts";
 * await using broker = await Broker.start({ topics: { t: {} } });
 * console.log(broker.prometheusMetrics().includes("brook_partition_records_in_total")); // true
 * ```
 */
export class TopicTraffic {
  readonly #counts = new Map<string, Counts>();
  readonly #cluster: Cluster;

  constructor(cluster: Cluster) {
    this.#cluster = cluster;
  }

  #name(t: TopicEntry): string | undefined {
    return t.name || (t.topicId && this.#cluster.topicsById.get(t.topicId)?.name) || undefined;
  }

  #of(topic: string, partition: number): Counts {
    const key = `${topic}\u0000${partition}`;
    let c = this.#counts.get(key);
    if (!c) this.#counts.set(key, c = { bytesIn: 0, recordsIn: 0, bytesOut: 0, recordsOut: 0 });
    return c;
  }

  /** The interceptor: put it first, so it sees the answer clients get. */
  readonly intercept = async (
    request: InterceptedRequest,
    next: () => Promise<unknown>,
  ): Promise<unknown> => {
    const key = request.apiKey as number;
    if (key !== 0 && key !== 1) return next();
    const body = request.body;
    const answer = await next();
    try {
      if (key === 0) this.#produced(body, answer);
      else this.#fetched(answer);
    } catch {
      // An answer of another shape (an injected one): nothing to count.
    }
    return answer;
  };

  #produced(body: unknown, answer: unknown): void {
    if (!answer || typeof answer !== "object") return;
    const ok = new Set<string>();
    for (
      const t of (answer as {
        responses?: (TopicEntry & { partitionResponses: { index: number; errorCode: number }[] })[];
      }).responses ?? []
    ) {
      const name = this.#name(t);
      for (const p of t.partitionResponses) {
        if (p.errorCode === 0) ok.add(`${name}\u0000${p.index}`);
      }
    }
    const data = (body as {
      topicData:
        (TopicEntry & { partitionData: { index: number; records: Uint8Array | null }[] })[];
    }).topicData;
    for (const t of data) {
      const name = this.#name(t);
      if (name === undefined) continue;
      for (const p of t.partitionData) {
        if (!p.records || !ok.has(`${name}\u0000${p.index}`)) continue;
        const c = this.#of(name, p.index);
        c.bytesIn += p.records.length;
        c.recordsIn += countRecords(p.records);
      }
    }
  }

  #fetched(answer: unknown): void {
    if (!answer || typeof answer !== "object") return;
    const responses = (answer as {
      responses?: {
        topic: string;
        topicId?: string;
        partitions: { partitionIndex: number; records: Uint8Array | null }[];
      }[];
    }).responses ?? [];
    for (const t of responses) {
      const name = this.#name({ name: t.topic, topicId: t.topicId });
      if (name === undefined) continue;
      for (const p of t.partitions) {
        if (!p.records || p.records.length === 0) continue;
        const c = this.#of(name, p.partitionIndex);
        c.bytesOut += p.records.length;
        c.recordsOut += countRecords(p.records);
      }
    }
  }

  /** The counters in Prometheus' text format, per partition and per topic. */
  prometheus(): string {
    const lines: string[] = [];
    const rows = [...this.#counts].map(([key, c]) => {
      const [topic, partition] = key.split("\u0000");
      return { topic, partition, c };
    });
    const topics = new Map<string, Counts>();
    for (const { topic, c } of rows) {
      const t = topics.get(topic) ?? { bytesIn: 0, recordsIn: 0, bytesOut: 0, recordsOut: 0 };
      t.bytesIn += c.bytesIn;
      t.recordsIn += c.recordsIn;
      t.bytesOut += c.bytesOut;
      t.recordsOut += c.recordsOut;
      topics.set(topic, t);
    }
    const families: [string, string, keyof Counts][] = [
      ["bytes_in_total", "Record batch bytes stored by Produce", "bytesIn"],
      ["records_in_total", "Records stored by Produce", "recordsIn"],
      ["bytes_out_total", "Record batch bytes answered to Fetch", "bytesOut"],
      ["records_out_total", "Records answered to Fetch (a batch counts whole)", "recordsOut"],
    ];
    for (const [suffix, help, field] of families) {
      lines.push(`# HELP brook_partition_${suffix} ${help}, by partition.`);
      lines.push(`# TYPE brook_partition_${suffix} counter`);
      for (const { topic, partition, c } of rows) {
        lines.push(
          `brook_partition_${suffix}{topic="${labelValue(topic)}",partition="${partition}"} ${
            c[field]
          }`,
        );
      }
      lines.push(`# HELP brook_topic_${suffix} ${help}, by topic.`);
      lines.push(`# TYPE brook_topic_${suffix} counter`);
      for (const [topic, t] of topics) {
        lines.push(`brook_topic_${suffix}{topic="${labelValue(topic)}"} ${t[field]}`);
      }
    }
    return lines.join("\n") + "\n";
  }
}
