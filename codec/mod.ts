/**
 * Brook's Kafka wire protocol: every API key and version of Apache Kafka 4.1, generated from Kafka's
 * message specs, with the reader, writer and frame helpers they are built on.
 *
 * @example
 * ```ts
 * import { ApiKey, decodeResponseFrame, encodeRequestFrame, Writer } from "@brook/kafka/codec";
 * const frame = encodeRequestFrame(new Writer(), {
 *   apiKey: ApiKey.Metadata,
 *   apiVersion: 12,
 *   correlationId: 1,
 *   clientId: "brook",
 *   body: { topics: null, allowAutoTopicCreation: false },
 * });
 * // ...send `frame` to a broker, read the answer's payload, then:
 * // const { body } = decodeResponseFrame(payload, ApiKey.Metadata, 12);
 * ```
 *
 * @module
 */

export * from "./errors.ts";
export * from "./protocol/reader.ts";
export * from "./protocol/writer.ts";
export * from "./protocol/uuid.ts";
export * from "./protocol/frame.ts";
export * from "./generated/mod.ts";
export * from "./records/mod.ts";
export * from "./compression/mod.ts";
export * from "./consumer_protocol.ts";
export * from "./sasl/mod.ts";
export * from "./acl.ts";
export * from "./acl_fields.ts";
export * from "./metrics/latency_histogram.ts";
