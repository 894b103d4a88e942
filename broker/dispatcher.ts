/**
 * Turns a request frame into a response frame: reads the header, checks the API key and version
 * against the registered handlers, decodes the body, runs the handler (through the interceptors that
 * fault injection and metrics add) and encodes the answer. What Kafka refuses by closing the connection
 * (an unknown API key, a version it does not serve, a body it cannot parse), this refuses the same way.
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
} from "../codec/mod.ts";
import type { Cluster, NodeInfo } from "./cluster.ts";
import type { DispatchResult } from "./connection.ts";
import type { ConnectionInfo, Handler, RequestContext } from "./handler.ts";

/** A decoded request on its way to a handler, as interceptors see it. */
export interface InterceptedRequest {
  readonly apiKey: CodecApiKey;
  readonly apiVersion: number;
  readonly header: RequestHeader;
  /** The decoded body; an interceptor may replace it before calling `next`. */
  body: unknown;
  readonly ctx: RequestContext;
}

/**
 * Sees each request before its handler: may answer it (return a body, null for no answer, or "close"),
 * change it, or call `next()` to fall through to the handler.
 */
export type Interceptor = (
  request: InterceptedRequest,
  next: () => Promise<unknown>,
) => Promise<unknown>;

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
          return this.#unsupportedApiVersions(header.correlationId, w);
        }
        return "close";
      }
      body = API_CODECS[apiKey as CodecApiKey].decodeRequest(r, apiVersion);
    } catch {
      return "close";
    }
    const ctx: RequestContext = {
      cluster: this.#cluster,
      node: this.#node,
      header,
      apiVersion,
      connection: info,
      signal,
    };
    const request: InterceptedRequest = {
      apiKey: apiKey as CodecApiKey,
      apiVersion,
      header,
      body,
      ctx,
    };
    try {
      const answer = await this.#run(request, handler, 0);
      if (answer === null || answer === undefined) return null;
      if (answer === "close") return "close";
      w.reset();
      return encodeResponseFrame(w, apiKey as CodecApiKey, apiVersion, {
        correlationId: header.correlationId,
        body: answer as ApiMessages[CodecApiKey]["responseInit"],
      });
    } catch (e) {
      // A handler that fails is a broker bug: say so loudly, and close as Kafka does on internal errors.
      console.error(`Brook broker: API key ${apiKey} v${apiVersion} failed:`, e);
      return "close";
    }
  };

  #run(request: InterceptedRequest, handler: Handler, i: number): Promise<unknown> {
    if (i < this.#interceptors.length) {
      return this.#interceptors[i](request, () => this.#run(request, handler, i + 1));
    }
    return Promise.resolve(handler.handle(request.body as never, request.ctx));
  }

  /** Kafka's answer to an ApiVersions version it does not serve: a v0 body with UNSUPPORTED_VERSION. */
  #unsupportedApiVersions(correlationId: number, w: Writer): Uint8Array {
    const handler = this.#handlers[ApiKey.ApiVersions]!;
    w.reset();
    return encodeResponseFrame(w, ApiKey.ApiVersions, 0, {
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
