/**
 * One broker node: a listener on its own port and the connections it accepted.
 *
 * @module
 */

import {
  type MappingRule,
  mapPrincipal,
  parseMappingRules,
} from "../security/principal_mapping.ts";
import type { Cluster, Endpoint, NodeInfo } from "../metadata/cluster.ts";
import { BrokerConnection, type ConnectionOptions, type Dispatch } from "./connection.ts";
import { Dispatcher, type Interceptor } from "./dispatcher.ts";
import type { Handler } from "./handler.ts";
import type { BrokerMetrics } from "./metrics.ts";
import { SaslAuthenticator, type SaslSettings } from "../security/authenticator.ts";
import type { BrokerTlsOptions } from "../security/options.ts";
import { type ByteConn, MutualTlsListener } from "../security/mutual_tls.ts";

/** What the node needs of a listener: Deno's, or a mutual-TLS one. */
interface Listener {
  readonly addr: Deno.Addr;
  accept(): Promise<ByteConn & { certificatePrincipal?: string }>;
  close(): void;
}

/** Options of a node's listeners. */
export interface NodeListenerOptions {
  maxRequestBytes: number;
  /** Certificate and key of SSL and SASL_SSL listeners. */
  tls?: BrokerTlsOptions;
  /** SASL settings of SASL_PLAINTEXT and SASL_SSL listeners. */
  sasl?: Omit<SaslSettings, "apiVersions" | "cluster">;
  handlers: (Handler | undefined)[];
  interceptors: Interceptor[];
  /** Where requests and connections are counted and timed. */
  metrics?: BrokerMetrics;
}

/** A listening node: one listener per endpoint. */
export class BrokerNode {
  readonly info: NodeInfo;
  readonly #cluster: Cluster;
  readonly #options: NodeListenerOptions;
  #listeners: Listener[] = [];
  #connections = new Set<BrokerConnection>();
  /** Accepts waiting for a connection slot (max.connections). */
  #slotWaiters: (() => void)[] = [];
  #accepting: Promise<void>[] = [];
  #serving = new Set<Promise<void>>();
  /** Connections held unserved until their connection-rate throttle time has passed. */
  #held = new Map<ByteConn, ReturnType<typeof setTimeout>>();
  #connectionCount = 0;

  constructor(info: NodeInfo, cluster: Cluster, options: NodeListenerOptions) {
    this.info = info;
    this.#cluster = cluster;
    this.#options = options;
  }

  /** True while the node accepts connections. */
  get listening(): boolean {
    return this.#listeners.length > 0;
  }

  /** The open connections. */
  get connections(): ReadonlySet<BrokerConnection> {
    return this.#connections;
  }

