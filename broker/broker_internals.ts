/**
 * What Brook's own modules (the control API, the command line, the tests) reach inside a running
 * {@linkcode Broker}: its whole cluster state and its node servers. Not part of the public API,
 * whose narrow views are `broker.topic()` and `broker.nodes`; `broker/mod.ts` does not export it.
 *
 * @module
 */

import type { Cluster } from "./metadata/cluster.ts";
import type { BrokerNode } from "./server/node.ts";
import type { Interceptor } from "./server/interceptor.ts";
import type { BrokerMetrics } from "./server/metrics.ts";

/** The parts of a broker its constructor registers. */
export interface BrokerInternals {
  /** The cluster's state: topics, partitions and logs, coordinators, configs. */
  readonly cluster: Cluster;
  /** The node servers: listeners and their connections. */
  readonly nodes: readonly BrokerNode[];
}

/** What a Broker is built from: its internals, the interceptor chain its nodes share, its metrics. */
export interface BrokerParts extends BrokerInternals {
  /** The nodes' shared interceptor chain (faults, metrics, waits, users' interceptors). */
  readonly interceptors: Interceptor[];
  /** The request metrics of every node. */
  readonly metrics: BrokerMetrics;
}

// Keyed by the Broker object; a WeakMap rather than an import of Broker, which imports this module.
const registered = new WeakMap<object, BrokerInternals>();

/**
 * Registers a broker's parts; the Broker constructor calls it.
 *
 * @example
 * ```ts
 * import { registerInternals } from "./broker_internals.ts";
 * import type { Cluster } from "./metadata/cluster.ts";
 * declare const broker: object, cluster: Cluster;
 * registerInternals(broker, { cluster, nodes: [] });
 * ```
 */
export function registerInternals(broker: object, internals: BrokerInternals): void {
  registered.set(broker, internals);
}

function internalsOf(broker: object): BrokerInternals {
  const internals = registered.get(broker);
  if (internals === undefined) throw new TypeError("Not a Broker");
  return internals;
}

/**
 * A broker's whole cluster state.
 *
 * @example
 * ```ts
 * import { Broker } from "./broker.ts";
 * import { clusterOf } from "./broker_internals.ts";
 * await using broker = await Broker.start({ topics: { t: { partitions: 1 } } });
 * console.log(clusterOf(broker).partition("t", 0)?.log.highWatermark); // 0n
 * ```
 */
export function clusterOf(broker: object): Cluster {
  return internalsOf(broker).cluster;
}

/**
 * A broker's node servers, in node id order.
 *
 * @example
 * ```ts
 * import { Broker } from "./broker.ts";
 * import { nodesOf } from "./broker_internals.ts";
 * await using broker = await Broker.start();
 * console.log(nodesOf(broker)[0].connections.size); // 0
 * ```
 */
export function nodesOf(broker: object): readonly BrokerNode[] {
  return internalsOf(broker).nodes;
}
