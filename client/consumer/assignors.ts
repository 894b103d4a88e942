/**
 * Partition assignors of Kafka's classic consumer protocol: range, roundrobin and cooperative-sticky,
 * under the names Kafka's clients use, so that Brook consumers share groups with Java and librdkafka
 * consumers whoever is the group leader.
 *
 * @module
 */

import type { MemberSubscription, TopicPartitions } from "../../codec/consumer_protocol.ts";

export type { MemberSubscription, TopicPartitions };

/** An assignor. */
export interface Assignor {
  /** The protocol name sent in JoinGroup ("range", "roundrobin", "cooperative-sticky"). */
  readonly name: string;
  /** EAGER members revoke everything before a rebalance; COOPERATIVE ones only what moves. */
  readonly rebalanceProtocol: "EAGER" | "COOPERATIVE";
  /** User data for this member's subscription (the cooperative-sticky assignor sends its generation). */
  userData?(generationId: number): Uint8Array | null;
  /** Assigns `partitionCounts` (topic -> number of partitions) to the members. */
  assign(
    members: MemberSubscription[],
    partitionCounts: Map<string, number>,
  ): Map<string, TopicPartitions[]>;
}

/** Kafka's member order for assignment: static members by instance id first, then member ids. */
function memberOrder(a: MemberSubscription, b: MemberSubscription): number {
  if (a.groupInstanceId !== null && b.groupInstanceId !== null) {
    return compare(a.groupInstanceId, b.groupInstanceId);
  }
  if (a.groupInstanceId !== null) return -1;
  if (b.groupInstanceId !== null) return 1;
  return compare(a.memberId, b.memberId);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Turns member -> "topic/partition" lists into the assignor result shape, topics sorted. */
function toResult(
  members: MemberSubscription[],
  owned: Map<string, Map<string, number[]>>,
): Map<string, TopicPartitions[]> {
  const out = new Map<string, TopicPartitions[]>();
  for (const m of members) {
    const byTopic = owned.get(m.memberId) ?? new Map<string, number[]>();
    out.set(
      m.memberId,
      [...byTopic.entries()].sort(([a], [b]) => compare(a, b)).map(([topic, partitions]) => ({
        topic,
        partitions: partitions.sort((x, y) => x - y),
      })),
    );
  }
  return out;
}

function add(
  owned: Map<string, Map<string, number[]>>,
  memberId: string,
  topic: string,
  partition: number,
): void {
  let byTopic = owned.get(memberId);
  if (!byTopic) owned.set(memberId, byTopic = new Map());
  let list = byTopic.get(topic);
  if (!list) byTopic.set(topic, list = []);
  list.push(partition);
}

/**
 * Kafka's RangeAssignor: per topic, consecutive ranges of partitions to the subscribed members in order,
 * the first `partitions % members` members getting one extra.
 *
 * @example
 * ```ts
 * import { rangeAssignor } from "@brook/kafka/client";
 * const members = [{ memberId: "a", groupInstanceId: null, topics: ["t"], ownedPartitions: [], generationId: -1, rackId: null, userData: null }];
 * rangeAssignor.assign(members, new Map([["t", 3]])); // a gets t 0, 1, 2
 * ```
 */
export const rangeAssignor: Assignor = {
  name: "range",
  rebalanceProtocol: "EAGER",
  assign(members, partitionCounts) {
    const owned = new Map<string, Map<string, number[]>>();
    const sorted = [...members].sort(memberOrder);
    for (const topic of [...partitionCounts.keys()].sort(compare)) {
      const count = partitionCounts.get(topic)!;
      const consumers = sorted.filter((m) => m.topics.includes(topic));
      if (consumers.length === 0) continue;
      const per = Math.floor(count / consumers.length);
      const extra = count % consumers.length;
      consumers.forEach((m, i) => {
        const start = per * i + Math.min(i, extra);
        const length = per + (i < extra ? 1 : 0);
        for (let p = start; p < start + length; p++) add(owned, m.memberId, topic, p);
      });
    }
    return toResult(members, owned);
  },
};

/**
 * Kafka's RoundRobinAssignor: every partition of every subscribed topic in (topic, partition) order,
 * dealt in turn to the members subscribed to its topic.
 *
 * @example
 * ```ts
 * import { roundRobinAssignor } from "@brook/kafka/client";
 * console.log(roundRobinAssignor.name); // "roundrobin"
 * ```
 */
export const roundRobinAssignor: Assignor = {
  name: "roundrobin",
  rebalanceProtocol: "EAGER",
  assign(members, partitionCounts) {
    const owned = new Map<string, Map<string, number[]>>();
    const sorted = [...members].sort(memberOrder);
    const subscribed = new Set(sorted.flatMap((m) => m.topics));
    let next = 0;
    for (
      const topic of [...partitionCounts.keys()].filter((t) => subscribed.has(t)).sort(compare)
    ) {
      for (let p = 0; p < partitionCounts.get(topic)!; p++) {
        // Advance around the circle to the next member subscribed to this topic.
        for (let tries = 0; tries < sorted.length; tries++) {
          const m = sorted[next % sorted.length];
          next++;
          if (m.topics.includes(topic)) {
            add(owned, m.memberId, topic, p);
            break;
          }
        }
      }
    }
    return toResult(members, owned);
  },
};

/**
 * Kafka's cooperative-sticky assignor: balanced, keeps members' owned partitions where it can, and never
 * hands a partition to a new owner in the same rebalance its old owner still holds it (the partition is
 * left out until the owner has revoked it and rejoined, as KIP-429's incremental protocol requires).
 *
 * @example
 * ```ts
 * import { cooperativeStickyAssignor } from "@brook/kafka/client";
 * console.log(cooperativeStickyAssignor.rebalanceProtocol); // "COOPERATIVE"
 * ```
 */
export const cooperativeStickyAssignor: Assignor = {
  name: "cooperative-sticky",
  rebalanceProtocol: "COOPERATIVE",
  userData(generationId) {
    const out = new Uint8Array(4);
    new DataView(out.buffer).setInt32(0, generationId);
    return out;
  },
  assign(members, partitionCounts) {
    const sorted = [...members].sort(memberOrder);
    const generationOf = (m: MemberSubscription) =>
      m.generationId >= 0 ? m.generationId : userDataGeneration(m.userData);
    // Current owners: a partition claimed by several members goes to the one of the newest generation.
    const owner = new Map<string, { memberId: string; generation: number }>();
    for (const m of sorted) {
      const generation = generationOf(m);
      for (const tp of m.ownedPartitions) {
        if (!m.topics.includes(tp.topic) || !partitionCounts.has(tp.topic)) continue;
        for (const p of tp.partitions) {
          if (p >= partitionCounts.get(tp.topic)!) continue;
          const key = `${tp.topic}\u0000${p}`;
          const prev = owner.get(key);
          if (!prev || generation > prev.generation) {
            owner.set(key, { memberId: m.memberId, generation });
          }
        }
      }
    }
    // Every partition someone subscribes to, in a stable order.
    const all: { topic: string; partition: number; key: string }[] = [];
    const subscribers = new Map<string, MemberSubscription[]>();
    for (const topic of [...partitionCounts.keys()].sort(compare)) {
      const subs = sorted.filter((m) => m.topics.includes(topic));
      if (subs.length === 0) continue;
      subscribers.set(topic, subs);
      for (let p = 0; p < partitionCounts.get(topic)!; p++) {
        all.push({ topic, partition: p, key: `${topic}\u0000${p}` });
      }
    }
    const load = new Map<string, number>(sorted.map((m) => [m.memberId, 0]));
    const target = new Map<string, string>();
    // Keep owned partitions up to each member's fair share; the rest are reassigned.
    const quota = Math.ceil(all.length / Math.max(1, sorted.length));
    const minQuota = Math.floor(all.length / Math.max(1, sorted.length));
    let overMin = all.length - minQuota * sorted.length;
    for (const tp of all) {
      const o = owner.get(tp.key);
      if (!o || !subscribers.get(tp.topic)!.some((m) => m.memberId === o.memberId)) continue;
      const n = load.get(o.memberId)!;
      const limit = n < minQuota ? minQuota : overMin > 0 && n < quota ? quota : minQuota;
      if (n >= limit) continue;
      if (n >= minQuota) overMin--;
      target.set(tp.key, o.memberId);
      load.set(o.memberId, n + 1);
    }
    for (const tp of all) {
      if (target.has(tp.key)) continue;
      let best: MemberSubscription | undefined;
      for (const m of subscribers.get(tp.topic)!) {
        if (!best || load.get(m.memberId)! < load.get(best.memberId)!) best = m;
      }
      target.set(tp.key, best!.memberId);
      load.set(best!.memberId, load.get(best!.memberId)! + 1);
    }
    const owned = new Map<string, Map<string, number[]>>();
    for (const tp of all) {
      const to = target.get(tp.key)!;
      const from = owner.get(tp.key)?.memberId;
      // A partition changing owner waits for the next rebalance, once its old owner has let it go.
      if (from !== undefined && from !== to && sorted.some((m) => m.memberId === from)) continue;
      add(owned, to, tp.topic, tp.partition);
    }
    return toResult(members, owned);
  },
};

function userDataGeneration(userData: Uint8Array | null): number {
  if (userData === null || userData.length < 4) return -1;
  return new DataView(userData.buffer, userData.byteOffset, userData.byteLength).getInt32(0);
}

/** The assignors by name. */
export const ASSIGNORS: Readonly<Record<string, Assignor>> = {
  range: rangeAssignor,
  roundrobin: roundRobinAssignor,
  "cooperative-sticky": cooperativeStickyAssignor,
};
