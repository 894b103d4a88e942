/**
 * Produce (key 0): validates each partition's batch, assigns offsets and appends it to the leader's
 * log. acks=0 gets no answer. Every replica in the ISR of an in-memory partition has the batch once
 * it is appended, so acks=1 and acks=-1 differ only in that acks=-1 needs min.insync.replicas.
 *
 * @module
 */

import {
  AclOperation,
  AclResourceType,
  ApiKey,
  BatchAttributes,
  BatchLayout,
  ErrorCode,
  type ProduceRequestPartitionProduceData as PartitionData,
  type ProduceResponsePartitionProduceResponseInit as PartitionAnswer,
  type ProduceResponseTopicProduceResponseInit,
} from "../../codec/mod.ts";
import type { Topic } from "../metadata/cluster.ts";
import { defineHandler, type RequestContext } from "../server/handler.ts";
import {
  validateAppendedBatch,
  validateProducedRecords,
  validateRecords,
} from "../log/record_validation.ts";
import { can, secured } from "../security/access.ts";

/**
 * The first transactional batch of a producer on a partition is checked with the transaction
 * coordinator (KIP-890): Produce v12+ adds the partition to the transaction (transaction version 2);
 * older versions only verify that it was added, failing with TRANSACTION_ABORTABLE (v11) or
 * INVALID_TXN_STATE (v10 and older) when it was not.
 */
function verifyTransaction(
  ctx: RequestContext,
  transactionalId: string,
  producerId: bigint,
  epoch: number,
  partition: { topic: string; partition: number },
): number {
  const result = ctx.transactions.addPartitions(
    transactionalId,
    producerId,
    epoch,
    [partition],
    { verifyOnly: ctx.apiVersion < 12, transactionV2: ctx.apiVersion >= 12 },
  );
  const code = typeof result === "number" ? result : [...result.values()][0];
  if (code === ErrorCode.PRODUCER_FENCED) return ErrorCode.INVALID_PRODUCER_EPOCH;
  if (code === ErrorCode.TRANSACTION_ABORTABLE && ctx.apiVersion < 11) {
    return ErrorCode.INVALID_TXN_STATE;
  }
  return code;
}

function hasTransactionalRecords(
  topics: { partitionData: { records: Uint8Array | null }[] }[],
): boolean {
  for (const t of topics) {
    for (const p of t.partitionData) {
      const r = p.records;
      // The attributes are a big-endian int16: its second byte holds the transactional bit.
      const low = BatchLayout.attributes + 1;
      if (r !== null && r.length > low && (r[low] & BatchAttributes.transactional) !== 0) {
        return true;
      }
    }
  }
  return false;
}

