/**
 * Kafka's error codes (Apache Kafka 4.1.1): code, name, whether the error is retriable (its Java
 * exception extends RetriableException), and Kafka's default message, as kafka-clients 4.1.1 itself
 * prints them (`deno task gen:errors` writes `error_table.ts`); and the errors Brook raises.
 *
 * @module
 */

import { ERROR_TABLE, type ErrorName } from "./error_table.ts";

export type { ErrorName } from "./error_table.ts";

/** One Kafka error code. */
export interface KafkaErrorInfo {
  /** The code on the wire. */
  readonly code: number;
  /** Kafka's name for it, e.g. "NOT_LEADER_OR_FOLLOWER". */
  readonly name: string;
  /** True when retrying the request may succeed. */
  readonly retriable: boolean;
  /**
   * Kafka's default message (`Errors.message()`): what a Kafka broker sends in a response's error
   * message field when it has nothing more specific to say ("NONE" for no error).
   */
  readonly message: string;
}

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
  ERROR_TABLE.map(([code, name, retriable, message]) =>
    Object.freeze({ code, name, retriable, message })
  ),
);

const BY_CODE = new Map(ERRORS.map((e) => [e.code, e]));

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

  /** Creates the error; `retriable` says whether trying again may succeed (default false). */
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
 * console.log(e.message); // "For requests intended only for the leader, ... (NOT_LEADER_OR_FOLLOWER, code 6): topic t partition 0"
 * console.log(e.retriable); // true
 * ```
 */
export class KafkaProtocolError extends KafkaError {
  /** The error code. */
  readonly code: number;
  /** Kafka's name of the error. */
  readonly errorName: string;

  /** Creates the error for a Kafka error code; the message is Kafka's text for the code. */
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
  /** Creates the error; `detail` says which version or field was missing. */
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

  /** Creates the error from what went wrong and where. */
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
