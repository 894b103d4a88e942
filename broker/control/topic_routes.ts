/**
 * Control API routes for topics: list, describe, create, delete, and read a partition's records.
 *
 * @module
 */

import { clusterOf } from "../broker_internals.ts";
import { decodeRecordBatches } from "../../codec/mod.ts";
import type { Partition, Topic } from "../metadata/cluster.ts";
import { validateTopicName } from "../metadata/cluster.ts";
import { validateTopicConfig } from "../configs/configs.ts";
import { checkFields, checkQuery, HttpError, integerParam, json, readJson } from "./http.ts";
import type { ControlState, Route } from "./routes.ts";

/**
 * A partition as the control API shows it.
 *
 * @example
 * ```ts
 * import { Broker } from "../broker.ts";
 * import { clusterOf } from "../broker_internals.ts";
 * import { partitionView } from "./topic_routes.ts";
 * await using broker = await Broker.start({ topics: { t: {} } });
 * console.log(partitionView(clusterOf(broker).partition("t", 0)!).highWatermark); // 0
 * ```
 */
export function partitionView(p: Partition) {
  return {
    topic: p.topic.name,
    partition: p.index,
    leader: p.leader,
    leaderEpoch: p.leaderEpoch,
    replicas: p.replicas,
    isr: p.isr,
    logStartOffset: Number(p.log.logStartOffset),
    highWatermark: Number(p.log.highWatermark),
    sizeBytes: p.log.sizeBytes,
  };
}

function topicSummary(t: Topic) {
  return {
    name: t.name,
    id: t.id,
    partitions: t.partitions.length,
    replicationFactor: t.partitions[0]?.replicas.length ?? 0,
    internal: t.isInternal,
  };
}

function topicOf(state: ControlState, name: string): Topic {
  const topic = clusterOf(state.broker).topics.get(name);
  if (!topic) throw new HttpError(404, `Unknown topic '${name}'`);
  return topic;
}

