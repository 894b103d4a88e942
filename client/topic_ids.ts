/**
 * Topic ids for requests that name topics by id (Kafka 4.4's OffsetCommit and OffsetFetch v10,
 * TxnOffsetCommit v6), from the client's metadata.
 *
 * @module
 */

import type { KafkaClient } from "./kafka_client.ts";

const ZERO_ID = "AAAAAAAAAAAAAAAAAAAAAA";

/**
 * The ids of `topics` (the metadata cache's, else a broker's), or null when some topic has none:
 * then the request names topics by name, in an older version.
 *
 * @example
 * ```ts ignore
 * import { KafkaClient } from "./kafka_client.ts";
 * import { topicIds } from "./topic_ids.ts";
 * await using client = new KafkaClient({ bootstrapServers: "127.0.0.1:9092" });
 * const ids = await topicIds(client, ["orders"]);
 * console.log(ids?.get("orders"));
 * ```
 */
export async function topicIds(
  client: KafkaClient,
  topics: readonly string[],
  options: { signal?: AbortSignal } = {},
): Promise<Map<string, string> | null> {
  const names = [...new Set(topics)];
  if (names.length === 0) return new Map();
  const meta = await client.metadata(names, { signal: options.signal }).catch(() => undefined);
  const ids = new Map<string, string>();
  for (const name of names) {
    const id = meta?.topics.get(name)?.topicId;
    if (!id || id === ZERO_ID) return null;
    ids.set(name, id);
  }
  return ids;
}

/** Names by id, the other way round from {@linkcode topicIds}'s answer. */
export function namesById(ids: Map<string, string> | null): Map<string, string> {
  return new Map([...ids ?? []].map(([name, id]) => [id, name]));
}
