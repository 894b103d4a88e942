/**
 * Brook's embedded Kafka broker: one or several nodes in one process, in memory, started in
 * milliseconds.
 *
 * @module
 */

import type { BrokerOptions } from "./broker_options.ts";
import type { Authorizer } from "./security/authorizer.ts";
import { clusterFor, nodesFor, startHousekeeping } from "./broker_setup.ts";
import {
  type Cluster,
  type CreateTopicOptions,
  type NodeInfo,
  validateTopicName,
} from "./metadata/cluster.ts";
import type { TopicInfo } from "./metadata/topic_view.ts";
import { type BrokerParts, registerInternals } from "./broker_internals.ts";
import type { Interceptor } from "./server/dispatcher.ts";
import {
  type ApiKeyLike,
  type ErrorCodeLike,
  type FaultHandle,
  FaultInjector,
  type FaultScope,
  type FaultSpec,
  fenceNode,
  moveLeader,
  unfenceNode,
} from "./faults/faults.ts";
import { type FaultPlan, parseFaultPlan } from "./faults/faults_plan.ts";
import { cleanLogs } from "./log/log_cleaner.ts";
import { BrokerMetrics, type MetricsSnapshot, serveMetrics } from "./server/metrics.ts";
import type { BrokerNode } from "./server/node.ts";
import type { ClientTelemetryReport } from "./telemetry/client_telemetry.ts";
import { type InitialState, initialState, resetCluster } from "./control/reset.ts";
import {
  ClientIds,
  observe,
  type WaitCondition,
  waitForCondition,
  type WaitObservation,
  type WaitOptions,
} from "./control/wait.ts";

export type { BrokerOptions } from "./broker_options.ts";

/**
 * An in-memory Kafka cluster that speaks Kafka's wire protocol on real sockets.
 *
 * @example
 * ```ts
 * import { Broker } from "@brook/kafka/broker";
 * await using broker = await Broker.start({ nodes: 3 });
 * console.log(broker.bootstrapServers); // "127.0.0.1:40001,127.0.0.1:40002,127.0.0.1:40003"
 * ```
 */
export class Broker implements AsyncDisposable {
  readonly #cluster: Cluster;
  readonly #nodes: readonly BrokerNode[];
  readonly #interceptors: Interceptor[] = [];
  readonly #faults: FaultInjector;
  readonly #metrics: BrokerMetrics;
  readonly #timers = new Map<ReturnType<typeof setTimeout>, () => void>();
  #metricsServer: Deno.HttpServer<Deno.NetAddr> | undefined;
  #stopHousekeeping: () => void = () => {};
  #closed = false;
  readonly #clients = new ClientIds();
  #initial: InitialState | undefined;

  private constructor(parts: BrokerParts) {
    this.#cluster = parts.cluster;
    this.#nodes = parts.nodes;
    this.#interceptors = parts.interceptors;
    this.#metrics = parts.metrics;
    this.#faults = new FaultInjector(parts.cluster);
    registerInternals(this, parts);
    // Client ids are noted from the first request on, for waitFor's "client" condition.
    this.#interceptors.push(this.#clients.intercept);
  }

  /**
   * Starts a broker whose every node accepts connections when the promise resolves.
   *
   * SASL listeners enable PLAIN and SCRAM-SHA-256/512 unless `sasl.mechanisms` names others.
   * OAUTHBEARER is served only when named there; with `sasl.oauthBearer` it accepts only JWTs that
   * the JWKS keys signed (the keys are read before the promise resolves, which rejects when they
   * cannot be), and without it, or `sasl.validateOAuthBearer`, it runs Kafka's unsecured validator:
   * unsigned tokens naming any principal get in, so that is for development only.
   *
   * @example
   * ```ts
   * import { Broker } from "@brook/kafka/broker";
   * const broker = await Broker.start({ topics: { orders: { partitions: 3 } } });
   * await broker.close();
   * ```
   */
  static async start(options: BrokerOptions = {}): Promise<Broker> {
    const setup = clusterFor(options);
    const { cluster, sasl } = setup;
    const interceptors: Interceptor[] = [];
    const { slowRequestMs, onSlowRequest } = options;
    const metrics = new BrokerMetrics({ slowRequestMs, onSlowRequest });
    metrics.attach(cluster, { interceptors });
    if (sasl) await cluster.credentials.configure(options.sasl ?? {});
    const nodes = nodesFor(setup, options, { interceptors, metrics });
    const broker = new Broker({ cluster, nodes, interceptors, metrics });
    try {
      for (const node of nodes) await node.listen();
      if (options.metricsPort !== undefined) {
        broker.#metricsServer = serveMetrics(metrics, options.metricsHost, options.metricsPort);
      }
    } catch (e) {
      for (const node of nodes) await node.close();
      throw e;
    }
    for (const [name, topicOptions] of Object.entries(options.topics ?? {})) {
      broker.createTopic(name, topicOptions);
    }
    broker.#initial = initialState(cluster, options.topics);
    broker.#stopHousekeeping = startHousekeeping(cluster, options);
    return broker;
  }

