/**
 * What an interceptor sees of a request and how it passes it on: the hook that fault injection,
 * metrics and tests put in front of the handlers. Its own module, so that the metrics can name it
 * without importing the dispatcher that runs it.
 *
 * @module
 */

import type { CodecApiKey, RequestHeader } from "../../codec/mod.ts";
import type { RequestContext } from "./handler.ts";

/** A decoded request on its way to a handler, as interceptors see it. */
export interface InterceptedRequest {
  /** The request's API key (Kafka's request_api_key), e.g. 0 for Produce. */
  readonly apiKey: CodecApiKey;
  /** The request's version. */
  readonly apiVersion: number;
  /** The request header: client id, correlation id. */
  readonly header: RequestHeader;
  /** The decoded body; an interceptor may replace it before calling `next`. */
  body: unknown;
}

/** A request as the dispatcher hands it to the chain: with the context its handler gets. */
export interface DispatchedRequest extends InterceptedRequest {
  /** The handler's context; Brook's own interceptors read it, users' see only the request. */
  readonly ctx: RequestContext;
}

/**
 * The handler context of an intercepted request, for Brook's own interceptors (fault scopes by node,
 * waits by connection). Every request the dispatcher runs through interceptors carries one.
 */
export function contextOf(request: InterceptedRequest): RequestContext {
  return (request as DispatchedRequest).ctx;
}

/**
 * Sees each request before its handler. It may answer the request itself (return a response body, or
 * null to send no answer while keeping the connection open, or "close" to close the connection),
 * change `request.body` and then call `next()` to fall through to the handler (and the interceptors
 * after it), or change what `next()` returned. Whatever it returns is what the client gets.
 *
 * @example
 * ```ts
 * import { type Interceptor } from "@brook/kafka/broker";
 * // Answers every Heartbeat with REBALANCE_IN_PROGRESS; lets everything else through.
 * const rebalancing: Interceptor = (request, next) =>
 *   request.apiKey === 12 ? Promise.resolve({ errorCode: 27 }) : next();
 * ```
 */
export type Interceptor = (
  request: InterceptedRequest,
  next: () => Promise<unknown>,
) => Promise<unknown>;
