/**
 * What `Broker.start` builds before any node listens: the cluster with its configs, features and
 * authorizer from the options, and the background work Kafka's broker does on timers (log cleaning,
 * transaction timeouts, the expiry of idle transactional and producer ids).
 *
 * @module
 */

import type { BrokerOptions } from "./broker_options.ts";
import { Cluster } from "./metadata/cluster.ts";
import type { Interceptor } from "./server/interceptor.ts";
import { HANDLERS } from "./handlers/mod.ts";
import type { BrokerMetrics } from "./server/metrics.ts";
import { BrokerNode } from "./server/node.ts";
import { cleanLogs } from "./log/log_cleaner.ts";
import { expireProducers } from "./log/producer_state.ts";
import { Authorizer } from "./security/authorizer.ts";
import {
  type ListenerSpec,
  parseAdvertisedListeners,
  parseListeners,
  saslSettings,
} from "./security/options.ts";
import { staticBrokerConfigs } from "./configs/static_configs.ts";

/** A cluster built from a broker's options, with the listeners and SASL settings its nodes take. */
export interface ClusterSetup {
  cluster: Cluster;
  listeners: ListenerSpec[];
  sasl: ReturnType<typeof saslSettings> | undefined;
  /** A static config as a number, when it is set. */
  configured(name: string): number | undefined;
}

/**
 * Builds the cluster that `options` describe; throws a RangeError on options Kafka would refuse.
 *
 * @example
 * ```ts
 * import { clusterFor } from "./broker_setup.ts";
 * const { cluster, listeners } = clusterFor({ nodes: 1 });
 * console.log(cluster.clusterId, listeners[0].name); // "...", "PLAINTEXT"
 * ```
 */
export function clusterFor(options: BrokerOptions): ClusterSetup {
  const count = options.nodes ?? 1;
  if (!Number.isInteger(count) || count < 1) {
    throw new RangeError(`A broker needs at least one node, got ${count}`);
  }
  const host = options.host ?? "127.0.0.1";
  const listeners = parseListeners(
    options.listeners ?? [{ name: "PLAINTEXT", port: options.port ?? 0 }],
    { host, port: options.port ?? 0 },
    options.listenerSecurityProtocolMap,
  );
  const sasl = listeners.some((l) => l.securityProtocol.startsWith("SASL_"))
    ? saslSettings(options.sasl ?? {})
    : undefined;
  const configs = staticBrokerConfigs(options, sasl?.mechanisms);
  const configured = (name: string) =>
    configs[name] === undefined ? undefined : Number(configs[name]);
  const cluster = new Cluster({
    clusterId: options.clusterId,
    defaultPartitions: configured("num.partitions"),
    defaultReplicationFactor: options.defaultReplicationFactor ??
      configured("default.replication.factor"),
    autoCreateTopics: configs["auto.create.topics.enable"] === undefined
      ? undefined
      : configs["auto.create.topics.enable"].trim().toLowerCase() === "true",
    staticConfigs: configs,
    maxStoredBytes: options.maxMemoryBytes,
  });
  if (options.authorizer) cluster.authorizer = new Authorizer(options.authorizer);
  if (options.transactionCompletionMs !== undefined) {
    cluster.transactions.completionMs = options.transactionCompletionMs;
  }
  const refused = cluster.features.update(
    Object.entries(options.features ?? {}).map(([feature, level]) => ({
      feature,
      maxVersionLevel: level,
      upgradeType: level < cluster.features.level(feature) ? 2 : 1,
    })),
    // Set as node 1, the controller of a broker just built, would set them.
    { controllerId: 1, validateOnly: false },
  );
  if (refused) throw new RangeError(refused);
  cluster.telemetry.enabled = options.clientTelemetry ?? false;
  cluster.telemetry.maxBytes = configured("telemetry.max.bytes") ?? 1_048_576;
  cluster.groups.initialRebalanceDelayMs = configured("group.initial.rebalance.delay.ms")!;
  return { cluster, listeners, sasl, configured };
}