  /**
   * Applies retention (cleanup.policy=delete) and compaction (cleanup.policy=compact) now, as the
   * broker also does every logCleanerIntervalMs: both work on whole segments, as Kafka's do, and the
   * cleaner leaves the active segment alone.
   *
   * @example
   * ```ts
   * import { Broker } from "@brook/kafka/broker";
   * await using broker = await Broker.start({ topics: { state: { configs: { "cleanup.policy": "compact" } } } });
   * broker.cleanLogs();
   * ```
   */
  cleanLogs(now: number = Date.now()): void {
    cleanLogs(this.#cluster, now);
  }

  /**
   * "host:port" of every node on one listener (default the first), comma-separated.
   *
   * @example
   * ```ts
   * import { Broker } from "@brook/kafka/broker";
   * await using broker = await Broker.start({
   *   listeners: ["PLAINTEXT://127.0.0.1:0", "SASL_PLAINTEXT://127.0.0.1:0"],
   *   sasl: { users: { alice: "secret" } },
   * });
   * console.log(broker.bootstrapServersFor("SASL_PLAINTEXT"));
   * ```
   */
  bootstrapServersFor(listenerName: string): string {
    const name = listenerName.toUpperCase();
    const addresses = this.#nodes.map((n) =>
      n.info.endpoints?.find((e) => e.listenerName === name)
    );
    if (addresses.some((a) => a === undefined)) {
      throw new RangeError(`No listener named ${listenerName}`);
    }
    return addresses.map((a) => `${a!.host}:${a!.port}`).join(",");
  }

  /**
   * The ACLs in force, or undefined when the broker was started without `authorizer` (then every
   * request is allowed and the ACL requests answer SECURITY_DISABLED).
   *
   * @example
   * ```ts
   * import { Broker } from "@brook/kafka/broker";
   * await using broker = await Broker.start({ authorizer: { superUsers: ["User:admin"] } });
   * console.log(broker.authorizer?.size); // 0
   * ```
   */
  get authorizer(): Authorizer | undefined {
    return this.#cluster.authorizer;
  }

  /**
   * The latest metrics each client instance pushed (KIP-714), oldest push first; empty unless the
   * broker was started with `clientTelemetry: true`.
   *
   * @example
   * ```ts
   * import { Broker } from "@brook/kafka/broker";
   * await using broker = await Broker.start({ clientTelemetry: true });
   * console.log(broker.clientTelemetry().length); // 0
   * ```
   */
  clientTelemetry(): ClientTelemetryReport[] {
    return this.#cluster.telemetry.reports();
  }

  /** "host:port" of every node (stopped ones too), comma-separated, as clients take bootstrap servers. */
  get bootstrapServers(): string {
    return this.#nodes.map((n) => `${n.info.host}:${n.info.port}`).join(",");
  }

  /** "host:port" of the Prometheus metrics listener, when one was asked for. */
  get metricsAddress(): string | undefined {
    const addr = this.#metricsServer?.addr;
    return addr && `${addr.hostname}:${addr.port}`;
  }

  /** The nodes as Metadata describes them (id, address, rack, listeners), stopped ones too. */
  get nodes(): readonly NodeInfo[] {
    return this.#nodes.map((n) => n.info);
  }

  /**
   * A topic's partitions, leaders and configs as they are now; undefined when there is none.
   *
   * @example
   * ```ts
   * import { Broker } from "@brook/kafka/broker";
   * await using broker = await Broker.start({ nodes: 3, topics: { t: { partitions: 3 } } });
   * console.log(broker.topic("t")?.partitions[0].leader); // 1, 2 or 3
   * ```
   */
  topic(name: string): TopicInfo | undefined {
    return this.#cluster.topics.get(name);
  }

