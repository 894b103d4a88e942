/**
 * A group member's link to its coordinator: where it is (found once, forgotten when it moves), and
 * the group's committed offsets read and written there, as both kinds of members (classic and
 * KIP-848) do it.
 *
 * @module
 */

import { ApiKey, ErrorCode, KafkaProtocolError } from "../../codec/mod.ts";
import { sleep } from "../backoff.ts";
import type { KafkaClient } from "../kafka_client.ts";
import type { TopicPartitions } from "./assignors.ts";
import type { TopicPartitionOffset } from "../topic_partition.ts";
import { DEFAULT_API_TIMEOUT_MS } from "../defaults.ts";
import { namesById, topicIds } from "../topic_ids.ts";

/** Who commits: the member, and its generation (classic) or epoch (KIP-848). */
export interface CommitMember {
  generationIdOrMemberEpoch: number;
  memberId: string;
  groupInstanceId: string | null;
}

/** Errors after which the coordinator is looked up again. */
export const COORDINATOR_MOVED: ReadonlySet<number> = new Set<number>([
  ErrorCode.NOT_COORDINATOR,
  ErrorCode.COORDINATOR_NOT_AVAILABLE,
  ErrorCode.COORDINATOR_LOAD_IN_PROGRESS,
]);

/** A group's coordinator, as one member knows it, and the offsets kept there. */
export class GroupCoordinatorLink {
  readonly #client: KafkaClient;
  readonly #groupId: string;
  #coordinator = -1;

  constructor(client: KafkaClient, groupId: string) {
    this.#client = client;
    this.#groupId = groupId;
  }

  /** The coordinator's node id, found with FindCoordinator when not known. */
  async id(signal?: AbortSignal): Promise<number> {
    if (this.#coordinator < 0) {
      this.#coordinator = await this.#client.findCoordinator(this.#groupId, { signal });
    }
    return this.#coordinator;
  }

  /** The coordinator's node id if known, else -1. */
  get known(): number {
    return this.#coordinator;
  }

  /** The coordinator moved or is gone: look it up again next time. */
  forget(): void {
    this.#coordinator = -1;
  }

  /**
   * The group's committed offsets of `partitions` (absent where none). Offsets that an open
   * transaction is about to commit are waited for (UNSTABLE_OFFSET_COMMIT is retried, KIP-447),
   * for at most `timeoutMs`.
   */
  async committed(
    partitions: TopicPartitions[],
    signal?: AbortSignal,
    timeoutMs = DEFAULT_API_TIMEOUT_MS,
  ): Promise<Map<string, bigint>> {
    const client = this.#client;
    const deadline = Date.now() + timeoutMs;
    // Kafka 4.4's v10 names topics by id; without every id the request names them (v7).
    const ids = await topicIds(client, partitions.map((tp) => tp.topic), { signal });
    const names = namesById(ids);
    const topics = partitions.map((tp) => ({
      name: tp.topic,
      topicId: ids?.get(tp.topic),
      partitionIndexes: tp.partitions,
    }));
    for (let attempt = 0;; attempt++) {
      const res = await client.requestNode(
        await this.id(signal),
        ApiKey.OffsetFetch,
        (version) =>
          version >= 8
            ? {
              groups: [{ groupId: this.#groupId, memberId: null, memberEpoch: -1, topics }],
              requireStable: true,
            }
            : { groupId: this.#groupId, topics, requireStable: true },
        { signal, maxVersion: ids ? undefined : 7 },
      );
      // From v8 the answer is per group.
      const group = res.groups[0] ?? res;
      if (group.errorCode !== ErrorCode.NONE) {
        throw new KafkaProtocolError(group.errorCode, { detail: "fetching committed offsets" });
      }
      const out = new Map<string, bigint>();
      let unstable = false;
      for (const answered of group.topics) {
        const t = { ...answered, name: answered.name || names.get(answered.topicId) || "" };
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
      await sleep(client.retryBackoff(attempt), signal);
    }
  }

  /**
   * Commits offsets (the next offset to read per partition) as `member`; rejects with the first
   * partition's error (after forgetting a coordinator that moved).
   */
  async commit(
    member: CommitMember,
    offsets: TopicPartitionOffset[],
    signal?: AbortSignal,
  ): Promise<void> {
    if (offsets.length === 0) return;
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
    // Kafka 4.4's v10 names topics by id; without every id the request names them (v9).
    const ids = await topicIds(this.#client, [...topics.keys()], { signal });
    const names = namesById(ids);
    const res = await this.#client.requestNode(await this.id(signal), ApiKey.OffsetCommit, {
      groupId: this.#groupId,
      ...member,
      topics: [...topics].map(([name, partitions]) => ({
        name,
        topicId: ids?.get(name),
        partitions,
      })),
    }, { signal, maxVersion: ids ? undefined : 9 });
    for (const answered of res.topics) {
      const t = { ...answered, name: answered.name || names.get(answered.topicId) || "" };
      for (const p of t.partitions) {
        if (p.errorCode === ErrorCode.NONE) continue;
        if (COORDINATOR_MOVED.has(p.errorCode)) this.forget();
        throw new KafkaProtocolError(p.errorCode, {
          detail: `committing ${t.name}-${p.partitionIndex}`,
        });
      }
    }
  }
}
