/**
 * DescribeTransactions (key 65): the state of transactional ids this node coordinates.
 *
 * @module
 */

import { AclOperation, AclResourceType, ApiKey, ErrorCode } from "../../codec/mod.ts";
import { defineHandler } from "../server/handler.ts";
import { can } from "../security/access.ts";

export default defineHandler({
  apiKey: ApiKey.DescribeTransactions,
  minVersion: 0,
  maxVersion: 0,
  handle(request, ctx) {
    const { node } = ctx;
    return {
      transactionStates: request.transactionalIds.map((transactionalId) => {
        // An error leaves every other field at its zero value, as Kafka's coordinator leaves them.
        const answer = (errorCode: number) => ({
          errorCode,
          transactionalId,
          transactionState: "",
          transactionTimeoutMs: 0,
          transactionStartTimeMs: 0n,
          producerId: 0n,
          producerEpoch: 0,
          topics: [],
        });
        const describable = (type: AclResourceType, name: string) =>
          can(ctx, AclOperation.DESCRIBE, type, name);
        if (!describable(AclResourceType.TRANSACTIONAL_ID, transactionalId)) {
          return answer(ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
        }
        const check = ctx.transactions.check(transactionalId, node.nodeId);
        if (check !== ErrorCode.NONE) return answer(check);
        const txn = ctx.transactions.transactions.get(transactionalId);
        if (!txn || txn.state === "Dead") return answer(ErrorCode.TRANSACTIONAL_ID_NOT_FOUND);
        const topics = new Map<string, number[]>();
        const add = (topic: string, partition: number) =>
          topics.set(topic, [...(topics.get(topic) ?? []), partition]);
        for (const p of txn.partitions.values()) add(p.topic, p.partition);
        // A group's offsets are in the transaction as its __consumer_offsets partition.
        for (const g of txn.groups) add("__consumer_offsets", ctx.groups.partitionFor(g));
        return {
          ...answer(ErrorCode.NONE),
          transactionState: txn.state,
          transactionTimeoutMs: txn.timeoutMs,
          transactionStartTimeMs: BigInt(txn.startTimestamp),
          producerId: txn.producerId,
          producerEpoch: txn.producerEpoch,
          // Only the topics the principal may describe are shown.
          topics: [...topics].filter(([topic]) => describable(AclResourceType.TOPIC, topic))
            .map(([topic, partitions]) => ({ topic, partitions })),
        };
      }),
    };
  },
});
