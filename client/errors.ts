/**
 * Errors the client raises that are not Kafka error codes: connections that cannot be made or are
 * lost, requests and deliveries that time out, clients used after close. All are {@linkcode KafkaError}s.
 *
 * @module
 */

import { KafkaError } from "../codec/mod.ts";

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
export class KafkaConnectionError extends KafkaError {
  /** Connection errors are worth retrying. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, { ...options, retriable: true });
    this.name = "KafkaConnectionError";
  }
}

/**
 * A request got no answer within its timeout (the connection is then closed, as Kafka's Java client
 * closes it, since its later answers could no longer be matched to their requests), or a record could
 * not be delivered within delivery.timeout.ms.
 *
 * @example
 * ```ts
 * import { KafkaTimeoutError } from "@brook/kafka/client";
 * throw new KafkaTimeoutError("Metadata request to 127.0.0.1:9092 timed out after 30000 ms");
 * ```
 */
export class KafkaTimeoutError extends KafkaError {
  /** Timeouts are worth retrying. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, { ...options, retriable: true });
    this.name = "KafkaTimeoutError";
  }
}

/**
 * A producer, consumer or admin client was used after it was closed.
 *
 * @example
 * ```ts
 * import { KafkaClosedError } from "@brook/kafka/client";
 * throw new KafkaClosedError("The producer is closed");
 * ```
 */
export class KafkaClosedError extends KafkaError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "KafkaClosedError";
  }
}
