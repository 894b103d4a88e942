/**
 * Logging and hooks of Brook's client: a `logger` option (silent by default) and typed events for
 * requests, responses, sends, acknowledgements, fetches, commits and rebalances, with their timings,
 * enough to build tracing (e.g. OpenTelemetry spans) without patching the client. A client with no
 * listener for an event does not build it.
 *
 * @module
 */

import type { TopicPartition } from "./topic_partition.ts";
import { ClientMetrics } from "./metrics.ts";

/** Log levels, least to most severe. */
export type LogLevel = "debug" | "info" | "warn" | "error";

const LEVELS: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

/**
 * Where the client logs: any object with methods per level taking a message and structured fields.
 * `console` fits, as does `@std/log`'s logger; absent methods are skipped.
 */
export interface Logger {
  /** Logs detail for debugging. */
  debug?(message: string, fields: Record<string, unknown>): void;
  /** Logs what the client does. */
  info?(message: string, fields: Record<string, unknown>): void;
  /** Logs what went wrong and was retried or worked around. */
  warn?(message: string, fields: Record<string, unknown>): void;
  /** Logs a failure. */
  error?(message: string, fields: Record<string, unknown>): void;
}

/** A request written to a broker. */
export interface RequestEvent {
  /** "host:port" of the broker. */
  broker: string;
  /** The API key of the request (e.g. 0 for Produce). */
  apiKey: number;
  /** Kafka's name of the API, e.g. "Produce". */
  apiName: string;
  /** The version the request was written in. */
  apiVersion: number;
  /** The id that pairs the request with its answer. */
  correlationId: number;
  /** Frame size in bytes, size prefix included. */
  bytes: number;
  /** performance.now() when the request was written. */
  startTime: number;
}

/** A request's answer, or its failure (timeout, closed connection, abort). */
export interface ResponseEvent extends RequestEvent {
  /** Answer size in bytes (0 on failure). */
  responseBytes: number;
  /** Sent to answered (or failed). */
  durationMs: number;
  /** Why it failed; absent when answered. */
  error?: Error;
}

/** A connection opened (or failing to open) to a broker, or closed. */
export interface ConnectionEvent {
  /** "host:port" of the broker. */
  broker: string;
  /** Why it closed or could not open. */
  error?: Error;
}

/** A producer batch sent in a Produce request (again when `attempt` > 0). */
export interface SendEvent {
  /** The batch's topic. */
  topic: string;
  /** The batch's partition. */
  partition: number;
  /** The leader it went to. */
  nodeId: number;
  /** How many records the batch holds. */
  records: number;
  /** Encoded size of the batch. */
  bytes: number;
  /** 0 for the first send, then the retry number. */
  attempt: number;
}

/** A producer batch acknowledged by its leader, or failed for good. */
export interface AckEvent {
  /** The batch's topic. */
  topic: string;
  /** The batch's partition. */
  partition: number;
  /** How many records the batch holds. */
  records: number;
  /** The first record's offset (-1n with acks=0 or on failure). */
  baseOffset: bigint;
  /** Batch created to acknowledged. */
  durationMs: number;
  /** Why the batch failed; absent when acknowledged. */
  error?: Error;
}

/** A Fetch answered by a leader. */
export interface FetchEvent {
  /** The leader that answered. */
  nodeId: number;
  /** Sent to answered. */
  durationMs: number;
  /** What each partition of the answer held. */
  partitions: {
    topic: string;
    partition: number;
    records: number;
    bytes: number;
    highWatermark: bigint;
    /** High watermark minus the position after these records (records-lag). */
    lag: bigint;
    errorCode: number;
  }[];
}

/** Offsets committed to the group coordinator. */
export interface CommitEvent {
  /** The group. */
  groupId: string;
  /** How many partitions' offsets were committed. */
  partitions: number;
  /** Sent to answered. */
  durationMs: number;
  /** Why the commit failed; absent when it succeeded. */
  error?: Error;
}

/** A rebalance step of a group consumer, with how long its callback took. */
export interface RebalanceEvent {
  /** The group. */
  groupId: string;
  /** Partitions assigned, revoked (given up in a rebalance) or lost (taken without a rebalance). */
  kind: "assigned" | "revoked" | "lost";
  /** The partitions the step concerns. */
  partitions: TopicPartition[];
  /** How long the rebalance listener took. */
  durationMs: number;
}

/** Every event of {@linkcode Instrumentation.on}, by name. */
export interface ClientEventMap {
  /** A connection opened, or failed to open. */
  connect: ConnectionEvent;
  /** A connection closed. */
  disconnect: ConnectionEvent;
  /** A request was written. */
  request: RequestEvent;
  /** A request was answered or failed. */
  response: ResponseEvent;
  /** A producer batch was sent. */
  send: SendEvent;
  /** A producer batch was acknowledged or failed for good. */
  ack: AckEvent;
  /** A Fetch was answered. */
  fetch: FetchEvent;
  /** Offsets were committed. */
  commit: CommitEvent;
  /** A group consumer's assignment changed. */
  rebalance: RebalanceEvent;
}

