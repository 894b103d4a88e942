/**
 * Fault injection for Brook's broker: failing requests with Kafka error codes, latency, withheld
 * responses and closed connections, all through the dispatcher's interceptor hook; plus the cluster
 * side of stopping nodes and moving partition leaders.
 *
 * @module
 */

import { ApiKey, type CodecApiKey, ErrorCode } from "../../codec/mod.ts";
import type { Cluster, Partition } from "../metadata/cluster.ts";
import type { InterceptedRequest, Interceptor } from "../server/dispatcher.ts";
import { contextOf } from "../server/interceptor.ts";
import {
  encodes,
  type ErrorTarget,
  markResponse,
  mergeResponses,
  mirrorErrorResponse,
  splitRequest,
} from "./faults_response.ts";

/** An API key, by number or by Kafka's name ("Produce", "Fetch", ...). */
export type ApiKeyLike = number | keyof typeof ApiKey;

/** An error code, by number or by Kafka's name ("NOT_LEADER_OR_FOLLOWER", ...). */
export type ErrorCodeLike = number | keyof typeof ErrorCode;

/** Which requests a fault applies to; every field given must match. */
export interface FaultScope {
  /** The API key; default every API. */
  apiKey?: ApiKeyLike;
  /** Only requests received by this node. */
  nodeId?: number;
  /** Only requests that name this topic (for errors: the error goes to this topic's entries). */
  topic?: string;
  /** With `topic`: only this partition of it. */
  partition?: number;
  /** Only requests from this client id. */
  clientId?: string;
  /**
   * How many matching requests to affect; "unlimited" until the fault is cancelled. Default 1, and
   * "unlimited" for latency.
   */
  count?: number | "unlimited";
  /** Let this many matching requests through before the fault starts. Default 0. */
  skip?: number;
}

/** A request fault, as {@linkcode Broker.inject} and the CLI's `--faults` file take it. */
export type FaultSpec =
  /** Answer with a well-formed response of the API carrying `errorCode`, without handling it. */
  | FaultScope & { kind: "error"; errorCode: ErrorCodeLike }
  /** Hold requests for `ms` milliseconds, plus a random 0..`jitterMs`, before handling them. */
  | FaultScope & { kind: "latency"; ms: number; jitterMs?: number }
  /**
   * Handle requests but lose their responses, as a network fault would: the connection closes
   * where the response would have gone (or `closeAfterMs` later, sending nothing meanwhile), so
   * no later response can arrive in its place.
   */
  | FaultScope & { kind: "drop"; closeAfterMs?: number }
  /** Close the connection, before the request is handled or after (its effect then happened). */
  | FaultScope & { kind: "close"; when?: "before" | "after" };

/** A fault that is active, to watch or cancel. */
export interface FaultHandle {
  /** Requests the fault has affected so far. */
  readonly hits: number;
  /** Requests it will still affect (Infinity for "unlimited"). */
  readonly remaining: number;
  /** Resolves once the fault has affected its last request or was cancelled. */
  readonly done: Promise<void>;
  /** Stops the fault. */
  cancel(): void;
}

/**
 * Thrown for a fault description that cannot work.
 *
 * @example
 * ```ts
 * import { Broker, FaultSpecError } from "@brook/kafka/broker";
 * await using broker = await Broker.start();
 * try {
 *   broker.inject({ kind: "error", errorCode: 6, count: 0 }); // a count must be at least 1
 * } catch (e) {
 *   if (e instanceof FaultSpecError) console.log(e.message);
 * }
 * ```
 */
export class FaultSpecError extends Error {
  /** Creates the error; `message` says why the fault cannot work. */
  constructor(message: string) {
    super(message);
    this.name = "FaultSpecError";
  }
}

/** Resolves an API key given by name or number. */
export function resolveApiKey(key: ApiKeyLike): number {
  if (typeof key === "number") return key;
  const k = (ApiKey as Record<string, number>)[key];
  if (k === undefined) throw new FaultSpecError(`Unknown API key '${key}'`);
  return k;
}