/** Bytes as text (UTF-8, malformed bytes replaced) or base64; null stays null. */
function encode(bytes: Uint8Array | null, encoding: string): string | null {
  if (bytes === null) return null;
  if (encoding === "text") return new TextDecoder().decode(bytes);
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

/** The most records one read answers. */
const MAX_RECORDS = 10_000;

/**
 * The topic routes.
 *
 * @example
 * ```ts
 * import { TOPIC_ROUTES } from "./topic_routes.ts";
 * console.log(TOPIC_ROUTES.map((r) => `${r.method} ${r.path}`));
 * ```
 */
export const TOPIC_ROUTES: Route[] = [
  {
    method: "GET",
    path: "/topics",
    handle: ({ url, state }) => {
      checkQuery(url, ["internal"]);
      const internal = url.searchParams.get("internal");
      if (internal !== null && internal !== "true" && internal !== "false") {
        throw new HttpError(400, "Parameter 'internal' must be true or false");
      }
      const topics = [...clusterOf(state.broker).topics.values()]
        .filter((t) => internal === "true" || !t.isInternal)
        .sort((a, b) => a.name < b.name ? -1 : 1);
      return json({ topics: topics.map(topicSummary) });
    },
  },
  {
    method: "POST",
    path: "/topics",
    handle: async ({ req, state }) => {
      const body = checkFields(await readJson(req), {
        name: { type: "string", required: true },
        partitions: { type: "integer", min: 1, max: 10_000 },
        replicationFactor: { type: "integer", min: 1, max: state.broker.nodes.length },
        configs: { type: "string-map" },
      });
      const name = body.name as string;
      const check = validateTopicName(name);
      if (!check.ok) throw new HttpError(400, check.message);
      // As Kafka's CreateTopics: only the metadata log's name is refused.
      if (name === "__cluster_metadata") {
        throw new HttpError(400, `Creation of internal topic ${name} is prohibited.`);
      }
      const configs = (body.configs ?? {}) as Record<string, string>;
      for (const [key, value] of Object.entries(configs)) {
        const wrong = validateTopicConfig(key, value);
        if (wrong) throw new HttpError(400, wrong);
      }
      if (clusterOf(state.broker).topics.has(name)) {
        throw new HttpError(409, `Topic '${name}' already exists.`);
      }
      try {
        state.broker.createTopic(name, {
          partitions: body.partitions as number | undefined,
          replicationFactor: body.replicationFactor as number | undefined,
          configs,
        });
      } catch (e) {
        throw new HttpError(400, (e as Error).message);
      }
      return json(topicSummary(topicOf(state, name)), 201);
    },
  },
  {
    method: "GET",
    path: "/topics/{topic}",
    handle: ({ params, state }) => {
      const topic = topicOf(state, params.topic);
      return json({
        ...topicSummary(topic),
        configs: Object.fromEntries(topic.configs),
        partitions: topic.partitions.map(partitionView),
      });
    },
  },
  {
    method: "DELETE",
    path: "/topics/{topic}",
    handle: ({ params, state }) => {
      const topic = topicOf(state, params.topic);
      if (topic.isInternal) {
        throw new HttpError(400, `Topic '${topic.name}' is internal and cannot be deleted`);
      }
      clusterOf(state.broker).deleteTopic(topic.name);
      // Long polls on its partitions wake and answer.
      clusterOf(state.broker).appended.notify();
      return new Response(null, { status: 204 });
    },
  },
  {
    method: "GET",
    path: "/topics/{topic}/partitions/{partition}/records",
    handle: ({ url, params, state }) => {
      checkQuery(url, ["offset", "endOffset", "limit", "encoding"]);
      const topic = topicOf(state, params.topic);
      const index = integerParam("partition", params.partition)!;
      const p = topic.partitions[index];
      if (!p) throw new HttpError(404, `Unknown partition ${topic.name}-${index}`);
      const q = url.searchParams;
      const start = Number(p.log.logStartOffset);
      const end = Number(p.log.highWatermark);
      const offset = integerParam("offset", q.get("offset"), { fallback: start })!;
      if (offset > end) {
        throw new HttpError(400, `Offset ${offset} is past the high watermark ${end}`);
      }
      const endOffset = Math.min(
        end,
        integerParam("endOffset", q.get("endOffset"), { fallback: end })!,
      );
      const limit = integerParam("limit", q.get("limit"), {
        min: 1,
        max: MAX_RECORDS,
        fallback: 500,
      })!;
      const encoding = q.get("encoding") ?? "text";
      if (encoding !== "text" && encoding !== "base64") {
        throw new HttpError(400, "Parameter 'encoding' must be text or base64");
      }
      const records = [];
      let next = Math.max(offset, start);
      for (const stored of p.log.batches) {
        if (records.length >= limit || stored.baseOffset >= BigInt(endOffset)) break;
        if (stored.lastOffset < BigInt(next) || stored.isControl) continue;
        for (const batch of decodeRecordBatches(stored.bytes)) {
          for (const r of batch.records) {
            const o = Number(r.offset);
            if (o < next || o >= endOffset || records.length >= limit) continue;
            records.push({
              offset: o,
              timestamp: Number(r.timestamp),
              key: encode(r.key, encoding),
              value: encode(r.value, encoding),
              headers: r.headers.map((h) => ({ key: h.key, value: encode(h.value, encoding) })),
            });
          }
        }
      }
      if (records.length > 0) next = records[records.length - 1].offset + 1;
      else next = Math.max(next, Math.min(endOffset, nextAfterControl(p, next, endOffset)));
      return json({
        topic: topic.name,
        partition: index,
        logStartOffset: start,
        highWatermark: end,
        nextOffset: next,
        records,
      });
    },
  },
];

/** With no record found, the offset after the batches (transaction markers) skipped below end. */
function nextAfterControl(p: Partition, from: number, end: number): number {
  let next = from;
  for (const b of p.log.batches) {
    if (b.lastOffset < BigInt(from)) continue;
    if (b.baseOffset >= BigInt(end)) break;
    next = Number(b.lastOffset) + 1;
  }
  return next;
}
