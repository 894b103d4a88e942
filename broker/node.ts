/**
 * One broker node: a listener on its own port and the connections it accepted.
 *
 * @module
 */

import type { Cluster, NodeInfo } from "./cluster.ts";
import { BrokerConnection } from "./connection.ts";
import { Dispatcher, type Interceptor } from "./dispatcher.ts";
import type { Handler } from "./handler.ts";
import type { BrokerMetrics } from "./metrics.ts";

/** Options of a node's listener. */
export interface NodeListenerOptions {
  host: string;
  port: number;
  maxRequestBytes: number;
  handlers: (Handler | undefined)[];
  interceptors: Interceptor[];
  /** Where requests and connections are counted and timed. */
  metrics?: BrokerMetrics;
}

/** A listening node. */
export class BrokerNode {
  readonly info: NodeInfo;
  readonly #cluster: Cluster;
  readonly #options: NodeListenerOptions;
  #listener: Deno.Listener | undefined;
  #connections = new Set<BrokerConnection>();
  #accepting: Promise<void> | undefined;
  #serving = new Set<Promise<void>>();
  #connectionCount = 0;

  constructor(info: NodeInfo, cluster: Cluster, options: NodeListenerOptions) {
    this.info = info;
    this.#cluster = cluster;
    this.#options = options;
  }

  /** True while the node accepts connections. */
  get listening(): boolean {
    return this.#listener !== undefined;
  }

  /** The open connections. */
  get connections(): ReadonlySet<BrokerConnection> {
    return this.#connections;
  }

  /**
   * Starts listening (on the node's port, or a free one for port 0) and accepting connections. A
   * closed node can listen again: it comes back on the same port.
   */
  listen(): void {
    if (this.#listener !== undefined) return;
    const listener = Deno.listen({
      hostname: this.#options.host,
      port: this.info.port || this.#options.port,
    });
    this.#listener = listener;
    this.info.port = (listener.addr as Deno.NetAddr).port;
    const dispatcher = new Dispatcher(
      this.#options.handlers,
      this.#cluster,
      this.info,
      this.#options.interceptors,
    );
    this.#accepting = this.#acceptLoop(listener, dispatcher);
  }

  async #acceptLoop(listener: Deno.Listener, dispatcher: Dispatcher): Promise<void> {
    const local = `${this.info.host}:${this.info.port}`;
    for (;;) {
      let conn: Deno.Conn;
      try {
        conn = await listener.accept();
      } catch {
        return; // The listener was closed.
      }
      (conn as Deno.TcpConn).setNoDelay?.(true);
      const remote = conn.remoteAddr as Deno.NetAddr;
      const metrics = this.#options.metrics;
      const nodeId = this.info.nodeId;
      const connection = new BrokerConnection(
        conn,
        {
          id: `${local}-${remote.hostname}:${remote.port}-${this.#connectionCount++}`,
          remoteAddress: remote.hostname,
          remotePort: remote.port,
          listenerName: "PLAINTEXT",
          securityProtocol: "PLAINTEXT",
          principal: "User:ANONYMOUS",
          clientSoftwareName: "",
          clientSoftwareVersion: "",
        },
        dispatcher.dispatch,
        {
          maxRequestBytes: this.#options.maxRequestBytes,
          onClose: () => {
            this.#connections.delete(connection);
            metrics?.connection(nodeId, -1);
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

  /** Stops accepting and closes every connection; resolves once they are all closed. */
  async close(): Promise<void> {
    this.#listener?.close();
    this.#listener = undefined;
    for (const c of this.#connections) c.close();
    await this.#accepting;
    this.#accepting = undefined;
    await Promise.allSettled([...this.#serving]);
  }
}
