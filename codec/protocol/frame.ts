/**
 * Request and response frames: the int32 size, the header in the version Kafka's rules pick, the body.
 *
 * @module
 */

import { API_CODECS, API_INFO, type ApiMessages } from "../generated/apis.ts";
import {
  decodeRequestHeader,
  encodeRequestHeader,
  type RequestHeader,
} from "../generated/messages/request_header.ts";
import {
  decodeResponseHeader,
  encodeResponseHeader,
  type ResponseHeader,
} from "../generated/messages/response_header.ts";
import { Reader } from "./reader.ts";
import type { TaggedField, Writer } from "./writer.ts";
import { decodeFailure } from "./failures.ts";

const API_VERSIONS_KEY = 18;

/** An API key that has a codec (every key of Kafka 4.1 that still has valid versions). */
export type CodecApiKey = keyof ApiMessages;

/**
 * True when `version` of API `apiKey` uses Kafka's flexible encoding (compact lengths, tagged fields).
 * Versions above the highest known one count as flexible when the API is, as in Kafka.
 *
 * @example
 * ```ts
 * import { isFlexibleVersion } from "@brook/kafka/codec";
 * isFlexibleVersion(0, 9); // true: Produce is flexible from version 9
 * ```
 */
export function isFlexibleVersion(apiKey: number, version: number): boolean {
  const info = API_INFO[apiKey];
  return info !== undefined && info.flexibleMinVersion >= 0 && version >= info.flexibleMinVersion;
}

/**
 * The request header version Kafka uses for a request: 2 for flexible versions, else 1.
 *
 * @example
 * ```ts
 * import { requestHeaderVersion } from "@brook/kafka/codec";
 * requestHeaderVersion(3, 12); // 2
 * ```
 */
export function requestHeaderVersion(apiKey: number, apiVersion: number): number {
  return isFlexibleVersion(apiKey, apiVersion) ? 2 : 1;
}

/**
 * The response header version Kafka uses: 1 for flexible versions, else 0, and always 0 for ApiVersions
 * (KIP-511), so that a client can read the answer whatever version it asked with.
 *
 * @example
 * ```ts
 * import { responseHeaderVersion } from "@brook/kafka/codec";
 * responseHeaderVersion(18, 4); // 0
 * ```
 */
export function responseHeaderVersion(apiKey: number, apiVersion: number): number {
  if (apiKey === API_VERSIONS_KEY) return 0;
  return isFlexibleVersion(apiKey, apiVersion) ? 1 : 0;
}

/** What {@linkcode encodeRequestFrame} writes. */
export interface RequestFrameInit<K extends CodecApiKey> {
  /** The API key (Kafka's request_api_key). */
  apiKey: K;
  /** The version of the API to encode (request_api_version). */
  apiVersion: number;
  /** The id the broker echoes in its answer (correlation_id). */
  correlationId: number;
  /** The client id; null is allowed (Kafka's header field is nullable). Default null. */
  clientId?: string | null;
  /** Tagged fields of a flexible request header. */
  headerTaggedFields?: TaggedField[];
  /** The request's body. */
  body: ApiMessages[K]["requestInit"];
}

/**
 * Writes a whole request frame (int32 size, header, body) at the end of `w` and returns it as a view
 * into `w`'s buffer.
 *
 * @example
 * ```ts
 * import { ApiKey, encodeRequestFrame, Writer } from "@brook/kafka/codec";
 * const frame = encodeRequestFrame(new Writer(), {
 *   apiKey: ApiKey.ApiVersions,
 *   apiVersion: 4,
 *   correlationId: 1,
 *   clientId: "brook",
 *   body: { clientSoftwareName: "brook", clientSoftwareVersion: "0.1.0" },
 * });
 * ```
 */
export function encodeRequestFrame<K extends CodecApiKey>(
  w: Writer,
  request: RequestFrameInit<K>,
): Uint8Array {
  const start = w.pos;
  w.int32(0);
  encodeRequestHeader(w, {
    requestApiKey: request.apiKey,
    requestApiVersion: request.apiVersion,
    correlationId: request.correlationId,
    clientId: request.clientId ?? null,
    unknownTaggedFields: request.headerTaggedFields,
  }, requestHeaderVersion(request.apiKey, request.apiVersion));
  API_CODECS[request.apiKey].encodeRequest(w, request.body, request.apiVersion);
  w.view.setInt32(start, w.pos - start - 4);
  return w.buf.subarray(start, w.pos);
}

