/**
 * Progress and summary lines on stderr for long work: a line each second while a terminal watches
 * (or when asked for), then one summary line.
 *
 * @module
 */

/**
 * Counts records and bytes, and reports them on stderr.
 *
 * @example
 * ```ts
 * import { Progress } from "./progress.ts";
 * const progress = new Progress({ always: false });
 * progress.update(10, 1000);
 * progress.done();
 * progress.summary(10, 1000, "sent");
 * ```
 */
export class Progress {
  readonly #started = performance.now();
  readonly #tty: boolean;
  #records = 0;
  #bytes = 0;
  #timer: ReturnType<typeof setInterval> | undefined;
  #shown = false;
  #changed = performance.now();

  /** Starts reporting each second when stderr is a terminal, or `always`. */
  constructor(options: { always: boolean; verb?: string }) {
    this.#tty = Deno.stderr.isTerminal();
    if (this.#tty || options.always) {
      const timer = setInterval(() => this.#show(options.verb ?? "sent"), 1000);
      Deno.unrefTimer(timer);
      this.#timer = timer;
    }
  }

  /** The counts so far. */
  update(records: number, bytes: number): void {
    if (records !== this.#records) this.#changed = performance.now();
    this.#records = records;
    this.#bytes = bytes;
  }

  #show(verb: string): void {
    // A stall says so: the broker may be gone (records fail after delivery.timeout.ms).
    const stalled = (performance.now() - this.#changed) / 1000;
    const line = `${this.#line(this.#records, this.#bytes, verb)}${
      stalled >= 5 ? `; nothing acknowledged for ${Math.floor(stalled)} s` : ""
    }`;
    // A terminal gets one line rewritten in place; a file or pipe one line a second.
    const text = this.#tty ? `\r\x1b[K${line}` : `${line}\n`;
    Deno.stderr.writeSync(new TextEncoder().encode(text));
    this.#shown = true;
  }

  #line(records: number, bytes: number, verb: string): string {
    const seconds = Math.max((performance.now() - this.#started) / 1000, 0.001);
    const mb = bytes / 1e6;
    return `${records} records (${mb.toFixed(1)} MB) ${verb} in ${seconds.toFixed(1)} s: ${
      Math.round(records / seconds)
    } records/s, ${(mb / seconds).toFixed(1)} MB/s`;
  }

  /** Stops the progress line. */
  done(): void {
    clearInterval(this.#timer);
    if (this.#tty && this.#shown) Deno.stderr.writeSync(new TextEncoder().encode("\r\x1b[K"));
  }

  /** Prints the summary line. */
  summary(records: number, bytes: number, verb: string): void {
    console.error(this.#line(records, bytes, verb));
  }
}
