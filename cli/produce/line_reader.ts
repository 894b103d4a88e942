/**
 * Reads kafka-console-producer's input format from a byte stream: one record per line, with an
 * optional key (`parse.key`), headers (`parse.headers`) and null marker, as Kafka's
 * LineMessageReader reads it.
 *
 * @module
 */

/** How lines are read; names follow Kafka's `--property` keys. */
export interface ReaderOptions {
  parseKey: boolean;
  keySeparator: string;
  parseHeaders: boolean;
  headersDelimiter: string;
  headersSeparator: string;
  headersKeySeparator: string;
  nullMarker?: string;
  ignoreError: boolean;
}

/** A record read from a line; `size` is the line's length in bytes. */
export interface LineRecord {
  key: Uint8Array | string | null;
  value: Uint8Array | string | null;
  headers?: { key: string; value: string | null }[];
  size: number;
}

/**
 * Splits a byte stream into records, a chunk's worth at a time.
 *
 * @example
 * ```ts
 * import { LineReader } from "./line_reader.ts";
 * const reader = new LineReader({
 *   parseKey: true, keySeparator: ":", parseHeaders: false, headersDelimiter: "\t",
 *   headersSeparator: ",", headersKeySeparator: ":", ignoreError: false,
 * });
 * for await (const batch of reader.records(ReadableStream.from([new TextEncoder().encode("k:v\n")]))) {
 *   console.log(batch.length); // 1
 * }
 * ```
 */
export class LineReader {
  readonly #o: ReaderOptions;
  readonly #keySep: Uint8Array;
  readonly #decoder = new TextDecoder();
  #line = 0;

  /** A reader with these options. */
  constructor(options: ReaderOptions) {
    this.#o = options;
    this.#keySep = new TextEncoder().encode(options.keySeparator);
  }

  /** The records of the stream, in batches (one per chunk read). */
  async *records(stream: ReadableStream<Uint8Array>): AsyncGenerator<LineRecord[]> {
    let rest: Uint8Array | undefined;
    for await (const chunk of stream) {
      const data = rest ? concat(rest, chunk) : chunk;
      const out: LineRecord[] = [];
      let start = 0;
      for (let nl = data.indexOf(10, start); nl >= 0; nl = data.indexOf(10, start)) {
        out.push(this.#record(data, start, nl));
        start = nl + 1;
      }
      // The partial line is copied: the stream may reuse its chunk.
      rest = start < data.length ? data.slice(start) : undefined;
      if (out.length > 0) yield out;
    }
    if (rest) yield [this.#record(rest, 0, rest.length)];
  }

  #record(data: Uint8Array, start: number, end: number): LineRecord {
    this.#line++;
    if (end > start && data[end - 1] === 13) end--; // \r\n, as Java's readLine
    const size = end - start;
    if (this.#o.parseHeaders || this.#o.nullMarker !== undefined) {
      return this.#textRecord(this.#decoder.decode(data.subarray(start, end)), size);
    }
    if (!this.#o.parseKey) return { key: null, value: data.subarray(start, end), size };
    const at = indexOf(data, this.#keySep, start, end);
    if (at < 0) return this.#noKey(data.subarray(start, end), size);
    return {
      key: data.subarray(start, at),
      value: data.subarray(at + this.#keySep.length, end),
      size,
    };
  }

  #noKey(value: Uint8Array | string, size: number): LineRecord {
    if (this.#o.ignoreError) return { key: null, value, size };
    const line = typeof value === "string" ? value : this.#decoder.decode(value);
    throw new Error(`No key separator found on line number ${this.#line}: '${line}'`);
  }

  #textRecord(line: string, size: number): LineRecord {
    const o = this.#o;
    const orNull = (s: string) => (s === o.nullMarker ? null : s);
    let headers: LineRecord["headers"];
    if (o.parseHeaders) {
      const at = line.indexOf(o.headersDelimiter);
      if (at < 0) {
        if (!o.ignoreError) {
          throw new Error(`No headers delimiter found on line number ${this.#line}: '${line}'`);
        }
      } else {
        const text = line.slice(0, at);
        line = line.slice(at + o.headersDelimiter.length);
        headers = text === "" ? [] : text.split(o.headersSeparator).map((h) => {
          const k = h.indexOf(o.headersKeySeparator);
          if (k < 0) {
            if (o.ignoreError) return { key: h, value: null };
            throw new Error(
              `No header key separator found in pair '${h}' on line number ${this.#line}`,
            );
          }
          const key = h.slice(0, k);
          if (key === o.nullMarker) {
            throw new Error(`Header keys should not be equal to the null marker '${o.nullMarker}'`);
          }
          return { key, value: orNull(h.slice(k + o.headersKeySeparator.length)) };
        });
      }
    }
    if (!o.parseKey) return { key: null, value: orNull(line), headers, size };
    const at = line.indexOf(o.keySeparator);
    if (at < 0) return { ...this.#noKey(line, size), headers };
    return {
      key: orNull(line.slice(0, at)),
      value: orNull(line.slice(at + o.keySeparator.length)),
      headers,
      size,
    };
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

function indexOf(data: Uint8Array, needle: Uint8Array, start: number, end: number): number {
  if (needle.length === 0) return -1;
  const first = needle[0];
  for (
    let i = data.indexOf(first, start);
    i >= 0 && i + needle.length <= end;
    i = data.indexOf(first, i + 1)
  ) {
    let j = 1;
    while (j < needle.length && data[i + j] === needle[j]) j++;
    if (j === needle.length) return i;
  }
  return -1;
}
