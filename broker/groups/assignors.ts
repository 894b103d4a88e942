/**
 * The server-side assignors of consumer groups (KIP-848): "uniform" (Kafka's default) and
 * "range". Both work on topic ids and see the group's previous target assignment, so that
 * "uniform" moves as few partitions as it can.
 *
 * @module
 */

/** Partitions by topic id. */
export type TopicPartitions = Map<string, Set<number>>;

/** What an assignor knows of one member. */
export interface AssignorMember {
  readonly memberId: string;
  readonly instanceId: string | null;
  /** The ids of the existing topics it subscribes to. */
  readonly topicIds: readonly string[];
  /** Its partitions in the previous target assignment. */
  readonly previous: TopicPartitions;
}

/** An assignor: members in join order, and the partition count of a topic id. */
export type Assignor = (
  members: readonly AssignorMember[],
  partitionCount: (topicId: string) => number,
) => Map<string, TopicPartitions>;

/** Every member subscribes to the same topics. */
function homogeneous(members: readonly AssignorMember[]): boolean {
  const first = new Set(members[0].topicIds);
  return members.every((m) =>
    m.topicIds.length === first.size && m.topicIds.every((t) => first.has(t))
  );
}

function add(assignment: TopicPartitions, topicId: string, partition: number): void {
  let set = assignment.get(topicId);
  if (!set) assignment.set(topicId, set = new Set());
  set.add(partition);
}

/**
 * The uniform assignor for a homogeneous group: each member keeps what it had up to its quota
 * (total / members, the first `total % members` quotas one larger), then the partitions left go to
 * the members below quota, in order.
 */
function uniformHomogeneous(
  members: readonly AssignorMember[],
  partitionCount: (topicId: string) => number,
): Map<string, TopicPartitions> {
  const topics = members[0].topicIds;
  const result = new Map<string, TopicPartitions>();
  if (topics.length === 0) {
    for (const m of members) result.set(m.memberId, new Map());
    return result;
  }
  const taken = new Set<string>();
  for (const m of members) {
    for (const [topicId, ps] of m.previous) {
      if (topics.includes(topicId)) { for (const p of ps) taken.add(`${topicId}:${p}`); }
    }
  }
  const free: [string, number][] = [];
  let total = 0;
  for (const topicId of topics) {
    const count = partitionCount(topicId);
    total += count;
    for (let p = 0; p < count; p++) if (!taken.has(`${topicId}:${p}`)) free.push([topicId, p]);
  }
  const minimum = Math.floor(total / members.length);
  let extras = total % members.length;
  const unfilled: [string, number][] = [];
  members.forEach((m, index) => {
    let quota = minimum;
    let hasExtra = false;
    if (extras > 0) {
      quota++;
      hasExtra = true;
    }
    const kept: TopicPartitions = new Map();
    for (const [topicId, ps] of m.previous) {
      if (!topics.includes(topicId)) continue;
      for (const p of [...ps].sort((a, b) => a - b)) {
        if (p >= partitionCount(topicId)) continue;
        if (quota > 0) {
          quota--;
          add(kept, topicId, p);
        } else {
          free.push([topicId, p]);
        }
      }
    }
    // A member that cannot reach the larger quota leaves the extra partition to a later member,
    // as long as enough members remain to take every extra.
    if (quota > 0 && hasExtra && members.length - index > extras) {
      quota--;
      hasExtra = false;
    }
    if (quota > 0) unfilled.push([m.memberId, quota]);
    if (hasExtra) extras--;
    result.set(m.memberId, kept);
  });
  let next = 0;
  for (const [memberId, quota] of unfilled) {
    const assignment = result.get(memberId)!;
    for (let i = 0; i < quota && next < free.length; i++, next++) {
      add(assignment, free[next][0], free[next][1]);
    }
  }
  return result;
}

/**
 * The uniform assignor when members subscribe to different topics: each keeps its previous
 * partitions of topics it still subscribes to; the others go one by one to the least loaded
 * subscriber; then partitions move from a member to a subscriber with two fewer until balanced.
 */