/**
 * Reads a request header from a frame's payload (the bytes after the size). Unknown API keys get header
 * version 1, enough to read the correlation id and client id before answering or closing.
 *
 * @example
 * ```ts
 * import { readRequestHeader, Reader } from "@brook/kafka/codec";
 * const r = new Reader(new Uint8Array([0, 18, 0, 0, 0, 0, 0, 7, 0xff, 0xff]));
 * readRequestHeader(r).correlationId; // 7
 * ```
 */
export function readRequestHeader(r: Reader): RequestHeader {
  r.need(4);
  const apiKey = r.view.getInt16(r.pos);
  const apiVersion = r.view.getInt16(r.pos + 2);
  return decodeRequestHeader(r, requestHeaderVersion(apiKey, apiVersion));
}

/**
 * Decodes a request body after its header, checking that the API key and version have a codec and that
 * no bytes are left over.
 *
 * @example
 * ```ts
 * import { ApiKey, decodeRequestBody, encodeRequestFrame, readRequestHeader, Reader, Writer } from "@brook/kafka/codec";
 * const frame = encodeRequestFrame(new Writer(), { apiKey: ApiKey.Metadata, apiVersion: 12, correlationId: 1, body: {} });
 * const r = new Reader(frame, 4);
 * const header = readRequestHeader(r);
 * const body = decodeRequestBody(r, ApiKey.Metadata, header.requestApiVersion);
 * ```
 */
export function decodeRequestBody<K extends CodecApiKey>(
  r: Reader,
  apiKey: K,
  apiVersion: number,
): ApiMessages[K]["request"] {
  const codec = API_CODECS[apiKey];
  if (codec === undefined) throw decodeFailure(`unknown API key ${apiKey}`, r.pos);
  const body = codec.decodeRequest(r, apiVersion);
  if (r.pos !== r.end) {
    throw decodeFailure(`${r.end - r.pos} bytes left over after the body`, r.pos);
  }
  return body;
}

/** What {@linkcode encodeResponseFrame} writes. */
export interface ResponseFrameInit<K extends CodecApiKey> {
  /** The API key of the request answered. */
  apiKey: K;
  /** The version of the request answered, which the response is written in. */
  apiVersion: number;
  /** The request's correlation id, echoed. */
  correlationId: number;
  /** The response's body. */
  body: ApiMessages[K]["responseInit"];
}

/**
 * Writes a whole response frame (int32 size, header in the version Kafka's rules pick, body) and returns
 * it as a view into `w`'s buffer.
 *
 * @example
 * ```ts
 * import { ApiKey, encodeResponseFrame, Writer } from "@brook/kafka/codec";
 * const frame = encodeResponseFrame(new Writer(), {
 *   apiKey: ApiKey.ApiVersions,
 *   apiVersion: 3,
 *   correlationId: 1,
 *   body: {},
 * });
 * ```
 */
export function encodeResponseFrame<K extends CodecApiKey>(
  w: Writer,
  response: ResponseFrameInit<K>,
): Uint8Array {
  const { apiKey, apiVersion } = response;
  const start = w.pos;
  w.int32(0);
  encodeResponseHeader(
    w,
    { correlationId: response.correlationId },
    responseHeaderVersion(apiKey, apiVersion),
  );
  API_CODECS[apiKey].encodeResponse(w, response.body, apiVersion);
  w.view.setInt32(start, w.pos - start - 4);
  return w.buf.subarray(start, w.pos);
}

/** A decoded response: its header and body. */
export interface DecodedResponse<K extends CodecApiKey> {
  /** The response header (its correlation id). */
  header: ResponseHeader;
  /** The response's body. */
  body: ApiMessages[K]["response"];
}

/**
 * Decodes a response frame's payload (the bytes after the size) for the request it answers.
 *
 * @example
 * ```ts
 * import { ApiKey, decodeResponseFrame, encodeResponseFrame, Writer } from "@brook/kafka/codec";
 * const frame = encodeResponseFrame(new Writer(), {
 *   apiKey: ApiKey.ApiVersions,
 *   apiVersion: 3,
 *   correlationId: 1,
 *   body: {},
 * });
 * const { header, body } = decodeResponseFrame(frame.subarray(4), ApiKey.ApiVersions, 3);
 * ```
 */
export function decodeResponseFrame<K extends CodecApiKey>(
  payload: Uint8Array,
  apiKey: K,
  apiVersion: number,
): DecodedResponse<K> {
  const r = new Reader(payload);
  const header = decodeResponseHeader(r, responseHeaderVersion(apiKey, apiVersion));
  const body = API_CODECS[apiKey].decodeResponse(r, apiVersion);
  if (r.pos !== r.end) {
    throw decodeFailure(`${r.end - r.pos} bytes left over after the body`, r.pos);
  }
  return { header, body };
}
