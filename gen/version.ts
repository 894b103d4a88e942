/**
 * The Kafka release whose message specs (`codec/specs/<version>/`) the codec is generated from.
 *
 * @example
 * ```ts
 * import { KAFKA_VERSION } from "./version.ts";
 * console.log(`codec/specs/${KAFKA_VERSION}`);
 * ```
 *
 * @module
 */

/** The release, as Maven names kafka-clients' versions. */
export const KAFKA_VERSION = "4.4.0";
