/**
 * The options of {@linkcode Broker.start}: nodes, listeners and security, topics, and the
 * broker-wide settings a test may want to change from Kafka's defaults.
 *
 * @module
 */

import type { CreateTopicOptions } from "./metadata/cluster.ts";
import type { SlowRequest } from "./server/metrics.ts";
import type { BrokerAuthorizerOptions } from "./security/authorizer.ts";
import type {
  BrokerSaslOptions,
  BrokerTlsOptions,
  ListenerOptions,
  SecurityProtocol,
} from "./security/options.ts";

/** Options of {@linkcode Broker.start}. */
export interface BrokerOptions {
  /** Number of nodes (brokers), each with its own listener. Default 1. */
  nodes?: number;
  /** The address to listen on and advertise. Default "127.0.0.1". */
  host?: string;
  /**
   * The first node's port; node i listens on port + i. Default 0: every node gets a free port.
   */
  port?: number;
  /** The cluster id Metadata and DescribeCluster report. Default a random Kafka UUID. */
  clusterId?: string;
  /** Partitions of auto-created topics and of topics created without a count (num.partitions). Default 1. */
  defaultPartitions?: number;
  /** Replication factor of new topics (default.replication.factor). Default min(3, nodes). */
  defaultReplicationFactor?: number;
  /** auto.create.topics.enable. Default true. */
  autoCreateTopics?: boolean;
  /** Node racks, by node index (broker.rack). Default none. */
  racks?: (string | null)[];
  /** socket.request.max.bytes. Default 104857600 (100 MiB). */
  maxRequestBytes?: number;
  /**
   * A memory budget for stored records: once the partitions' logs hold this many bytes, Produce is
   * answered KAFKA_STORAGE_ERROR (as Kafka answers when its log directory is full; clients retry)
   * until retention or DeleteRecords makes room. Default: no budget.
   */
  maxMemoryBytes?: number;
  /** How often retention and compaction run (log.retention.check.interval.ms). Default 1000; 0 never. */
  logCleanerIntervalMs?: number;
  /**
   * How often transactions open longer than their timeout are aborted
   * (transaction.abort.timed.out.transaction.cleanup.interval.ms). Default 10000, as Kafka; 0 never.
   */
  transactionAbortIntervalMs?: number;
  /**
   * How long a transaction stays PrepareCommit or PrepareAbort after it ends, in ms: the time Kafka
   * takes to write its markers, during which AddPartitionsToTxn, AddOffsetsToTxn, EndTxn and
   * InitProducerId answer CONCURRENT_TRANSACTIONS (Kafka has no config for it). Default 10, as a
   * single-node Kafka 4.1.1 measured (1-20 ms); 0 completes transactions at once.
   */
  transactionCompletionMs?: number;
  /** group.initial.rebalance.delay.ms. Default 0 (Kafka's default is 3000; tests want speed). */
  groupInitialRebalanceDelayMs?: number;
  /** Topics to create at start, by name. */
  topics?: Record<string, CreateTopicOptions>;
  /**
   * Serve the request metrics in Prometheus' text format at `http://127.0.0.1:<port>/metrics`
   * (0: a free port, see {@linkcode Broker.metricsAddress}). Default: no metrics listener.
   */
  metricsPort?: number;
  /** The address the metrics port listens on. Default 127.0.0.1 (loopback only). */
  metricsHost?: string;
  /** Report requests that take at least this long, received to sent. Default: none. */
  slowRequestMs?: number;
  /** Receives slow requests; default a console.warn line with the API, client and timings. */
  onSlowRequest?: (request: SlowRequest) => void;
  /**
   * The listeners of every node, as Kafka's `listeners` ("SASL_SSL://127.0.0.1:0") or objects.
   * Default one PLAINTEXT listener on `host` and `port`. `bootstrapServers` names the first.
   */
  listeners?: (string | ListenerOptions)[];
  /**
   * advertised.listeners: the addresses clients are told, by listener name ("PLAINTEXT://proxy:9092"),
   * when they reach the broker through a proxy or a NAT rather than where it listens. Node i
   * advertises the port + i (port 0: the port it listens on). Listeners not named here are
   * advertised where they listen.
   */
  advertisedListeners?: string[];
  /** listener.security.protocol.map, for listeners not named after their protocol. */
  listenerSecurityProtocolMap?: Record<string, SecurityProtocol>;
  /** Certificate and key of SSL and SASL_SSL listeners. */
  tls?: BrokerTlsOptions;
  /**
   * Mechanisms, users and sessions of SASL_PLAINTEXT and SASL_SSL listeners. PLAIN and
   * SCRAM-SHA-256/512 are enabled by default; OAUTHBEARER only when `mechanisms` lists it, and then
   * give it `oauthBearer` (a JWKS validator of signed JWTs): without one it runs Kafka's unsecured
   * validator, which lets anyone log in as any principal (development only).
   */
  sasl?: BrokerSaslOptions;
  /** Turns ACLs on (authorizer.class.name): super users, the no-ACL default and initial ACLs. */
  authorizer?: BrokerAuthorizerOptions;
  /**
   * Static broker configs, as in Kafka's server.properties: `{ "log.retention.ms": "60000",
   * "message.max.bytes": "2097152" }`. Topics fall back on them as Kafka's do, DescribeConfigs
   * reports them as STATIC_BROKER_CONFIG, and IncrementalAlterConfigs may override the dynamic ones
   * at run time. Names Kafka does not define (other than `listener.name.*` ones) and invalid values
   * are refused. The options above (`defaultPartitions` and the like) win over their configs here.
   */
  configs?: Record<string, string>;
  /**
   * Feature levels the cluster starts with, as `kafka-storage format --feature` sets them:
   * `{ "share.version": 1 }` turns share groups (KIP-932) on, which Kafka 4.1 ships with off.
   * Levels are checked as UpdateFeatures checks them.
   */
  features?: Record<string, number>;
  /**
   * Client telemetry (KIP-714), off by default as on a Kafka broker without a telemetry receiver:
   * when on, ApiVersions advertises GetTelemetrySubscriptions and PushTelemetry, and the metrics
   * clients push are kept per client instance ({@linkcode Broker.clientTelemetry}, the metrics
   * endpoint). Clients subscribe through CLIENT_METRICS config resources (`metrics`,
   * `interval.ms`, `match`).
   */
  clientTelemetry?: boolean;
}
