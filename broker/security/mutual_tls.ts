/**
 * Mutual TLS listeners (ssl.client.auth=requested or required). Deno's own TLS listener cannot ask
 * for client certificates, so these listeners run on `node:tls` and hand the broker connections
 * with the small read/write/close surface it uses, plus the principal Kafka's default principal
 * builder gives an SSL client: "User:" and the certificate's subject in RFC 2253 form.
 *
 * @module
 */

import { X509Certificate } from "node:crypto";
import tls from "node:tls";
import type { Socket } from "node:net";

/** What the broker needs of an accepted connection. */
export interface ByteConn {
  read(p: Uint8Array): Promise<number | null>;
  write(p: Uint8Array): Promise<number>;
  close(): void;
  readonly remoteAddr: Deno.Addr;
}

/** ssl.client.auth: whether the broker asks for a client certificate, and whether it must come. */
export type ClientAuth = "none" | "requested" | "required";

/** A connection whose client may have shown a certificate. */
export interface MutualTlsConn extends ByteConn {
  /** "User:CN=...,O=..." when the client's certificate was verified, else undefined. */
  readonly certificatePrincipal: string | undefined;
}

/** Stop reading from the socket while this much is buffered and unread. */
const HIGH_WATER = 1024 * 1024;

const RFC2253_SPECIAL = /[,+"\\<>;]/g;

/** An attribute value escaped as RFC 2253 asks (and Java's X500Principal prints it). */
function escapeValue(value: string): string {
  let v = value.replace(RFC2253_SPECIAL, (c) => `\\${c}`);
  if (v.startsWith(" ") || v.startsWith("#")) v = `\\${v}`;
  if (v.endsWith(" ") && !v.endsWith("\\ ")) v = `${v.slice(0, -1)}\\ `;
  return v;
}

/**
 * A subject in RFC 2253 form from the "A=v" lines `X509Certificate.subject` gives in the
 * certificate's order: most specific first, as Java prints a distinguished name.
 */
export function rfc2253(subject: string): string {
  return subject.split("\n").filter((l) => l !== "").reverse().map((line) => {
    const eq = line.indexOf("=");
    return `${line.slice(0, eq)}=${escapeValue(line.slice(eq + 1))}`;
  }).join(",");
}

class SocketConn implements MutualTlsConn {
  readonly remoteAddr: Deno.NetAddr;
  readonly certificatePrincipal: string | undefined;
  #socket: tls.TLSSocket;
  #chunks: Uint8Array[] = [];
  #buffered = 0;
  #ended = false;
  #waiting: (() => void) | undefined;

  constructor(socket: tls.TLSSocket, principal: string | undefined) {
    this.#socket = socket;
    this.certificatePrincipal = principal;
    this.remoteAddr = {
      transport: "tcp",
      hostname: socket.remoteAddress ?? "",
      port: socket.remotePort ?? 0,
    };
    socket.setNoDelay(true);
    socket.on("data", (chunk: Uint8Array) => {
      this.#chunks.push(chunk);
      this.#buffered += chunk.length;
      if (this.#buffered > HIGH_WATER) socket.pause();
      this.#wake();
    });
    const end = () => {
      this.#ended = true;
      this.#wake();
    };
    socket.on("end", end);
    socket.on("close", end);
    socket.on("error", end);
  }

  #wake(): void {
    const w = this.#waiting;
    this.#waiting = undefined;
    w?.();
  }

  async read(p: Uint8Array): Promise<number | null> {
    while (this.#chunks.length === 0) {
      if (this.#ended) return null;
      await new Promise<void>((resolve) => (this.#waiting = resolve));
    }
    const chunk = this.#chunks[0];
    const n = Math.min(p.length, chunk.length);
    p.set(chunk.subarray(0, n));
    if (n === chunk.length) this.#chunks.shift();
    else this.#chunks[0] = chunk.subarray(n);
    this.#buffered -= n;
    if (this.#buffered <= HIGH_WATER && this.#socket.isPaused()) this.#socket.resume();
    return n;
  }

  write(p: Uint8Array): Promise<number> {
    return new Promise((resolve, reject) => {
      // Copied: the broker reuses its write buffer once the promise settles.
      this.#socket.write(p.slice(), (err?: Error | null) => err ? reject(err) : resolve(p.length));
    });
  }

  close(): void {
    this.#socket.destroy();
    this.#ended = true;
    this.#wake();
  }
}

/** A listener that accepts mutual-TLS connections, shaped like the part of Deno.Listener used. */
export class MutualTlsListener {
  readonly addr: Deno.NetAddr;
  #server: tls.Server;
  #accepted: MutualTlsConn[] = [];
  #waiting: ((conn: MutualTlsConn | null) => void) | undefined;
  #closed = false;

  private constructor(server: tls.Server, addr: Deno.NetAddr) {
    this.#server = server;
    this.addr = addr;
    server.on("secureConnection", (socket: tls.TLSSocket) => {
      const peer = socket.getPeerCertificate(false);
      const shown = peer !== null && Object.keys(peer).length > 0;
      // A certificate that failed verification is refused, as Kafka's TLS engine refuses it.
      if (shown && !socket.authorized) {
        socket.destroy();
        return;
      }
      const principal = shown
        ? `User:${rfc2253(new X509Certificate(peer.raw).subject)}`
        : undefined;
      const conn = new SocketConn(socket, principal);
      const w = this.#waiting;
      this.#waiting = undefined;
      if (w) w(conn);
      else this.#accepted.push(conn);
    });
    // Failed handshakes only affect their own connection.
    server.on("tlsClientError", (_err: Error, socket: Socket) => socket.destroy());
  }

  /** Listens on `hostname:port` (0 for a free port). */
  static async listen(options: {
    hostname: string;
    port: number;
    cert: string;
    key: string;
    caCerts?: string[];
    clientAuth: ClientAuth;
  }): Promise<MutualTlsListener> {
    const server = tls.createServer({
      cert: options.cert,
      key: options.key,
      ca: options.caCerts,
      requestCert: options.clientAuth !== "none",
      rejectUnauthorized: options.clientAuth === "required",
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(options.port, options.hostname, () => {
        server.off("error", reject);
        resolve();
      });
    });
    const { port } = server.address() as { port: number };
    return new MutualTlsListener(server, { transport: "tcp", hostname: options.hostname, port });
  }

  /** The next connection; rejects once the listener is closed. */
  async accept(): Promise<MutualTlsConn> {
    const ready = this.#accepted.shift();
    if (ready) return ready;
    if (this.#closed) throw new Deno.errors.BadResource("Listener closed");
    const conn = await new Promise<MutualTlsConn | null>((resolve) => (this.#waiting = resolve));
    if (conn === null) throw new Deno.errors.BadResource("Listener closed");
    return conn;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#server.close();
    const w = this.#waiting;
    this.#waiting = undefined;
    w?.(null);
  }
}
