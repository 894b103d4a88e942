/**
 * The defaults of Brook's client options: Kafka's Java clients' config defaults (4.x), by the config's
 * name, and the few fixed timings Kafka's clients hard-code. Options documents say the same numbers;
 * the code reads them from here only.
 *
 * @module
 */

/** request.timeout.ms: how long a request waits for its answer (and Produce for its acks). */
export const REQUEST_TIMEOUT_MS = 30_000;
/** socket.connection.setup.timeout.ms: how long opening a connection (TCP and TLS) may take. */
export const CONNECT_TIMEOUT_MS = 10_000;
/** default.api.timeout.ms: how long an admin call, retries included, or a blocking consumer call may take. */
export const DEFAULT_API_TIMEOUT_MS = 60_000;
/** metadata.max.age.ms: metadata is refreshed at least this often. */
export const METADATA_MAX_AGE_MS = 300_000;
/** retry.backoff.ms: the wait before the first retry. */
export const RETRY_BACKOFF_MS = 100;
/** retry.backoff.max.ms: the longest wait between retries. */
export const RETRY_BACKOFF_MAX_MS = 1_000;
/** reconnect.backoff.ms: the wait before reconnecting to a broker. */
export const RECONNECT_BACKOFF_MS = 50;
/** reconnect.backoff.max.ms: the longest wait before reconnecting. */
export const RECONNECT_BACKOFF_MAX_MS = 1_000;

/**
 * How many FindCoordinator answers a client asks for while the coordinator is loading or not
 * available, with retry backoff between them, before it reports the error.
 */
export const FIND_COORDINATOR_ATTEMPTS = 10;

/**
 * How long a poll waits for records when it does not say (the share consumer's; the consumer's is
 * fetch.max.wait.ms), and each round of the consumers' async iterators.
 */
export const POLL_TIMEOUT_MS = 1_000;

/** linger.ms: how long a producer batch waits for more records (5 since Kafka 4.0, KIP-1030). */
export const LINGER_MS = 5;
/** batch.size: the bytes a producer batch grows to before it is sent. */
export const BATCH_SIZE = 16_384;
/** buffer.memory: the bytes of records a producer holds before send() waits. */
export const BUFFER_MEMORY = 33_554_432;
/** max.block.ms: how long send() waits for metadata or buffer memory. */
export const MAX_BLOCK_MS = 60_000;
/** delivery.timeout.ms: how long a record may take to be acknowledged, retries included. */
export const DELIVERY_TIMEOUT_MS = 120_000;
/** max.in.flight.requests.per.connection: unacknowledged batches per partition. */
export const MAX_IN_FLIGHT = 5;
/** transaction.timeout.ms: how long a transaction may stay open before the coordinator aborts it. */
export const TRANSACTION_TIMEOUT_MS = 60_000;
/**
 * The transaction timeout an idempotent, non-transactional producer sends in InitProducerId:
 * Java's producer sends Integer.MAX_VALUE (it has no transaction to time out).
 */
export const IDEMPOTENT_TRANSACTION_TIMEOUT_MS = 2_147_483_647;

/** fetch.min.bytes: the least data a leader waits for before answering a Fetch. */
export const FETCH_MIN_BYTES = 1;
/** fetch.max.bytes: the most data one Fetch answer may hold. */
export const FETCH_MAX_BYTES = 52_428_800;
/** fetch.max.wait.ms: the longest a leader waits for fetch.min.bytes. */
export const FETCH_MAX_WAIT_MS = 500;
/** max.partition.fetch.bytes: the most data per partition in one Fetch. */
export const MAX_PARTITION_FETCH_BYTES = 1_048_576;
/** max.poll.records: the most records one poll returns. */
export const MAX_POLL_RECORDS = 500;
/** max.poll.interval.ms: the longest between polls before a member leaves (its rebalance timeout). */
export const MAX_POLL_INTERVAL_MS = 300_000;
/** session.timeout.ms: how long a classic group waits for a member's heartbeat. */
export const SESSION_TIMEOUT_MS = 45_000;
/** heartbeat.interval.ms: how often a classic group member heartbeats. */
export const HEARTBEAT_INTERVAL_MS = 3_000;
/** auto.commit.interval.ms: how often a consumer commits its positions with enable.auto.commit. */
export const AUTO_COMMIT_INTERVAL_MS = 5_000;
/**
 * The heartbeat interval a KIP-848 consumer or share member uses until the coordinator names one
 * (the broker's group.consumer.heartbeat.interval.ms and group.share.heartbeat.interval.ms
 * default).
 */
export const GROUP_HEARTBEAT_INTERVAL_MS = 5_000;
/**
 * What a classic consumer allows JoinGroup and SyncGroup beyond the rebalance timeout, for the
 * answer to travel back: Java's consumer adds the same 5 s (JOIN_GROUP_TIMEOUT_LAPSE).
 */
export const JOIN_GROUP_TIMEOUT_LAPSE_MS = 5_000;
/**
 * How long closing a client waits for its terminating telemetry push (KIP-714) to be answered. Java
 * waits within the client's close timeout; Brook bounds this one step on its own.
 */
export const TELEMETRY_CLOSE_TIMEOUT_MS = 5_000;
