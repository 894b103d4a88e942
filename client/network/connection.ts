/**
 * One connection to one Kafka broker: connects, negotiates API versions, and pipelines requests with
 * correlation ids, bounded in-flight requests, timeouts and abort signals.
 *
 * @module
 */

import {
  API_INFO,
  ApiKey,
  type ApiMessages,
  type CodecApiKey,
  decodeResponseFrame,
  encodeRequestFrame,
  ErrorCode,
  KafkaProtocolError,
  UnsupportedVersionError,
  Writer,
} from "../../codec/mod.ts";
import { clientMaxVersion } from "./api_versions.ts";
import { KafkaConnectionError, KafkaTimeoutError } from "../errors.ts";
import type { Instrumentation } from "../instrumentation.ts";
import type { Stat } from "../metrics.ts";
import { authenticate, reauthenticationDelay, type SaslOptions } from "../security/sasl.ts";
import { openSocket, type TlsOptions } from "./socket.ts";
import { REQUEST_TIMEOUT_MS } from "../defaults.ts";

export type { TlsOptions } from "./socket.ts";

/** The software name and version Brook's client reports to brokers (KIP-511). */
export const CLIENT_SOFTWARE = { name: "brook-kafka", version: "0.1.0" };

/** Options of {@linkcode KafkaConnection.connect}. */
export interface ConnectionOptions {
  /** The client id sent in every request header. Default "brook". */
  clientId?: string | null;
  /** How long connecting (TCP, and TLS when used) may take. Default 10000 ms. */
  connectTimeoutMs?: number;
  /** How long a request may wait for its answer before the connection is closed. Default 30000 ms. */
  requestTimeoutMs?: number;
  /** Requests sent and not yet answered, at most. Default 5, as max.in.flight.requests.per.connection. */
  maxInFlight?: number;
  /** TLS; when set, the connection is encrypted. */
  tls?: TlsOptions;
  /** SASL; when set, the connection authenticates after negotiating versions. */
  sasl?: SaslOptions;
  /** Aborts connecting. */
  signal?: AbortSignal;
  /** Where the connection reports events, logs and request latencies (its client's). */
  instrumentation?: Instrumentation;
  /** Statistics the connection records into: its node's and its client's. */
  stats?: ConnectionStats[];
}

/**
 * Request statistics of a node or of a whole client: request sizes (request-rate,
 * outgoing-byte-rate), response sizes (response-rate, incoming-byte-rate) and latencies.
 */
export interface ConnectionStats {
  /** Requests sent and their sizes. */
  requests: Stat;
  /** Responses received and their sizes. */
  responses: Stat;
  /** Request latencies, sent to answered, in milliseconds. */
  latency: Stat;
}

/** Options of one request. */
export interface RequestOptions {
  /** The version to use; default the highest both this client and the broker support. */
  version?: number;
  /** The highest version the caller understands; the negotiated version will not exceed it. */
  maxVersion?: number;
  /** Overrides the connection's request timeout. */
  timeoutMs?: number;
  /** Rejects the request's promise when aborted (the request may still reach the broker). */
  signal?: AbortSignal;
}

interface Pending {
  correlationId: number;
  apiKey: CodecApiKey;
  version: number;
  resolve: (body: unknown) => void;
  reject: (e: Error) => void;
  timer: ReturnType<typeof setTimeout>;
  settled: boolean;
  /** performance.now() when written, and the request's size, for latencies and events. */
  sentAt: number;
  bytes: number;
}

/**
 * A connection to one broker.
 *
 * @example
 * ```ts
 * import { KafkaConnection } from "@brook/kafka/client";
 * import { ApiKey } from "@brook/kafka/codec";
 * const connection = await KafkaConnection.connect("127.0.0.1", 9092, { clientId: "brook" });
 * const metadata = await connection.request(ApiKey.Metadata, { topics: null });
 * console.log(metadata.brokers.length);
 * connection.close();
 * ```
 */
