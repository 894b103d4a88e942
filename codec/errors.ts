/**
 * Kafka's error codes (Apache Kafka 4.1.1): code, name, whether the error is retriable (its Java
 * exception extends RetriableException), and a short description. The table was read from kafka-clients
 * 4.1.1 itself; `tools/kafka_errors/run.sh` prints Kafka's table again to compare.
 *
 * @module
 */

/** One Kafka error code. */
export interface KafkaErrorInfo {
  /** The code on the wire. */
  readonly code: number;
  /** Kafka's name for it, e.g. "NOT_LEADER_OR_FOLLOWER". */
  readonly name: string;
  /** True when retrying the request may succeed. */
  readonly retriable: boolean;
  /** A short description, in sentence case. */
  readonly message: string;
}

const TABLE: [number, string, boolean, string][] = [
  [
    -1,
    "UNKNOWN_SERVER_ERROR",
    false,
    "The server hit an unexpected error while handling the request",
  ],
  [0, "NONE", false, "No error"],
  [
    1,
    "OFFSET_OUT_OF_RANGE",
    false,
    "The requested offset is outside the range the partition holds",
  ],
  [2, "CORRUPT_MESSAGE", true, "A record failed its CRC check or is otherwise malformed"],
  [3, "UNKNOWN_TOPIC_OR_PARTITION", true, "This broker knows no such topic or partition"],
  [4, "INVALID_FETCH_SIZE", false, "The fetch size is not valid"],
  [
    5,
    "LEADER_NOT_AVAILABLE",
    true,
    "The partition has no leader right now, for example during a leader election",
  ],
  [
    6,
    "NOT_LEADER_OR_FOLLOWER",
    true,
    "This broker is neither the leader nor a follower of the partition",
  ],
  [7, "REQUEST_TIMED_OUT", true, "The request timed out on the broker"],
  [8, "BROKER_NOT_AVAILABLE", false, "Broker not available"],
  [9, "REPLICA_NOT_AVAILABLE", true, "Replica not available"],
  [10, "MESSAGE_TOO_LARGE", false, "The record batch is larger than the broker or topic allows"],
  [11, "STALE_CONTROLLER_EPOCH", false, "Stale controller epoch"],
  [12, "OFFSET_METADATA_TOO_LARGE", false, "Offset metadata too large"],
  [13, "NETWORK_EXCEPTION", true, "Network exception"],
  [14, "COORDINATOR_LOAD_IN_PROGRESS", true, "The coordinator is still loading its state"],
  [15, "COORDINATOR_NOT_AVAILABLE", true, "The coordinator is not available"],
  [
    16,
    "NOT_COORDINATOR",
    true,
    "This broker is not the coordinator for the group or transactional id",
  ],
  [17, "INVALID_TOPIC_EXCEPTION", false, "The topic name is not valid for this request"],
  [18, "RECORD_LIST_TOO_LARGE", false, "The batch of records is larger than the segment size"],
  [19, "NOT_ENOUGH_REPLICAS", true, "Fewer replicas are in sync than the topic requires"],
  [20, "NOT_ENOUGH_REPLICAS_AFTER_APPEND", true, "Not enough replicas after append"],
  [21, "INVALID_REQUIRED_ACKS", false, "The acks value is not one of -1, 0 or 1"],
  [22, "ILLEGAL_GENERATION", false, "The generation id is not the group's current one"],
  [23, "INCONSISTENT_GROUP_PROTOCOL", false, "The member's protocols do not match the group's"],
  [24, "INVALID_GROUP_ID", false, "Invalid group ID"],
  [25, "UNKNOWN_MEMBER_ID", false, "The group does not know this member id"],
  [
    26,
    "INVALID_SESSION_TIMEOUT",
    false,
    "The session timeout is outside the broker's allowed range",
  ],
  [27, "REBALANCE_IN_PROGRESS", false, "The group is rebalancing, so the member must rejoin"],
  [28, "INVALID_COMMIT_OFFSET_SIZE", false, "Invalid commit offset size"],
  [29, "TOPIC_AUTHORIZATION_FAILED", false, "The principal is not authorized for the topic"],
  [30, "GROUP_AUTHORIZATION_FAILED", false, "The principal is not authorized for the group"],
  [31, "CLUSTER_AUTHORIZATION_FAILED", false, "The principal is not authorized for the cluster"],
  [32, "INVALID_TIMESTAMP", false, "Invalid timestamp"],
  [33, "UNSUPPORTED_SASL_MECHANISM", false, "Unsupported SASL mechanism"],
  [34, "ILLEGAL_SASL_STATE", false, "Illegal SASL state"],
  [35, "UNSUPPORTED_VERSION", false, "The version of the API is not supported"],
  [36, "TOPIC_ALREADY_EXISTS", false, "A topic with this name already exists"],
  [37, "INVALID_PARTITIONS", false, "The number of partitions is not valid"],
  [38, "INVALID_REPLICATION_FACTOR", false, "The replication factor is not valid"],
  [39, "INVALID_REPLICA_ASSIGNMENT", false, "Invalid replica assignment"],
  [40, "INVALID_CONFIG", false, "Invalid config"],
  [41, "NOT_CONTROLLER", true, "Not controller"],
  [42, "INVALID_REQUEST", false, "The request is malformed or not valid for this broker"],
  [43, "UNSUPPORTED_FOR_MESSAGE_FORMAT", false, "Unsupported for message format"],
  [44, "POLICY_VIOLATION", false, "Policy violation"],
  [
    45,
    "OUT_OF_ORDER_SEQUENCE_NUMBER",
    false,
    "The broker got a producer sequence number out of order",
  ],
  [
    46,
    "DUPLICATE_SEQUENCE_NUMBER",
    false,
    "The broker already has a batch with this producer sequence number",
  ],
  [
    47,
    "INVALID_PRODUCER_EPOCH",
    false,
    "The producer epoch is older than the one the broker knows",
  ],
  [48, "INVALID_TXN_STATE", false, "Invalid transaction state"],
  [49, "INVALID_PRODUCER_ID_MAPPING", false, "Invalid producer ID mapping"],
  [50, "INVALID_TRANSACTION_TIMEOUT", false, "Invalid transaction timeout"],
  [51, "CONCURRENT_TRANSACTIONS", true, "Concurrent transactions"],
  [52, "TRANSACTION_COORDINATOR_FENCED", false, "Transaction coordinator fenced"],
  [53, "TRANSACTIONAL_ID_AUTHORIZATION_FAILED", false, "Transactional ID authorization failed"],
  [54, "SECURITY_DISABLED", false, "Security disabled"],
  [55, "OPERATION_NOT_ATTEMPTED", false, "Operation not attempted"],
  [56, "KAFKA_STORAGE_ERROR", true, "Kafka storage error"],
  [57, "LOG_DIR_NOT_FOUND", false, "Log dir not found"],
  [58, "SASL_AUTHENTICATION_FAILED", false, "SASL authentication failed"],
  [59, "UNKNOWN_PRODUCER_ID", false, "Unknown producer ID"],
  [60, "REASSIGNMENT_IN_PROGRESS", false, "Reassignment in progress"],
  [61, "DELEGATION_TOKEN_AUTH_DISABLED", false, "Delegation token auth disabled"],
  [62, "DELEGATION_TOKEN_NOT_FOUND", false, "Delegation token not found"],
  [63, "DELEGATION_TOKEN_OWNER_MISMATCH", false, "Delegation token owner mismatch"],
  [64, "DELEGATION_TOKEN_REQUEST_NOT_ALLOWED", false, "Delegation token request not allowed"],
  [65, "DELEGATION_TOKEN_AUTHORIZATION_FAILED", false, "Delegation token authorization failed"],
  [66, "DELEGATION_TOKEN_EXPIRED", false, "Delegation token expired"],
  [67, "INVALID_PRINCIPAL_TYPE", false, "Invalid principal type"],
  [68, "NON_EMPTY_GROUP", false, "Non empty group"],
  [69, "GROUP_ID_NOT_FOUND", false, "Group ID not found"],
  [70, "FETCH_SESSION_ID_NOT_FOUND", true, "Fetch session ID not found"],
  [71, "INVALID_FETCH_SESSION_EPOCH", true, "Invalid fetch session epoch"],
  [72, "LISTENER_NOT_FOUND", true, "Listener not found"],
  [73, "TOPIC_DELETION_DISABLED", false, "Topic deletion disabled"],
  [74, "FENCED_LEADER_EPOCH", true, "The leader epoch in the request is older than the broker's"],
  [75, "UNKNOWN_LEADER_EPOCH", true, "The leader epoch in the request is newer than the broker's"],
  [76, "UNSUPPORTED_COMPRESSION_TYPE", false, "Unsupported compression type"],
  [77, "STALE_BROKER_EPOCH", false, "Stale broker epoch"],
  [78, "OFFSET_NOT_AVAILABLE", true, "Offset not available"],
  [79, "MEMBER_ID_REQUIRED", false, "The member must rejoin with the member id the group assigned"],
  [80, "PREFERRED_LEADER_NOT_AVAILABLE", true, "Preferred leader not available"],
  [81, "GROUP_MAX_SIZE_REACHED", false, "The group already has as many members as it may"],
  [
    82,
    "FENCED_INSTANCE_ID",
    false,
    "Another member with the same group instance id replaced this one",
  ],
  [83, "ELIGIBLE_LEADERS_NOT_AVAILABLE", true, "Eligible leaders not available"],
  [84, "ELECTION_NOT_NEEDED", true, "Election not needed"],
  [85, "NO_REASSIGNMENT_IN_PROGRESS", false, "No reassignment in progress"],
  [86, "GROUP_SUBSCRIBED_TO_TOPIC", false, "Group subscribed to topic"],
  [87, "INVALID_RECORD", false, "A record was refused by the broker's validation"],
  [88, "UNSTABLE_OFFSET_COMMIT", true, "Unstable offset commit"],
  [89, "THROTTLING_QUOTA_EXCEEDED", true, "Throttling quota exceeded"],
  [90, "PRODUCER_FENCED", false, "Producer fenced"],
  [91, "RESOURCE_NOT_FOUND", false, "Resource not found"],
  [92, "DUPLICATE_RESOURCE", false, "Duplicate resource"],
  [93, "UNACCEPTABLE_CREDENTIAL", false, "Unacceptable credential"],
  [94, "INCONSISTENT_VOTER_SET", false, "Inconsistent voter set"],
  [95, "INVALID_UPDATE_VERSION", false, "Invalid update version"],
  [96, "FEATURE_UPDATE_FAILED", false, "Feature update failed"],
  [97, "PRINCIPAL_DESERIALIZATION_FAILURE", false, "Principal deserialization failure"],
  [98, "SNAPSHOT_NOT_FOUND", false, "Snapshot not found"],
  [99, "POSITION_OUT_OF_RANGE", false, "Position out of range"],
  [100, "UNKNOWN_TOPIC_ID", true, "This broker knows no topic with this id"],
  [101, "DUPLICATE_BROKER_REGISTRATION", false, "Duplicate broker registration"],
  [102, "BROKER_ID_NOT_REGISTERED", false, "Broker ID not registered"],
  [103, "INCONSISTENT_TOPIC_ID", true, "Inconsistent topic ID"],
  [104, "INCONSISTENT_CLUSTER_ID", false, "Inconsistent cluster ID"],
  [105, "TRANSACTIONAL_ID_NOT_FOUND", false, "Transactional ID not found"],
  [106, "FETCH_SESSION_TOPIC_ID_ERROR", true, "Fetch session topic ID error"],
  [107, "INELIGIBLE_REPLICA", false, "Ineligible replica"],
  [108, "NEW_LEADER_ELECTED", false, "New leader elected"],
  [109, "OFFSET_MOVED_TO_TIERED_STORAGE", false, "Offset moved to tiered storage"],
  [110, "FENCED_MEMBER_EPOCH", false, "Fenced member epoch"],
  [111, "UNRELEASED_INSTANCE_ID", false, "Unreleased instance ID"],
  [112, "UNSUPPORTED_ASSIGNOR", false, "Unsupported assignor"],
  [113, "STALE_MEMBER_EPOCH", false, "Stale member epoch"],
  [114, "MISMATCHED_ENDPOINT_TYPE", false, "Mismatched endpoint type"],
  [115, "UNSUPPORTED_ENDPOINT_TYPE", false, "Unsupported endpoint type"],
  [116, "UNKNOWN_CONTROLLER_ID", false, "Unknown controller ID"],
  [117, "UNKNOWN_SUBSCRIPTION_ID", false, "Unknown subscription ID"],
  [118, "TELEMETRY_TOO_LARGE", false, "Telemetry too large"],
  [119, "INVALID_REGISTRATION", false, "Invalid registration"],
  [120, "TRANSACTION_ABORTABLE", false, "Transaction abortable"],
  [121, "INVALID_RECORD_STATE", false, "Invalid record state"],
  [122, "SHARE_SESSION_NOT_FOUND", true, "Share session not found"],
  [123, "INVALID_SHARE_SESSION_EPOCH", true, "Invalid share session epoch"],
  [124, "FENCED_STATE_EPOCH", false, "Fenced state epoch"],
  [125, "INVALID_VOTER_KEY", false, "Invalid voter key"],
  [126, "DUPLICATE_VOTER", false, "Duplicate voter"],
  [127, "VOTER_NOT_FOUND", false, "Voter not found"],
  [128, "INVALID_REGULAR_EXPRESSION", false, "Invalid regular expression"],
  [129, "REBOOTSTRAP_REQUIRED", false, "Rebootstrap required"],
  [130, "STREAMS_INVALID_TOPOLOGY", false, "Streams invalid topology"],
  [131, "STREAMS_INVALID_TOPOLOGY_EPOCH", false, "Streams invalid topology epoch"],
  [132, "STREAMS_TOPOLOGY_FENCED", false, "Streams topology fenced"],
  [133, "SHARE_SESSION_LIMIT_REACHED", true, "Share session limit reached"],
];

