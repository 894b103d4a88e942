/**
 * Fetch (key 1): serves whole stored batches from each partition's fetch offset, up to the partition
 * and response byte limits, and long-polls until min bytes are there or max wait passes.
 *
 * @module
 */

import {
  AclOperation,
  AclResourceType,
  ApiKey,
  ErrorCode,
  type FetchResponsePartitionDataInit,
} from "../../codec/mod.ts";
import type { NodeInfo, Partition } from "../metadata/cluster.ts";
import { FetchSessionCache, sessionKey } from "../log/fetch_sessions.ts";
import { defineHandler, type RequestContext } from "../server/handler.ts";
import { concatBatches } from "../log/partition_log.ts";
import { can, canOnCluster, secured } from "../security/access.ts";

/** A topic's part of the answer. */
interface FetchTopicAnswer {
  topic: string;
  topicId: string;
  partitions: FetchResponsePartitionDataInit[];
}

/** One requested partition, resolved. */
interface Wanted {
  topicName: string;
  topicId: string;
  partitionIndex: number;
  partition: Partition | undefined;
  fetchOffset: bigint;
  maxBytes: number;
  /** Not authorized: no READ on the topic, or a follower without CLUSTER_ACTION. */
  refused: boolean;
}

/** Each node's fetch sessions. */
const caches = new WeakMap<NodeInfo, FetchSessionCache>();

export default defineHandler({
  apiKey: ApiKey.Fetch,
  minVersion: 4,
  maxVersion: 18,
  async handle(request, ctx) {
    const { apiVersion } = ctx;
    const byId = apiVersion >= 13;
    let cache = caches.get(ctx.node);
    if (!cache) caches.set(ctx.node, cache = new FetchSessionCache());
    const lookup = apiVersion >= 7
      ? cache.lookUp(request.sessionId, request.sessionEpoch)
      : { kind: "sessionless" as const };
    if (lookup.kind === "error") {
      return { errorCode: lookup.errorCode, sessionId: 0, responses: [] };
    }
    const wanted: Wanted[] = [];
    // Consumers need READ on each topic; a follower (a replica id) needs CLUSTER_ACTION.
    const checked = secured(ctx);
    const follower = (apiVersion >= 15 ? request.replicaState.replicaId : request.replicaId) >= 0;
    const followerRefused = checked && follower && !canOnCluster(ctx, AclOperation.CLUSTER_ACTION);
    const readable = new Map<string, boolean>();
    const refused = (topicName: string): boolean => {
      if (!checked) return false;
      if (follower) return followerRefused;
      let ok = readable.get(topicName);
      if (ok === undefined) {
        ok = can(ctx, AclOperation.READ, AclResourceType.TOPIC, topicName);
        readable.set(topicName, ok);
      }
      return !ok;
    };
    const resolve = (
      topicName: string,
      topicId: string,
      partition: number,
      fetchOffset: bigint,
      maxBytes: number,
    ): Wanted => {
      const topic = byId ? ctx.topics.byId.get(topicId) : ctx.topics.byName.get(topicName);
      return {
        topicName: topic?.name ?? topicName,
        topicId: topic?.id ?? topicId,
        partitionIndex: partition,
        partition: topic?.partitions[partition],
        fetchOffset,
        maxBytes,
        refused: byId ? topic !== undefined && refused(topic.name) : refused(topicName),
      };
    };
    const session = lookup.kind === "sessionless" ? undefined : lookup.session;
    if (!session) {
      for (const t of request.topics) {
        for (const p of t.partitions) {
          wanted.push(resolve(t.topic, t.topicId, p.partition, p.fetchOffset, p.partitionMaxBytes));
        }
      }
    } else {
      for (const t of request.topics) {
        for (const p of t.partitions) {
          const key = sessionKey(byId ? t.topicId : t.topic, p.partition);
          const known = session.partitions.get(key);
          if (known) {
            known.fetchOffset = p.fetchOffset;
            known.maxBytes = p.partitionMaxBytes;
          } else {
            session.partitions.set(key, {
              topicName: t.topic,
              topicId: t.topicId,
              partition: p.partition,
              fetchOffset: p.fetchOffset,
              maxBytes: p.partitionMaxBytes,
              lastHighWatermark: -1n,
              lastLogStartOffset: -1n,
            });
          }
        }
      }
      for (const f of request.forgottenTopicsData) {
        for (const p of f.partitions) {
          session.partitions.delete(sessionKey(byId ? f.topicId : f.topic, p));
        }
      }
      for (const sp of session.partitions.values()) {
        wanted.push(resolve(sp.topicName, sp.topicId, sp.partition, sp.fetchOffset, sp.maxBytes));
      }
    }
    const readCommitted = request.isolationLevel === 1;
    const deadline = Date.now() + Math.max(0, request.maxWaitMs);
    for (;;) {
      const available = availableBytes(wanted, readCommitted, request.minBytes);
      if (available >= request.minBytes || Date.now() >= deadline || ctx.signal.aborted) break;
      if (hasErrors(wanted, ctx)) break;
      await ctx.topics.appended.wait(deadline, ctx.signal);
    }
    const response = buildResponse(wanted, request.maxBytes, readCommitted, ctx);
    if (session) {
      response.sessionId = session.id;
      const incremental = lookup.kind === "existing";
      for (const t of response.responses) {
        t.partitions = t.partitions.filter((p) => {
          const sp = session.partitions.get(
            sessionKey(byId ? t.topicId : t.topic, p.partitionIndex!),
          );
          if (!sp) return true;
          const changed = (p.records?.length ?? 0) > 0 || p.errorCode !== ErrorCode.NONE ||
            p.highWatermark !== sp.lastHighWatermark || p.logStartOffset !== sp.lastLogStartOffset;
          sp.lastHighWatermark = p.highWatermark!;
          sp.lastLogStartOffset = p.logStartOffset!;
          return !incremental || changed;
        });
      }
      response.responses = response.responses.filter((t) =>
        t.partitions.length > 0 || !incremental
      );
    }
    return response;
  },
});