export class KafkaConnection {
  /** "host:port" of the broker. */
  readonly address: string;
  /** The broker's API version ranges, from ApiVersions. */
  readonly brokerVersions: Map<number, { min: number; max: number }> = new Map();
  /** The cluster's finalized feature levels (e.g. transaction.version), from ApiVersions v3+. */
  readonly finalizedFeatures: Map<string, number> = new Map();
  readonly #conn: Deno.Conn;
  readonly #clientId: string | null;
  readonly #requestTimeoutMs: number;
  readonly #maxInFlight: number;
  readonly #inst: Instrumentation | undefined;
  readonly #stats: ConnectionStats[];
  #correlationId = 0;
  #pending: Pending[] = [];
  #slotWaiters: (() => void)[] = [];
  #out = new Writer({ initialSize: BUFFER_BYTES });
  #spare = new Writer({ initialSize: BUFFER_BYTES });
  #flushing: Promise<void> | undefined;
  #closed: Error | undefined;
  #reading: Promise<void>;
  /** Set while re-authenticating: other requests wait for it. */
  #reauthenticating: Promise<void> | undefined;
  #reauthTimer: ReturnType<typeof setTimeout> | undefined;

  private constructor(conn: Deno.Conn, address: string, options: ConnectionOptions) {
    this.#conn = conn;
    this.address = address;
    this.#clientId = options.clientId === undefined ? "brook" : options.clientId;
    this.#requestTimeoutMs = options.requestTimeoutMs ?? REQUEST_TIMEOUT_MS;
    this.#maxInFlight = Math.max(1, options.maxInFlight ?? 5);
    this.#inst = options.instrumentation;
    this.#stats = options.stats ?? [];
    this.#reading = this.#readLoop();
  }

  /**
   * Connects to a broker and negotiates API versions with it.
   *
   * @example
   * ```ts
   * import { KafkaConnection } from "@brook/kafka/client";
   * import { ApiKey } from "@brook/kafka/codec";
   * const conn = await KafkaConnection.connect("127.0.0.1", 9092);
   * const metadata = await conn.request(ApiKey.Metadata, { topics: null });
   * conn.close();
   * ```
   */
  static async connect(
    host: string,
    port: number,
    options: ConnectionOptions = {},
  ): Promise<KafkaConnection> {
    const address = `${host}:${port}`;
    const conn = await openSocket(host, port, options);
    const connection = new KafkaConnection(conn, address, options);
    try {
      await connection.#negotiate();
      if (options.sasl) await connection.#authenticate(options.sasl);
    } catch (e) {
      connection.close(e as Error);
      throw e;
    }
    return connection;
  }

  /** True once the connection is closed. */
  get closed(): boolean {
    return this.#closed !== undefined;
  }

  /** Requests sent and not yet answered. */
  get inFlight(): number {
    return this.#pending.length;
  }

  /**
   * The version to use for `apiKey`: the highest that both this client's codec and the broker support,
   * capped at `maxVersion`. Throws UnsupportedVersionError when there is none.
   */
  negotiatedVersion(apiKey: CodecApiKey, maxVersion?: number): number {
    const info = API_INFO[apiKey];
    const broker = this.brokerVersions.get(apiKey);
    const max = Math.min(
      info.maxVersion,
      clientMaxVersion(apiKey),
      broker?.max ?? -1,
      maxVersion ?? Infinity,
    );
    const min = Math.max(info.minVersion, broker?.min ?? Infinity);
    if (broker === undefined || max < min) {
      const range = broker ? `${broker.min}-${broker.max}` : "none";
      throw new UnsupportedVersionError(
        `${info.name} is not supported by ${this.address} (broker versions ${range}, client ${info.minVersion}-${
          Math.min(info.maxVersion, clientMaxVersion(apiKey), maxVersion ?? Infinity)
        })`,
      );
    }
    return max;
  }

  /** Sends a request and resolves with the broker's decoded answer. */
  async request<K extends CodecApiKey>(
    apiKey: K,
    body: ApiMessages[K]["requestInit"],
    options: RequestOptions = {},
  ): Promise<ApiMessages[K]["response"]> {
    const version = options.version ?? this.negotiatedVersion(apiKey, options.maxVersion);
    const sent = this.#send(apiKey, body, { version, options, expectResponse: true });
    return await sent as ApiMessages[K]["response"];
  }