/**
 * The nodes of a cluster: node i (from 1) listens on each listener's port + i - 1 (or a free port),
 * serving the registered handlers behind the interceptors.
 *
 * @example
 * ```ts
 * import { clusterFor, nodesFor } from "./broker_setup.ts";
 * import { BrokerMetrics } from "./server/metrics.ts";
 * const setup = clusterFor({ nodes: 3 });
 * const nodes = nodesFor(setup, { nodes: 3 }, { interceptors: [], metrics: new BrokerMetrics({}) });
 * ```
 */
export function nodesFor(
  setup: ClusterSetup,
  options: BrokerOptions,
  shared: { interceptors: Interceptor[]; metrics: BrokerMetrics },
): BrokerNode[] {
  const { cluster, listeners, sasl, configured } = setup;
  const nodes: BrokerNode[] = [];
  const advertised = parseAdvertisedListeners(options.advertisedListeners ?? [], listeners);
  for (let i = 0; i < (options.nodes ?? 1); i++) {
    const endpoints = listeners.map((l) => {
      const ad = advertised.get(l.name);
      return {
        listenerName: l.name,
        securityProtocol: l.securityProtocol,
        host: l.host,
        port: l.port ? l.port + i : 0,
        advertised: ad && { host: ad.host, port: ad.port ? ad.port + i : 0 },
      };
    });
    const info = {
      nodeId: i + 1,
      host: endpoints[0].host,
      port: endpoints[0].port,
      rack: options.racks?.[i] ?? null,
      endpoints,
    };
    cluster.addNode(info);
    nodes.push(
      new BrokerNode(info, cluster, {
        tls: options.tls,
        sasl: sasl && { ...sasl, credentials: cluster.credentials },
        maxRequestBytes: configured("socket.request.max.bytes") ?? 104857600,
        handlers: HANDLERS,
        interceptors: shared.interceptors,
        metrics: shared.metrics,
      }),
    );
  }
  return nodes;
}

/**
 * Starts the cluster's background work; the function returned stops it. Every timer is unref'd:
 * housekeeping alone never keeps a program running.
 *
 * @example
 * ```ts
 * import { clusterFor, startHousekeeping } from "./broker_setup.ts";
 * const stop = startHousekeeping(clusterFor({}).cluster, {});
 * stop();
 * ```
 */
export function startHousekeeping(cluster: Cluster, options: BrokerOptions): () => void {
  // One timer for all the work, set for whichever is due first: a broker that starts and closes at
  // once (as tests do) creates and clears one timer, not one per kind of work.
  const tasks: { period: number; due: number; work: () => void }[] = [];
  const now = performance.now();
  const every = (ms: number, work: () => void) => tasks.push({ period: ms, due: now + ms, work });
  const cleaning = options.logCleanerIntervalMs ?? 1000;
  if (cleaning > 0) every(cleaning, () => cleanLogs(cluster));
  const aborting = options.transactionAbortIntervalMs ?? 10000;
  if (aborting > 0) every(aborting, () => cluster.transactions.abortTimedOut());
  // transaction.remove.expired.transaction.cleanup.interval.ms: idle transactional ids expire.
  every(
    cluster.configs.staticNumber("transaction.remove.expired.transaction.cleanup.interval.ms"),
    () => cluster.transactions.expireTransactionalIds(),
  );
  // Kafka's producer.id.expiration.check.interval.ms (an internal config): ten minutes.
  every(600_000, () => expireProducers(cluster));
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  const arm = () => {
    if (stopped) return;
    let next = Infinity;
    for (const task of tasks) next = Math.min(next, task.due);
    timer = setTimeout(tick, Math.max(0, next - performance.now()));
    Deno.unrefTimer(timer);
  };
  const tick = () => {
    try {
      const at = performance.now();
      for (const task of tasks) {
        // A timer may fire a fraction of a millisecond before performance.now() reaches its due time.
        if (task.due > at + 1) continue;
        // Behind schedule (a busy event loop), the next run is a whole period away, as setInterval's.
        task.due = task.due + task.period > at ? task.due + task.period : at + task.period;
        task.work();
      }
    } finally {
      arm();
    }
  };
  arm();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
