/**
 * The names of a partition, and of a position in one, that every client API takes and returns.
 *
 * @module
 */

/**
 * A partition of a topic, as Kafka's TopicPartition.
 *
 * @example
 * ```ts
 * import type { TopicPartition } from "@brook/kafka/client";
 * const orders0: TopicPartition = { topic: "orders", partition: 0 };
 * ```
 */
export interface TopicPartition {
  /** The topic's name. */
  topic: string;
  /** The partition index. */
  partition: number;
}

/**
 * An offset in a partition: the next record to read, when committed.
 *
 * @example
 * ```ts
 * import type { TopicPartitionOffset } from "@brook/kafka/client";
 * const next: TopicPartitionOffset = { topic: "orders", partition: 0, offset: 42n };
 * ```
 */
export interface TopicPartitionOffset extends TopicPartition {
  /** The offset. */
  offset: bigint;
}