  /** Sends a request that gets no answer (a Produce with acks=0); resolves once it is written. */
  async requestWithoutResponse<K extends CodecApiKey>(
    apiKey: K,
    body: ApiMessages[K]["requestInit"],
    options: RequestOptions = {},
  ): Promise<void> {
    const version = options.version ?? this.negotiatedVersion(apiKey, options.maxVersion);
    await this.#send(apiKey, body, { version, options, expectResponse: false });
  }

  /** Closes the connection; requests in flight fail with `reason`. */
  close(reason?: Error): void {
    if (this.#closed) return;
    this.#closed = reason ?? new KafkaConnectionError(`Connection to ${this.address} was closed`);
    clearTimeout(this.#reauthTimer);
    try {
      this.#conn.close();
    } catch {
      // Already closed.
    }
    const pending = this.#pending;
    this.#pending = [];
    for (const p of pending) this.#settle(p, this.#closed);
    for (const w of this.#slotWaiters.splice(0)) w();
    const inst = this.#inst;
    if (inst) {
      const error = reason;
      inst.log(error ? "warn" : "debug", "connection closed", {
        broker: this.address,
        error: error?.message,
        failedRequests: pending.length,
      });
      if (inst.listens("disconnect")) inst.emit("disconnect", { broker: this.address, error });
    }
  }

  async #negotiate(): Promise<void> {
    let version = Math.min(
      API_INFO[ApiKey.ApiVersions].maxVersion,
      clientMaxVersion(ApiKey.ApiVersions),
    );
    for (let attempt = 0; attempt < 2; attempt++) {
      const body = {
        clientSoftwareName: CLIENT_SOFTWARE.name,
        clientSoftwareVersion: CLIENT_SOFTWARE.version,
      };
      const res = await this.#send(ApiKey.ApiVersions, body, {
        version,
        options: {},
        expectResponse: true,
      }) as ApiMessages[18]["response"];
      if (res.errorCode === ErrorCode.UNSUPPORTED_VERSION && attempt === 0) {
        // The broker answered with v0 and its own ApiVersions range: ask again in a version it knows.
        const own = res.apiKeys.find((k) => k.apiKey === ApiKey.ApiVersions);
        version = Math.min(version, own?.maxVersion ?? 0);
        continue;
      }
      if (res.errorCode !== ErrorCode.NONE) {
        throw new KafkaProtocolError(res.errorCode, { detail: this.address });
      }
      for (const k of res.apiKeys) {
        this.brokerVersions.set(k.apiKey, { min: k.minVersion, max: k.maxVersion });
      }
      for (const f of res.finalizedFeatures ?? []) {
        this.finalizedFeatures.set(f.name, f.maxVersionLevel);
      }
      return;
    }
  }