/** Resolves an error code given by name or number. */
export function resolveErrorCode(code: ErrorCodeLike): number {
  if (typeof code === "number") return code;
  const c = (ErrorCode as Record<string, number>)[code];
  if (c === undefined) throw new FaultSpecError(`Unknown error code '${code}'`);
  return c;
}

class ActiveFault implements FaultHandle {
  readonly spec: FaultSpec;
  readonly apiKey: number;
  readonly errorCode: number;
  readonly target: ErrorTarget | undefined;
  hits = 0;
  remaining: number;
  #skip: number;
  readonly done: Promise<void>;
  #resolve!: () => void;
  readonly #onCancel: (f: ActiveFault) => void;

  constructor(spec: FaultSpec, onCancel: (f: ActiveFault) => void) {
    this.spec = spec;
    this.apiKey = spec.apiKey === undefined ? -1 : resolveApiKey(spec.apiKey);
    this.errorCode = spec.kind === "error" ? resolveErrorCode(spec.errorCode) : 0;
    const count = spec.count ?? (spec.kind === "latency" ? "unlimited" : 1);
    this.remaining = count === "unlimited" ? Infinity : count;
    if (!(this.remaining >= 1) || (count !== "unlimited" && !Number.isInteger(count))) {
      throw new FaultSpecError(`A fault's count must be a positive integer or "unlimited"`);
    }
    this.#skip = spec.skip ?? 0;
    if (spec.partition !== undefined && spec.topic === undefined) {
      throw new FaultSpecError("A fault's partition needs its topic");
    }
    if (spec.kind === "latency" && !(spec.ms >= 0 && (spec.jitterMs ?? 0) >= 0)) {
      throw new FaultSpecError("A latency fault needs ms >= 0 and jitterMs >= 0");
    }
    if (spec.kind === "drop" && !((spec.closeAfterMs ?? 0) >= 0)) {
      throw new FaultSpecError("A drop fault needs closeAfterMs >= 0");
    }
    this.target = spec.topic === undefined
      ? undefined
      : { topic: spec.topic, partition: spec.partition };
    this.#onCancel = onCancel;
    this.done = new Promise((resolve) => this.#resolve = resolve);
  }

  /** True when the request is of the API, node and client the fault is for. */
  matches(request: InterceptedRequest): boolean {
    const s = this.spec;
    return (this.apiKey < 0 || this.apiKey === request.apiKey) &&
      (s.nodeId === undefined || s.nodeId === contextOf(request).node.nodeId) &&
      (s.clientId === undefined || s.clientId === request.header.clientId);
  }

  /** Counts one matching request; true when the fault applies to it. */
  take(): boolean {
    if (this.remaining <= 0) return false;
    if (this.#skip > 0) {
      this.#skip--;
      return false;
    }
    this.hits++;
    if (--this.remaining <= 0) this.#finish();
    return true;
  }

  delayMs(): number {
    const s = this.spec as { ms: number; jitterMs?: number };
    return s.ms + Math.random() * (s.jitterMs ?? 0);
  }

  cancel(): void {
    this.remaining = 0;
    this.#finish();
  }

  #finish(): void {
    this.#onCancel(this);
    this.#resolve();
  }
}

/** A split request, for a fault with a topic target. */
type Split = ReturnType<typeof splitRequest>;

/** Keeps the active request faults and applies them as the dispatcher's first interceptor. */
export class FaultInjector {
  readonly #cluster: Cluster;
  #faults: ActiveFault[] = [];

  constructor(cluster: Cluster) {
    this.#cluster = cluster;
  }

  /** The number of active faults. */
  get size(): number {
    return this.#faults.length;
  }

  /** Activates a fault. */
  add(spec: FaultSpec): FaultHandle {
    const fault = new ActiveFault(spec, (f) => {
      this.#faults = this.#faults.filter((x) => x !== f);
    });
    this.#faults = [...this.#faults, fault];
    return fault;
  }

