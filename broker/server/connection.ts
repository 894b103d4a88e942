/**
 * One client connection: reads size-prefixed frames, hands each to the dispatcher, and writes the
 * answers. Like a Kafka broker, it handles one request at a time per connection (Kafka mutes a channel
 * until its response is sent), so responses leave in request order and a long-polling Fetch holds only
 * its own connection.
 *
 * @module
 */

import type { ByteConn } from "../security/mutual_tls.ts";
import { Writer } from "../../codec/mod.ts";
import type { ConnectionInfo } from "./handler.ts";
import { RequestTiming } from "./metrics.ts";

/**
 * What the dispatcher answers for one frame: bytes to send, nothing (acks=0), close the connection,
 * wait, then send an answer (if any) and close (a failed authentication), or send an answer (if any)
 * and read nothing more for a while (a throttled client).
 */
export type DispatchResult =
  | Uint8Array
  | null
  | "close"
  | { send?: Uint8Array; closeAfterMs: number }
  | { send: Uint8Array | null; muteMs: number };

/** Turns one request frame's payload into an answer, encoded into the connection's own writer. */
export type Dispatch = (
  payload: Uint8Array,
  info: ConnectionInfo,
  signal: AbortSignal,
  writer: Writer,
  timing: RequestTiming,
) => Promise<DispatchResult> | DispatchResult;

/** Options of a connection. */
export interface ConnectionOptions {
  /** socket.request.max.bytes: larger frames close the connection before anything is allocated. */
  maxRequestBytes: number;
  /**
   * On SASL listeners, sasl.server.max.receive.size: while `authenticating()` holds (the frames
   * Kafka's authenticator reads itself, before and during authentication), it bounds frames instead
   * of socket.request.max.bytes, and a larger one fails the authentication: the connection closes on
   * the frame's size alone, at once.
   */
  authentication?: { maxReceiveBytes: number; authenticating: () => boolean };
  /** connections.max.idle.ms: a connection that sends no request for this long is closed. */
  idleMs?: number;
  /** Called when the connection closes, with the reason (for logs and metrics). */
  onClose?: (reason: string) => void;
  /** Called after each request's response is written (or withheld), with its timings. */
  onRequest?: (timing: RequestTiming) => void;
}

/** The first growth step of the read buffer when a frame does not fit in the idle one. */
const READ_CHUNK = 64 * 1024;
/**
 * The read buffer of a connection between frames: enough for a frame header and most small requests
 * in one read, small enough that thousands of idle connections cost little.
 */
const IDLE_BUFFER = 512;
/** The largest read buffer kept (weakly) between frames for the next large one. */
const SPARE_BUFFER = 1024 * 1024;
/** A writer above this size is given back after its answer is sent, so one huge answer is not kept. */
const KEEP_WRITER = 1024 * 1024;

const CLOSING = Symbol("closing");
/**
 * What a connection's signal is aborted with: the AbortError abort() would make, built once rather
 * than with a stack trace for every closed connection.
 */
const CLOSED = new DOMException("The connection closed.", "AbortError");

