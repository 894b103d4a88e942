/**
 * How the producer picks a partition, as Kafka's Java client does: murmur2 of the key for keyed records
 * (so that a key lands on the same partition as with Java's and librdkafka's murmur2 partitioners), and
 * the uniform sticky strategy for keyless records (KIP-794): stay on one partition until a batch's worth
 * of bytes has gone to it, then move to another at random.
 *
 * @module
 */

/**
 * Kafka's murmur2 hash (the 32-bit MurmurHash2 variant of `org.apache.kafka.common.utils.Utils`).
 *
 * @example
 * ```ts
 * import { murmur2 } from "@brook/kafka/client";
 * murmur2(new TextEncoder().encode("21")); // -973932308
 * ```
 */
export function murmur2(data: Uint8Array): number {
  const length = data.length;
  const m = 0x5bd1e995;
  let h = (0x9747b28c ^ length) | 0;
  const length4 = length >>> 2;
  for (let i = 0; i < length4; i++) {
    const i4 = i << 2;
    let k = data[i4] | (data[i4 + 1] << 8) | (data[i4 + 2] << 16) | (data[i4 + 3] << 24);
    k = Math.imul(k, m);
    k ^= k >>> 24;
    k = Math.imul(k, m);
    h = Math.imul(h, m) ^ k;
  }
  const tail = length & ~3;
  switch (length & 3) {
    case 3:
      h ^= data[tail + 2] << 16;
    // falls through
    case 2:
      h ^= data[tail + 1] << 8;
    // falls through
    case 1:
      h ^= data[tail];
      h = Math.imul(h, m);
  }
  h ^= h >>> 13;
  h = Math.imul(h, m);
  h ^= h >>> 15;
  return h | 0;
}

/**
 * The partition of a keyed record: murmur2 of the key, made positive, modulo the partition count.
 *
 * @example
 * ```ts
 * import { partitionForKey } from "@brook/kafka/client";
 * partitionForKey(new TextEncoder().encode("user-42"), 6); // always the same partition of 6
 * ```
 */
export function partitionForKey(key: Uint8Array, partitionCount: number): number {
  return (murmur2(key) & 0x7fffffff) % partitionCount;
}

/**
 * Chooses partitions for keyless records: sticky until `batchSize` bytes, then another at random.
 *
 * @example
 * ```ts
 * import { StickyPartitioner } from "@brook/kafka/client";
 * const partitioner = new StickyPartitioner(16384); // Kafka's default batch.size
 * ```
 */
export class StickyPartitioner {
  readonly #batchSize: number;
  readonly #current = new Map<string, { partition: number; bytes: number }>();

  /** Creates a partitioner that moves on after `batchSize` bytes (Kafka's batch.size). */
  constructor(batchSize: number) {
    this.#batchSize = batchSize;
  }

  /**
   * The partition for a keyless record of `size` bytes in `topic`, among `available` partitions (those
   * with a leader, or a function giving them, called only when a new partition is picked) out of
   * `partitionCount`.
   */
  partition(
    topic: string,
    size: number,
    partitionCount: number,
    available?: readonly number[] | (() => readonly number[]),
  ): number {
    let state = this.#current.get(topic);
    if (!state || state.bytes >= this.#batchSize || state.partition >= partitionCount) {
      const choices = typeof available === "function" ? available() : available;
      state = { partition: this.#next(state?.partition, partitionCount, choices), bytes: 0 };
      this.#current.set(topic, state);
    }
    state.bytes += size;
    return state.partition;
  }

  #next(previous: number | undefined, count: number, available?: readonly number[]): number {
    const choices = available && available.length > 0 ? available : undefined;
    const n = choices ? choices.length : count;
    if (n <= 1) return choices ? choices[0] : 0;
    let pick = Math.floor(Math.random() * n);
    const value = (i: number) => (choices ? choices[i] : i);
    if (value(pick) === previous) pick = (pick + 1 + Math.floor(Math.random() * (n - 1))) % n;
    return value(pick);
  }
}
