/**
 * A streams group's topology (KIP-1071) as its members describe it, checked and configured against
 * the topics that exist, as Kafka's group coordinator does: missing source topics, the partition
 * counts of repartition and changelog topics, internal topics to create, and the statuses a
 * heartbeat answers with when the topology cannot be run yet.
 *
 * @module
 */

import type { StreamsGroupHeartbeatRequest } from "../../codec/mod.ts";
import { hashSetOrder } from "../metadata/java_hash_set.ts";

/** The topology a member sends when it joins. */
export type Topology = NonNullable<StreamsGroupHeartbeatRequest["topology"]>;
/** One subtopology of a topology. */
export type Subtopology = Topology["subtopologies"][number];

/** Kafka's status codes of a streams heartbeat. */
export const StreamsStatus = {
  STALE_TOPOLOGY: 0,
  MISSING_SOURCE_TOPICS: 1,
  INCORRECTLY_PARTITIONED_TOPICS: 2,
  MISSING_INTERNAL_TOPICS: 3,
  SHUTDOWN_APPLICATION: 4,
  ASSIGNMENT_DELAYED: 5,
} as const;

/** A status of a streams heartbeat. */
export interface Status {
  statusCode: number;
  statusDetail: string;
}

/** What a streams group needs to know of the cluster's topics. */
export interface TopicCatalog {
  /** A topic's partition count, undefined when the topic does not exist. */
  partitionCount(name: string): number | undefined;
  /** Creates an internal topic (a replication factor of -1 takes the broker's default). */
  createTopic(
    name: string,
    options: { partitions: number; replicationFactor: number; configs: Record<string, string> },
  ): void;
}

/** An internal topic with its partition count decided. */
export interface ConfiguredInternalTopic {
  name: string;
  partitions: number;
  replicationFactor: number;
  topicConfigs: { key: string; value: string }[];
}

/** A subtopology with its task count and internal topics decided. */
export interface ConfiguredSubtopology {
  subtopologyId: string;
  /** The number of tasks: the most partitions of its source and repartition source topics. */
  tasks: number;
  /** True when it has state (changelog topics), so its tasks may have standbys. */
  stateful: boolean;
  sourceTopics: string[];
  repartitionSinkTopics: string[];
  stateChangelogTopics: ConfiguredInternalTopic[];
  repartitionSourceTopics: ConfiguredInternalTopic[];
}

/** A topology configured against the topics: its subtopologies, or why it cannot run. */
export interface ConfiguredTopology {
  /** Null when source topics are missing or topics are incorrectly partitioned. */
  subtopologies: ConfiguredSubtopology[] | null;
  /** The internal topics to create, in the order Kafka names them. */
  missingInternalTopics: ConfiguredInternalTopic[];
  /** The status that keeps the group from being assigned, if any. */
  status: Status | null;
}

/**
 * Kafka's refusal of a topology a member joins with (STREAMS_INVALID_TOPOLOGY), or null.
 *
 * @example
 * ```ts
 * invalidTopology({ epoch: 0, subtopologies: [] }); // null
 * ```
 */
export function invalidTopology(topology: Topology): string | null {
  for (const s of topology.subtopologies) {
    for (const t of s.stateChangelogTopics) {
      if (t.partitions !== 0) {
        return `Changelog topic ${t.name} must have an undefined partition count, but it is set to ${t.partitions}.`;
      }
    }
  }
  return null;
}

/**
 * The topics a topology reads and writes, as "name:partitions" pairs: the group epoch moves when
 * they change, as Kafka's metadata hash does.
 *
 * @example
 * ```ts ignore
 * topicSignature(topology, catalog);
 * ```
 */
export function topicSignature(topology: Topology, catalog: TopicCatalog): string {
  const names = new Set<string>();
  for (const s of topology.subtopologies) {
    for (const t of s.sourceTopics) names.add(t);
    for (const t of s.repartitionSourceTopics) names.add(t.name);
    for (const t of s.stateChangelogTopics) names.add(t.name);
  }
  return [...names].sort().map((n) => `${n}:${catalog.partitionCount(n) ?? "-"}`).join(",");
}

/**
 * Configures a topology against the topics that exist, as Kafka's internal topic manager does.
 *
 * @example
 * ```ts ignore
 * const configured = configureTopology(topology, catalog);
 * ```
 */
