/**
 * A topic and its partitions as the broker's public API shows them: names, ids, leaders, replicas
 * and configs, read-only, without the logs and coordinator state the handlers work on.
 *
 * @module
 */

/**
 * A topic as {@linkcode Broker.topic} and {@linkcode Broker.createTopic} return it: a read-only
 * view of the cluster's topic, current as leaders move.
 *
 * @example
 * ```ts
 * import { Broker, type TopicInfo } from "@brook/kafka/broker";
 * await using broker = await Broker.start({ nodes: 3 });
 * const topic: TopicInfo = broker.createTopic("orders", { partitions: 3 });
 * console.log(topic.id, topic.partitions.map((p) => p.leader));
 * ```
 */
export interface TopicInfo {
  /** The topic's name. */
  readonly name: string;
  /** The topic id, as Kafka prints UUIDs. */
  readonly id: string;
  /** The partitions, by index. */
  readonly partitions: readonly PartitionInfo[];
  /** Topic-level config overrides (names as Kafka's, values as strings). */
  readonly configs: ReadonlyMap<string, string>;
  /** True for Kafka's internal topics (__consumer_offsets, __transaction_state). */
  readonly isInternal: boolean;
}

/**
 * One partition of a {@linkcode TopicInfo}: its leader and replicas, as Metadata describes them.
 *
 * @example
 * ```ts
 * import { Broker, type PartitionInfo } from "@brook/kafka/broker";
 * await using broker = await Broker.start({ nodes: 3, topics: { t: { partitions: 1 } } });
 * const partition: PartitionInfo = broker.topic("t")!.partitions[0];
 * console.log(partition.leader, partition.isr);
 * ```
 */
export interface PartitionInfo {
  /** The partition's topic. */
  readonly topic: TopicInfo;
  /** The partition index. */
  readonly index: number;
  /** The node that leads the partition; -1 when the leader is offline. */
  readonly leader: number;
  /** The leader epoch, bumped each time leadership moves. */
  readonly leaderEpoch: number;
  /** The replica node ids, the preferred leader first. */
  readonly replicas: readonly number[];
  /** The in-sync replicas (Kafka's ISR). */
  readonly isr: readonly number[];
}