  /** Authenticates with SASL, and plans re-authentication when the broker bounds the session. */
  async #authenticate(sasl: SaslOptions): Promise<void> {
    const lifetime = await authenticate(
      sasl,
      (apiKey, body) =>
        this.#send(apiKey, body, {
          version: this.negotiatedVersion(apiKey),
          options: {},
          expectResponse: true,
          authenticating: true,
        }) as never,
      this.address,
    );
    if (lifetime > 0 && !this.#closed) {
      this.#reauthTimer = setTimeout(() => {
        this.#reauthenticating = this.#authenticate(sasl)
          .catch((e) => this.close(e))
          .finally(() => this.#reauthenticating = undefined);
      }, reauthenticationDelay(lifetime));
      Deno.unrefTimer(this.#reauthTimer);
    }
  }

  async #send(apiKey: CodecApiKey, body: unknown, send: Send): Promise<unknown> {
    const { version, options, expectResponse, authenticating = false } = send;
    options.signal?.throwIfAborted();
    if (this.#reauthenticating && !authenticating) await this.#reauthenticating;
    while (this.#pending.length >= this.#maxInFlight && !this.#closed) {
      await new Promise<void>((resolve) => this.#slotWaiters.push(resolve));
    }
    if (this.#closed) throw this.#closed;
    const correlationId = this.#correlationId = (this.#correlationId + 1) | 0;
    const before = this.#out.pos;
    encodeRequestFrame(this.#out, {
      apiKey,
      apiVersion: version,
      correlationId,
      clientId: this.#clientId,
      body: body as ApiMessages[CodecApiKey]["requestInit"],
    });
    const bytes = this.#out.pos - before;
    const sentAt = performance.now();
    if (this.#stats.length > 0) {
      const now = Date.now();
      for (const s of this.#stats) s.requests.record(bytes, now);
    }
    const inst = this.#inst;
    if (inst?.listens("request")) {
      inst.emit("request", {
        broker: this.address,
        apiKey,
        apiName: API_INFO[apiKey].name,
        apiVersion: version,
        correlationId,
        bytes,
        startTime: sentAt,
      });
    }
    if (!expectResponse) {
      await this.#flush();
      return undefined;
    }
    const answer = new Promise<unknown>((resolve, reject) => {
      const timeoutMs = options.timeoutMs ?? this.#requestTimeoutMs;
      const pending: Pending = {
        correlationId,
        apiKey,
        version,
        resolve,
        reject,
        settled: false,
        sentAt,
        bytes,
        timer: setTimeout(() => {
          this.close(
            new KafkaTimeoutError(
              `${API_INFO[apiKey].name} request to ${this.address} timed out after ${timeoutMs} ms`,
            ),
          );
        }, timeoutMs),
      };
      this.#pending.push(pending);
      options.signal?.addEventListener("abort", () => {
        // The answer will still arrive and be matched; only the caller stops waiting.
        this.#settle(pending, options.signal!.reason ?? new DOMException("Aborted", "AbortError"));
      }, { once: true });
    });
    this.#flush().catch((e) =>
      this.close(new KafkaConnectionError(`Write to ${this.address} failed: ${e.message}`))
    );
    return await answer;
  }

  #settle(p: Pending, error: Error | undefined, body?: unknown, responseBytes = 0): void {
    if (p.settled) return;
    p.settled = true;
    clearTimeout(p.timer);
    const inst = this.#inst;
    if (inst) {
      const durationMs = performance.now() - p.sentAt;
      if (!error) {
        inst.metrics.latency(p.apiKey).observe(durationMs);
        const now = Date.now();
        for (const s of this.#stats) {
          s.responses.record(responseBytes, now);
          s.latency.record(durationMs, now);
        }
      }
      if (inst.listens("response")) {
        inst.emit("response", {
          broker: this.address,
          apiKey: p.apiKey,
          apiName: API_INFO[p.apiKey].name,
          apiVersion: p.version,
          correlationId: p.correlationId,
          bytes: p.bytes,
          startTime: p.sentAt,
          responseBytes,
          durationMs,
          error,
        });
      }
    }
    if (error) p.reject(error);
    else p.resolve(body);
  }

  /** Writes everything encoded so far; requests encoded while a write runs go out together next. */
  #flush(): Promise<void> {
    if (this.#flushing) return this.#flushing;
    this.#flushing = (async () => {
      try {
        while (this.#out.pos > 0 && !this.#closed) {
          const out = this.#out;
          this.#out = this.#spare;
          this.#spare = out;
          const bytes = out.bytes();
          let off = 0;
          while (off < bytes.length) off += await this.#conn.write(bytes.subarray(off));
          out.reset();
        }
      } finally {
        this.#flushing = undefined;
      }
    })();
    return this.#flushing;
  }

  async #readLoop(): Promise<void> {
    let buf = new Uint8Array(BUFFER_BYTES);
    let start = 0;
    let end = 0;
    try {
      for (;;) {
        while (end - start >= 4) {
          const size = buf[start] << 24 | buf[start + 1] << 16 | buf[start + 2] << 8 |
            buf[start + 3];
          if (size < 0) {
            throw new KafkaConnectionError(`${this.address} sent a frame of negative size ${size}`);
          }
          if (end - start < 4 + size) {
            if (size > OWN_FRAME_BYTES) {
              // A large answer (a Fetch) is read into a buffer of its own, which its records' views
              // may keep: no copy of them after decoding, and no read buffer grown for good.
              const frame = new Uint8Array(size);
              frame.set(buf.subarray(start + 4, end));
              let filled = end - start - 4;
              start = end = 0;
              while (filled < size) {
                const n = await this.#conn.read(frame.subarray(filled));
                if (n === null) break;
                filled += n;
              }
              if (filled < size) break;
              this.#onFrame(frame, true);
              continue;
            }
            if (4 + size > buf.length - start) {
              const next = new Uint8Array(Math.max(buf.length * 2, 4 + size + 1024));
              next.set(buf.subarray(start, end));
              end -= start;
              start = 0;
              buf = next;
            }
            break;
          }
          this.#onFrame(buf.subarray(start + 4, start + 4 + size), false);
          start += 4 + size;
        }
        if (start === end) start = end = 0;
        else if (end === buf.length) {
          buf.copyWithin(0, start, end);
          end -= start;
          start = 0;
        }
        const n = await this.#conn.read(buf.subarray(end));
        if (n === null) break;
        end += n;
      }
      this.close(new KafkaConnectionError(`${this.address} closed the connection`));
    } catch (e) {
      this.close(
        e instanceof Error && !(e instanceof Deno.errors.BadResource)
          ? wrap(e, this.address)
          : undefined,
      );
    }
  }

  /** An answer; `owned` when `payload` is a buffer of its own rather than a view of the read buffer. */
  #onFrame(payload: Uint8Array, owned: boolean): void {
    const p = this.#pending.shift();
    if (p === undefined) {
      throw new KafkaConnectionError(`${this.address} sent an answer to no request`);
    }
    const waiter = this.#slotWaiters.shift();
    if (waiter) waiter();
    try {
      const { header, body } = decodeAnswer(payload, p.apiKey, p.version);
      if (header.correlationId !== p.correlationId) {
        throw new KafkaConnectionError(
          `${this.address} answered correlation id ${header.correlationId}, expected ${p.correlationId}`,
        );
      }
      // Bytes in the answer are views into the read buffer: copy them out for the caller to keep.
      const copy = !owned && needsCopy(p.apiKey);
      this.#settle(p, undefined, copy ? detach(body) : body, payload.length + 4);
    } catch (e) {
      this.#settle(p, e as Error);
      if (e instanceof KafkaConnectionError) throw e;
    }
  }
}

