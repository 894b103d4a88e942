/**
 * The iteration order of a Java HashSet of strings, which decides the order of some of Kafka's
 * answers (the topics of CreateTopics and CreatePartitions that its controller takes from hash sets).
 *
 * @module
 */

import { javaHash } from "./java_hash.ts";

/**
 * Names in the order a Java HashSet iterates them after they were added in this order: by bucket
 * of the spread String hash in a table of the smallest power of two (at least 16) that holds them
 * under the 0.75 load factor, then in insertion order within a bucket.
 *
 * @example
 * ```ts
 * import { hashSetOrder } from "./java_hash_set.ts";
 * console.log(hashSetOrder(["b", "a"])); // ["a", "b"]
 * ```
 */
export function hashSetOrder(names: readonly string[]): string[] {
  let capacity = 16;
  while (names.length > capacity * 0.75) capacity *= 2;
  const bucket = (name: string) => {
    const h = javaHash(name);
    return (h ^ (h >>> 16)) & (capacity - 1);
  };
  return names.map((name, i) => ({ name, i, b: bucket(name) }))
    .sort((x, y) => x.b - y.b || x.i - y.i)
    .map((x) => x.name);
}

/**
 * Names in the order a Scala 2.13 mutable HashMap iterates them (Kafka 4.1.1 gathers a topic's
 * configs in one before answering DescribeConfigs): by bucket of the spread String hash in a table
 * of the smallest power of two (at least 16) that holds them under the 0.75 load factor, then by
 * that hash within a bucket (Scala keeps a bucket's entries sorted by it).
 *
 * @example
 * ```ts
 * import { scalaHashMapOrder } from "./java_hash_set.ts";
 * console.log(scalaHashMapOrder(["retention.ms", "segment.bytes"])); // ["segment.bytes", "retention.ms"]
 * ```
 */
export function scalaHashMapOrder(names: readonly string[]): string[] {
  let capacity = 16;
  while (names.length >= capacity * 0.75) capacity *= 2;
  const spread = (name: string) => {
    const h = javaHash(name);
    return h ^ (h >>> 16);
  };
  return names.map((name) => ({ name, h: spread(name) }))
    .sort((x, y) => (x.h & (capacity - 1)) - (y.h & (capacity - 1)) || x.h - y.h)
    .map((x) => x.name);
}
