/**
 * Acknowledgements of share-group records, as ShareFetch and ShareAcknowledge carry them: Kafka's
 * checks of each partition's batches, then the share partition's all-or-nothing update.
 *
 * @module
 */

import { AclOperation, AclResourceType, ErrorCode, errorInfo } from "../../codec/mod.ts";
import type { RequestContext } from "../server/handler.ts";
import { can } from "../security/access.ts";
import type { AcknowledgementBatch } from "./share_partition.ts";

/** One partition's acknowledgements in a request. */
export interface PartitionAcknowledgements {
  topicId: string;
  partition: number;
  batches: readonly AcknowledgementBatch[];
}

/** The result for one partition: an error code, and the share partition's message if it refused. */
export interface AcknowledgeResult {
  topicId: string;
  partition: number;
  errorCode: number;
  errorMessage: string | null;
}

/**
 * Whether a partition's batches are well formed, as Kafka checks them before anything else. Renew
 * (type 4, Kafka 4.4) is allowed only in a request that says it renews.
 */
function wellFormed(batches: readonly AcknowledgementBatch[], isRenewAck: boolean): boolean {
  const maxType = isRenewAck ? 4 : 3;
  let previousLast: bigint | null = null;
  for (const b of batches) {
    if (b.firstOffset > b.lastOffset) return false;
    if (previousLast !== null && b.firstOffset < previousLast) return false;
    const types = b.acknowledgeTypes;
    if (types.length === 0) return false;
    if (types.length > 1 && BigInt(types.length) !== b.lastOffset - b.firstOffset + 1n) {
      return false;
    }
    if (types.some((t) => t < 0 || t > maxType)) return false;
    previousLast = b.lastOffset;
  }
  return true;
}

/** How a request's acknowledgements are read. */
export interface AcknowledgeOptions {
  /** The request's IsRenewAck (v2): renew acknowledgements (type 4) may be among them. */
  isRenewAck?: boolean;
  /** The request's version: from 2, refusals are worded as Kafka 4.4 words them. */
  version?: number;
}

/** Kafka 4.4's wording of a refusal that Kafka 4.1.1 words otherwise. */
const WORDED_IN_4_4: Record<string, string> = {
  "The batch cannot be acknowledged. The offset is not acquired.":
    "The offset cannot be acknowledged. The offset is not acquired.",
  "The batch cannot be acknowledged. The subset batch is not in the acquired state.":
    "The batch cannot be acknowledged. The batch is not in the acquired state.",
};

/**
 * Applies a member's acknowledgements. Partitions with no batches are answered NONE only when some
 * partition reached its share partition, as Kafka answers them.
 */
export function acknowledge(
  ctx: RequestContext,
  groupId: string,
  memberId: string,
  partitions: readonly PartitionAcknowledgements[],
  options: AcknowledgeOptions = {},
): AcknowledgeResult[] {
  const shares = ctx.shares;
  const results: AcknowledgeResult[] = [];
  const empty: AcknowledgeResult[] = [];
  let reached = false;
  for (const p of partitions) {
    const result = (errorCode: number, errorMessage: string | null = null) =>
      results.push({ topicId: p.topicId, partition: p.partition, errorCode, errorMessage });
    const topic = ctx.topics.byId.get(p.topicId);
    if (!topic) {
      result(ErrorCode.UNKNOWN_TOPIC_ID);
      continue;
    }
    if (!wellFormed(p.batches, options.isRenewAck ?? false)) {
      result(ErrorCode.INVALID_REQUEST);
      continue;
    }
    if (!can(ctx, AclOperation.READ, AclResourceType.TOPIC, topic.name)) {
      result(ErrorCode.TOPIC_AUTHORIZATION_FAILED);
      continue;
    }
    if (!topic.partitions[p.partition]) {
      result(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
      continue;
    }
    if (p.batches.length === 0) {
      empty.push({ topicId: p.topicId, partition: p.partition, errorCode: 0, errorMessage: null });
      continue;
    }
    reached = true;
    const sp = shares.existing(groupId, p.topicId, p.partition);
    if (!sp || topic.partitions[p.partition].leader !== ctx.node.nodeId) {
      const code = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
      result(code, errorInfo(code).message);
      continue;
    }
    const failure = sp.acknowledge(memberId, p.batches, shares.limits(groupId));
    const message = failure?.message ?? null;
    result(
      failure?.errorCode ?? ErrorCode.NONE,
      message !== null && (options.version ?? 1) >= 2 ? WORDED_IN_4_4[message] ?? message : message,
    );
  }
  return reached ? [...results, ...empty] : results;
}

/**
 * What ShareFetch and ShareAcknowledge check before the share session, in Kafka's order: the
 * share.version feature, READ on the group, and ids Kafka can read (a null group id or a member id
 * that is not a Uuid fail in Kafka with an unexpected error). Returns the refusal, or null.
 */
export function shareRequestRefusal(
  ctx: RequestContext,
  groupId: string | null,
  memberId: string | null,
): number | null {
  if (ctx.features.level("share.version") < 1) return ErrorCode.UNSUPPORTED_VERSION;
  if (groupId === null) return ErrorCode.UNKNOWN_SERVER_ERROR;
  if (!can(ctx, AclOperation.READ, AclResourceType.GROUP, groupId)) {
    return ErrorCode.GROUP_AUTHORIZATION_FAILED;
  }
  return isUuidString(memberId) ? null : ErrorCode.UNKNOWN_SERVER_ERROR;
}

/** Whether a Kafka Uuid string parses. */
function isUuidString(text: string | null): boolean {
  if (text === null || text.length === 0 || text.length > 24) return false;
  const padded = text.replace(/=+$/, "");
  if (!/^[A-Za-z0-9_-]+$/.test(padded)) return false;
  // 16 bytes are 22 base64 characters (Java's decoder ignores the last one's spare bits).
  return padded.length === 22;
}
