/**
 * A group's committed offsets, read and written at its coordinator: OffsetFetch and OffsetCommit as
 * both kinds of group members (classic and KIP-848) send them.
 *
 * @module
 */

import { ApiKey, ErrorCode, KafkaProtocolError } from "../../codec/mod.ts";
import { sleep } from "../backoff.ts";
import type { KafkaClient } from "../kafka_client.ts";
import type { TopicPartitions } from "./assignors.ts";

/** Who commits: the group, and the member's generation (classic) or epoch (KIP-848). */
export interface CommitIdentity {
  groupId: string;
  generationIdOrMemberEpoch: number;
  memberId: string;
  groupInstanceId: string | null;
}

/**
 * The group's committed offsets of `partitions` (absent where none). Offsets that an open
 * transaction is about to commit are waited for (UNSTABLE_OFFSET_COMMIT is retried, KIP-447), for
 * at most `timeoutMs`.
 */
export async function fetchCommitted(
  client: KafkaClient,
  coordinator: () => Promise<number>,
  groupId: string,
  partitions: TopicPartitions[],
  options: { signal?: AbortSignal; timeoutMs?: number } = {},
): Promise<Map<string, bigint>> {
  const deadline = Date.now() + (options.timeoutMs ?? 60000);
  for (let attempt = 0;; attempt++) {
    const res = await client.requestNode(await coordinator(), ApiKey.OffsetFetch, {
      groupId,
      topics: partitions.map((tp) => ({ name: tp.topic, partitionIndexes: tp.partitions })),
      requireStable: true,
    }, { signal: options.signal, maxVersion: 7 });
    if (res.errorCode !== ErrorCode.NONE) {
      throw new KafkaProtocolError(res.errorCode, { detail: "fetching committed offsets" });
    }
    const out = new Map<string, bigint>();
    let unstable = false;
    for (const t of res.topics) {
      for (const p of t.partitions) {
        if (p.errorCode === ErrorCode.UNSTABLE_OFFSET_COMMIT && Date.now() < deadline) {
          unstable = true;
        } else if (p.errorCode !== ErrorCode.NONE) {
          throw new KafkaProtocolError(p.errorCode, {
            detail: `committed offset of ${t.name}-${p.partitionIndex}`,
          });
        } else if (p.committedOffset >= 0n) {
          out.set(`${t.name}\u0000${p.partitionIndex}`, p.committedOffset);
        }
      }
    }
    if (!unstable) return out;
    await sleep(client.retryBackoff(attempt), options.signal);
  }
}

/** Commits offsets (the next offset to read per partition); rejects with the first partition's error. */
export async function commitOffsets(
  client: KafkaClient,
  coordinator: number,
  identity: CommitIdentity,
  offsets: { topic: string; partition: number; offset: bigint }[],
  signal?: AbortSignal,
): Promise<void> {
  const topics = new Map<
    string,
    {
      partitionIndex: number;
      committedOffset: bigint;
      committedLeaderEpoch: number;
      committedMetadata: string;
    }[]
  >();
  for (const o of offsets) {
    topics.set(o.topic, [...(topics.get(o.topic) ?? []), {
      partitionIndex: o.partition,
      committedOffset: o.offset,
      committedLeaderEpoch: -1,
      committedMetadata: "",
    }]);
  }
  const res = await client.requestNode(coordinator, ApiKey.OffsetCommit, {
    ...identity,
    topics: [...topics].map(([name, partitions]) => ({ name, partitions })),
  }, { signal, maxVersion: 9 });
  for (const t of res.topics) {
    for (const p of t.partitions) {
      if (p.errorCode === ErrorCode.NONE) continue;
      throw new KafkaProtocolError(p.errorCode, {
        detail: `committing ${t.name}-${p.partitionIndex}`,
      });
    }
  }
}