function uniformHeterogeneous(
  members: readonly AssignorMember[],
  partitionCount: (topicId: string) => number,
): Map<string, TopicPartitions> {
  const result = new Map<string, TopicPartitions>();
  const load = new Map<string, number>();
  const owner = new Map<string, string>();
  for (const m of members) {
    const kept: TopicPartitions = new Map();
    let n = 0;
    for (const [topicId, ps] of m.previous) {
      if (!m.topicIds.includes(topicId)) continue;
      for (const p of ps) {
        const key = `${topicId}:${p}`;
        if (p >= partitionCount(topicId) || owner.has(key)) continue;
        owner.set(key, m.memberId);
        add(kept, topicId, p);
        n++;
      }
    }
    result.set(m.memberId, kept);
    load.set(m.memberId, n);
  }
  const topics = [...new Set(members.flatMap((m) => m.topicIds))].sort();
  const subscribers = new Map(
    topics.map((t) => [t, members.filter((m) => m.topicIds.includes(t))]),
  );
  const leastLoaded = (candidates: readonly AssignorMember[]) =>
    candidates.reduce((best, m) => load.get(m.memberId)! < load.get(best.memberId)! ? m : best);
  for (const topicId of topics) {
    for (let p = 0; p < partitionCount(topicId); p++) {
      if (owner.has(`${topicId}:${p}`)) continue;
      const to = leastLoaded(subscribers.get(topicId)!);
      add(result.get(to.memberId)!, topicId, p);
      load.set(to.memberId, load.get(to.memberId)! + 1);
      owner.set(`${topicId}:${p}`, to.memberId);
    }
  }
  // Each move lowers the spread of loads, so this ends; the bound is a guard.
  for (let moved = true, rounds = 0; moved && rounds < 10_000; rounds++) {
    moved = false;
    for (const topicId of topics) {
      for (let p = 0; p < partitionCount(topicId) && !moved; p++) {
        const from = owner.get(`${topicId}:${p}`)!;
        const to = leastLoaded(subscribers.get(topicId)!);
        if (load.get(from)! - load.get(to.memberId)! < 2) continue;
        result.get(from)!.get(topicId)!.delete(p);
        if (result.get(from)!.get(topicId)!.size === 0) result.get(from)!.delete(topicId);
        add(result.get(to.memberId)!, topicId, p);
        load.set(from, load.get(from)! - 1);
        load.set(to.memberId, load.get(to.memberId)! + 1);
        owner.set(`${topicId}:${p}`, to.memberId);
        moved = true;
      }
    }
  }
  return result;
}

/** Kafka's "uniform" assignor. */
export const uniformAssignor: Assignor = (members, partitionCount) =>
  members.length === 0
    ? new Map()
    : homogeneous(members)
    ? uniformHomogeneous(members, partitionCount)
    : uniformHeterogeneous(members, partitionCount);

/**
 * Kafka's "range" assignor: static members first by instance id, then the others by member id;
 * each topic's partitions cut into consecutive ranges among its subscribers, the first
 * `partitions % subscribers` ranges one longer.
 */
export const rangeAssignor: Assignor = (members, partitionCount) => {
  const sorted = [...members].sort((a, b) => {
    if (a.instanceId !== null && b.instanceId !== null) return compare(a.instanceId, b.instanceId);
    if (a.instanceId !== null) return -1;
    if (b.instanceId !== null) return 1;
    return compare(a.memberId, b.memberId);
  });
  const ranges = new Map<string, { next: number; minimum: number; extras: number }>();
  for (const m of sorted) {
    for (const t of m.topicIds) {
      if (!ranges.has(t)) {
        const subscribers = sorted.filter((x) => x.topicIds.includes(t)).length;
        const count = partitionCount(t);
        ranges.set(t, {
          next: 0,
          minimum: Math.floor(count / subscribers),
          extras: count % subscribers,
        });
      }
    }
  }
  const result = new Map<string, TopicPartitions>();
  for (const m of sorted) {
    const assignment: TopicPartitions = new Map();
    for (const t of m.topicIds) {
      const range = ranges.get(t)!;
      let quota = range.minimum;
      if (range.extras > 0) {
        quota++;
        range.extras--;
      }
      const end = Math.min(range.next + quota, partitionCount(t));
      for (let p = range.next; p < end; p++) add(assignment, t, p);
      range.next = end;
    }
    result.set(m.memberId, assignment);
  }
  return result;
};

/** Java's String.compareTo for the ids at hand (UTF-16 code units). */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The assignors a consumer group may name, by name. */
export const SERVER_ASSIGNORS: ReadonlyMap<string, Assignor> = new Map([
  ["uniform", uniformAssignor],
  ["range", rangeAssignor],
]);