  /**
   * Starts listening on every endpoint (its port, or a free one for port 0) and accepting
   * connections. A closed node can listen again: it comes back on the same ports.
   */
  async listen(): Promise<void> {
    if (this.#listeners.length > 0) return;
    const endpoints = this.info.endpoints ?? [{
      listenerName: "PLAINTEXT",
      securityProtocol: "PLAINTEXT",
      host: this.info.host,
      port: this.info.port,
    }];
    const dispatcher = new Dispatcher(
      this.#options.handlers,
      this.#cluster,
      this.info,
      this.#options.interceptors,
    );
    try {
      for (const endpoint of endpoints) {
        const tls = endpoint.securityProtocol.endsWith("SSL");
        if (tls && !this.#options.tls) {
          throw new TypeError(`Listener ${endpoint.listenerName} needs the broker's tls option`);
        }
        // As Kafka (KIP-684): ssl.client.auth applies to SSL listeners; SASL_SSL authenticates by SASL.
        const clientAuth = endpoint.securityProtocol === "SSL"
          ? this.#options.tls?.clientAuth ?? "none"
          : "none";
        const listener: Listener = !tls
          ? Deno.listen({ hostname: endpoint.host, port: endpoint.port })
          : clientAuth === "none"
          ? Deno.listenTls({
            hostname: endpoint.host,
            port: endpoint.port,
            cert: this.#options.tls!.cert,
            key: this.#options.tls!.key,
          })
          : await MutualTlsListener.listen({
            hostname: endpoint.host,
            port: endpoint.port,
            cert: this.#options.tls!.cert,
            key: this.#options.tls!.key,
            caCerts: this.#options.tls!.caCerts,
            clientAuth,
          });
        this.#listeners.push(listener);
        endpoint.port = (listener.addr as Deno.NetAddr).port;
        this.#accepting.push(this.#acceptLoop(listener, endpoint, dispatcher));
      }
    } catch (e) {
      for (const l of this.#listeners) l.close();
      this.#listeners = [];
      throw e;
    }
    this.info.port = endpoints[0].port;
  }

  async #acceptLoop(
    listener: Listener,
    endpoint: Endpoint,
    dispatcher: Dispatcher,
  ): Promise<void> {
    const local = `${endpoint.host}:${endpoint.port}`;
    const sasl = endpoint.securityProtocol.startsWith("SASL_");
    for (;;) {
      let conn: ByteConn & { certificatePrincipal?: string };
      try {
        conn = await listener.accept();
      } catch {
        return; // The listener was closed.
      }
      (conn as Deno.TcpConn).setNoDelay?.(true);
      const remote = conn.remoteAddr as Deno.NetAddr;
      // As Kafka's connection quotas: wait as the listener's connection creation rate asks and for
      // a slot under max.connections; hold a connection past its address's connection creation
      // rate unserved, then close it; refuse one past its address's max.connections.per.ip.
      const quotas = this.#cluster.quotaEnforcer;
      const exempt = this.#exemptFromBrokerRate(endpoint.listenerName);
      const nodeId = this.info.nodeId;
      const wait = quotas.connectionOnListener(nodeId, endpoint.listenerName, exempt, Date.now());
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      while (this.#connections.size >= this.#config("max.connections") && this.listening) {
        await new Promise<void>((resolve) => this.#slotWaiters.push(resolve));
      }
      const hold = this.listening ? quotas.connectionFromAddress(remote.hostname, Date.now()) : 0;
      if (hold > 0) {
        quotas.unrecordOnListener(nodeId, endpoint.listenerName, exempt, Date.now());
        this.#holdThenClose(conn, hold);
        continue;
      }
      if (
        !this.listening || this.#fromAddress(remote.hostname) >= this.#perIpLimit(remote.hostname)
      ) {
        conn.close();
        continue;
      }
      // A client certificate names the principal through ssl.principal.mapping.rules; a subject
      // no rule maps is refused, as Kafka's principal builder refuses it.
      let certificatePrincipal: string | undefined;
      if (conn.certificatePrincipal !== undefined) {
        const subject = conn.certificatePrincipal.slice("User:".length);
        const name = mapPrincipal(subject, this.#mappingRules());
        if (name === undefined) {
          conn.close();
          continue;
        }
        certificatePrincipal = `User:${name}`;
      }
      const metrics = this.#options.metrics;
      let dispatch: Dispatch = dispatcher.dispatch;
      let authentication: ConnectionOptions["authentication"];
      if (sasl) {
        if (!this.#options.sasl) {
          conn.close();
          continue;
        }
        const apiVersions = this.#options.handlers[18]!;
        const authenticator = new SaslAuthenticator({
          ...this.#options.sasl,
          apiVersions: { min: apiVersions.minVersion, max: apiVersions.maxVersion },
          cluster: this.#cluster,
        }, dispatch);
        dispatch = authenticator.dispatch;
        authentication = {
          maxReceiveBytes: this.#listenerConfig(
            endpoint.listenerName,
            "sasl.server.max.receive.size",
          ),
          authenticating: () => !authenticator.authenticated,
        };
      }
      const connection = new BrokerConnection(
        conn,
        {
          id: `${local}-${remote.hostname}:${remote.port}-${this.#connectionCount++}`,
          remoteAddress: remote.hostname,
          remotePort: remote.port,
          listenerName: endpoint.listenerName,
          securityProtocol: endpoint.securityProtocol,
          // On an SSL listener, a verified client certificate names the principal, as with Kafka's
          // default principal builder; SASL names it on SASL_SSL.
          principal: sasl ? "User:ANONYMOUS" : certificatePrincipal ?? "User:ANONYMOUS",
          clientSoftwareName: "",
          clientSoftwareVersion: "",
        },
        dispatch,
        {
          maxRequestBytes: this.#options.maxRequestBytes,
          authentication,
          idleMs: this.#config("connections.max.idle.ms"),
          onClose: () => {
            this.#connections.delete(connection);
            this.#cluster.shares.connectionClosed(connection.info.id);
            this.#cluster.telemetry.connectionClosed(connection.info.id);
            metrics?.connection(nodeId, -1);
            for (const wake of this.#slotWaiters.splice(0)) wake();
          },
          onRequest: metrics && ((timing) => metrics.record(timing, nodeId, connection.info.id)),
        },
      );
      this.#connections.add(connection);
      metrics?.connection(nodeId, 1);
      const serving = connection.serve();
      this.#serving.add(serving);
      serving.finally(() => this.#serving.delete(serving));
    }
  }

  /** Keeps a throttled connection open, reading nothing, for `ms`, then closes it (as Kafka does). */
  #holdThenClose(conn: ByteConn, ms: number): void {
    const timer = setTimeout(() => {
      this.#held.delete(conn);
      conn.close();
    }, ms);
    this.#held.set(conn, timer);
  }

  /**
   * Kafka exempts the inter-broker listener from the broker-wide connection creation rate when the
   * node has more than one listener.
   */
  #exemptFromBrokerRate(listenerName: string): boolean {
    const configs = this.#cluster.configs;
    const interBroker = configs.value(this.info.nodeId, "inter.broker.listener.name") ??
      configs.value(this.info.nodeId, "security.inter.broker.protocol");
    return listenerName === interBroker && (this.info.endpoints?.length ?? 1) > 1;
  }

  /** The node's ssl.principal.mapping.rules, parsed once per value. */
  #mappingRules(): MappingRule[] {
    const rules = this.#cluster.configs.value(this.info.nodeId, "ssl.principal.mapping.rules") ??
      "DEFAULT";
    if (this.#parsedRules?.[0] !== rules) this.#parsedRules = [rules, parseMappingRules(rules)];
    return this.#parsedRules[1];
  }

  #parsedRules: [string, MappingRule[]] | undefined;

  /** A numeric broker config as this node sees it now (dynamic changes included). */
  #config(name: string): number {
    return Number(this.#cluster.configs.value(this.info.nodeId, name));
  }

  /** A numeric broker config of a listener: its listener.name.LISTENER. form, else the config. */
  #listenerConfig(listenerName: string, name: string): number {
    const own = this.#cluster.configs.value(
      this.info.nodeId,
      `listener.name.${listenerName.toLowerCase()}.${name}`,
    );
    return Number(own ?? this.#cluster.configs.value(this.info.nodeId, name));
  }

  /** Open connections from one address. */
  #fromAddress(address: string): number {
    let n = 0;
    for (const c of this.#connections) if (c.info.remoteAddress === address) n++;
    return n;
  }

  /** max.connections.per.ip, or the address's entry in max.connections.per.ip.overrides. */
  #perIpLimit(address: string): number {
    const overrides = this.#cluster.configs.value(
      this.info.nodeId,
      "max.connections.per.ip.overrides",
    );
    for (const entry of (overrides ?? "").split(",")) {
      const at = entry.lastIndexOf(":");
      if (at > 0 && entry.slice(0, at).trim() === address) return Number(entry.slice(at + 1));
    }
    return this.#config("max.connections.per.ip");
  }

  /** Stops accepting and closes every connection; resolves once they are all closed. */
  async close(): Promise<void> {
    for (const l of this.#listeners) l.close();
    this.#listeners = [];
    for (const wake of this.#slotWaiters.splice(0)) wake();
    for (const c of this.#connections) c.close();
    for (const [conn, timer] of this.#held) {
      clearTimeout(timer);
      conn.close();
    }
    this.#held.clear();
    await Promise.all(this.#accepting);
    this.#accepting = [];
    await Promise.allSettled([...this.#serving]);
  }
}
