/**
 * The message browser's route: a topic's records newest first, across its partitions or in one,
 * from an offset or a time, optionally only those whose key, value or a header contains a text.
 *
 * @module
 */

import { clusterOf } from "../broker_internals.ts";
import { decodeRecordBatches } from "../../codec/mod.ts";
import type { Partition } from "../metadata/cluster.ts";
import { checkQuery, HttpError, integerParam, json } from "./http.ts";
import type { Route } from "./routes.ts";

/** The most records one page answers. */
const MAX_LIMIT = 1_000;
/** The most records one request reads while searching, so a search of a large log stays bounded. */
const MAX_SCANNED = 200_000;

/** One record as the browser shows it: bytes as base64, so the page can show text, JSON or hex. */
export interface BrowsedRecord {
  partition: number;
  offset: number;
  timestamp: number;
  key: string | null;
  value: string | null;
  headers: { key: string; value: string | null }[];
}

function base64(bytes: Uint8Array | null): string | null {
  if (bytes === null) return null;
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

/** What a search looks at. */
type SearchIn = "any" | "key" | "value" | "header";

/** What one browse asks for. */
export interface BrowseQuery {
  /** Only records at or below this offset (one partition only). */
  maxOffset?: number;
  /** Only records at or before this time (ms since the epoch). */
  maxTimestamp?: number;
  /** Only records whose chosen part contains this text (case-insensitive, bytes read as UTF-8). */
  search?: string;
  searchIn?: SearchIn;
  limit: number;
}

const decoder = new TextDecoder();

function contains(bytes: Uint8Array | null, needle: string): boolean {
  return bytes !== null && decoder.decode(bytes).toLowerCase().includes(needle);
}

/**
 * A partition's records matching `q`, newest first, reading batches from the high watermark back.
 *
 * @example
 * ```ts
 * import { Broker } from "../broker.ts";
 * import { clusterOf } from "../broker_internals.ts";
 * import { browsePartition } from "./browse_routes.ts";
 * await using broker = await Broker.start({ topics: { t: {} } });
 * const found = browsePartition(clusterOf(broker).partition("t", 0)!, { limit: 10 });
 * console.log(found.records.length); // 0
 * ```
 */
export function browsePartition(
  p: Partition,
  q: BrowseQuery,
): { records: BrowsedRecord[]; scanned: number } {
  const records: BrowsedRecord[] = [];
  const end = p.log.highWatermark;
  const needle = q.search?.toLowerCase();
  const where = q.searchIn ?? "any";
  let scanned = 0;
  const batches = p.log.batches;
  for (let b = batches.length - 1; b >= 0; b--) {
    if (records.length >= q.limit || scanned >= MAX_SCANNED) break;
    const stored = batches[b];
    if (stored.isControl || stored.baseOffset >= end) continue;
    if (q.maxOffset !== undefined && stored.baseOffset > BigInt(q.maxOffset)) continue;
    const found: BrowsedRecord[] = [];
    for (const batch of decodeRecordBatches(stored.bytes)) {
      for (const r of batch.records) {
        scanned++;
        if (r.offset >= end) continue;
        if (q.maxOffset !== undefined && r.offset > BigInt(q.maxOffset)) continue;
        if (q.maxTimestamp !== undefined && r.timestamp > BigInt(q.maxTimestamp)) continue;
        if (needle !== undefined) {
          const hit = ((where === "any" || where === "key") && contains(r.key, needle)) ||
            ((where === "any" || where === "value") && contains(r.value, needle)) ||
            ((where === "any" || where === "header") &&
              r.headers.some((h) =>
                h.key.toLowerCase().includes(needle) || contains(h.value, needle)
              ));
          if (!hit) continue;
        }
        found.push({
          partition: p.index,
          offset: Number(r.offset),
          timestamp: Number(r.timestamp),
          key: base64(r.key),
          value: base64(r.value),
          headers: r.headers.map((h) => ({ key: h.key, value: base64(h.value) })),
        });
      }
    }
    for (let i = found.length - 1; i >= 0 && records.length < q.limit; i--) records.push(found[i]);
  }
  return { records, scanned };
}

/**
 * The browse route, `GET /topics/{topic}/messages`.
 *
 * @example
 * ```ts
 * import { BROWSE_ROUTES } from "./browse_routes.ts";
 * console.log(BROWSE_ROUTES[0].path); // "/topics/{topic}/messages"
 * ```
 */
export const BROWSE_ROUTES: Route[] = [
  {
    method: "GET",
    path: "/topics/{topic}/messages",
    handle: ({ url, params, state }) => {
      checkQuery(url, ["partition", "offset", "timestamp", "search", "in", "limit"]);
      const topic = clusterOf(state.broker).topics.get(params.topic);
      if (!topic) throw new HttpError(404, `Unknown topic '${params.topic}'`);
      const s = url.searchParams;
      const index = integerParam("partition", s.get("partition"));
      if (index !== undefined && !topic.partitions[index]) {
        throw new HttpError(404, `Unknown partition ${topic.name}-${index}`);
      }
      const maxOffset = integerParam("offset", s.get("offset"));
      if (maxOffset !== undefined && index === undefined) {
        throw new HttpError(400, "Parameter 'offset' needs 'partition'");
      }
      const searchIn = s.get("in") ?? "any";
      if (!["any", "key", "value", "header"].includes(searchIn)) {
        throw new HttpError(400, "Parameter 'in' must be any, key, value or header");
      }
      const q: BrowseQuery = {
        maxOffset,
        maxTimestamp: integerParam("timestamp", s.get("timestamp")),
        search: s.get("search") || undefined,
        searchIn: searchIn as SearchIn,
        limit: integerParam("limit", s.get("limit"), { min: 1, max: MAX_LIMIT, fallback: 100 })!,
      };
      const partitions = index === undefined ? topic.partitions : [topic.partitions[index]];
      let records: BrowsedRecord[] = [];
      let scanned = 0;
      for (const p of partitions) {
        const found = browsePartition(p, q);
        records.push(...found.records);
        scanned += found.scanned;
      }
      // Newest first across partitions: by time, then by offset.
      records.sort((a, b) => b.timestamp - a.timestamp || b.offset - a.offset);
      records = records.slice(0, q.limit);
      return json({ topic: topic.name, scanned, records });
    },
  },
];
