/**
 * The "simple" assignor of share groups (KIP-932), Kafka's only share assignor. Unlike a consumer
 * group's, a partition may go to several members: each member is first placed on the partition its
 * id hashes to, then members keep what they had up to an even share, and the partitions left go
 * round the members. With more members than partitions, members share partitions.
 *
 * Kafka walks its members in hash-map order; Brook walks them in join order, so which member gets
 * which partition may differ from Kafka's choice, but the shape (hash placement, stickiness, even
 * shares) is the same.
 *
 * @module
 */

import type { TopicPartitions } from "../groups/assignors.ts";
import { javaHash } from "../metadata/java_hash.ts";

/** What the assignor knows of one member. */
export interface ShareAssignorMember {
  readonly memberId: string;
  /** The ids of the existing topics it subscribes to. */
  readonly topicIds: readonly string[];
  /** Its partitions in the previous target assignment. */
  readonly previous: TopicPartitions;
}

/** A topic partition as one string key, "topicId:partition". */
type Key = string;

const keyOf = (topicId: string, partition: number): Key => `${topicId}:${partition}`;

function split(key: Key): [string, number] {
  const at = key.lastIndexOf(":");
  return [key.slice(0, at), Number(key.slice(at + 1))];
}

/**
 * Assigns the partitions `assignable` allows (a share group assigns only partitions whose share
 * state is initialized) of the members' topics.
 */
export function simpleAssign(
  members: readonly ShareAssignorMember[],
  partitionCount: (topicId: string) => number,
  assignable: (topicId: string, partition: number) => boolean,
): Map<string, TopicPartitions> {
  const targets = (topicIds: readonly string[]) =>
    topicIds.flatMap((t) =>
      Array.from({ length: Math.max(partitionCount(t), 0) }, (_, p) => p)
        .filter((p) => assignable(t, p)).map((p) => keyOf(t, p))
    );
  const current = new Map<Key, string[]>();
  for (const m of members) {
    for (const [t, ps] of m.previous) {
      for (const p of ps) push(current, keyOf(t, p), m.memberId);
    }
  }
  const byMember = members.length === 0
    ? new Map<string, Set<Key>>()
    : homogeneous(members)
    ? assignHomogeneous(members, targets(members[0].topicIds), current)
    : assignHeterogeneous(members, targets, current);
  const result = new Map<string, TopicPartitions>();
  for (const m of members) {
    const assignment: TopicPartitions = new Map();
    for (const key of byMember.get(m.memberId) ?? []) {
      const [t, p] = split(key);
      let set = assignment.get(t);
      if (!set) assignment.set(t, set = new Set());
      set.add(p);
    }
    result.set(m.memberId, assignment);
  }
  return result;
}

function homogeneous(members: readonly ShareAssignorMember[]): boolean {
  const first = new Set(members[0].topicIds);
  return members.every((m) =>
    m.topicIds.length === first.size && m.topicIds.every((t) => first.has(t))
  );
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function addTo(map: Map<string, Set<Key>>, memberId: string, key: Key): Set<Key> {
  let set = map.get(memberId);
  if (!set) map.set(memberId, set = new Set());
  set.add(key);
  return set;
}

/** Each member goes to the partition its id hashes to, as Java's `abs(hashCode % n)`. */
function hashPlacement(memberIds: readonly string[], targets: readonly Key[]): Map<Key, string[]> {
  const placed = new Map<Key, string[]>();
  if (targets.length === 0) return placed;
  for (const id of memberIds) {
    push(placed, targets[Math.abs(javaHash(id) % targets.length)], id);
  }
  return placed;
}

function assignHomogeneous(
  members: readonly ShareAssignorMember[],
  targets: readonly Key[],
  current: Map<Key, string[]>,
): Map<string, Set<Key>> {
  const ids = members.map((m) => m.memberId);
  const topics = new Set(members[0].topicIds);
  const result = new Map<string, Set<Key>>();
  if (topics.size === 0) return result;
  const desired = Math.ceil(targets.length / ids.length);
  const placed = hashPlacement(ids, targets);
  const covered = new Set<Key>();
  for (const [key, owners] of placed) {
    for (const id of owners) addTo(result, id, key);
    covered.add(key);
  }
  // Members keep their previous partitions up to an even share.
  for (const [key, owners] of current) {
    if (!topics.has(split(key)[0]) || placed.has(key)) continue;
    for (const id of owners) {
      if (!ids.includes(id) || (result.get(id)?.size ?? 0) >= desired) continue;
      addTo(result, id, key);
      covered.add(key);
    }
  }
  // The partitions left go round the members; one whose share is more than full drops out. (As
  // Kafka, a member with exactly its share may take one more.)
  const rotation = [...ids];
  let turn = 0;
  for (const key of targets.filter((k) => !covered.has(k))) {
    for (;;) {
      if (rotation.length === 0) return result;
      turn %= rotation.length;
      const id = rotation[turn];
      if ((result.get(id)?.size ?? 0) <= desired) {
        addTo(result, id, key);
        turn++;
        break;
      }
      rotation.splice(turn, 1);
    }
  }
  return result;
}

function assignHeterogeneous(
  members: readonly ShareAssignorMember[],
  targets: (topicIds: readonly string[]) => Key[],
  current: Map<Key, string[]>,
): Map<string, Set<Key>> {
  const subscribers = new Map<string, string[]>();
  const placed = new Map<Key, string[]>();
  const all: Key[] = [];
  for (const m of members) {
    if (m.topicIds.length === 0) continue;
    const mine = targets(m.topicIds);
    for (const t of new Set(mine.map((k) => split(k)[0]))) push(subscribers, t, m.memberId);
    for (const [key, owners] of hashPlacement([m.memberId], mine)) {
      for (const id of owners) push(placed, key, id);
    }
    for (const key of mine) if (!all.includes(key)) all.push(key);
  }
  // Partitions neither placed nor held before go round their topic's subscribers.
  const unassigned = new Map<string, Key[]>();
  for (const key of all) {
    if (!placed.has(key) && !current.has(key)) push(unassigned, split(key)[0], key);
  }
  for (const [topicId, keys] of unassigned) {
    const ids = subscribers.get(topicId)!;
    keys.forEach((key, i) => push(placed, key, ids[i % ids.length]));
  }
  const result = new Map<string, Set<Key>>();
  for (const [key, owners] of placed) for (const id of owners) addTo(result, id, key);
  // Members keep partitions they held, of topics they still subscribe to, that nobody was placed on.
  for (const [key, owners] of current) {
    if (placed.has(key)) continue;
    for (const id of owners) {
      if (subscribers.get(split(key)[0])?.includes(id)) addTo(result, id, key);
    }
  }
  return result;
}