/**
 * Decodes an answer. A broker that does not know the ApiVersions version asked answers with a v0 body
 * (KIP-511), so an ApiVersions answer that does not parse is read again as v0, as Kafka's clients do.
 */
function decodeAnswer(payload: Uint8Array, apiKey: CodecApiKey, version: number) {
  try {
    return decodeResponseFrame(payload, apiKey, version);
  } catch (e) {
    if (apiKey !== ApiKey.ApiVersions || version === 0) throw e;
    return decodeResponseFrame(payload, apiKey, 0);
  }
}

/** The first size of the read buffer and of the two write buffers; they grow as frames need. */
const BUFFER_BYTES = 64 * 1024;

/** How `#send` writes one request. */
interface Send {
  /** The version to write it in. */
  version: number;
  /** The caller's options: timeout, signal. */
  options: RequestOptions;
  /** False for a request that gets no answer (a Produce with acks=0). */
  expectResponse: boolean;
  /** True for SASL's own requests, which go while a re-authentication holds the others back. */
  authenticating?: boolean;
}

/** Answers larger than this are read into a buffer of their own (half the read buffer). */
const OWN_FRAME_BYTES = BUFFER_BYTES / 2;

/** APIs whose answers carry bytes (records, assignments, SASL tokens) that must outlive the buffer. */
function needsCopy(apiKey: number): boolean {
  return apiKey === ApiKey.Fetch || apiKey === ApiKey.JoinGroup || apiKey === ApiKey.SyncGroup ||
    apiKey === ApiKey.DescribeGroups || apiKey === ApiKey.SaslAuthenticate ||
    apiKey === ApiKey.ShareFetch;
}

/** Replaces every Uint8Array view in a decoded body by its own copy. */
function detach(v: unknown): unknown {
  if (v instanceof Uint8Array) return v.slice();
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) v[i] = detach(v[i]);
    return v;
  }
  if (v !== null && typeof v === "object") {
    const o = v as Record<string, unknown>;
    for (const k in o) {
      const x = o[k];
      if (x !== null && typeof x === "object") o[k] = detach(x);
    }
  }
  return v;
}

function wrap(e: Error, address: string): Error {
  if (e instanceof KafkaConnectionError || e instanceof KafkaProtocolError) return e;
  return new KafkaConnectionError(`Connection to ${address} failed: ${e.message}`, { cause: e });
}