  /**
   * Creates a topic, as CreateTopics would.
   *
   * @example
   * ```ts
   * import { Broker } from "@brook/kafka/broker";
   * await using broker = await Broker.start();
   * broker.createTopic("events", { partitions: 6, configs: { "cleanup.policy": "compact" } });
   * ```
   */
  createTopic(name: string, options: CreateTopicOptions = {}): TopicInfo {
    const check = validateTopicName(name);
    if (!check.ok) throw new RangeError(check.message);
    if (this.#cluster.topics.has(name)) throw new RangeError(`Topic '${name}' already exists.`);
    return this.#cluster.createTopic(name, options);
  }

  /**
   * Adds an interceptor that sees every request before its handler, after the injected faults: it may
   * answer the request, change it, or fall through with `next()`. Returns a function that removes it.
   *
   * @example
   * ```ts
   * import { Broker } from "@brook/kafka/broker";
   * await using broker = await Broker.start();
   * const seen: string[] = [];
   * const remove = broker.intercept((request, next) => {
   *   seen.push(`${request.apiKey}/${request.header.clientId}`);
   *   return next();
   * });
   * remove();
   * ```
   */
  intercept(interceptor: Interceptor): () => void {
    this.#interceptors.push(interceptor);
    return () => {
      const i = this.#interceptors.indexOf(interceptor);
      if (i >= 0) this.#interceptors.splice(i, 1);
    };
  }

  /**
   * Injects a request fault: an error answer, latency, a withheld response or a closed connection,
   * for the requests its scope matches (API key, node, topic and partition, client id), `count` times.
   * An error answer is a well-formed response of the request's API: when the fault names a topic (and
   * partition), only that part of the request fails with the error and the rest is handled as usual;
   * otherwise the request is not handled and every error field of the response (the top-level one and
   * those of each topic, partition or group it names) carries the error.
   *
   * @example
   * ```ts
   * import { Broker } from "@brook/kafka/broker";
   * await using broker = await Broker.start({ nodes: 3, topics: { orders: { partitions: 3 } } });
   * const fault = broker.inject({
   *   kind: "error",
   *   apiKey: "Produce",
   *   errorCode: "NOT_LEADER_OR_FOLLOWER",
   *   topic: "orders",
   *   partition: 0,
   *   count: 2,
   * });
   * broker.inject({ kind: "latency", apiKey: "Fetch", ms: 20, jitterMs: 10 });
   * // ...run a client; then:
   * console.log(fault.hits);
   * broker.clearFaults();
   * ```
   */
  inject(fault: FaultSpec): FaultHandle {
    const handle = this.#faults.add(fault);
    const interceptor = this.#faults.intercept;
    if (!this.#interceptors.includes(interceptor)) this.#interceptors.unshift(interceptor);
    return handle;
  }

  /**
   * Fails the next `count` (default 1) requests of an API with an error code.
   *
   * @example
   * ```ts
   * import { Broker } from "@brook/kafka/broker";
   * await using broker = await Broker.start();
   * broker.failNext("JoinGroup", "COORDINATOR_LOAD_IN_PROGRESS", { count: 3 });
   * broker.failNext("Produce", "NOT_LEADER_OR_FOLLOWER", { topic: "orders", partition: 1 });
   * ```
   */
  failNext(
    apiKey: ApiKeyLike,
    errorCode: ErrorCodeLike,
    scope: Omit<FaultScope, "apiKey"> = {},
  ): FaultHandle {
    return this.inject({ ...scope, kind: "error", apiKey, errorCode });
  }

  /**
   * Delays requests by `ms` plus a random 0..`jitterMs` before they are handled; every matching
   * request until cancelled unless `count` says otherwise.
   *
   * @example
   * ```ts
   * import { Broker } from "@brook/kafka/broker";
   * await using broker = await Broker.start();
   * const slow = broker.addLatency(50, { apiKey: "Produce", jitterMs: 25 });
   * slow.cancel();
   * ```
   */
  addLatency(ms: number, scope: FaultScope & { jitterMs?: number } = {}): FaultHandle {
    return this.inject({ ...scope, kind: "latency", ms });
  }

  /**
   * Handles the next `count` (default 1) matching requests but loses their responses, as a network
   * fault would: the connection closes where the response would have gone, or `closeAfterMs` later
   * (sending nothing meanwhile), and the client sees a closed connection, never a later response in
   * the lost one's place.
   *
   * @example
   * ```ts
   * import { Broker } from "@brook/kafka/broker";
   * await using broker = await Broker.start();
   * broker.dropResponses({ apiKey: "Fetch", count: 1, closeAfterMs: 500 });
   * ```
   */
  dropResponses(scope: FaultScope & { closeAfterMs?: number } = {}): FaultHandle {
    return this.inject({ ...scope, kind: "drop" });
  }

  /**
   * Closes the connection of the next `count` (default 1) matching requests, before they are handled
   * (default) or after (the request took effect; the client never hears of it).
   *
   * @example
   * ```ts
   * import { Broker } from "@brook/kafka/broker";
   * await using broker = await Broker.start();
   * broker.closeConnections({ apiKey: "Produce", when: "after" });
   * ```
   */
  closeConnections(scope: FaultScope & { when?: "before" | "after" } = {}): FaultHandle {
    return this.inject({ ...scope, kind: "close" });
  }

  /** Cancels every injected fault (interceptors added with {@linkcode Broker.intercept} stay). */
  clearFaults(): void {
    this.#faults.clear();
  }

  /**
   * Runs a fault plan (the format of the CLI's `--faults` file): each step starts `atMs` after this
   * call (steps without `atMs` are active when this returns). Resolves once every step (and every
   * planned restart) has run; steps still pending when the broker closes are skipped. The plan is checked first: a wrong step throws a FaultSpecError.
   *
   * @example
   * ```ts
   * import { Broker } from "@brook/kafka/broker";
   * await using broker = await Broker.start({ nodes: 3 });
   * const finished = broker.runFaultPlan({
   *   faults: [
   *     { kind: "latency", apiKey: "Fetch", ms: 5, jitterMs: 5 },
   *     { kind: "stopNode", nodeId: 2, atMs: 1000, forMs: 2000 },
   *   ],
   * });
   * ```
   */
  runFaultPlan(plan: FaultPlan): Promise<void> {
    const steps = parseFaultPlan(plan);
    return Promise.all(steps.map((step) =>
      this.#later(step.atMs ?? 0, async () => {
        switch (step.kind) {
          case "stopNode":
            await this.stopNode(step.nodeId);
            if (step.forMs !== undefined) {
              await this.#later(step.forMs, () => this.restartNode(step.nodeId));
            }
            break;
          case "restartNode":
            await this.restartNode(step.nodeId);
            break;
          case "moveLeader":
            this.moveLeader(step.topic, step.partition, step.nodeId);
            break;
          default: {
            const { atMs: _, ...fault } = step;
            this.inject(fault as FaultSpec);
          }
        }
      })
    )).then(() => {});
  }

