/**
 * Turns a request frame into a response frame: reads the header, checks the API key and version
 * against the registered handlers, decodes the body, runs the handler (through the interceptors that
 * fault injection and metrics add) and encodes the answer. What Kafka refuses by closing the connection
 * (an unknown API key, a version it does not serve, a body it cannot parse), this refuses the same way;
 * a handler that fails gets Kafka's answer to an unexpected error, UNKNOWN_SERVER_ERROR.
 *
 * @module
 */

import {
  API_CODECS,
  ApiKey,
  type ApiMessages,
  type CodecApiKey,
  encodeResponseFrame,
  ErrorCode,
  Reader,
  readRequestHeader,
  type RequestHeader,
  type Writer,
} from "../../codec/mod.ts";
import type { Cluster, NodeInfo } from "../metadata/cluster.ts";
import type { DispatchResult } from "./connection.ts";
import type { ConnectionInfo, Handler, RequestContext } from "./handler.ts";
import { servicesOf } from "./services.ts";
import { mirrorErrorResponse } from "../faults/faults_response.ts";
import { firstErrorCode, type RequestTiming } from "./metrics.ts";
import { type ByteRateKey, quotaUser } from "../quotas/quota_enforcer.ts";
import type { DispatchedRequest, Interceptor } from "./interceptor.ts";

export type { InterceptedRequest, Interceptor } from "./interceptor.ts";

/** The APIs a controller mutation quota throttles. */
const MUTATIONS = new Set<number>([
  ApiKey.CreateTopics,
  ApiKey.DeleteTopics,
  ApiKey.CreatePartitions,
]);

/**
 * A throttled Fetch's answer: no data, the throttle time, and the session id only for a request
 * inside an existing session (Kafka's throttled response of each fetch context).
 */
function throttledFetch(answer: unknown, request: unknown, throttleTimeMs: number): unknown {
  const inSession = ((request as { sessionEpoch?: number }).sessionEpoch ?? 0) > 0;
  return {
    throttleTimeMs,
    errorCode: 0,
    sessionId: inSession ? (answer as { sessionId?: number }).sessionId ?? 0 : 0,
    responses: [],
  };
}

/** Answers requests for one node. */
export class Dispatcher {
  readonly #handlers: (Handler | undefined)[];
  readonly #cluster: Cluster;
  readonly #node: NodeInfo;
  readonly #interceptors: Interceptor[];

  constructor(
    handlers: (Handler | undefined)[],
    cluster: Cluster,
    node: NodeInfo,
    interceptors: Interceptor[],
  ) {
    this.#handlers = handlers;
    this.#cluster = cluster;
    this.#node = node;
    this.#interceptors = interceptors;
  }

