/**
 * Errors the client raises that are not Kafka error codes: connections that cannot be made or are
 * lost, requests that time out.
 *
 * @module
 */

/**
 * A connection to a broker could not be made or was lost. Retriable: the client reconnects.
 *
 * @example
 * ```ts
 * import { KafkaConnectionError } from "@brook/kafka/client";
 * const e = new KafkaConnectionError("Cannot connect to 127.0.0.1:9092: connection refused");
 * console.log(e.retriable); // true
 * ```
 */
export class KafkaConnectionError extends Error {
  /** Connection errors are worth retrying. */
  readonly retriable = true;

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "KafkaConnectionError";
  }
}

/**
 * A request got no answer within its timeout. Like Kafka's Java client, the connection is closed,
 * since its later answers could no longer be matched to their requests.
 *
 * @example
 * ```ts
 * import { KafkaTimeoutError } from "@brook/kafka/client";
 * throw new KafkaTimeoutError("Metadata request to 127.0.0.1:9092 timed out after 30000 ms");
 * ```
 */
export class KafkaTimeoutError extends Error {
  /** Timeouts are worth retrying. */
  readonly retriable = true;

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "KafkaTimeoutError";
  }
}
