/**
 * KIP-714 on the broker side, as Kafka 4.1's client metrics manager: a client instance per
 * client instance id (assigned when a client sends the zero id), matched against the
 * subscriptions, with the push interval enforced (THROTTLING_QUOTA_EXCEEDED for a request before
 * its time), and the checks of a push in Kafka's order. With telemetry on (Kafka with a telemetry
 * receiver), pushed metrics are decompressed and decoded, and the latest ones of each client
 * instance are kept for tests and the metrics endpoint; undecodable ones are INVALID_RECORD.
 *
 * @module
 */

import {
  type ApiKey,
  type ApiMessages,
  type CompressionCodec,
  crc32c,
  decompress,
  ErrorCode,
  randomUuid,
  uuidFromString,
  ZERO_UUID,
} from "../../codec/mod.ts";
import { decodeMetricsData, type OtlpValue } from "../../codec/telemetry/otlp.ts";
import { hashSetOrder } from "../metadata/java_hash_set.ts";
import { type ClientMetricsSubscriptions, DEFAULT_INTERVAL_MS } from "./subscriptions.ts";

type GetRequest = ApiMessages[typeof ApiKey.GetTelemetrySubscriptions]["request"];
type GetResponse = ApiMessages[typeof ApiKey.GetTelemetrySubscriptions]["responseInit"];
type PushRequest = ApiMessages[typeof ApiKey.PushTelemetry]["request"];
type PushResponse = ApiMessages[typeof ApiKey.PushTelemetry]["responseInit"];

/** Who sent a telemetry request: what subscriptions match on. */
export interface TelemetryClient {
  /** The node that received the request: each Kafka broker keeps its own client instances. */
  nodeId: number;
  /** The connection the request came on (Kafka forgets an instance when the one that made it closes). */
  connectionId: string;
  clientId: string | null;
  softwareName: string;
  softwareVersion: string;
  address: string;
  port: number;
}

/** One metric value a client reported. */
export interface ReportedMetric {
  /** Kafka's telemetry name, e.g. `org.apache.kafka.producer.record.send.total`. */
  name: string;
  /** The OTLP data point's kind: a gauge (a value now) or a sum (a counter). */
  kind: "gauge" | "sum";
  /** Sums: delta (what changed since the last push) or cumulative. */
  temporality?: "delta" | "cumulative";
  /** The value. */
  value: number;
  /** The data point's attributes (`node_id`, `topic`, ...). */
  attributes: Record<string, string>;
}

/** The latest metrics one client instance pushed. */
export interface ClientTelemetryReport {
  /** The client instance id the broker gave it (GetTelemetrySubscriptions), as Kafka prints UUIDs. */
  clientInstanceId: string;
  /** The client.id of its requests, or null. */
  clientId: string | null;
  /** The client software's name from ApiVersions (KIP-511), e.g. "apache-kafka-java". */
  softwareName: string;
  /** The client software's version from ApiVersions. */
  softwareVersion: string;
  /** When the push arrived (ms since the epoch). */
  receivedAt: number;
  /** Pushes accepted from this instance so far. */
  pushes: number;
  /** The compression the push used (0 none, 1 gzip, 2 snappy, 3 lz4, 4 zstd). */
  compressionType: number;
  /** True for the last push of a closing client. */
  terminating: boolean;
  /** The OTLP resource's attributes. */
  resource: Record<string, string>;
  /** The metrics of the latest push. */
  metrics: ReportedMetric[];
}

/** Kafka's broker offers these, in its order of preference: zstd, lz4, gzip, snappy. */
const ACCEPTED_COMPRESSION = [4, 3, 1, 2];
/** Kafka's Uuid.RESERVED: the zero id and the metadata topic's id. */
const RESERVED_IDS = new Set([ZERO_UUID, "AAAAAAAAAAAAAAAAAAAAAQ"]);
const CACHE_EXPIRY_MS = 60_000;
const MAX_INSTANCES = 16_384;
const MAX_REPORTS = 1_000;

interface Instance {
  id: string;
  client: TelemetryClient;
  subscriptionVersion: number;
  subscriptionId: number;
  metrics: string[];
  intervalMs: number;
  lastGet: number;
  lastPush: number;
  lastSeen: number;
  terminating: boolean;
}

/** Java's Uuid.hashCode: the two 64-bit halves xor-ed, then their 32-bit halves. */
function uuidHash(id: string): number {
  const bytes = new Uint8Array(16);
  uuidFromString(id, bytes);
  const view = new DataView(bytes.buffer);
  const hi = view.getInt32(0) ^ view.getInt32(8), lo = view.getInt32(4) ^ view.getInt32(12);
  return hi ^ lo;
}

