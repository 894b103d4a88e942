/**
 * The SASL mechanisms Kafka speaks: PLAIN, SCRAM-SHA-256/512 and OAUTHBEARER, their messages for
 * both sides.
 *
 * @example
 * ```ts
 * import { plainMessage } from "@brook/kafka/codec";
 * const token = plainMessage("alice", "secret");
 * ```
 *
 * @module
 */

export * from "./plain.ts";
export * from "./scram.ts";
export * from "./oauthbearer.ts";