  /**
   * Runs `fn` after `ms` unless the broker closes first; resolves when it ran (or was skipped). A step
   * that fails is logged, since a plan runs unattended.
   */
  #later(ms: number, fn: () => Promise<void> | void): Promise<void> {
    const run = async () => {
      try {
        if (!this.#closed) await fn();
      } catch (e) {
        console.error("Brook broker: a fault plan step failed:", e);
      }
    };
    // At once, so that a plan's immediate faults are active when runFaultPlan returns.
    if (ms <= 0) return run();
    return new Promise((resolve) => {
      const timer = setTimeout(async () => {
        this.#timers.delete(timer);
        await run();
        resolve();
      }, ms);
      this.#timers.set(timer, resolve);
    });
  }

  /** Cancels the faults and the plan steps still waiting (their promises resolve). */
  #cancelFaultsAndPlans(): void {
    for (const [timer, resolve] of this.#timers) {
      clearTimeout(timer);
      resolve();
    }
    this.#timers.clear();
    this.#faults.clear();
  }

  /**
   * Stops a node as a crash would: its listener and connections close, it leaves the live nodes (and
   * Metadata's brokers), and each partition it led moves to the next in-sync replica with its leader
   * epoch bumped (or goes offline, leader -1, when no other replica is in sync).
   *
   * @example
   * ```ts
   * import { Broker } from "@brook/kafka/broker";
   * await using broker = await Broker.start({ nodes: 3, topics: { t: { partitions: 3 } } });
   * await broker.stopNode(1);
   * console.log(broker.topic("t")?.partitions[0].leader); // another replica
   * await broker.restartNode(1);
   * ```
   */
  async stopNode(nodeId: number): Promise<void> {
    const node = this.#node(nodeId);
    fenceNode(this.#cluster, nodeId);
    await node.close();
  }

  /**
   * Restarts a stopped node on the same port. It rejoins the ISR of its partitions, leading only
   * those that had no leader left; move leadership back with {@linkcode Broker.moveLeader}.
   *
   * @example
   * ```ts
   * import { Broker } from "@brook/kafka/broker";
   * await using broker = await Broker.start({ nodes: 2 });
   * await broker.stopNode(2);
   * await broker.restartNode(2);
   * ```
   */
  async restartNode(nodeId: number): Promise<void> {
    const node = this.#node(nodeId);
    if (this.#closed) throw new Error("The broker is closed");
    await node.listen();
    unfenceNode(this.#cluster, node.info);
  }

  /** True while the node runs (not stopped). */
  isRunning(nodeId: number): boolean {
    return this.#node(nodeId).listening;
  }

  /**
   * Moves a partition's leadership to one of its replicas (in sync from then on), bumping the leader
   * epoch, as a reassignment or preferred leader election does. Clients see NOT_LEADER_OR_FOLLOWER
   * from the old leader and the new leader in Metadata.
   *
   * @example
   * ```ts
   * import { Broker } from "@brook/kafka/broker";
   * await using broker = await Broker.start({ nodes: 3, topics: { t: { partitions: 1 } } });
   * broker.moveLeader("t", 0, 2);
   * ```
   */
  moveLeader(topic: string, partition: number, nodeId: number): void {
    moveLeader(this.#cluster, { topic, partition, nodeId });
  }

  #node(nodeId: number): BrokerNode {
    const node = this.#nodes.find((n) => n.info.nodeId === nodeId);
    if (!node) throw new RangeError(`No node ${nodeId}: node ids are 1..${this.#nodes.length}`);
    return node;
  }

  /**
   * The request metrics as a plain object: per API, request and error counts, bytes in and out, and
   * histograms of queue, handling, send and total time (ms); open and accepted connections per node.
   *
   * @example
   * ```ts
   * import { Broker } from "@brook/kafka/broker";
   * await using broker = await Broker.start();
   * const m = broker.metrics();
   * console.log(m.apis.Metadata?.requests ?? 0, m.connections);
   * ```
   */
  metrics(): MetricsSnapshot {
    return this.#metrics.snapshot();
  }

  /** The request metrics in Prometheus' text exposition format, as the metrics port serves them. */
  prometheusMetrics(): string {
    return this.#metrics.prometheus();
  }

  /**
   * Puts the broker back as it started, in milliseconds, between tests: cancels faults and pending
   * fault plan steps, restarts stopped nodes, closes client connections (clients reconnect),
   * aborts open transactions, removes every group, offset, transactional id and topic, creates the
   * starting topics again (empty), and restores ACLs, SCRAM users and dynamic configs.
   * Interceptors and metrics stay.
   *
   * @example
   * ```ts
   * import { Broker } from "@brook/kafka/broker";
   * await using broker = await Broker.start({ topics: { orders: { partitions: 3 } } });
   * broker.createTopic("scratch");
   * await broker.reset();
   * console.log(broker.topic("scratch")); // undefined
   * ```
   */
  async reset(): Promise<void> {
    if (this.#closed) throw new Error("The broker is closed");
    this.#cancelFaultsAndPlans();
    for (const node of this.#nodes) {
      if (!node.listening) await this.restartNode(node.info.nodeId);
      for (const c of node.connections) c.close();
    }
    resetCluster(this.#cluster, this.#initial!);
  }

  /**
   * Resolves once a condition holds, instead of sleeping: a group in a state with a number of
   * members, a partition's high watermark at an offset, a transaction completed, clients
   * connected. Rejects with a WaitTimeoutError (naming what it last saw) after `timeoutMs`
   * (default 30000).
   *
   * @example
   * ```ts
   * import { Broker } from "@brook/kafka/broker";
   * await using broker = await Broker.start({ topics: { t: {} } });
   * // ...start a consumer in group "g"; then:
   * await broker.waitFor({ kind: "group", groupId: "g", state: "Stable", members: 1 }).catch(() => {});
   * ```
   */
  waitFor(condition: WaitCondition, options: WaitOptions = {}): Promise<WaitObservation> {
    const check = () =>
      observe(condition, { cluster: this.#cluster, nodes: this.#nodes, clients: this.#clients });
    return waitForCondition(check, this.#cluster.appended, options);
  }

  /** Stops every node and closes every connection. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#cancelFaultsAndPlans();
    this.#cluster.groups.close();
    this.#cluster.shares.close();
    this.#stopHousekeeping();
    await Promise.all([
      ...this.#nodes.map((n) => n.close()),
      this.#metricsServer?.shutdown(),
    ]);
  }

  /** Closes the broker at the end of an `await using` block. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
