/**
 * The peer conformance scenarios: what each peer's driver reports, and what Kafka promises a client
 * gets on a three-node cluster. Every driver (Java, franz-go, confluent-kafka, kafka-python, kcat,
 * KafkaJS, @platformatic/kafka) prints or returns this shape.
 *
 * @module
 */

/** One peer's run. A scenario the peer cannot express says why, as a string. */
export interface ScenarioResults {
  /** Create a topic with three partitions, describe it, delete it. */
  admin: { partitions: number; deleted: boolean } | string;
  /** The brokers the client learns from metadata. */
  metadata: { brokers: number } | string;
  /** Five records per codec read back in order (the count), or why not. */
  compression: Record<string, number | string>;
  /** Twenty records from an idempotent producer with acks=all, read back. */
  idempotent: { read: number; duplicates: number } | string;
  /**
   * Forty records over four partitions read by a group of two: the first member's partitions
   * before the second joins, the split after the rebalance, records read, duplicates, and the sum
   * of the committed offsets.
   */
  group:
    | { before: number; split: number[]; read: number; duplicates: number; committed: number }
    | string;
}

/** The scenarios, in the order of the matrix's columns. */
export const SCENARIOS = ["metadata", "admin", "compression", "idempotent", "group"] as const;

/** What each scenario must give, on Brook's broker as on Kafka. */
export const EXPECTED: { [K in keyof ScenarioResults]: ScenarioResults[K] } = {
  admin: { partitions: 3, deleted: true },
  metadata: { brokers: 3 },
  compression: { none: 5, gzip: 5, snappy: 5, lz4: 5, zstd: 5 },
  idempotent: { read: 20, duplicates: 0 },
  group: { before: 4, split: [2, 2], read: 40, duplicates: 0, committed: 40 },
};

/** The number of values in `values` seen more than once. */
export function duplicates(values: string[]): number {
  return values.length - new Set(values).size;
}