/**
 * Every error code of Kafka 4.1.1, from -1 upwards.
 *
 * @example
 * ```ts
 * import { ERRORS } from "@brook/kafka/codec";
 * console.log(ERRORS.length); // 135
 * ```
 */
export const ERRORS: readonly KafkaErrorInfo[] = Object.freeze(
  TABLE.map(([code, name, retriable, message]) =>
    Object.freeze({ code, name, retriable, message })
  ),
);

const BY_CODE = new Map(ERRORS.map((e) => [e.code, e]));

type ErrorName =
  | "UNKNOWN_SERVER_ERROR"
  | "NONE"
  | "OFFSET_OUT_OF_RANGE"
  | "CORRUPT_MESSAGE"
  | "UNKNOWN_TOPIC_OR_PARTITION"
  | "INVALID_FETCH_SIZE"
  | "LEADER_NOT_AVAILABLE"
  | "NOT_LEADER_OR_FOLLOWER"
  | "REQUEST_TIMED_OUT"
  | "BROKER_NOT_AVAILABLE"
  | "REPLICA_NOT_AVAILABLE"
  | "MESSAGE_TOO_LARGE"
  | "STALE_CONTROLLER_EPOCH"
  | "OFFSET_METADATA_TOO_LARGE"
  | "NETWORK_EXCEPTION"
  | "COORDINATOR_LOAD_IN_PROGRESS"
  | "COORDINATOR_NOT_AVAILABLE"
  | "NOT_COORDINATOR"
  | "INVALID_TOPIC_EXCEPTION"
  | "RECORD_LIST_TOO_LARGE"
  | "NOT_ENOUGH_REPLICAS"
  | "NOT_ENOUGH_REPLICAS_AFTER_APPEND"
  | "INVALID_REQUIRED_ACKS"
  | "ILLEGAL_GENERATION"
  | "INCONSISTENT_GROUP_PROTOCOL"
  | "INVALID_GROUP_ID"
  | "UNKNOWN_MEMBER_ID"
  | "INVALID_SESSION_TIMEOUT"
  | "REBALANCE_IN_PROGRESS"
  | "INVALID_COMMIT_OFFSET_SIZE"
  | "TOPIC_AUTHORIZATION_FAILED"
  | "GROUP_AUTHORIZATION_FAILED"
  | "CLUSTER_AUTHORIZATION_FAILED"
  | "INVALID_TIMESTAMP"
  | "UNSUPPORTED_SASL_MECHANISM"
  | "ILLEGAL_SASL_STATE"
  | "UNSUPPORTED_VERSION"
  | "TOPIC_ALREADY_EXISTS"
  | "INVALID_PARTITIONS"
  | "INVALID_REPLICATION_FACTOR"
  | "INVALID_REPLICA_ASSIGNMENT"
  | "INVALID_CONFIG"
  | "NOT_CONTROLLER"
  | "INVALID_REQUEST"
  | "UNSUPPORTED_FOR_MESSAGE_FORMAT"
  | "POLICY_VIOLATION"
  | "OUT_OF_ORDER_SEQUENCE_NUMBER"
  | "DUPLICATE_SEQUENCE_NUMBER"
  | "INVALID_PRODUCER_EPOCH"
  | "INVALID_TXN_STATE"
  | "INVALID_PRODUCER_ID_MAPPING"
  | "INVALID_TRANSACTION_TIMEOUT"
  | "CONCURRENT_TRANSACTIONS"
  | "TRANSACTION_COORDINATOR_FENCED"
  | "TRANSACTIONAL_ID_AUTHORIZATION_FAILED"
  | "SECURITY_DISABLED"
  | "OPERATION_NOT_ATTEMPTED"
  | "KAFKA_STORAGE_ERROR"
  | "LOG_DIR_NOT_FOUND"
  | "SASL_AUTHENTICATION_FAILED"
  | "UNKNOWN_PRODUCER_ID"
  | "REASSIGNMENT_IN_PROGRESS"
  | "DELEGATION_TOKEN_AUTH_DISABLED"
  | "DELEGATION_TOKEN_NOT_FOUND"
  | "DELEGATION_TOKEN_OWNER_MISMATCH"
  | "DELEGATION_TOKEN_REQUEST_NOT_ALLOWED"
  | "DELEGATION_TOKEN_AUTHORIZATION_FAILED"
  | "DELEGATION_TOKEN_EXPIRED"
  | "INVALID_PRINCIPAL_TYPE"
  | "NON_EMPTY_GROUP"
  | "GROUP_ID_NOT_FOUND"
  | "FETCH_SESSION_ID_NOT_FOUND"
  | "INVALID_FETCH_SESSION_EPOCH"
  | "LISTENER_NOT_FOUND"
  | "TOPIC_DELETION_DISABLED"
  | "FENCED_LEADER_EPOCH"
  | "UNKNOWN_LEADER_EPOCH"
  | "UNSUPPORTED_COMPRESSION_TYPE"
  | "STALE_BROKER_EPOCH"
  | "OFFSET_NOT_AVAILABLE"
  | "MEMBER_ID_REQUIRED"
  | "PREFERRED_LEADER_NOT_AVAILABLE"
  | "GROUP_MAX_SIZE_REACHED"
  | "FENCED_INSTANCE_ID"
  | "ELIGIBLE_LEADERS_NOT_AVAILABLE"
  | "ELECTION_NOT_NEEDED"
  | "NO_REASSIGNMENT_IN_PROGRESS"
  | "GROUP_SUBSCRIBED_TO_TOPIC"
  | "INVALID_RECORD"
  | "UNSTABLE_OFFSET_COMMIT"
  | "THROTTLING_QUOTA_EXCEEDED"
  | "PRODUCER_FENCED"
  | "RESOURCE_NOT_FOUND"
  | "DUPLICATE_RESOURCE"
  | "UNACCEPTABLE_CREDENTIAL"
  | "INCONSISTENT_VOTER_SET"
  | "INVALID_UPDATE_VERSION"
  | "FEATURE_UPDATE_FAILED"
  | "PRINCIPAL_DESERIALIZATION_FAILURE"
  | "SNAPSHOT_NOT_FOUND"
  | "POSITION_OUT_OF_RANGE"
  | "UNKNOWN_TOPIC_ID"
  | "DUPLICATE_BROKER_REGISTRATION"
  | "BROKER_ID_NOT_REGISTERED"
  | "INCONSISTENT_TOPIC_ID"
  | "INCONSISTENT_CLUSTER_ID"
  | "TRANSACTIONAL_ID_NOT_FOUND"
  | "FETCH_SESSION_TOPIC_ID_ERROR"
  | "INELIGIBLE_REPLICA"
  | "NEW_LEADER_ELECTED"
  | "OFFSET_MOVED_TO_TIERED_STORAGE"
  | "FENCED_MEMBER_EPOCH"
  | "UNRELEASED_INSTANCE_ID"
  | "UNSUPPORTED_ASSIGNOR"
  | "STALE_MEMBER_EPOCH"
  | "MISMATCHED_ENDPOINT_TYPE"
  | "UNSUPPORTED_ENDPOINT_TYPE"
  | "UNKNOWN_CONTROLLER_ID"
  | "UNKNOWN_SUBSCRIPTION_ID"
  | "TELEMETRY_TOO_LARGE"
  | "INVALID_REGISTRATION"
  | "TRANSACTION_ABORTABLE"
  | "INVALID_RECORD_STATE"
  | "SHARE_SESSION_NOT_FOUND"
  | "INVALID_SHARE_SESSION_EPOCH"
  | "FENCED_STATE_EPOCH"
  | "INVALID_VOTER_KEY"
  | "DUPLICATE_VOTER"
  | "VOTER_NOT_FOUND"
  | "INVALID_REGULAR_EXPRESSION"
  | "REBOOTSTRAP_REQUIRED"
  | "STREAMS_INVALID_TOPOLOGY"
  | "STREAMS_INVALID_TOPOLOGY_EPOCH"
  | "STREAMS_TOPOLOGY_FENCED"
  | "SHARE_SESSION_LIMIT_REACHED";

