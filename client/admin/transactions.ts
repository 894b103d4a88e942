/**
 * Admin calls about transactions: ListTransactions on every broker, DescribeTransactions at each
 * transactional id's coordinator.
 *
 * @module
 */

import { ApiKey, ErrorCode, KafkaProtocolError } from "../../codec/mod.ts";
import type { KafkaClient } from "../kafka_client.ts";
import type { TopicPartition } from "../topic_partition.ts";

/** A transactional id as ListTransactions lists it. */
export interface TransactionListing {
  /** The producer's transactional.id. */
  transactionalId: string;
  /** The producer id the transactional id holds. */
  producerId: bigint;
  /** Kafka's transaction state, e.g. "Ongoing", "CompleteCommit". */
  state: string;
  /** The node id of the transaction coordinator. */
  coordinator: number;
}

/** A transactional id as DescribeTransactions describes it. */
export interface TransactionDescription {
  /** The producer's transactional.id. */
  transactionalId: string;
  /** Kafka's transaction state, e.g. "Ongoing", "CompleteCommit". */
  state: string;
  /** The producer id the transactional id holds. */
  producerId: bigint;
  /** The producer's epoch. */
  producerEpoch: number;
  /** The transaction timeout (transaction.timeout.ms). */
  timeoutMs: number;
  /** When the open transaction started (ms since the epoch), or -1n. */
  startTimeMs: bigint;
  /** The partitions in the open transaction. */
  partitions: TopicPartition[];
  /** The node id of the transaction coordinator. */
  coordinator: number;
}

/** ListTransactions on every broker, merged. */
export async function listTransactions(
  client: KafkaClient,
  options: { states?: string[]; producerIds?: bigint[]; signal?: AbortSignal },
): Promise<TransactionListing[]> {
  const md = await client.metadata(null, { signal: options.signal, force: true });
  const out: TransactionListing[] = [];
  for (const nodeId of md.brokers.keys()) {
    const res = await client.requestNode(nodeId, ApiKey.ListTransactions, {
      stateFilters: options.states ?? [],
      producerIdFilters: options.producerIds ?? [],
    }, { signal: options.signal });
    if (res.errorCode !== ErrorCode.NONE) {
      throw new KafkaProtocolError(res.errorCode, { detail: `listing transactions on ${nodeId}` });
    }
    for (const t of res.transactionStates) {
      out.push({
        transactionalId: t.transactionalId,
        producerId: t.producerId,
        state: t.transactionState,
        coordinator: nodeId,
      });
    }
  }
  return out;
}

/** DescribeTransactions, one coordinator per id. */
export async function describeTransactions(
  client: KafkaClient,
  transactionalIds: string[],
  signal?: AbortSignal,
): Promise<TransactionDescription[]> {
  const out: TransactionDescription[] = [];
  for (const id of transactionalIds) {
    const coordinator = await client.findCoordinator(id, { keyType: 1, signal });
    const res = await client.requestNode(coordinator, ApiKey.DescribeTransactions, {
      transactionalIds: [id],
    }, { signal });
    const t = res.transactionStates[0];
    if (t.errorCode !== ErrorCode.NONE) {
      throw new KafkaProtocolError(t.errorCode, { detail: `transactional id ${id}` });
    }
    out.push({
      transactionalId: id,
      state: t.transactionState,
      producerId: t.producerId,
      producerEpoch: t.producerEpoch,
      timeoutMs: t.transactionTimeoutMs,
      startTimeMs: t.transactionStartTimeMs,
      partitions: t.topics.flatMap((tp) =>
        tp.partitions.map((partition) => ({ topic: tp.topic, partition }))
      ),
      coordinator,
    });
  }
  return out;
}
