/**
 * Delivery sinks: where the outcome of sent records goes. A single record settles its own promise; an
 * array send shares one sink and one promise over all its records, so a record costs no promise and no
 * closures of its own.
 *
 * @module
 */

import type { DeliverySink, RecordMetadata } from "./accumulator.ts";

/** The outcome of one record: a promise of its metadata. */
export class SingleDelivery implements DeliverySink {
  readonly promise: Promise<RecordMetadata>;
  #resolve!: (m: RecordMetadata) => void;
  #reject!: (e: Error) => void;

  constructor() {
    this.promise = new Promise<RecordMetadata>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
  }

  deliver(_index: number, metadata: RecordMetadata): void {
    this.#resolve(metadata);
  }

  fail(_index: number, error: Error): void {
    this.#reject(error);
  }
}

/**
 * The outcome of an array of records: resolves with every record's metadata in order once all are
 * acknowledged, or rejects with the first failure (as `Promise.all` over single sends would).
 */
export class ArrayDelivery implements DeliverySink {
  readonly promise: Promise<RecordMetadata[]>;
  readonly #results: RecordMetadata[];
  #remaining: number;
  #settled = false;
  #resolve!: (m: RecordMetadata[]) => void;
  #reject!: (e: Error) => void;

  constructor(count: number) {
    this.#results = new Array(count);
    this.#remaining = count;
    this.promise = new Promise<RecordMetadata[]>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    if (count === 0) this.#finish();
  }

  deliver(index: number, metadata: RecordMetadata): void {
    this.#results[index] = metadata;
    if (--this.#remaining === 0) this.#finish();
  }

  fail(_index: number, error: Error): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#reject(error);
  }

  #finish(): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#resolve(this.#results);
  }
}