/**
 * Kafka's error codes by name, for code that reads well: `ErrorCode.NOT_LEADER_OR_FOLLOWER === 6`.
 *
 * @example
 * ```ts
 * import { ErrorCode } from "@brook/kafka/codec";
 * const response = { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION };
 * ```
 */
export const ErrorCode: { readonly [K in ErrorName]: number } = Object.freeze(
  Object.fromEntries(ERRORS.map((e) => [e.name, e.code])),
) as { readonly [K in ErrorName]: number };

/**
 * The facts of an error code; an unknown code gets a synthesized, non-retriable entry.
 *
 * @example
 * ```ts
 * import { errorInfo } from "@brook/kafka/codec";
 * errorInfo(6).retriable; // true
 * errorInfo(9999).name; // "UNKNOWN_ERROR_CODE_9999"
 * ```
 */
export function errorInfo(code: number): KafkaErrorInfo {
  return BY_CODE.get(code) ??
    {
      code,
      name: `UNKNOWN_ERROR_CODE_${code}`,
      retriable: false,
      message: `Unknown error code ${code}`,
    };
}

/**
 * The base of every error Brook raises about Kafka: an error code a broker answered, bytes the codec
 * cannot read, a lost connection, a timeout. `retriable` says whether trying again may succeed, as
 * Kafka's RetriableException does.
 *
 * @example
 * ```ts
 * import { KafkaError } from "@brook/kafka/codec";
 * try {
 *   throw new KafkaError("the broker went away", { retriable: true });
 * } catch (e) {
 *   if (e instanceof KafkaError && e.retriable) console.log("try again");
 * }
 * ```
 */
