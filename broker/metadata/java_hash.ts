/**
 * Java's String.hashCode, which Kafka uses to place groups and transactional ids on partitions of
 * its internal topics, and to spread share-group members over partitions.
 *
 * @module
 */

/** Java's String.hashCode of `s` (UTF-16 code units, 32-bit wrap-around). */
export function javaHash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(31, h) + s.charCodeAt(i)) | 0;
  return h;
}
