/**
 * CRC-32 (IEEE), the checksum of Kafka's legacy message sets (magic 0 and 1).
 *
 * @module
 */

import { crcWithTable, makeTable } from "./crc32c.ts";

const TABLE = makeTable(0xedb88320);

/**
 * CRC-32 (IEEE) of `data`, continuing from `seed`.
 *
 * @example
 * ```ts
 * import { crc32 } from "@brook/kafka/codec";
 * crc32(new TextEncoder().encode("123456789")).toString(16); // "cbf43926"
 * ```
 */
export function crc32(data: Uint8Array, seed = 0): number {
  return crcWithTable(TABLE, data, seed);
}