const stringify = (attrs: Record<string, OtlpValue>) =>
  Object.fromEntries(Object.entries(attrs).map(([k, v]) => [k, String(v)]));

/**
 * The broker's client telemetry (GetTelemetrySubscriptions and PushTelemetry).
 *
 * @example
 * ```ts
 * import { ClientTelemetry } from "./client_telemetry.ts";
 * import { ClientMetricsSubscriptions } from "./subscriptions.ts";
 * const telemetry = new ClientTelemetry(new ClientMetricsSubscriptions(), { enabled: true });
 * console.log(telemetry.reports().length); // 0
 * ```
 */
export class ClientTelemetry {
  readonly #subscriptions: ClientMetricsSubscriptions;
  /** Client instances by node and instance id ("1/id"): each Kafka broker has its own. */
  readonly #instances = new Map<string, Instance>();
  readonly #reports = new Map<string, ClientTelemetryReport>();
  /** The instance (its key) each connection last created, as Kafka's connection id map. */
  readonly #byConnection = new Map<string, string>();
  readonly #now: () => number;
  /** Whether a receiver takes the metrics (ApiVersions advertises keys 71 and 72 only then). */
  enabled: boolean;
  /** telemetry.max.bytes: the largest metrics payload accepted. */
  maxBytes: number;

  constructor(
    subscriptions: ClientMetricsSubscriptions,
    options: { enabled?: boolean; maxBytes?: number; now?: () => number } = {},
  ) {
    this.#subscriptions = subscriptions;
    this.enabled = options.enabled ?? false;
    this.maxBytes = options.maxBytes ?? 1_048_576;
    this.#now = options.now ?? Date.now;
  }

  /** The latest metrics of every client instance that pushed some, oldest push first. */
  reports(): ClientTelemetryReport[] {
    return [...this.#reports.values()];
  }

  /** Forgets every client instance and report (for a broker reset between tests). */
  clear(): void {
    this.#reports.clear();
    this.#instances.clear();
    this.#byConnection.clear();
  }

  /** Forgets the instance the closed connection created, as Kafka does (its report stays). */
  connectionClosed(connectionId: string): void {
    const key = this.#byConnection.get(connectionId);
    if (key === undefined) return;
    this.#byConnection.delete(connectionId);
    this.#instances.delete(key);
  }

  /** Answers GetTelemetrySubscriptions. */
  getSubscriptions(request: GetRequest, client: TelemetryClient): GetResponse {
    const now = this.#now();
    const id = request.clientInstanceId === ZERO_UUID ? this.#newId() : request.clientInstanceId;
    const instance = this.#instance(id, client, now);
    // Kafka lets a client ask again only once a push interval has passed since its last request.
    if (now - Math.max(instance.lastGet, instance.lastPush) < instance.intervalMs) {
      return { throttleTimeMs: 0, errorCode: ErrorCode.THROTTLING_QUOTA_EXCEEDED };
    }
    instance.lastGet = now;
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      clientInstanceId: id,
      subscriptionId: instance.subscriptionId,
      acceptedCompressionTypes: ACCEPTED_COMPRESSION,
      pushIntervalMs: instance.intervalMs,
      telemetryMaxBytes: this.maxBytes,
      deltaTemporality: true,
      requestedMetrics: instance.metrics,
    };
  }

  /** Answers PushTelemetry, keeping the metrics when telemetry is on. */
  push(request: PushRequest, client: TelemetryClient): PushResponse {
    const fail = (errorCode: number) => ({ throttleTimeMs: 0, errorCode });
    if (RESERVED_IDS.has(request.clientInstanceId)) return fail(ErrorCode.INVALID_REQUEST);
    const now = this.#now();
    const instance = this.#instance(request.clientInstanceId, client, now);
    const refused = this.#checkPush(request, instance, now);
    // As Kafka, the terminating flag sticks even when the push is refused.
    instance.terminating = request.terminating;
    if (refused !== undefined) return fail(refused);
    if (request.metrics.length > 0 && this.enabled) {
      const report = this.#decode(request, instance, now);
      if (report === undefined) return fail(ErrorCode.INVALID_RECORD);
      this.#reports.delete(instance.id);
      this.#reports.set(instance.id, report);
      if (this.#reports.size > MAX_REPORTS) {
        this.#reports.delete(this.#reports.keys().next().value!);
      }
    }
    return fail(ErrorCode.NONE);
  }