/** Options of {@linkcode Instrumentation}, part of every client's options. */
export interface InstrumentationOptions {
  /** Where to log; default nowhere. */
  logger?: Logger;
  /** The least severe level logged. Default "info". */
  logLevel?: LogLevel;
}

/** A function called with each event of one kind, as {@linkcode Instrumentation.on} takes it. */
export type ClientEventListener<T> = (event: T) => void;

/**
 * A client's logger, event listeners and metrics, shared by its connections, producers and consumers.
 *
 * @example
 * ```ts
 * import { KafkaClient } from "@brook/kafka/client";
 * const client = new KafkaClient({ bootstrapServers: "127.0.0.1:9092", logger: console });
 * const off = client.on("response", (e) => {
 *   console.log(`${e.apiName} to ${e.broker}: ${e.durationMs.toFixed(1)} ms`);
 * });
 * off(); // stops listening
 * ```
 */
export class Instrumentation {
  /** The client's metrics (Kafka's client metric names). */
  readonly metrics: ClientMetrics;
  readonly #logger: Logger | undefined;
  readonly #level: number;
  readonly #listeners: { [K in keyof ClientEventMap]?: ClientEventListener<ClientEventMap[K]>[] } =
    {};

  /** Creates the instrumentation of the client `clientId` (Kafka's client.id). */
  constructor(clientId: string, options: InstrumentationOptions = {}) {
    this.metrics = new ClientMetrics(clientId);
    this.#logger = options.logger;
    this.#level = LEVELS[options.logLevel ?? "info"];
  }

  /** Listens to an event; returns a function that stops listening. */
  on<K extends keyof ClientEventMap>(
    type: K,
    listener: ClientEventListener<ClientEventMap[K]>,
  ): () => void {
    const list = (this.#listeners[type] ??= []) as ClientEventListener<ClientEventMap[K]>[];
    list.push(listener);
    return () => {
      const i = list.indexOf(listener);
      if (i >= 0) list.splice(i, 1);
    };
  }

  /** True when someone listens to `type` (events are built only then). */
  listens(type: keyof ClientEventMap): boolean {
    return (this.#listeners[type]?.length ?? 0) > 0;
  }

  /** Calls the listeners of `type`; a listener that throws is logged, not propagated. */
  emit<K extends keyof ClientEventMap>(type: K, event: ClientEventMap[K]): void {
    const list = this.#listeners[type] as ClientEventListener<ClientEventMap[K]>[] | undefined;
    if (!list) return;
    for (const l of [...list]) {
      try {
        l(event);
      } catch (e) {
        this.log("error", "event listener threw", { event: type, error: e });
      }
    }
  }

  /** True when `level` would be logged. */
  logs(level: LogLevel): boolean {
    return this.#logger !== undefined && LEVELS[level] >= this.#level;
  }

  /** Logs a message with structured fields. */
  log(level: LogLevel, message: string, fields: Record<string, unknown> = {}): void {
    if (!this.logs(level)) return;
    try {
      this.#logger![level]?.(message, { clientId: this.metrics.clientId, ...fields });
    } catch {
      // A failing logger must not break the client.
    }
  }
}

/**
 * Runs a rebalance callback of a group consumer, logging it and reporting a `rebalance` event with
 * its duration.
 *
 * @example
 * ```ts
 * import { Instrumentation, timedRebalance } from "@brook/kafka/client";
 * const inst = new Instrumentation("app");
 * inst.on("rebalance", (e) => console.log(e.kind, e.durationMs));
 * const partitions = [{ topic: "orders", partitions: [0, 1] }];
 * await timedRebalance(inst, { groupId: "billing", kind: "assigned", partitions }, async () => {});
 * ```
 */
export async function timedRebalance(
  inst: Instrumentation,
  step: {
    groupId: string;
    kind: RebalanceEvent["kind"];
    partitions: { topic: string; partitions: number[] }[];
  },
  run: () => Promise<void>,
): Promise<void> {
  const started = performance.now();
  const { groupId, kind, partitions } = step;
  inst.log("info", `partitions ${kind}`, { groupId, partitions });
  await run();
  if (inst.listens("rebalance")) {
    inst.emit("rebalance", {
      groupId,
      kind,
      partitions: partitions.flatMap((tp) =>
        tp.partitions.map((partition) => ({ topic: tp.topic, partition }))
      ),
      durationMs: performance.now() - started,
    });
  }
}