export default defineHandler({
  apiKey: ApiKey.Produce,
  minVersion: 3,
  maxVersion: 13,
  advertisedMinVersion: 0,
  handle(request, ctx) {
    const { apiVersion, node } = ctx;
    const acks = request.acks;
    const invalidAcks = acks !== 0 && acks !== 1 && acks !== -1;
    const checked = secured(ctx);
    // As Kafka: transactional records without WRITE on their transactional id (or without one) get
    // that error on every partition.
    const txnRefused = checked && hasTransactionalRecords(request.topicData) &&
      (request.transactionalId === null ||
        !can(ctx, AclOperation.WRITE, AclResourceType.TRANSACTIONAL_ID, request.transactionalId));
    let appended = false;
    // Kafka keys a request's batches by partition: a partition named twice keeps its last valid
    // batch and gets one answer, in which a refusal or an invalid batch outweighs the append.
    const entries = new Map<string, ProduceResponseTopicProduceResponseInit>();
    const toAppend = new Map<string, { topic: Topic; topicEntry: string; p: PartitionData }>();
    const refusals = new Map<string, PartitionAnswer>();
    const answers = new Map<string, { topicEntry: string; index: number }>();
    for (const topicData of request.topicData) {
      const topicEntry = apiVersion >= 13 ? topicData.topicId : topicData.name;
      if (!entries.has(topicEntry)) {
        entries.set(topicEntry, {
          name: topicData.name,
          topicId: topicData.topicId,
          partitionResponses: [],
        });
      }
      const topic = apiVersion >= 13
        ? ctx.topics.byId.get(topicData.topicId)
        : ctx.topics.byName.get(topicData.name);
      const unknown = apiVersion >= 13
        ? ErrorCode.UNKNOWN_TOPIC_ID
        : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
      const refused = txnRefused
        ? ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED
        : checked && !(apiVersion >= 13 && !topic) &&
            !can(ctx, AclOperation.WRITE, AclResourceType.TOPIC, topic?.name ?? topicData.name)
        ? ErrorCode.TOPIC_AUTHORIZATION_FAILED
        : ErrorCode.NONE;
      for (const p of topicData.partitionData) {
        const key = `${topicEntry}\u0000${p.index}`;
        if (!answers.has(key)) answers.set(key, { topicEntry, index: p.index });
        const base = { index: p.index, baseOffset: -1n, logAppendTimeMs: -1n, logStartOffset: -1n };
        if (refused !== ErrorCode.NONE) {
          refusals.set(key, { ...base, errorCode: refused });
          continue;
        }
        if (!topic || !topic.partitions[p.index]) {
          refusals.set(key, { ...base, errorCode: unknown });
          continue;
        }
        // Kafka checks the framing while reading the request, before the acks and the leader.
        const framing = validateProducedRecords(p.records, apiVersion);
        if (!framing.ok) {
          refusals.set(key, { ...base, errorCode: framing.errorCode });
          continue;
        }
        toAppend.set(key, { topic, topicEntry, p });
      }
    }
    const results = new Map<string, PartitionAnswer>();
    for (const [key, { topic, p }] of toAppend) {
      results.set(key, appendBatch(topic, p));
    }
    for (const [key, { topicEntry }] of answers) {
      const answer = refusals.get(key) ?? results.get(key)!;
      entries.get(topicEntry)!.partitionResponses!.push(answer);
    }
    if (appended) ctx.topics.appended.notify();
    if (acks === 0) return null;
    return { responses: [...entries.values()] };

    function appendBatch(topic: Topic, p: PartitionData): PartitionAnswer {
      const base = { index: p.index, baseOffset: -1n, logAppendTimeMs: -1n, logStartOffset: -1n };
      const partition = topic.partitions[p.index]!;
      if (invalidAcks) return { ...base, errorCode: ErrorCode.INVALID_REQUIRED_ACKS };
      if (partition.leader !== node.nodeId) {
        return { ...base, errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER };
      }
      // acks=-1 is refused before the append while fewer replicas are in sync than
      // min.insync.replicas asks for (capped at the replication factor, as Kafka does).
      if (acks === -1) {
        const minIsr = Number(ctx.topics.topicConfig(topic, "min.insync.replicas", node.nodeId));
        if (partition.isr.length < Math.min(minIsr, partition.replicas.length)) {
          return { ...base, errorCode: ErrorCode.NOT_ENOUGH_REPLICAS };
        }
      }
      const check = validateAppendedBatch(
        p.records!,
        Number(ctx.topics.topicConfig(topic, "max.message.bytes", node.nodeId)),
      );
      if (!check.ok) {
        // No message; an invalid batch (not a corrupt or too large one) gets the log start offset.
        const invalid = check.errorCode === ErrorCode.INVALID_RECORD;
        return {
          ...base,
          errorCode: check.errorCode,
          logStartOffset: invalid ? partition.log.logStartOffset : -1n,
        };
      }
      const config = (name: string) => ctx.topics.topicConfig(topic, name, node.nodeId);
      const verdict = validateRecords(p.records!, `${topic.name}-${p.index}`, {
        compacted: config("cleanup.policy").includes("compact"),
        createTime: config("message.timestamp.type") === "CreateTime",
        beforeMaxMs: BigInt(config("message.timestamp.before.max.ms")),
        afterMaxMs: BigInt(config("message.timestamp.after.max.ms")),
        now: BigInt(Date.now()),
      });
      if (!verdict.ok) {
        return {
          ...base,
          errorCode: verdict.errorCode,
          errorMessage: verdict.message,
          recordErrors: verdict.recordErrors,
          logStartOffset: partition.log.logStartOffset,
        };
      }
      const records = p.records!;
      const view = new DataView(records.buffer, records.byteOffset, records.byteLength);
      const producerId = view.getBigInt64(BatchLayout.producerId);
      const epoch = view.getInt16(BatchLayout.producerEpoch);
      const sequence = view.getInt32(BatchLayout.baseSequence);
      const count = view.getInt32(BatchLayout.recordsCount);
      const transactional =
        (view.getInt16(BatchLayout.attributes) & BatchAttributes.transactional) !== 0;
      if (
        transactional && request.transactionalId !== null && !partition.txns.open.has(producerId)
      ) {
        const code = verifyTransaction(ctx, request.transactionalId, producerId, epoch, {
          topic: topic.name,
          partition: p.index,
        });
        if (code !== ErrorCode.NONE) return { ...base, errorCode: code };
      }
      const sequences = { epoch, firstSequence: sequence, count };
      const seq = partition.producers.check(producerId, sequences);
      if (seq.kind === "error") {
        // Kafka sends no message with sequence errors, and the log start offset.
        return {
          ...base,
          errorCode: seq.errorCode,
          logStartOffset: partition.log.logStartOffset,
        };
      }
      if (seq.kind === "duplicate") {
        // A retried batch that is already in the log: answer as the first time.
        return {
          ...base,
          errorCode: ErrorCode.NONE,
          baseOffset: seq.baseOffset,
          logStartOffset: partition.log.logStartOffset,
        };
      }
      // The request's bytes are a view into the connection's buffer: the log keeps its own copy.
      const appendTime =
        ctx.topics.topicConfig(topic, "message.timestamp.type", node.nodeId) === "LogAppendTime"
          ? BigInt(Date.now())
          : undefined;
      // Brook's memory budget (maxMemoryBytes): a full store is answered as Kafka answers a full
      // log directory, KAFKA_STORAGE_ERROR, which Kafka's clients retry until room is made.
      if (!ctx.topics.reserveStorage(records.length)) {
        return { ...base, errorCode: ErrorCode.KAFKA_STORAGE_ERROR };
      }
      const stored = partition.log.append(records.slice(), partition.leaderEpoch, appendTime);
      partition.producers.appended(producerId, {
        ...sequences,
        baseOffset: stored.baseOffset,
        maxTimestamp: stored.maxTimestamp,
      });
      if (transactional) partition.txns.dataAppended(producerId, stored.baseOffset);
      appended = true;
      return {
        ...base,
        errorCode: ErrorCode.NONE,
        baseOffset: stored.baseOffset,
        logAppendTimeMs: appendTime ?? -1n,
        logStartOffset: partition.log.logStartOffset,
      };
    }
  },
});
