/**
 * AddPartitionsToTxn (key 24): adds partitions to a producer's transaction. Versions 0-3 come from
 * producers (one transaction, an error per partition); 4+ batch transactions and may only verify
 * (`verifyOnly`), as partition leaders ask the coordinator.
 *
 * @module
 */

import { ApiKey, ErrorCode } from "../../codec/mod.ts";
import type { Cluster } from "../cluster.ts";
import { defineHandler } from "../handler.ts";

interface TopicPartitions {
  name: string;
  partitions: number[];
}

/** One transaction's answer: an error per partition. */
function addToTransaction(
  cluster: Cluster,
  nodeId: number,
  txn: { transactionalId: string; producerId: bigint; producerEpoch: number; verifyOnly: boolean },
  topics: TopicPartitions[],
  fencedAs: number,
) {
  const answer = (code: (topic: string, partition: number) => number) =>
    topics.map((t) => ({
      name: t.name,
      resultsByPartition: t.partitions.map((p) => ({
        partitionIndex: p,
        partitionErrorCode: code(t.name, p),
      })),
    }));
  const check = cluster.transactions.check(txn.transactionalId, nodeId);
  if (check !== ErrorCode.NONE) return answer(() => check);
  // Unknown partitions fail the request; the others are not attempted.
  const unknown = (t: string, p: number) => cluster.partition(t, p) === undefined;
  if (topics.some((t) => t.partitions.some((p) => unknown(t.name, p)))) {
    return answer((t, p) =>
      unknown(t, p) ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION : ErrorCode.OPERATION_NOT_ATTEMPTED
    );
  }
  const result = cluster.transactions.addPartitions(
    txn.transactionalId,
    txn.producerId,
    txn.producerEpoch,
    topics.flatMap((t) => t.partitions.map((partition) => ({ topic: t.name, partition }))),
    { verifyOnly: txn.verifyOnly },
  );
  const mapped = (code: number) => code === ErrorCode.PRODUCER_FENCED ? fencedAs : code;
  if (typeof result === "number") return answer(() => mapped(result));
  return answer((t, p) => mapped(result.get(`${t}\u0000${p}`) ?? ErrorCode.NONE));
}

export default defineHandler({
  apiKey: ApiKey.AddPartitionsToTxn,
  minVersion: 0,
  maxVersion: 5,
  handle(request, ctx) {
    const { cluster, apiVersion, node } = ctx;
    if (apiVersion < 4) {
      return {
        throttleTimeMs: 0,
        resultsByTopicV3AndBelow: addToTransaction(
          cluster,
          node.nodeId,
          {
            transactionalId: request.v3AndBelowTransactionalId,
            producerId: request.v3AndBelowProducerId,
            producerEpoch: request.v3AndBelowProducerEpoch,
            verifyOnly: false,
          },
          request.v3AndBelowTopics,
          // PRODUCER_FENCED is known to clients from v2.
          apiVersion < 2 ? ErrorCode.INVALID_PRODUCER_EPOCH : ErrorCode.PRODUCER_FENCED,
        ),
      };
    }
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      resultsByTransaction: request.transactions.map((t) => ({
        transactionalId: t.transactionalId,
        topicResults: addToTransaction(
          cluster,
          node.nodeId,
          t,
          t.topics,
          ErrorCode.PRODUCER_FENCED,
        ),
      })),
    };
  },
});