/** Serves one accepted connection until it closes. */
export class BrokerConnection {
  readonly info: ConnectionInfo;
  #conn: ByteConn;
  #dispatch: Dispatch;
  #options: ConnectionOptions;
  #abort = new AbortController();
  /** Unread bytes are #buf[#start..#end]; the buffer grows with a frame and shrinks after it. */
  #buf: Uint8Array = new Uint8Array(0);
  /**
   * The buffer the latest large frame needed, held only weakly between frames: a client that keeps
   * sending large requests reuses it, an idle connection leaves it to the garbage collector.
   */
  #spare: WeakRef<Uint8Array> | undefined;
  #start = 0;
  #end = 0;
  #closed = false;
  /** Encodes answers; made at the first request, so that an idle connection holds none. */
  #writer: Writer | undefined;
  /** performance.now() after the latest read: when the frames it completed were received. */
  #lastReadAt = 0;
  readonly #timing = new RequestTiming();
  /** Settles when close() is called. */
  readonly #closing: Promise<typeof CLOSING> = new Promise((resolve) =>
    this.#abort.signal.addEventListener("abort", () => resolve(CLOSING), { once: true })
  );

  constructor(
    conn: ByteConn,
    info: ConnectionInfo,
    dispatch: Dispatch,
    options: ConnectionOptions,
  ) {
    this.#conn = conn;
    this.info = info;
    this.#dispatch = dispatch;
    this.#options = options;
  }

  /** True once the connection is closed. */
  get closed(): boolean {
    return this.#closed;
  }

  /** The bytes this connection holds for reading and writing (its read buffer and its writer). */
  get bufferBytes(): number {
    return this.#buf.length + (this.#writer?.buf.length ?? 0);
  }

  /** Reads and answers requests until the peer leaves, a request must close it, or close() is called. */
  async serve(): Promise<void> {
    let reason = "peer closed the connection";
    try {
      for (;;) {
        let idle = false;
        const idleTimer = this.#options.idleMs === undefined ? undefined : setTimeout(() => {
          idle = true;
          this.close();
        }, this.#options.idleMs);
        const payload = await this.#nextFrame().finally(() => clearTimeout(idleTimer));
        if (idle) {
          reason = "idle for longer than connections.max.idle.ms";
          break;
        }
        if (typeof payload === "string") {
          reason = payload;
          break;
        }
        const timing = this.#timing;
        timing.reset(this.#lastReadAt, payload.length + 4);
        this.#writer ??= new Writer();
        // A request still waiting when the connection closes (a JoinGroup held for other members)
        // is abandoned, so that closing never waits on it.
        const answer = await Promise.race([
          this.#dispatch(payload, this.info, this.#abort.signal, this.#writer, timing),
          this.#closing,
        ]);
        if (answer === CLOSING) {
          reason = "closed by the broker";
          break;
        }
        if (answer === "close") {
          reason = "request refused";
          timing.sent = performance.now();
          this.#options.onRequest?.(timing);
          break;
        }
        if (answer !== null && !(answer instanceof Uint8Array) && "muteMs" in answer) {
          // A throttled client (a quota): its answer goes out, then nothing is read for a while.
          if (answer.send) {
            timing.bytesOut = answer.send.length;
            await this.#writeAll(answer.send);
          }
          timing.sent = performance.now();
          this.#options.onRequest?.(timing);
          await this.#pause(answer.muteMs);
          continue;
        }
        if (answer !== null && !(answer instanceof Uint8Array)) {
          // As Kafka (KIP-306): the failed connection is muted, and its answer and close wait
          // connection.failed.authentication.delay.ms, so a client cannot guess passwords at full
          // speed; the wait is a timer, which holds no other connection.
          reason = "authentication failed";
          await this.#pause(answer.closeAfterMs);
          if (answer.send && !this.#closed) await this.#writeAll(answer.send);
          timing.sent = performance.now();
          this.#options.onRequest?.(timing);
          break;
        }
        if (answer !== null) {
          timing.bytesOut = answer.length;
          await this.#writeAll(answer);
        }
        timing.sent = performance.now();
        this.#options.onRequest?.(timing);
        if (this.#writer.buf.length > KEEP_WRITER) this.#writer = undefined;
      }
    } catch (e) {
      reason = this.#closed ? "closed by the broker" : `connection error: ${(e as Error).message}`;
    } finally {
      this.close();
      this.#options.onClose?.(reason);
    }
  }

  /** Closes the connection and aborts whatever its request is waiting for. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#abort.abort(CLOSED);
    try {
      this.#conn.close();
    } catch {
      // Already closed by the peer.
    }
  }

  /** The next frame's payload, or a reason to close. Frames are views: valid until the next read. */
  async #nextFrame(): Promise<Uint8Array | string> {
    for (;;) {
      const available = this.#end - this.#start;
      if (available >= 4) {
        const size = this.#buf[this.#start] << 24 | this.#buf[this.#start + 1] << 16 |
          this.#buf[this.#start + 2] << 8 | this.#buf[this.#start + 3];
        const sasl = this.#options.authentication;
        if (sasl?.authenticating() && (size < 0 || size > sasl.maxReceiveBytes)) {
          this.#options.onRequest?.(this.#refusedTiming());
          return `Failing SASL authentication due to invalid receive size (size = ${size} larger than ${sasl.maxReceiveBytes}, sasl.server.max.receive.size)`;
        }
        if (size < 0 || size > this.#options.maxRequestBytes) {
          this.#options.onRequest?.(this.#refusedTiming());
          return `frame size ${size} is outside 0..${this.#options.maxRequestBytes} (socket.request.max.bytes)`;
        }
        if (available >= 4 + size) {
          const payload = this.#buf.subarray(this.#start + 4, this.#start + 4 + size);
          this.#start += 4 + size;
          return payload;
        }
        this.#makeRoom(4 + size);
      } else {
        this.#makeRoom(4);
      }
      const n = await this.#conn.read(this.#buf.subarray(this.#end));
      if (n === null) return "peer closed the connection";
      this.#lastReadAt = performance.now();
      this.#end += n;
    }
  }

  /** The timing of a frame refused before it was read (its size alone was wrong). */
  #refusedTiming(): RequestTiming {
    this.#timing.reset(this.#lastReadAt, 0);
    return this.#timing;
  }

  /**
   * Makes room to read more of a frame of `needed` bytes: compacts, then grows. Between frames the
   * buffer is a small one (a larger one is given back once it is empty), and it grows with the bytes
   * that actually arrive (doubling), never straight to the announced size, so a peer that announces
   * a large frame and sends little costs little memory.
   */
  #makeRoom(needed: number): void {
    if (this.#start === this.#end) {
      this.#start = this.#end = 0;
      if (this.#buf.length !== IDLE_BUFFER) {
        if (this.#buf.length <= SPARE_BUFFER) this.#spare = new WeakRef(this.#buf);
        this.#buf = new Uint8Array(IDLE_BUFFER);
      }
      return;
    }
    if (this.#start > 0) {
      this.#buf.copyWithin(0, this.#start, this.#end);
      this.#end -= this.#start;
      this.#start = 0;
    }
    if (this.#buf.length >= needed || this.#buf.length - this.#end >= READ_CHUNK / 4) return;
    const size = Math.min(needed, Math.max(this.#buf.length * 2, READ_CHUNK));
    const spare = this.#spare?.deref();
    const next = spare && spare.length >= size && spare !== this.#buf
      ? spare
      : new Uint8Array(size);
    if (next === spare) this.#spare = undefined;
    next.set(this.#buf.subarray(0, this.#end));
    this.#buf = next;
  }

  /** Waits `ms`, or less if the connection is closed meanwhile. */
  #pause(ms: number): Promise<void> {
    if (ms <= 0 || this.#closed) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      const signal = this.#abort.signal;
      function done() {
        clearTimeout(timer);
        signal.removeEventListener("abort", done);
        resolve();
      }
      signal.addEventListener("abort", done);
    });
  }

  async #writeAll(bytes: Uint8Array): Promise<void> {
    let off = 0;
    while (off < bytes.length) off += await this.#conn.write(bytes.subarray(off));
  }
}
