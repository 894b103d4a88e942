/**
 * What a broker handler is: one file per API key declares the versions it serves and answers requests.
 * ApiVersions is derived from the registered handlers, never listed by hand.
 *
 * @module
 */

import type { ApiMessages, CodecApiKey, RequestHeader } from "../../codec/mod.ts";
import type { NodeInfo } from "../metadata/cluster.ts";
import type { BrokerServices } from "./services.ts";

/** Who is on the other end of a connection, as far as the broker knows. */
export interface ConnectionInfo {
  /** A broker-unique connection id ("127.0.0.1:9092-127.0.0.1:54321-3"), as Kafka names them. */
  readonly id: string;
  /** The client's address and port. */
  readonly remoteAddress: string;
  readonly remotePort: number;
  /** The listener name ("PLAINTEXT") and its security protocol. */
  readonly listenerName: string;
  readonly securityProtocol: string;
  /** The authenticated principal, "User:ANONYMOUS" without authentication. */
  principal: string;
  /** True when the client authenticated with a delegation token (it may not ask for tokens). */
  tokenAuthenticated?: boolean;
  /** The client software name and version from ApiVersions v3+ (KIP-511). */
  clientSoftwareName: string;
  clientSoftwareVersion: string;
}

/**
 * Everything a handler may use to answer one request: the request, its connection, and the broker's
 * services by name (`ctx.topics`, `ctx.groups`, `ctx.transactions`, ...).
 */
export interface RequestContext extends BrokerServices {
  /** The node that received the request. */
  readonly node: NodeInfo;
  /** The request header (client id, correlation id, version). */
  readonly header: RequestHeader;
  /** The request's API version. */
  readonly apiVersion: number;
  /** The connection the request came on. */
  readonly connection: ConnectionInfo;
  /** Aborted when the connection closes or the broker stops, so that waits (long polls) end. */
  readonly signal: AbortSignal;
}

/**
 * A handler's answer: a response body, null for no response (a Produce with acks=0), or "close" to
 * close the connection, as Kafka does with a request it cannot make sense of.
 */
export type HandlerResult<K extends CodecApiKey> =
  | ApiMessages[K]["responseInit"]
  | null
  | "close"
  | Promise<ApiMessages[K]["responseInit"] | null | "close">;

/** One API key's handler. */
export interface Handler<K extends CodecApiKey = CodecApiKey> {
  /** The API key served. */
  readonly apiKey: K;
  /** The lowest version served. */
  readonly minVersion: number;
  /** The highest version served (Kafka 4.1's highest stable version). */
  readonly maxVersion: number;
  /**
   * The lowest version that ApiVersions advertises, when it differs from `minVersion` (Kafka 4 still
   * advertises Produce from version 0 although it refuses versions 0-2: KAFKA-18659).
   */
  readonly advertisedMinVersion?: number;
  /** Answers one decoded request. */
  handle(request: ApiMessages[K]["request"], ctx: RequestContext): HandlerResult<K>;
}

/**
 * Declares a handler with its types checked against the API key's request and response.
 *
 * @example
 * ```ts
 * import { defineHandler } from "./handler.ts";
 * import { ApiKey } from "../../codec/mod.ts";
 * export default defineHandler({
 *   apiKey: ApiKey.Heartbeat,
 *   minVersion: 0,
 *   maxVersion: 4,
 *   handle: () => ({ errorCode: 0 }),
 * });
 * ```
 */
export function defineHandler<K extends CodecApiKey>(handler: Handler<K>): Handler<K> {
  return handler;
}
