/**
 * Kafka's default messages for the errors whose responses carry them (`Errors.message()` in
 * Apache Kafka 4.1): a broker answering an error without a message of its own sends these.
 *
 * @module
 */

import { ErrorCode } from "../codec/mod.ts";

const MESSAGES: Record<number, string> = {
  [ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]: "This server does not host this topic-partition.",
  [ErrorCode.COORDINATOR_NOT_AVAILABLE]: "The coordinator is not available.",
  [ErrorCode.TOPIC_AUTHORIZATION_FAILED]: "Topic authorization failed.",
  [ErrorCode.GROUP_AUTHORIZATION_FAILED]: "Group authorization failed.",
  [ErrorCode.CLUSTER_AUTHORIZATION_FAILED]: "Cluster authorization failed.",
  [ErrorCode.INVALID_REQUEST]:
    "This most likely occurs because of a request being malformed by the client library or the message was sent to an incompatible broker. See the broker logs for more details.",
  [ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED]: "Transactional Id authorization failed.",
  [ErrorCode.SECURITY_DISABLED]: "Security features are disabled.",
  [ErrorCode.UNSUPPORTED_VERSION]: "The version of API is not supported.",
  [ErrorCode.INVALID_GROUP_ID]: "The group id is invalid.",
  [ErrorCode.NON_EMPTY_GROUP]: "The group is not empty.",
};

/**
 * Kafka's default message for an error code, or null for the errors not listed here.
 *
 * @example
 * ```ts
 * import { ErrorCode } from "../codec/mod.ts";
 * console.log(kafkaMessage(ErrorCode.TOPIC_AUTHORIZATION_FAILED)); // "Topic authorization failed."
 * ```
 */
export function kafkaMessage(code: number): string | null {
  return MESSAGES[code] ?? null;
}