export class KafkaError extends Error {
  /** True when retrying may succeed. */
  readonly retriable: boolean;

  constructor(message: string, options: ErrorOptions & { retriable?: boolean } = {}) {
    super(message, options);
    this.name = "KafkaError";
    this.retriable = options.retriable ?? false;
  }
}

/** Options of {@linkcode KafkaProtocolError}. */
export interface KafkaProtocolErrorOptions extends ErrorOptions {
  /** What failed: a topic and partition, a group, an API. */
  detail?: string;
}

/**
 * An error code a Kafka broker answered with.
 *
 * @example
 * ```ts
 * import { KafkaProtocolError } from "@brook/kafka/codec";
 * const e = new KafkaProtocolError(6, { detail: "topic t partition 0" });
 * console.log(e.message); // "Not leader or follower ... (NOT_LEADER_OR_FOLLOWER, code 6): topic t partition 0"
 * console.log(e.retriable); // true
 * ```
 */
export class KafkaProtocolError extends KafkaError {
  /** The error code. */
  readonly code: number;
  /** Kafka's name of the error. */
  readonly errorName: string;

  constructor(code: number, options: KafkaProtocolErrorOptions = {}) {
    const info = errorInfo(code);
    const detail = options.detail ? `: ${options.detail}` : "";
    super(`${info.message} (${info.name}, code ${code})${detail}`, {
      cause: options.cause,
      retriable: info.retriable,
    });
    this.name = "KafkaProtocolError";
    this.code = code;
    this.errorName = info.name;
  }
}

