/**
 * Which failures an admin call retries until its timeout, as Kafka's admin client decides.
 *
 * @module
 */

import { ErrorCode, KafkaProtocolError } from "../../codec/mod.ts";

/** Retried by an admin though not marked retriable: the controller moved, a request timed out. */
const RETRIABLE_ADMIN = new Set<number>([ErrorCode.NOT_CONTROLLER, ErrorCode.REQUEST_TIMED_OUT]);
/** Retriable for clients that wait for a topic, but final for an admin asked about it. */
const FINAL_ADMIN = new Set<number>([
  ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
  ErrorCode.UNKNOWN_TOPIC_ID,
]);

/**
 * Whether an admin call that failed with `e` tries again.
 *
 * @example
 * ```ts
 * import { retriableForAdmin } from "./retry.ts";
 * import { ErrorCode, KafkaProtocolError } from "../../codec/mod.ts";
 * console.log(retriableForAdmin(new KafkaProtocolError(ErrorCode.NOT_CONTROLLER))); // true
 * ```
 */
export function retriableForAdmin(e: unknown): boolean {
  if (e instanceof KafkaProtocolError) {
    return !FINAL_ADMIN.has(e.code) && (RETRIABLE_ADMIN.has(e.code) || e.retriable);
  }
  return (e as { retriable?: boolean }).retriable === true;
}
