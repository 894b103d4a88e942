/**
 * Brook's Kafka client for Deno: a producer, a consumer (groups or manual assignment), a share
 * consumer (share groups, KIP-932), the cluster client they stand on, and the consumer protocol's
 * assignors.
 *
 * @example
 * ```ts
 * import { Producer } from "@brook/kafka/client";
 * await using producer = new Producer({ bootstrapServers: "127.0.0.1:9092", compression: "zstd" });
 * await producer.send({ topic: "events", key: "user-1", value: "signed in" });
 * ```
 *
 * @module
 */

export {
  type ConnectionOptions,
  type ConnectionStats,
  KafkaConnection,
  type RequestOptions,
  type TlsOptions,
} from "./network/connection.ts";
export {
  type BrokerMetadata,
  type ClientOptions,
  type ClusterMetadata,
  type FindCoordinatorOptions,
  KafkaClient,
  type MetadataOptions,
  type PartitionMetadata,
  type TopicMetadata,
} from "./kafka_client.ts";
export {
  KafkaClosedError,
  KafkaConnectionError,
  KafkaDeliveryError,
  KafkaTimeoutError,
} from "./errors.ts";
export {
  type AckEvent,
  type ClientEventListener,
  type ClientEventMap,
  type CommitEvent,
  type ConnectionEvent,
  type FetchEvent,
  Instrumentation,
  type InstrumentationOptions,
  type Logger,
  type LogLevel,
  type RebalanceEvent,
  type RequestEvent,
  type ResponseEvent,
  type SendEvent,
  timedRebalance,
} from "./instrumentation.ts";
export {
  ClientMetrics,
  type ClientMetricsSnapshot,
  type MetricPlace,
  type MetricValue,
  prometheusText,
  Stat,
  type StatNames,
} from "./metrics.ts";
export type { HistogramSnapshot } from "../codec/mod.ts";
export { KafkaError, KafkaProtocolError } from "../codec/mod.ts";
export {
  KafkaAuthenticationError,
  type OAuthBearerToken,
  type SaslOptions,
} from "./security/sasl.ts";
export type { KerberosLoginOptions } from "./security/kerberos.ts";
export type {
  EncryptedData,
  EncryptionKey,
  PrincipalName,
  ServiceTicket,
  Ticket,
} from "../codec/kerberos/mod.ts";
export {
  Admin,
  type AdminCallOptions,
  type AdminOptions,
  type ClusterDescription,
  type ConfigEntry,
  type ConfigOp,
  type ConfigResource,
  type ConfigSource,
  type GroupDescription,
  type GroupListing,
  type GroupOffset,
  type ListedOffset,
  type NewAcl,
  type NewTopic,
  type OffsetSpec,
  type QuorumInfo,
  type QuorumReplica,
  type ShareGroupDescription,
  type ShareGroupOffset,
  type TransactionDescription,
  type TransactionListing,
} from "./admin/admin.ts";
export type { ScramCredentialAlteration, ScramUserDescription } from "./admin/scram.ts";
export { murmur2, partitionForKey, StickyPartitioner } from "./producer/partitioner.ts";
export {
  type CompressionName,
  Producer,
  type ProducerOptions,
  type ProducerRecord,
  type RecordMetadata,
} from "./producer/producer.ts";
export {
  type ConsumerGroupMetadata,
  type TransactionPhase,
  TransactionStateError,
} from "./producer/transactions.ts";
export {
  Consumer,
  type ConsumerOptions,
  type ConsumerRecord,
  type OffsetReset,
  type PollOptions,
  type RebalanceListener,
} from "./consumer/consumer.ts";
export type { TopicPartition, TopicPartitionOffset } from "./topic_partition.ts";
export {
  type AcknowledgeType,
  ShareConsumer,
  type ShareConsumerOptions,
  type ShareConsumerRecord,
} from "./consumer/share_consumer.ts";
export {
  type Assignor,
  ASSIGNORS,
  cooperativeStickyAssignor,
  type MemberSubscription,
  rangeAssignor,
  roundRobinAssignor,
  type TopicPartitions,
} from "./consumer/assignors.ts";
