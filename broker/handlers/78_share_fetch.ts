/**
 * ShareFetch (key 78): a share-group member's fetch (KIP-932). It opens, continues or closes the
 * member's share session on this node, applies the acknowledgements it carries, then acquires
 * records for the member from each share partition and answers them with the ranges it now holds.
 * Checks, errors and which partitions an answer holds follow Kafka 4.1. v2 (Kafka 4.4) adds the
 * record-limit acquire mode (KIP-1206) and renewing fetches (KIP-1222), which only acknowledge.
 *
 * @module
 */

import {
  AclOperation,
  AclResourceType,
  ApiKey,
  ErrorCode,
  type ShareFetchResponsePartitionDataInit,
} from "../../codec/mod.ts";
import { endpointOf } from "../metadata/cluster.ts";
import { groupConfigValue } from "../configs/group_configs.ts";
import { defineHandler, type RequestContext } from "../server/handler.ts";
import { concatBatches, type StoredBatch } from "../log/partition_log.ts";
import { can } from "../security/access.ts";
import {
  acknowledge,
  type AcknowledgeResult,
  shareRequestRefusal,
} from "../share/acknowledgements.ts";
import {
  partitionKey,
  type SessionPartition,
  type ShareSession,
  ShareStartError,
} from "../share/share_store.ts";
import type { AcquiredRange, SharePartition } from "../share/share_partition.ts";

type PartitionAnswer = ShareFetchResponsePartitionDataInit & { partitionIndex: number };

/** A partition to fetch, resolved: its share partition, or the error it is answered with. */
interface Target {
  topicId: string;
  partition: number;
  share?: SharePartition;
  /** The share partition started with this request (Kafka is still loading its state). */
  loading?: boolean;
  answer?: PartitionAnswer;
}

export default defineHandler({
  apiKey: ApiKey.ShareFetch,
  minVersion: 1,
  maxVersion: 2,
  async handle(request, ctx) {
    const { node } = ctx;
    const shares = ctx.shares;
    const top = (errorCode: number) => ({
      errorCode,
      acquisitionLockTimeoutMs: 0,
      responses: [],
      nodeEndpoints: [],
    });
    const refused = shareRequestRefusal(ctx, request.groupId, request.memberId);
    if (refused !== null) return top(refused);
    const renewing = ctx.apiVersion >= 2 && request.isRenewAck;
    // As Kafka 4.4: a renewing fetch fetches nothing, so any limit of a fetch set is refused.
    if (
      renewing &&
      (request.maxBytes !== 0 || request.minBytes !== 0 || request.maxRecords !== 0 ||
        request.maxWaitMs !== 0)
    ) {
      return top(ErrorCode.INVALID_REQUEST);
    }
    const groupId = request.groupId!;
    const memberId = request.memberId;
    const requested = request.topics.flatMap((t) =>
      t.partitions.map((p) => ({
        topicId: t.topicId,
        partition: p.partitionIndex,
        batches: p.acknowledgementBatches,
      }))
    );
    const hasAcks = requested.some((p) => p.batches.length > 0);
    const epoch = request.shareSessionEpoch;
    let session: ShareSession | undefined;
    if (epoch === 0) {
      if (hasAcks) return top(ErrorCode.INVALID_REQUEST);
      session = shares.openSession(node.nodeId, groupId, memberId!, ctx.connection.id);
      if (!session) {
        // Kafka answers this once max wait has passed.
        const deadline = Date.now() + Math.max(0, request.maxWaitMs);
        while (Date.now() < deadline && !ctx.signal.aborted) {
          await ctx.topics.appended.wait(deadline, ctx.signal);
        }
        return top(ErrorCode.SHARE_SESSION_LIMIT_REACHED);
      }
    } else {
      session = shares.session(node.nodeId, groupId, memberId!);
      if (!session) return top(ErrorCode.SHARE_SESSION_NOT_FOUND);
      if (epoch !== -1 && session.epoch !== epoch) {
        return top(ErrorCode.INVALID_SHARE_SESSION_EPOCH);
      }
    }
    if (epoch !== -1) {
      for (const p of requested) {
        const key = partitionKey(p.topicId, p.partition);
        if (!session.partitions.has(key)) {
          // A full answer (epoch 0) shows every partition; later ones show new partitions once.
          session.partitions.set(key, {
            topicId: p.topicId,
            partition: p.partition,
            requiresUpdate: epoch > 0,
          });
        }
      }
      for (const f of request.forgottenTopicsData) {
        for (const p of f.partitions) session.partitions.delete(partitionKey(f.topicId, p));
      }
      if (epoch > 0) session.epoch = epoch === 2147483647 ? 1 : epoch + 1;
    }
    const acks = hasAcks
      ? acknowledge(ctx, groupId, memberId!, requested, {
        isRenewAck: renewing,
        version: ctx.apiVersion,
      })
      : [];
    const mode = ctx.apiVersion >= 2 ? request.shareAcquireMode : 0;
    // Kafka applies the acknowledgements, then fails on a mode it does not know.
    if (mode !== 0 && mode !== 1) {
      if (epoch === -1) shares.closeSession(session);
      return top(ErrorCode.UNKNOWN_SERVER_ERROR);
    }
    let answers: { topicId: string; partition: PartitionAnswer }[] = [];
    const endpoints = new Map<
      number,
      { nodeId: number; host: string; port: number; rack: string | null }
    >();
    if (epoch !== -1 && !renewing) {
      const inPlay = epoch === 0
        ? requested.map((p) => session!.partitions.get(partitionKey(p.topicId, p.partition))!)
        : [...session.partitions.values()];
      const targets = resolve(ctx, groupId, [...new Set(inPlay)], endpoints);
      await waitForBytes(ctx, request.minBytes, request.maxWaitMs, targets, groupId);
      acquire(ctx, groupId, memberId!, { ...request, recordLimit: mode === 1 }, targets);
      const incremental = epoch > 0;
      for (const t of targets) {
        // Kafka answers a partition whose share state it is still loading only once it has records.
        if (!t.answer || (t.loading && !t.answer.acquiredRecords?.length)) continue;
        const sp = session.partitions.get(partitionKey(t.topicId, t.partition));
        const keep = !incremental || (t.answer.records?.length ?? 0) > 0 ||
          t.answer.errorCode !== ErrorCode.NONE || (sp?.requiresUpdate ?? false);
        if (sp) sp.requiresUpdate = t.answer.errorCode !== ErrorCode.NONE;
        if (keep) answers.push({ topicId: t.topicId, partition: t.answer });
      }
    }
    // Kafka 4.1.1 sends no acknowledgement messages; 4.4 does.
    answers = mergeAcknowledgements(answers, acks, ctx.apiVersion >= 2);
    if (epoch === -1) shares.closeSession(session);
    const responses: { topicId: string; partitions: PartitionAnswer[] }[] = [];
    for (const a of answers) {
      let topic = responses.find((r) => r.topicId === a.topicId);
      if (!topic) responses.push(topic = { topicId: a.topicId, partitions: [] });
      topic.partitions.push(a.partition);
    }
    return {
      errorCode: ErrorCode.NONE,
      acquisitionLockTimeoutMs: shares.lockDurationMs(groupId),
      responses,
      nodeEndpoints: [...endpoints.values()],
    };
  },
});

