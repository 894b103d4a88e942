/**
 * Waiting for a broker condition instead of sleeping: a group reaching a state with a number of
 * members, a partition reaching an offset, a transaction completing, a client connecting.
 *
 * @module
 */

import type { Cluster } from "../metadata/cluster.ts";
import type { Interceptor } from "../server/dispatcher.ts";
import { contextOf } from "../server/interceptor.ts";
import type { BrokerNode } from "../server/node.ts";

/** A condition {@linkcode waitForCondition} waits for. */
export type WaitCondition =
  /**
   * A group (classic, KIP-848 consumer or KIP-932 share group) in `state` (default "Stable") with
   * exactly `members` members, when given.
   */
  | { kind: "group"; groupId: string; state?: string; members?: number }
  /** A partition whose high watermark reached `offset` (records below it are readable). */
  | { kind: "offset"; topic: string; partition: number; offset: number }
  /** A transactional id whose last transaction completed (committed, aborted, or either). */
  | { kind: "transaction"; transactionalId: string; outcome?: "commit" | "abort" | "any" }
  /**
   * At least `count` (default 1) open client connections, only those that sent a request with
   * `clientId` when given.
   */
  | { kind: "client"; clientId?: string; count?: number };

/** Options of a wait. */
export interface WaitOptions {
  /** Give up after this many milliseconds (default 30000). */
  timeoutMs?: number;
  /** Give up when aborted. */
  signal?: AbortSignal;
}

/** What a condition observed: whether it holds, and the state it saw. */
export interface WaitObservation {
  /** True when the condition holds. */
  met: boolean;
  /** The state the condition saw, e.g. { connections: 0 }. */
  observed: Record<string, unknown>;
}

/**
 * Thrown when a wait's timeout passes before its condition holds.
 *
 * @example
 * ```ts
 * import { Broker } from "../broker.ts";
 * import { WaitTimeoutError } from "./wait.ts";
 * await using broker = await Broker.start();
 * try {
 *   await broker.waitFor({ kind: "client" }, { timeoutMs: 10 });
 * } catch (e) {
 *   if (e instanceof WaitTimeoutError) console.log(e.observed); // { connections: 0 }
 * }
 * ```
 */
export class WaitTimeoutError extends Error {
  /** The state the condition last saw. */
  readonly observed: Record<string, unknown>;

  /** Creates the error with the state last observed. */
  constructor(message: string, observed: Record<string, unknown>) {
    super(message);
    this.name = "WaitTimeoutError";
    this.observed = observed;
  }
}

/**
 * Notes the client id each connection last used, for the "client" condition.
 *
 * @example
 * ```ts
 * import { ClientIds } from "./wait.ts";
 * const clients = new ClientIds();
 * console.log(clients.of({})); // undefined: no request seen on that connection
 * ```
 */
export class ClientIds {
  readonly #byConnection = new WeakMap<object, string | null>();

  /** An interceptor that records client ids and lets every request through. */
  readonly intercept: Interceptor = (request, next) => {
    this.#byConnection.set(contextOf(request).connection, request.header.clientId);
    return next();
  };

  /** The client id last seen on a connection (undefined before its first request). */
  of(connection: object): string | null | undefined {
    return this.#byConnection.get(connection);
  }
}

/** What {@linkcode observe} reads: the cluster, the node servers and the client ids seen. */
export interface ObservedState {
  /** The cluster's state. */
  readonly cluster: Cluster;
  /** The node servers (their connections). */
  readonly nodes: readonly BrokerNode[];
  /** The client ids noted per connection. */
  readonly clients: ClientIds;
}

/**
 * Checks a condition once.
 *
 * @example
 * ```ts
 * import { Cluster } from "../metadata/cluster.ts";
 * import { ClientIds, observe } from "./wait.ts";
 * const state = { cluster: new Cluster(), nodes: [], clients: new ClientIds() };
 * const seen = observe({ kind: "group", groupId: "g" }, state);
 * console.log(seen); // { met: false, observed: { state: "Dead", members: 0 } }
 * ```
 */
export function observe(condition: WaitCondition, state: ObservedState): WaitObservation {
  const { cluster, nodes, clients } = state;
  switch (condition.kind) {
    case "group": {
      const g = cluster.groups.consumerGroups.get(condition.groupId) ??
        cluster.groups.groups.get(condition.groupId) ??
        cluster.groups.shareGroups.get(condition.groupId);
      const state = g?.state ?? "Dead";
      const members = g?.members.size ?? 0;
      const met = g !== undefined && state === (condition.state ?? "Stable") &&
        (condition.members === undefined || members === condition.members);
      return { met, observed: { state, members } };
    }
    case "offset": {
      const p = cluster.partition(condition.topic, condition.partition);
      if (!p) return { met: false, observed: { exists: false } };
      const hw = p.log.highWatermark;
      return { met: hw >= BigInt(condition.offset), observed: { highWatermark: Number(hw) } };
    }
    case "transaction": {
      const txn = cluster.transactions.transactions.get(condition.transactionalId);
      const state = txn?.state ?? "None";
      const outcome = condition.outcome ?? "any";
      const met = (state === "CompleteCommit" && outcome !== "abort") ||
        (state === "CompleteAbort" && outcome !== "commit");
      return { met, observed: { state } };
    }
    case "client": {
      let count = 0;
      for (const node of nodes) {
        for (const c of node.connections) {
          if (c.closed) continue;
          if (condition.clientId === undefined || clients.of(c.info) === condition.clientId) {
            count++;
          }
        }
      }
      return { met: count >= (condition.count ?? 1), observed: { connections: count } };
    }
  }
}

/**
 * Resolves with the observation once `condition` holds; rejects with a
 * {@linkcode WaitTimeoutError} when `timeoutMs` passes first. Appends wake it at once; other state
 * is checked every few milliseconds.
 *
 * @example
 * ```ts
 * import { Broker } from "@brook/kafka/broker";
 * await using broker = await Broker.start({ topics: { t: {} } });
 * // ...produce 10 records to t-0 from a client; then:
 * await broker.waitFor({ kind: "offset", topic: "t", partition: 0, offset: 0 }, { timeoutMs: 100 });
 * ```
 */
export async function waitForCondition(
  check: () => WaitObservation,
  appended: Cluster["appended"],
  options: WaitOptions = {},
): Promise<WaitObservation> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const deadline = Date.now() + timeoutMs;
  const signal = options.signal ?? new AbortController().signal;
  for (;;) {
    const seen = check();
    if (seen.met) return seen;
    const now = Date.now();
    if (now >= deadline || signal.aborted) {
      throw new WaitTimeoutError(
        `The condition did not hold within ${timeoutMs} ms (observed ${
          JSON.stringify(seen.observed)
        })`,
        seen.observed,
      );
    }
    await appended.wait(Math.min(deadline, now + POLL_MS), signal);
  }
}

/** How often state that no signal announces is checked again. */
const POLL_MS = 5;