  /** Cancels every fault. */
  clear(): void {
    for (const f of this.#faults) f.cancel();
  }

  /** The interceptor. */
  readonly intercept: Interceptor = async (request, next) => {
    const faults = this.#faults;
    if (faults.length === 0) return next();
    let delay = 0;
    let terminal: ActiveFault | undefined;
    let split: Split | undefined;
    for (const f of faults) {
      if (!f.matches(request)) continue;
      const latency = f.spec.kind === "latency";
      if (latency || terminal === undefined) {
        let s: Split | undefined;
        if (f.target !== undefined) {
          s = this.#split(request, f.target);
          if (!s.covered && !s.all) continue;
        }
        if (!f.take()) continue;
        if (latency) delay += f.delayMs();
        else {
          terminal = f;
          split = s;
        }
      }
    }
    if (delay > 0) await sleep(delay, contextOf(request).signal);
    if (terminal === undefined) return next();
    switch (terminal.spec.kind) {
      case "drop": {
        const answer = await next();
        // A Produce with acks=0 has no answer to lose: nothing breaks.
        if (answer === null || answer === undefined) return answer;
        // Answers leave in request order, so a lost one breaks the stream: the connection closes in
        // its place (after a while, if asked), and nothing sent after it is answered.
        const closeAfterMs = (terminal.spec as { closeAfterMs?: number }).closeAfterMs ?? 0;
        if (closeAfterMs > 0) await sleep(closeAfterMs, contextOf(request).signal);
        return "close";
      }
      case "close":
        if (terminal.spec.when === "after") await next();
        return "close";
      default:
        return this.#errorAnswer(request, terminal, split, next);
    }
  };

  #split(request: InterceptedRequest, target: ErrorTarget): Split {
    return splitRequest(
      request.apiKey,
      request.apiVersion,
      request.body as Record<string, unknown>,
      target,
      this.#cluster,
    );
  }

  async #errorAnswer(
    request: InterceptedRequest,
    fault: ActiveFault,
    split: Split | undefined,
    next: () => Promise<unknown>,
  ): Promise<unknown> {
    const { apiKey, apiVersion } = request;
    const body = request.body as Record<string, unknown>;
    // A Produce with acks=0 never gets an answer, whatever happens to it.
    if (apiKey === ApiKey.Produce && body.acks === 0) return null;
    const code = fault.errorCode;
    const cluster = this.#cluster;
    if (split === undefined) {
      return checked(
        apiKey,
        apiVersion,
        mirrorErrorResponse(apiKey, apiVersion, body, code, undefined, cluster),
      );
    }
    const errors = mirrorErrorResponse(
      apiKey,
      apiVersion,
      split.targeted,
      code,
      fault.target,
      cluster,
    );
    // Metadata still needs its brokers and controller when every topic it asked for fails.
    if (split.restEmpty && !split.all && apiKey !== ApiKey.Metadata) {
      return checked(apiKey, apiVersion, errors);
    }
    request.body = split.rest;
    const answer = await next();
    if (answer === null || answer === undefined || answer === "close") return answer;
    const marked = markResponse(
      apiKey,
      apiVersion,
      answer as Record<string, unknown>,
      code,
      fault.target!,
      cluster,
    ).response;
    return checked(apiKey, apiVersion, mergeResponses(apiKey, apiVersion, marked, errors));
  }
}

/** The response, or the untargeted error response if it does not encode (a bug to report). */
function checked(apiKey: CodecApiKey, version: number, response: Record<string, unknown>) {
  if (encodes(apiKey, version, response)) return response;
  throw new Error(
    `Brook broker: the injected error response for API key ${apiKey} v${version} does not encode`,
  );
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });
}

/** The in-sync replica that takes over a partition: the first live one in replica order. */
function nextLeader(cluster: Cluster, p: Partition, excluding: number): number {
  for (const id of p.replicas) {
    if (id !== excluding && p.isr.includes(id) && cluster.node(id) !== undefined) return id;
  }
  return -1;
}