/**
 * UNSUPPORTED_VERSION (35): a version the codec or a broker does not have, or a field a version cannot
 * carry (Kafka's rule for non-ignorable fields).
 *
 * @example
 * ```ts
 * import { UnsupportedVersionError } from "@brook/kafka/codec";
 * throw new UnsupportedVersionError("MetadataRequest has no version 14");
 * ```
 */
export class UnsupportedVersionError extends KafkaProtocolError {
  constructor(detail?: string, options: ErrorOptions = {}) {
    super(35, { ...options, detail });
    this.name = "UnsupportedVersionError";
  }
}

/** Where a {@linkcode KafkaCodecError} happened. */
export interface KafkaCodecErrorOptions extends ErrorOptions {
  /** The field path, e.g. "ProduceRequest.topicData.partitionData.records"; empty when unknown. */
  path?: string;
  /** The byte offset in the input, or -1. */
  offset?: number;
}

/**
 * Bytes Brook's codec cannot decode, or a value it cannot encode. The message names the field path and
 * the byte offset, and grows the path as the error passes up through nested structs.
 *
 * @example
 * ```ts
 * import { KafkaCodecError } from "@brook/kafka/codec";
 * const e = new KafkaCodecError("Cannot decode: needed 2 bytes, 1 remain", { path: "name", offset: 17 });
 * console.log(KafkaCodecError.withSegment(e, "MetadataRequest.topics").message);
 * // "Cannot decode: needed 2 bytes, 1 remain (at MetadataRequest.topics.name, byte 17)"
 * ```
 */
export class KafkaCodecError extends KafkaError {
  /** The field path. */
  readonly path: string;
  /** The byte offset in the input, or -1. */
  readonly offset: number;
  readonly #reason: string;

  constructor(reason: string, options: KafkaCodecErrorOptions = {}) {
    const path = options.path ?? "";
    const offset = options.offset ?? -1;
    const where = [path ? `at ${path}` : "", offset >= 0 ? `byte ${offset}` : ""].filter((s) =>
      s !== ""
    );
    super(where.length ? `${reason} (${where.join(", ")})` : reason, options);
    this.name = "KafkaCodecError";
    this.#reason = reason;
    this.path = path;
    this.offset = offset;
  }

  /** The same error with `segment` put in front of its path. */
  static withSegment(e: KafkaCodecError, segment: string): KafkaCodecError {
    const path = e.path ? `${segment}.${e.path}` : segment;
    return new KafkaCodecError(e.#reason, { path, offset: e.offset, cause: e.cause });
  }
}
