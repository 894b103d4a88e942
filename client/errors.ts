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
  /** Creates the error; `message` says what was closed. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "KafkaClosedError";
  }
}

/**
 * Records a producer could not deliver (their delivery timeout passed, a broker refused them, the
 * close timeout ended), as `flush()` and `close()` report them: counts per topic and partition
 * (partition -1: records that never got one, e.g. their topic's metadata did not come) and the
 * last error seen. Each failed record's own `send()` promise rejected with its error too.
 *
 * @example
 * ```ts
 * import { KafkaDeliveryError, Producer } from "@brook/kafka/client";
 * const producer = new Producer({ bootstrapServers: "127.0.0.1:9092" });
 * producer.send({ topic: "orders", value: "1" }).catch(() => {});
 * try {
 *   await producer.flush();
 * } catch (e) {
 *   if (e instanceof KafkaDeliveryError) console.log(e.count, e.undelivered, e.lastError.message);
 * }
 * ```
 */
export class KafkaDeliveryError extends KafkaError {
  /** Undelivered records by topic, then partition. */
  readonly undelivered: Map<string, Map<number, number>>;
  /** Undelivered records in all. */
  readonly count: number;
  /** The last error a record failed with (often the broker's or a timeout). */
  readonly lastError: Error;

  /** Creates the error from the undelivered counts (topic, then partition) and the last error. */
  constructor(undelivered: Map<string, Map<number, number>>, lastError: Error) {
    let count = 0;
    const parts: string[] = [];
    for (const [topic, partitions] of undelivered) {
      for (const [partition, n] of partitions) {
        count += n;
        parts.push(`${topic}-${partition}: ${n}`);
      }
    }
    super(
      `${count} record${count === 1 ? "" : "s"} not delivered (${
        parts.join(", ")
      }); last error: ${lastError.message}`,
      { cause: lastError },
    );
    this.name = "KafkaDeliveryError";
    this.undelivered = undelivered;
    this.count = count;
    this.lastError = lastError;
  }
}