  #checkPush(request: PushRequest, instance: Instance, now: number): number | undefined {
    if (instance.terminating) return ErrorCode.INVALID_REQUEST;
    // A push right after a GetTelemetrySubscriptions is accepted early (clients add jitter).
    const accept = instance.lastGet > instance.lastPush ||
      now - instance.lastPush >= instance.intervalMs;
    if (accept) instance.lastPush = now;
    else if (!request.terminating) return ErrorCode.THROTTLING_QUOTA_EXCEEDED;
    if (request.subscriptionId !== instance.subscriptionId) {
      return ErrorCode.UNKNOWN_SUBSCRIPTION_ID;
    }
    const c = request.compressionType;
    if (!(Number.isInteger(c) && c >= 0 && c <= 4)) return ErrorCode.UNSUPPORTED_COMPRESSION_TYPE;
    if (request.metrics.length > this.maxBytes) return ErrorCode.TELEMETRY_TOO_LARGE;
    return undefined;
  }

  #decode(
    request: PushRequest,
    instance: Instance,
    now: number,
  ): ClientTelemetryReport | undefined {
    try {
      const bytes = decompress(request.compressionType as CompressionCodec, request.metrics);
      const resources = decodeMetricsData(bytes);
      const metrics: ReportedMetric[] = [];
      const resource: Record<string, string> = {};
      for (const rm of resources) {
        Object.assign(resource, stringify(rm.resource));
        for (const m of rm.metrics) {
          for (const p of m.dataPoints) {
            metrics.push({
              name: m.name,
              kind: m.kind,
              ...(m.temporality ? { temporality: m.temporality } : {}),
              value: Number(p.value),
              attributes: stringify(p.attributes),
            });
          }
        }
      }
      return {
        clientInstanceId: instance.id,
        clientId: instance.client.clientId,
        softwareName: instance.client.softwareName,
        softwareVersion: instance.client.softwareVersion,
        receivedAt: now,
        pushes: (this.#reports.get(instance.id)?.pushes ?? 0) + 1,
        compressionType: request.compressionType,
        terminating: request.terminating,
        resource,
        metrics,
      };
    } catch {
      return undefined;
    }
  }

  #newId(): string {
    for (;;) {
      const id = randomUuid();
      if (!this.#reports.has(id) && !RESERVED_IDS.has(id)) return id;
    }
  }

  /** The client instance, created (or matched again after a subscription changed) as Kafka does. */
  #instance(id: string, client: TelemetryClient, now: number): Instance {
    const key = `${client.nodeId}/${id}`;
    let instance = this.#instances.get(key);
    if (instance && now - instance.lastSeen > Math.max(CACHE_EXPIRY_MS, 3 * instance.intervalMs)) {
      instance = undefined;
    }
    if (!instance || instance.subscriptionVersion < this.#subscriptions.version) {
      instance = this.#subscribe(id, instance?.client ?? client);
      this.#byConnection.set(client.connectionId, key);
    }
    instance.lastSeen = now;
    this.#instances.delete(key);
    this.#instances.set(key, instance);
    if (this.#instances.size > MAX_INSTANCES) {
      this.#instances.delete(this.#instances.keys().next().value!);
    }
    return instance;
  }

  #subscribe(id: string, client: TelemetryClient): Instance {
    const attributes: Record<string, string | null> = {
      client_instance_id: id,
      client_id: client.clientId,
      client_software_name: client.softwareName,
      client_software_version: client.softwareVersion,
      client_source_address: client.address,
      client_source_port: String(client.port),
    };
    let intervalMs = DEFAULT_INTERVAL_MS, all = false;
    const metrics: string[] = [];
    for (const s of this.#subscriptions.all()) {
      const matches = [...s.match].every(([k, re]) => {
        const v = attributes[k];
        return v !== null && v !== undefined && re.test(v);
      });
      if (!matches) continue;
      all ||= s.metrics.includes("*");
      for (const m of hashSetOrder(s.metrics)) if (!metrics.includes(m)) metrics.push(m);
      intervalMs = Math.min(intervalMs, s.intervalMs);
    }
    const set = all ? ["*"] : hashSetOrder(metrics);
    // Kafka's subscription id: CRC-32C of the set as Java prints it and the interval, xor the id's hash.
    const crc = crc32c(new TextEncoder().encode(`[${set.join(", ")}]${intervalMs}`));
    return {
      id,
      client,
      subscriptionVersion: this.#subscriptions.version,
      subscriptionId: (crc | 0) ^ uuidHash(id),
      metrics: set,
      intervalMs,
      lastGet: 0,
      lastPush: 0,
      lastSeen: 0,
      terminating: false,
    };
  }
}