/**
 * Takes a node out of the cluster: it leaves the live nodes and every ISR, and the partitions it led
 * elect the next in-sync replica, with a new leader epoch (or go offline, leader -1, when none is
 * left), as Kafka's controller does when a broker is fenced.
 */
export function fenceNode(cluster: Cluster, nodeId: number): void {
  const i = cluster.nodes.findIndex((n) => n.nodeId === nodeId);
  if (i < 0) return;
  cluster.nodes.splice(i, 1);
  if (cluster.controllerId === nodeId) cluster.controllerId = cluster.nodes[0]?.nodeId ?? -1;
  cluster.quorum.voterStopped(nodeId);
  cluster.quorum.leaderIs(cluster.controllerId);
  // The fencing, and each partition's change of leader or ISR, is a metadata record.
  cluster.quorum.recordsWritten();
  for (const topic of cluster.topics.values()) {
    for (const p of topic.partitions) {
      if (!p.replicas.includes(nodeId)) continue;
      cluster.quorum.recordsWritten();
      if (p.leader === nodeId) {
        p.leader = nextLeader(cluster, p, nodeId);
        p.leaderEpoch++;
      }
      // Kafka keeps the last leader in the ISR when no other replica is left (ELR aside).
      if (p.leader !== -1) p.isr = p.isr.filter((id) => id !== nodeId);
    }
  }
  // Long polls re-check leadership when they wake.
  cluster.appended.notify();
}

/**
 * Brings a fenced node back: it rejoins the live nodes and, caught up at once (the logs are shared),
 * the ISR of its partitions; partitions left without a leader elect it. Leadership elsewhere stays
 * where it moved, as Kafka's does until a preferred leader election.
 */
export function unfenceNode(cluster: Cluster, node: Cluster["nodes"][number]): void {
  if (cluster.node(node.nodeId) !== undefined) return;
  cluster.nodes.push(node);
  cluster.registeredNodeIds.add(node.nodeId);
  cluster.nodes.sort((a, b) => a.nodeId - b.nodeId);
  if (cluster.controllerId < 0) cluster.controllerId = node.nodeId;
  cluster.quorum.voterStarted(node.nodeId);
  cluster.quorum.leaderIs(cluster.controllerId);
  for (const topic of cluster.topics.values()) {
    for (const p of topic.partitions) {
      if (!p.replicas.includes(node.nodeId)) continue;
      if (!p.isr.includes(node.nodeId)) p.isr = [...p.isr, node.nodeId];
      if (p.leader === -1) {
        p.leader = p.replicas.find((id) => p.isr.includes(id) && cluster.node(id)) ?? -1;
        p.leaderEpoch++;
      }
    }
  }
  cluster.appended.notify();
}

/** A partition and the replica to lead it, as {@linkcode moveLeader} takes them. */
export interface LeaderMove {
  /** The partition's topic. */
  topic: string;
  /** The partition index. */
  partition: number;
  /** The replica's node id. */
  nodeId: number;
}

/** Makes `nodeId` the leader of a partition with a new leader epoch. */
export function moveLeader(cluster: Cluster, move: LeaderMove): void {
  const { topic, partition, nodeId } = move;
  const p = cluster.partition(topic, partition);
  if (!p) throw new RangeError(`Partition ${topic}-${partition} does not exist`);
  if (!p.replicas.includes(nodeId)) {
    throw new RangeError(
      `Node ${nodeId} is not a replica of ${topic}-${partition} (replicas ${p.replicas.join(",")})`,
    );
  }
  if (cluster.node(nodeId) === undefined) throw new RangeError(`Node ${nodeId} is stopped`);
  if (!p.isr.includes(nodeId)) p.isr = [...p.isr, nodeId];
  p.leader = nodeId;
  p.leaderEpoch++;
  cluster.appended.notify();
}