  /** Answers one request frame's payload. */
  dispatch = async (
    payload: Uint8Array,
    info: ConnectionInfo,
    signal: AbortSignal,
    w: Writer,
    timing: RequestTiming,
  ): Promise<DispatchResult> => {
    if (payload.length < 4) return "close";
    const apiKey = (payload[0] << 8 | payload[1]) << 16 >> 16;
    const apiVersion = (payload[2] << 8 | payload[3]) << 16 >> 16;
    const handler = this.#handlers[apiKey];
    if (handler === undefined) return "close";
    const r = new Reader(payload);
    let header: RequestHeader;
    let body: unknown;
    try {
      header = readRequestHeader(r);
      if (apiVersion < handler.minVersion || apiVersion > handler.maxVersion) {
        if (apiKey === ApiKey.ApiVersions) {
          timing.apiKey = apiKey;
          timing.apiVersion = apiVersion;
          timing.clientId = header.clientId;
          timing.errorCode = ErrorCode.UNSUPPORTED_VERSION;
          timing.started = timing.handled = performance.now();
          return this.#unsupportedApiVersions(header.correlationId, w);
        }
        return "close";
      }
      body = API_CODECS[apiKey as CodecApiKey].decodeRequest(r, apiVersion);
    } catch {
      return "close";
    }
    const ctx: RequestContext = {
      ...servicesOf(this.#cluster),
      node: this.#node,
      header,
      apiVersion,
      connection: info,
      signal,
    };
    timing.apiKey = apiKey;
    timing.apiVersion = apiVersion;
    timing.clientId = header.clientId;
    timing.started = performance.now();
    try {
      const answer = this.#interceptors.length === 0
        ? await handler.handle(body as never, ctx)
        : await run(
          // A copy, so that interceptors added or removed meanwhile do not shift this chain.
          this.#interceptors.slice(),
          { apiKey: apiKey as CodecApiKey, apiVersion, header, body, ctx },
          handler,
          0,
        );
      const quotaKey = this.#cluster.quotas.isEmpty
        ? undefined
        : apiKey === ApiKey.Produce
        ? "producer_byte_rate"
        : apiKey === ApiKey.Fetch
        ? "consumer_byte_rate"
        : undefined;
      // Produce bytes count against the quota whether or not an answer is sent (acks=0).
      const produceThrottleMs = quotaKey === "producer_byte_rate"
        ? this.#record(quotaKey, ctx, payload.length)
        : 0;
      if (answer === null || answer === undefined || answer === "close") {
        timing.handled = performance.now();
        if (answer === "close") return "close";
        return produceThrottleMs > 0 ? { send: null, muteMs: produceThrottleMs } : null;
      }
      if (produceThrottleMs > 0) {
        (answer as { throttleTimeMs: number }).throttleTimeMs = produceThrottleMs;
      }
      timing.errorCode = firstErrorCode(answer);
      const encode = (body: unknown) => {
        w.reset();
        return encodeResponseFrame(w, {
          apiKey: apiKey as CodecApiKey,
          apiVersion,
          correlationId: header.correlationId,
          body: body as ApiMessages[CodecApiKey]["responseInit"],
        });
      };
      let frame = encode(answer);
      // A controller mutation quota's throttle time mutes the connection too (KIP-599).
      let muteMs = MUTATIONS.has(apiKey)
        ? (answer as { throttleTimeMs?: number }).throttleTimeMs ?? 0
        : produceThrottleMs;
      if (quotaKey === "consumer_byte_rate") {
        muteMs = this.#record(quotaKey, ctx, frame.length);
        if (muteMs > 0) {
          // As Kafka: a throttled fetch is answered without data, and its bytes are not counted.
          this.#unrecord(quotaKey, ctx, frame.length);
          frame = encode(throttledFetch(answer, body, muteMs));
        }
      }
      // Handling time includes encoding: the response is ready to send from here.
      timing.handled = performance.now();
      return muteMs > 0 ? { send: frame, muteMs } : frame;
    } catch (e) {
      timing.handled = performance.now();
      return this.#failed(apiKey as CodecApiKey, apiVersion, header, body, e, w, timing);
    }
  };

  /**
   * A request whose handler failed (or whose answer did not encode): a Brook bug, reported in one
   * line, and answered as Kafka's request handler answers an unexpected exception, with the request's
   * error response carrying UNKNOWN_SERVER_ERROR; closed when there is none that encodes, and for a
   * Produce with acks=0, which gets no answer.
   */
  #failed(
    apiKey: CodecApiKey,
    apiVersion: number,
    header: RequestHeader,
    body: unknown,
    e: unknown,
    w: Writer,
    timing: RequestTiming,
  ): DispatchResult {
    const reason = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    console.error(`Brook broker: API key ${apiKey} v${apiVersion} failed (${reason})`);
    timing.errorCode = ErrorCode.UNKNOWN_SERVER_ERROR;
    if (apiKey === ApiKey.Produce && (body as { acks?: number }).acks === 0) return "close";
    try {
      const answer = mirrorErrorResponse(
        apiKey,
        apiVersion,
        body as Record<string, unknown>,
        ErrorCode.UNKNOWN_SERVER_ERROR,
        undefined,
        this.#cluster,
      );
      w.reset();
      return encodeResponseFrame(w, {
        apiKey,
        apiVersion,
        correlationId: header.correlationId,
        body: answer as ApiMessages[CodecApiKey]["responseInit"],
      });
    } catch {
      return "close";
    }
  }

  /** Counts bytes against the client's byte-rate quota; returns the throttle time (0: none). */
  #record(key: ByteRateKey, ctx: RequestContext, bytes: number): number {
    return this.#cluster.quotaEnforcer.record(
      key,
      quotaUser(ctx.connection.principal),
      ctx.header.clientId ?? "",
      bytes,
      Date.now(),
    );
  }

  #unrecord(key: ByteRateKey, ctx: RequestContext, bytes: number): void {
    this.#cluster.quotaEnforcer.unrecord(
      key,
      quotaUser(ctx.connection.principal),
      ctx.header.clientId ?? "",
      bytes,
      Date.now(),
    );
  }

  /** Kafka's answer to an ApiVersions version it does not serve: a v0 body with UNSUPPORTED_VERSION. */
  #unsupportedApiVersions(correlationId: number, w: Writer): Uint8Array {
    const handler = this.#handlers[ApiKey.ApiVersions]!;
    w.reset();
    return encodeResponseFrame(w, {
      apiKey: ApiKey.ApiVersions,
      apiVersion: 0,
      correlationId,
      body: {
        errorCode: ErrorCode.UNSUPPORTED_VERSION,
        apiKeys: [{
          apiKey: ApiKey.ApiVersions,
          minVersion: handler.minVersion,
          maxVersion: handler.maxVersion,
        }],
      },
    });
  }
}

function run(
  chain: Interceptor[],
  request: DispatchedRequest,
  handler: Handler,
  i: number,
): Promise<unknown> {
  if (i < chain.length) return chain[i](request, () => run(chain, request, handler, i + 1));
  return Promise.resolve(handler.handle(request.body as never, request.ctx));
}
