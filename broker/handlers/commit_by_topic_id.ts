/**
 * What OffsetCommit v10 and TxnOffsetCommit v6 (Kafka 4.4) share: topics named by id. Unknown ids
 * are answered UNKNOWN_TOPIC_ID first, then each known topic's unknown partitions
 * UNKNOWN_TOPIC_OR_PARTITION, before what the group coordinator answers for the rest (asked by
 * name); a topic left without partitions is not answered.
 *
 * @module
 */

import { ErrorCode } from "../../codec/mod.ts";
import type { TopicCatalog } from "../metadata/topic_catalog.ts";

/** A request's topic: its name (empty when named by id), id and partitions. */
interface CommitTopic<P extends { partitionIndex: number }> {
  name: string;
  topicId: string;
  partitions: P[];
}

/** An answer's topic. */
interface AnsweredTopic {
  name: string;
  topicId: string;
  partitions: { partitionIndex: number; errorCode: number }[];
}

/**
 * Answers `topics` named by id: `serve` answers the known topics' known partitions, given by name.
 *
 * @example
 * ```ts
 * import { commitByTopicId } from "./commit_by_topic_id.ts";
 * import type { TopicCatalog } from "../metadata/topic_catalog.ts";
 * declare const catalog: TopicCatalog;
 * const answered = commitByTopicId(catalog, [], (named) => named.map((t) => ({ ...t, partitions: [] })));
 * console.log(answered); // []
 * ```
 */
export function commitByTopicId<P extends { partitionIndex: number }, T extends CommitTopic<P>>(
  catalog: TopicCatalog,
  topics: T[],
  serve: (named: T[]) => AnsweredTopic[],
): AnsweredTopic[] {
  const failed = (t: T, errorCode: number) => ({
    name: t.name,
    topicId: t.topicId,
    partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode })),
  });
  const unknown = topics.filter((t) => !catalog.byId.has(t.topicId));
  const known = topics.filter((t) => catalog.byId.has(t.topicId)).map((t) => {
    const topic = catalog.byId.get(t.topicId)!;
    const exists = (p: P) => p.partitionIndex >= 0 && p.partitionIndex < topic.partitions.length;
    return {
      request: { ...t, name: topic.name, partitions: t.partitions.filter(exists) },
      missing: t.partitions.filter((p) => !exists(p)),
    };
  });
  const asked = known.map((k) => k.request).filter((t) => t.partitions.length > 0);
  const served = asked.length > 0 ? serve(asked) : [];
  return [
    ...unknown.map((t) => failed(t, ErrorCode.UNKNOWN_TOPIC_ID)),
    ...known.map((k) => ({
      name: "",
      topicId: k.request.topicId,
      partitions: [
        ...k.missing.map((p) => ({
          partitionIndex: p.partitionIndex,
          errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
        })),
        ...served.filter((t) => catalog.byName.get(t.name)?.id === k.request.topicId)
          .flatMap((t) => t.partitions),
      ],
    })).filter((t) => t.partitions.length > 0),
  ];
}
