/**
 * Test support: a bare Kafka connection that sends one request at a time with Brook's codec and returns
 * the decoded response, for tests that talk to a broker at the protocol level.
 *
 * @module
 */

import {
  type ApiMessages,
  type CodecApiKey,
  decodeResponseFrame,
  encodeRequestFrame,
  Writer,
} from "../../codec/mod.ts";

/** A single Kafka connection for tests. */
export class RawClient implements AsyncDisposable {
  readonly #conn: Deno.TcpConn;
  readonly #writer = new Writer();
  #correlationId = 0;
  #pending = new Uint8Array(0);

  private constructor(conn: Deno.TcpConn) {
    this.#conn = conn;
  }

  /** Connects to "host:port" (the first of a bootstrap list). */
  static async connect(address: string): Promise<RawClient> {
    const [host, port] = address.split(",")[0].split(":");
    return new RawClient(await Deno.connect({ hostname: host, port: Number(port) }));
  }

  /** Sends a request and waits for its response body. */
  async request<K extends CodecApiKey>(
    apiKey: K,
    apiVersion: number,
    body: ApiMessages[K]["requestInit"],
    clientId: string | null = "brook-test",
  ): Promise<ApiMessages[K]["response"]> {
    const correlationId = ++this.#correlationId;
    this.#writer.reset();
    await this.send(
      encodeRequestFrame(this.#writer, { apiKey, apiVersion, correlationId, clientId, body }),
    );
    const payload = await this.readFrame();
    if (payload === null) {
      throw new Error(`connection closed while waiting for API ${apiKey} v${apiVersion}`);
    }
    const { header, body: response } = decodeResponseFrame(payload, apiKey, apiVersion);
    if (header.correlationId !== correlationId) {
      throw new Error(`correlation id ${header.correlationId}, expected ${correlationId}`);
    }
    return response;
  }

  /** Sends a request that gets no response (a Produce with acks=0). */
  async send(bytes: Uint8Array): Promise<void> {
    let off = 0;
    while (off < bytes.length) off += await this.#conn.write(bytes.subarray(off));
  }

  /** Sends a request frame built by the caller and returns the raw next frame payload (or null on close). */
  async sendRaw(frame: Uint8Array): Promise<Uint8Array | null> {
    await this.send(frame);
    return await this.readFrame();
  }

  /** Reads the next frame's payload, or null when the broker closed the connection. */
  async readFrame(): Promise<Uint8Array | null> {
    for (;;) {
      if (this.#pending.length >= 4) {
        const size = new DataView(this.#pending.buffer, this.#pending.byteOffset).getInt32(0);
        if (this.#pending.length >= 4 + size) {
          const payload = this.#pending.slice(4, 4 + size);
          this.#pending = this.#pending.slice(4 + size);
          return payload;
        }
      }
      const chunk = new Uint8Array(65536);
      let n: number | null;
      try {
        n = await this.#conn.read(chunk);
      } catch {
        return null;
      }
      if (n === null) return null;
      const next = new Uint8Array(this.#pending.length + n);
      next.set(this.#pending);
      next.set(chunk.subarray(0, n), this.#pending.length);
      this.#pending = next;
    }
  }

  /** True when the broker closes the connection within `ms` (reads and discards anything it sends). */
  async closedWithin(ms: number): Promise<boolean> {
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      this.close();
    }, ms);
    try {
      for (;;) {
        const chunk = new Uint8Array(4096);
        const n = await this.#conn.read(chunk).catch(() => null);
        if (n === null) return !timedOut;
      }
    } finally {
      clearTimeout(timer);
    }
  }

  /** Closes the connection. */
  close(): void {
    try {
      this.#conn.close();
    } catch {
      // Already closed.
    }
  }

  [Symbol.asyncDispose](): Promise<void> {
    this.close();
    return Promise.resolve();
  }
}