/** What a fetch may read up to: the last stable offset under read_committed, else the high watermark. */
function upperBound(p: Partition, readCommitted: boolean): bigint {
  return readCommitted ? lastStableOffset(p) : p.log.highWatermark;
}

function lastStableOffset(p: Partition): bigint {
  return p.txns.lastStableOffset(p.log.highWatermark);
}

function availableBytes(wanted: Wanted[], readCommitted: boolean, limit: number): number {
  let total = 0;
  for (const w of wanted) {
    const p = w.partition;
    if (!p || w.fetchOffset < p.log.logStartOffset) continue;
    total += p.log.bytesAvailable(w.fetchOffset, upperBound(p, readCommitted), limit - total);
    if (total >= limit) break;
  }
  return total;
}

function partitionError(w: Wanted, ctx: RequestContext): number {
  if (w.refused) return ErrorCode.TOPIC_AUTHORIZATION_FAILED;
  const p = w.partition;
  if (!p) {
    return ctx.apiVersion >= 13 ? ErrorCode.UNKNOWN_TOPIC_ID : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
  }
  if (p.leader !== ctx.node.nodeId) return ErrorCode.NOT_LEADER_OR_FOLLOWER;
  if (w.fetchOffset < p.log.logStartOffset || w.fetchOffset > p.log.logEndOffset) {
    return ErrorCode.OFFSET_OUT_OF_RANGE;
  }
  return ErrorCode.NONE;
}

function hasErrors(wanted: Wanted[], ctx: RequestContext): boolean {
  return wanted.some((w) => partitionError(w, ctx) !== ErrorCode.NONE);
}

function buildResponse(
  wanted: Wanted[],
  maxBytes: number,
  readCommitted: boolean,
  ctx: RequestContext,
): { errorCode: number; sessionId: number; responses: FetchTopicAnswer[] } {
  let budget = maxBytes;
  const responses: FetchTopicAnswer[] = [];
  let entry: FetchTopicAnswer | undefined;
  // As Kafka: the partitions it turns away before reading (refused, unknown) are answered last,
  // and a topic's entry holds a run of its partitions, so that a topic may be answered twice.
  const turnedAway = (w: Wanted) => w.refused || !w.partition;
  for (const w of [...wanted.filter((w) => !turnedAway(w)), ...wanted.filter(turnedAway)]) {
    if (entry === undefined || entry.topic !== w.topicName || entry.topicId !== w.topicId) {
      entry = { topic: w.topicName, topicId: w.topicId, partitions: [] };
      responses.push(entry);
    }
    const errorCode = partitionError(w, ctx);
    const p = w.partition;
    if (errorCode !== ErrorCode.NONE || !p) {
      // As Kafka 4.1.1 answers a partition in error: unknown offsets and empty records. Those it
      // turns away before reading (refused, unknown) keep the field's default, an empty list.
      entry.partitions.push({
        partitionIndex: w.partitionIndex,
        errorCode,
        highWatermark: -1n,
        lastStableOffset: -1n,
        logStartOffset: -1n,
        abortedTransactions: turnedAway(w) ? [] : null,
        records: new Uint8Array(0),
      });
      continue;
    }
    // KIP-74: the first partition with data gets at least one whole batch, even over the limits.
    const batches = p.log.read(w.fetchOffset, {
      maxBytes: Math.min(w.maxBytes, budget),
      minOneBatch: budget === maxBytes,
      upperBound: upperBound(p, readCommitted),
    });
    const records = concatBatches(batches);
    budget = Math.max(0, budget - records.length);
    // read_committed consumers learn of the aborted transactions among the batches they get.
    const aborted = readCommitted && batches.length > 0
      ? p.txns.abortedBetween(w.fetchOffset, batches[batches.length - 1].lastOffset + 1n)
        .map((t) => ({ producerId: t.producerId, firstOffset: t.firstOffset }))
      : [];
    entry.partitions.push({
      partitionIndex: w.partitionIndex,
      errorCode,
      highWatermark: p.log.highWatermark,
      lastStableOffset: lastStableOffset(p),
      logStartOffset: p.log.logStartOffset,
      abortedTransactions: readCommitted ? aborted : null,
      records,
    });
  }
  return {
    errorCode: ErrorCode.NONE,
    sessionId: 0,
    responses,
  };
}
