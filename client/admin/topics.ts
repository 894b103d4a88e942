/**
 * Admin calls for topics, each sent to the controller: CreateTopics, DeleteTopics and
 * CreatePartitions. A topic's error is thrown naming the topic.
 *
 * @module
 */

import { ApiKey, ErrorCode, KafkaProtocolError } from "../../codec/mod.ts";
import type { KafkaClient } from "../kafka_client.ts";

/** A topic to create. */
export interface NewTopic {
  /** The topic's name. */
  name: string;
  /** Default: the broker's num.partitions. */
  partitions?: number;
  /** Default: the broker's default.replication.factor. */
  replicationFactor?: number;
  /** Replica node ids per partition, instead of partitions and replication factor. */
  assignments?: number[][];
  /** Topic config overrides, e.g. { "cleanup.policy": "compact" }. */
  configs?: Record<string, string>;
}

/** Where and how long: the controller, the call's timeout, and its abort signal. */
export interface TopicCall {
  controller: number;
  timeoutMs: number;
  signal?: AbortSignal;
}

function throwFirst(
  results: { name: string | null; errorCode: number; errorMessage?: string | null }[],
): void {
  for (const r of results) {
    if (r.errorCode !== ErrorCode.NONE) {
      throw new KafkaProtocolError(r.errorCode, {
        detail: `topic ${r.name}${r.errorMessage ? `: ${r.errorMessage}` : ""}`,
      });
    }
  }
}

/** CreateTopics. */
export async function createTopics(
  client: KafkaClient,
  topics: NewTopic[],
  call: TopicCall & { validateOnly: boolean },
): Promise<void> {
  const res = await client.requestNode(call.controller, ApiKey.CreateTopics, {
    topics: topics.map((t) => ({
      name: t.name,
      numPartitions: t.assignments ? -1 : t.partitions ?? -1,
      replicationFactor: t.assignments ? -1 : t.replicationFactor ?? -1,
      assignments: (t.assignments ?? []).map((brokerIds, partitionIndex) => ({
        partitionIndex,
        brokerIds,
      })),
      configs: Object.entries(t.configs ?? {}).map(([name, value]) => ({ name, value })),
    })),
    timeoutMs: call.timeoutMs,
    validateOnly: call.validateOnly,
  }, { signal: call.signal });
  throwFirst(res.topics);
}

/** DeleteTopics, by name. */
export async function deleteTopics(
  client: KafkaClient,
  names: string[],
  call: TopicCall,
): Promise<void> {
  const res = await client.requestNode(
    call.controller,
    ApiKey.DeleteTopics,
    (v: number) =>
      v >= 6
        ? { topics: names.map((name) => ({ name })), timeoutMs: call.timeoutMs }
        : { topicNames: names, timeoutMs: call.timeoutMs },
  );
  throwFirst(res.responses.map((t) => ({ name: t.name, errorCode: t.errorCode })));
}

/** CreatePartitions: grows topics to `count` partitions each. */
export async function createPartitions(
  client: KafkaClient,
  topics: { name: string; count: number }[],
  call: TopicCall,
): Promise<void> {
  const res = await client.requestNode(call.controller, ApiKey.CreatePartitions, {
    topics: topics.map((t) => ({ name: t.name, count: t.count, assignments: null })),
    timeoutMs: call.timeoutMs,
    validateOnly: false,
  });
  throwFirst(res.results);
}
