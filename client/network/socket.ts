/**
 * The socket under a connection to a broker: TCP or TLS, opened within a timeout, with the TLS
 * server name a client asks for.
 *
 * @module
 */

import { KafkaConnectionError } from "../errors.ts";
import { CONNECT_TIMEOUT_MS } from "../defaults.ts";

/** TLS options of a connection. */
export interface TlsOptions {
  /** PEM certificates of the certificate authorities to trust (default: the system's). */
  caCerts?: string[];
  /** PEM client certificate and key, for mutual TLS. */
  cert?: string;
  /** The PEM private key of `cert`. */
  key?: string;
  /**
   * The name to verify in the broker's certificate and to send as SNI; default the host connected
   * to. Lets a broker reached by address (e.g. 127.0.0.1) be verified as "kafka.internal".
   */
  serverName?: string;
}

/** What opening a socket takes of a connection's options. */
export interface SocketOptions {
  /** How long connecting may take. Default 10000 ms. */
  connectTimeoutMs?: number;
  /** TLS, when the listener speaks it. */
  tls?: TlsOptions;
  /** Abandons the attempt. */
  signal?: AbortSignal;
}

/**
 * Opens a TCP (or TLS) socket to a broker within the connect timeout; failures are
 * KafkaConnectionErrors that name the address.
 *
 * @example
 * ```ts
 * import { openSocket } from "./socket.ts";
 * const conn = await openSocket("127.0.0.1", 9092, { connectTimeoutMs: 5000 });
 * conn.close();
 * ```
 */
export async function openSocket(
  host: string,
  port: number,
  options: SocketOptions,
): Promise<Deno.Conn> {
  const timeoutMs = options.connectTimeoutMs ?? CONNECT_TIMEOUT_MS;
  const address = `${host}:${port}`;
  const connecting = options.tls ? connectTls(host, port, options.tls) : Deno.connect({
    hostname: host,
    port,
  });
  let timer: ReturnType<typeof setTimeout> | undefined;
  let onAbort: (() => void) | undefined;
  const failure = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new KafkaConnectionError(`Cannot connect to ${address}: timed out after ${timeoutMs} ms`),
        ),
      timeoutMs,
    );
    onAbort = () => reject(options.signal!.reason);
    options.signal?.addEventListener("abort", onAbort, { once: true });
  });
  try {
    const conn = await Promise.race([connecting, failure]);
    if (!options.tls) (conn as Deno.TcpConn).setNoDelay?.(true);
    return conn;
  } catch (e) {
    // A connection that completes after the timeout must not leak.
    connecting.then((c) => c.close(), () => {});
    if (
      e instanceof KafkaConnectionError || (options.signal?.aborted && e === options.signal.reason)
    ) throw e;
    const reason = e instanceof Deno.errors.ConnectionRefused
      ? "connection refused"
      : (e as Error).message;
    throw new KafkaConnectionError(`Cannot connect to ${address}: ${reason}`, { cause: e });
  } finally {
    clearTimeout(timer);
    if (onAbort) options.signal?.removeEventListener("abort", onAbort);
  }
}

/**
 * The option of `Deno.connectTls` that names the server to verify and to send as SNI apart from
 * the address dialled. Deno's public options verify the dialled host only, and `Deno.startTls`
 * cannot present a client certificate, so this is how both serverName and mutual TLS work.
 */
const SERVER_NAME = Symbol.for("unstableServerName");

/** Opens TLS to host:port, verifying the broker's certificate against serverName, else host. */
function connectTls(host: string, port: number, tls: TlsOptions): Promise<Deno.TlsConn> {
  const options: Deno.ConnectTlsOptions & Partial<Deno.TlsCertifiedKeyPem> & {
    [SERVER_NAME]?: string;
  } = { hostname: host, port, caCerts: tls.caCerts };
  if (tls.cert !== undefined || tls.key !== undefined) {
    options.cert = tls.cert;
    options.key = tls.key;
  }
  if (tls.serverName !== undefined && tls.serverName !== host) {
    options[SERVER_NAME] = tls.serverName;
  }
  return Deno.connectTls(options as Deno.ConnectTlsOptions);
}
