/**
 * A first-in, first-out queue whose `shift` costs O(1): an array read from a moving head, compacted
 * once the head has passed half of it. Records waiting for metadata or buffer memory can number in
 * the hundreds of thousands, where `Array.prototype.shift` would make draining them quadratic.
 *
 * @module
 */

/**
 * A queue.
 *
 * @example
 * ```ts
 * import { Fifo } from "./fifo.ts";
 * const q = new Fifo<number>();
 * q.push(1);
 * q.push(2);
 * q.shift(); // 1
 * q.takeAll(); // [2]
 * ```
 */
export class Fifo<T> {
  #items: T[] = [];
  #head = 0;

  /** How many items wait. */
  get length(): number {
    return this.#items.length - this.#head;
  }

  /** The first item, if any. */
  get first(): T | undefined {
    return this.#items[this.#head];
  }

  /** Adds an item at the end. */
  push(item: T): void {
    this.#items.push(item);
  }

  /** Removes and returns the first item. */
  shift(): T | undefined {
    if (this.#head >= this.#items.length) return undefined;
    const item = this.#items[this.#head];
    this.#items[this.#head++] = undefined as T;
    if (this.#head * 2 >= this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return item;
  }

  /** Removes and returns every item, in order. */
  takeAll(): T[] {
    const all = this.#items.slice(this.#head);
    this.#items = [];
    this.#head = 0;
    return all;
  }
}