/** Each partition's share partition, or the error Kafka answers it with. */
function resolve(
  ctx: RequestContext,
  groupId: string,
  partitions: SessionPartition[],
  endpoints: Map<number, { nodeId: number; host: string; port: number; rack: string | null }>,
): Target[] {
  return partitions.map(({ topicId, partition }) => {
    const failed = (errorCode: number): Target => ({
      topicId,
      partition,
      answer: { partitionIndex: partition, errorCode, records: new Uint8Array(0) },
    });
    const topic = ctx.topics.byId.get(topicId);
    if (!topic) return failed(ErrorCode.UNKNOWN_TOPIC_ID);
    if (!can(ctx, AclOperation.READ, AclResourceType.TOPIC, topic.name)) {
      return failed(ErrorCode.TOPIC_AUTHORIZATION_FAILED);
    }
    const p = topic.partitions[partition];
    if (!p) return failed(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    if (p.leader !== ctx.node.nodeId) {
      const target = failed(ErrorCode.NOT_LEADER_OR_FOLLOWER);
      target.answer!.currentLeader = { leaderId: p.leader, leaderEpoch: p.leaderEpoch };
      const leader = ctx.metadata.node(p.leader);
      if (leader) {
        endpoints.set(leader.nodeId, {
          nodeId: leader.nodeId,
          ...endpointOf(leader, ctx.connection.listenerName),
          rack: leader.rack ?? null,
        });
      }
      return target;
    }
    try {
      const loading = !ctx.shares.existing(groupId, topicId, partition);
      return { topicId, partition, share: ctx.shares.partition(groupId, topicId, p), loading };
    } catch (e) {
      if (e instanceof ShareStartError) return failed(e.errorCode);
      throw e;
    }
  });
}

/** Whether the group reads committed records only (share.isolation.level). */
function readCommitted(ctx: RequestContext, groupId: string): boolean {
  const level = groupConfigValue(
    ctx.groups.groupConfigs.get(groupId),
    "share.isolation.level",
    ctx.configs,
  );
  return level === "read_committed";
}

/** The offset a group's share fetches read below: the high watermark, or the last stable offset. */
function upperBound(ctx: RequestContext, groupId: string, topicId: string, partition: number) {
  const p = ctx.topics.byId.get(topicId)!.partitions[partition];
  return readCommitted(ctx, groupId)
    ? p.txns.lastStableOffset(p.log.highWatermark)
    : p.log.highWatermark;
}

/**
 * A read_committed acquisition without the records of aborted transactions: Kafka archives them at
 * once and leaves them out of the acquired ranges, and the answer's batches span what is left.
 */
function withoutAborted(
  sp: SharePartition,
  acquired: AcquiredRange[],
  fetched: readonly StoredBatch[],
  aborted: readonly StoredBatch[],
): { acquired: AcquiredRange[]; batches: StoredBatch[] } {
  let ranges = acquired;
  for (const b of aborted) {
    sp.archiveAcquired(b.baseOffset, b.lastOffset);
    ranges = ranges.flatMap((r) => {
      if (r.lastOffset < b.baseOffset || r.firstOffset > b.lastOffset) return [r];
      const left = r.firstOffset < b.baseOffset ? [{ ...r, lastOffset: b.baseOffset - 1n }] : [];
      const right = r.lastOffset > b.lastOffset ? [{ ...r, firstOffset: b.lastOffset + 1n }] : [];
      return [...left, ...right];
    });
  }
  if (ranges.length === 0) return { acquired: [], batches: [] };
  const lo = ranges[0].firstOffset;
  const hi = ranges[ranges.length - 1].lastOffset;
  return {
    acquired: ranges,
    batches: fetched.filter((b) => b.lastOffset >= lo && b.baseOffset <= hi),
  };
}

/** Waits, as a delayed share fetch does, until min bytes can be acquired or max wait passes. */
async function waitForBytes(
  ctx: RequestContext,
  minBytes: number,
  maxWaitMs: number,
  targets: Target[],
  groupId: string,
): Promise<void> {
  if (minBytes <= 0) return;

  const limits = ctx.shares.limits(groupId);
  const deadline = Date.now() + Math.max(0, maxWaitMs);
  for (;;) {
    let bytes = 0;
    for (const t of targets) {
      if (!t.share || !t.share.canAcquire(limits)) continue;
      const p = ctx.topics.byId.get(t.topicId)!.partitions[t.partition];
      const bound = upperBound(ctx, groupId, t.topicId, t.partition);
      bytes += p.log.bytesAvailable(t.share.nextFetchOffset(), bound, minBytes - bytes);
    }
    if (bytes >= minBytes || Date.now() >= deadline || ctx.signal.aborted) return;
    await ctx.topics.appended.wait(deadline, ctx.signal);
  }
}

/** Reads and acquires records for the member, sharing max bytes and max records as Kafka does. */
function acquire(
  ctx: RequestContext,
  groupId: string,
  memberId: string,
  request: { maxBytes: number; maxRecords: number; batchSize: number; recordLimit: boolean },
  targets: Target[],
): void {
  const limits = ctx.shares.limits(groupId);
  const acquirable = targets.filter((t) => t.share?.canAcquire(limits));
  const configured = ctx.configs.staticNumber("fetch.max.bytes");
  const maxBytes = Math.min(request.maxBytes, configured);
  const perPartition = Math.floor(maxBytes / Math.max(1, acquirable.length));
  let remaining = request.maxRecords;
  let first = true;
  for (const t of acquirable) {
    const p = ctx.topics.byId.get(t.topicId)!.partitions[t.partition];
    const sp = t.share!;
    if (sp.nextFetchOffset() < p.log.logStartOffset) sp.skipTo(p.log.logStartOffset);
    const fetchOffset = sp.nextFetchOffset();
    const fetched = remaining <= 0 ? [] : p.log.read(fetchOffset, {
      maxBytes: perPartition,
      minOneBatch: first,
      upperBound: upperBound(ctx, groupId, t.topicId, t.partition),
    });
    let { acquired, batches } = sp.acquire(memberId, fetched, {
      maxRecords: remaining,
      batchSize: request.batchSize,
      limits,
      recordLimit: request.recordLimit,
      coalesce: ctx.apiVersion >= 2,
    });
    if (acquired.length > 0 && readCommitted(ctx, groupId)) {
      ({ acquired, batches } = withoutAborted(
        sp,
        acquired,
        fetched,
        p.txns.abortedBatches(fetched, fetchOffset),
      ));
    }
    if (batches.length > 0) first = false;
    for (const r of acquired) remaining -= Number(r.lastOffset - r.firstOffset + 1n);
    t.answer = {
      partitionIndex: t.partition,
      errorCode: ErrorCode.NONE,
      records: concatBatches(batches),
      acquiredRecords: acquired,
    };
  }
}

/** Puts acknowledgement results on the partitions answered, adding those that were not. */
function mergeAcknowledgements(
  answers: { topicId: string; partition: PartitionAnswer }[],
  acks: AcknowledgeResult[],
  withMessages: boolean,
): { topicId: string; partition: PartitionAnswer }[] {
  for (const ack of acks) {
    const found = answers.find((a) =>
      a.topicId === ack.topicId && a.partition.partitionIndex === ack.partition
    );
    if (found) {
      found.partition.acknowledgeErrorCode = ack.errorCode;
      if (withMessages) found.partition.acknowledgeErrorMessage = ack.errorMessage;
      continue;
    }
    answers.push({
      topicId: ack.topicId,
      partition: {
        partitionIndex: ack.partition,
        errorCode: ErrorCode.NONE,
        acknowledgeErrorCode: ack.errorCode,
        acknowledgeErrorMessage: withMessages ? ack.errorMessage : null,
        records: new Uint8Array(0),
      },
    });
  }
  return answers;
}
