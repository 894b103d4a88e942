/**
 * AddPartitionsToTxn (key 24): adds partitions to a producer's transaction. Versions 0-3 come from
 * producers (one transaction, an error per partition); 4+ batch transactions and may only verify
 * (`verifyOnly`), as partition leaders ask the coordinator.
 *
 * @module
 */

import { AclOperation, AclResourceType, ApiKey, ErrorCode } from "../../codec/mod.ts";
import { defineHandler, type RequestContext } from "../server/handler.ts";
import { can, canOnCluster } from "../security/access.ts";

interface TopicPartitions {
  name: string;
  partitions: number[];
}

/**
 * One transaction's answer: an error per partition. `fromClient` (versions 0-3) checks the
 * principal's WRITE on the transactional id and the topics, as Kafka does before the coordinator.
 */
function addToTransaction(
  ctx: RequestContext,
  txn: { transactionalId: string; producerId: bigint; producerEpoch: number; verifyOnly: boolean },
  topics: TopicPartitions[],
  options: { fencedAs: number; fromClient: boolean },
) {
  const answer = (code: (topic: string, partition: number) => number) =>
    topics.map((t) => ({
      name: t.name,
      resultsByPartition: t.partitions.map((p) => ({
        partitionIndex: p,
        partitionErrorCode: code(t.name, p),
      })),
    }));
  const write = (type: AclResourceType, name: string) => can(ctx, AclOperation.WRITE, type, name);
  if (options.fromClient && !write(AclResourceType.TRANSACTIONAL_ID, txn.transactionalId)) {
    return answer(() => ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
  }
  // Internal topics are never authorized for clients, whatever the ACLs say.
  const refused = new Set(
    options.fromClient
      ? topics.map((t) => t.name).filter((name) =>
        ctx.topics.byName.get(name)?.isInternal === true || !write(AclResourceType.TOPIC, name)
      )
      : [],
  );
  // Refused or unknown partitions fail the request; the others are not attempted.
  const failure = (t: string, p: number) =>
    refused.has(t)
      ? ErrorCode.TOPIC_AUTHORIZATION_FAILED
      : ctx.topics.partition(t, p) === undefined
      ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION
      : ErrorCode.NONE;
  if (topics.some((t) => t.partitions.some((p) => failure(t.name, p) !== ErrorCode.NONE))) {
    return answer((t, p) => failure(t, p) || ErrorCode.OPERATION_NOT_ATTEMPTED);
  }
  const check = ctx.transactions.check(txn.transactionalId, ctx.node.nodeId);
  if (check !== ErrorCode.NONE) return answer(() => check);
  const result = ctx.transactions.addPartitions(
    txn.transactionalId,
    txn.producerId,
    txn.producerEpoch,
    topics.flatMap((t) => t.partitions.map((partition) => ({ topic: t.name, partition }))),
    { verifyOnly: txn.verifyOnly },
  );
  const mapped = (code: number) => code === ErrorCode.PRODUCER_FENCED ? options.fencedAs : code;
  if (typeof result === "number") return answer(() => mapped(result));
  return answer((t, p) => mapped(result.get(`${t}\u0000${p}`) ?? ErrorCode.NONE));
}

export default defineHandler({
  apiKey: ApiKey.AddPartitionsToTxn,
  minVersion: 0,
  maxVersion: 5,
  handle(request, ctx) {
    const { apiVersion } = ctx;
    if (apiVersion < 4) {
      return {
        resultsByTopicV3AndBelow: addToTransaction(
          ctx,
          {
            transactionalId: request.v3AndBelowTransactionalId,
            producerId: request.v3AndBelowProducerId,
            producerEpoch: request.v3AndBelowProducerEpoch,
            verifyOnly: false,
          },
          request.v3AndBelowTopics,
          {
            // PRODUCER_FENCED is known to clients from v2.
            fencedAs: apiVersion < 2 ? ErrorCode.INVALID_PRODUCER_EPOCH : ErrorCode.PRODUCER_FENCED,
            fromClient: true,
          },
        ),
      };
    }
    // Versions 4+ come from brokers only.
    if (!canOnCluster(ctx, AclOperation.CLUSTER_ACTION)) {
      return {
        errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
        resultsByTransaction: [],
      };
    }
    return {
      errorCode: ErrorCode.NONE,
      resultsByTransaction: request.transactions.map((t) => ({
        transactionalId: t.transactionalId,
        topicResults: addToTransaction(ctx, t, t.topics, {
          fencedAs: ErrorCode.PRODUCER_FENCED,
          fromClient: false,
        }),
      })),
    };
  },
});