export function configureTopology(topology: Topology, catalog: TopicCatalog): ConfiguredTopology {
  const subtopologies = [...topology.subtopologies].sort((a, b) =>
    a.subtopologyId < b.subtopologyId ? -1 : a.subtopologyId > b.subtopologyId ? 1 : 0
  );
  const missing = [...new Set(subtopologies.flatMap((s) => s.sourceTopics))]
    .filter((t) => catalog.partitionCount(t) === undefined).sort();
  if (missing.length > 0) {
    return notReady(
      StreamsStatus.MISSING_SOURCE_TOPICS,
      `Source topics ${missing.join(", ")} are missing.`,
    );
  }
  const decided = new Map<string, number>();
  const count = (topic: string) => catalog.partitionCount(topic) ?? decided.get(topic);
  // Repartition topics without a fixed count take the most partitions of the subtopologies that
  // write to them, resolved until nothing changes (a chain of repartitions).
  for (const s of subtopologies) {
    for (const t of s.repartitionSourceTopics) {
      if (t.partitions > 0 && catalog.partitionCount(t.name) === undefined) {
        decided.set(t.name, t.partitions);
      }
    }
  }
  for (let changed = true, rounds = 0; changed && rounds < 100; rounds++) {
    changed = false;
    for (const s of subtopologies) {
      for (const t of s.repartitionSourceTopics) {
        if (count(t.name) !== undefined) continue;
        const writers = subtopologies.filter((w) => w.repartitionSinkTopics.includes(t.name));
        const counts = writers.flatMap((w) => inputs(w).map(count));
        if (counts.length > 0 && counts.every((c) => c !== undefined)) {
          decided.set(t.name, Math.max(...counts as number[]));
          changed = true;
        }
      }
    }
  }
  const configured: ConfiguredSubtopology[] = [];
  for (const s of subtopologies) {
    const counts = inputs(s).map(count);
    if (counts.some((c) => c === undefined)) {
      const unknown = inputs(s).filter((t) => count(t) === undefined).sort();
      return notReady(
        StreamsStatus.MISSING_SOURCE_TOPICS,
        `Source topics ${unknown.join(", ")} are missing.`,
      );
    }
    const tasks = counts.length > 0 ? Math.max(...counts as number[]) : 0;
    const internal = (t: Subtopology["stateChangelogTopics"][number], partitions: number) => ({
      name: t.name,
      partitions,
      replicationFactor: t.replicationFactor,
      topicConfigs: t.topicConfigs.map((c) => ({ key: c.key, value: c.value })),
    });
    configured.push({
      subtopologyId: s.subtopologyId,
      tasks,
      stateful: s.stateChangelogTopics.length > 0,
      sourceTopics: s.sourceTopics,
      repartitionSinkTopics: s.repartitionSinkTopics,
      stateChangelogTopics: s.stateChangelogTopics.map((t) => internal(t, tasks)),
      repartitionSourceTopics: s.repartitionSourceTopics.map((t) => internal(t, count(t.name)!)),
    });
  }
  const wanted = new Map<string, ConfiguredInternalTopic>();
  for (const s of configured) {
    for (const t of [...s.repartitionSourceTopics, ...s.stateChangelogTopics]) {
      wanted.set(t.name, t);
    }
  }
  for (const [name, t] of wanted) {
    const existing = catalog.partitionCount(name);
    if (existing === undefined) continue;
    wanted.delete(name);
    if (existing !== t.partitions) {
      return notReady(
        StreamsStatus.INCORRECTLY_PARTITIONED_TOPICS,
        `Existing topic ${name} has different number of partitions: expected ${t.partitions}, found ${existing}`,
      );
    }
  }
  // Kafka gathers the topics to create in a hash map: its iteration order names them.
  const toCreate = hashSetOrder([...wanted.keys()]).map((n) => wanted.get(n)!);
  return {
    subtopologies: configured,
    missingInternalTopics: toCreate,
    status: toCreate.length === 0 ? null : {
      statusCode: StreamsStatus.MISSING_INTERNAL_TOPICS,
      statusDetail: `Internal topics are missing: ${toCreate.map((t) => t.name).join(", ")}`,
    },
  };
}

function inputs(s: Subtopology): string[] {
  return [...s.sourceTopics, ...s.repartitionSourceTopics.map((t) => t.name)];
}

function notReady(statusCode: number, statusDetail: string): ConfiguredTopology {
  return { subtopologies: null, missingInternalTopics: [], status: { statusCode, statusDetail } };
}

/**
 * Creates the internal topics a configured topology misses (Kafka's coordinator asks its
 * controller; Brook's cluster creates them at once). A topic another request created meanwhile is
 * left alone.
 *
 * @example
 * ```ts ignore
 * createInternalTopics(configureTopology(topology, catalog), catalog);
 * ```
 */
export function createInternalTopics(configured: ConfiguredTopology, catalog: TopicCatalog): void {
  for (const t of configured.missingInternalTopics) {
    if (catalog.partitionCount(t.name) !== undefined) continue;
    try {
      catalog.createTopic(t.name, {
        partitions: t.partitions,
        replicationFactor: t.replicationFactor === 0 ? -1 : t.replicationFactor,
        configs: Object.fromEntries(t.topicConfigs.map((c) => [c.key, c.value])),
      });
    } catch {
      // As Kafka: a failed creation leaves the topic missing, and the status says so again.
    }
  }
}
