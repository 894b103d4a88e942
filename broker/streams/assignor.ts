/**
 * Kafka's default task assignor for streams groups ("sticky"): active tasks stay with the member
 * that ran them (or held them as standby) while it is under its share, the rest go to the least
 * loaded process and its least loaded member; standbys (streams.num.standby.replicas) go to other processes, stickily first. As in
 * Kafka 4.4, stateful and stateless active tasks share one quota. Rack-aware standby placement
 * (client tags) is not done.
 *
 * @module
 */

import { splitTask, type TaskKey, taskKey } from "./tasks.ts";
import { hashSetOrder } from "../metadata/java_hash_set.ts";

/** A member as the assignor sees it. */
export interface AssignorMember {
  memberId: string;
  processId: string;
  /** Active tasks it holds now (or is being given). */
  active: ReadonlySet<TaskKey>;
  /** Standby and warm-up tasks it holds now. */
  standby: ReadonlySet<TaskKey>;
}

/** A subtopology as the assignor sees it. */
export interface AssignorSubtopology {
  subtopologyId: string;
  tasks: number;
  stateful: boolean;
}

/** The assignment of one member. */
export interface MemberTasks {
  active: Set<TaskKey>;
  standby: Set<TaskKey>;
}

/** A process and the tasks its members get. */
class Process {
  readonly processId: string;
  readonly counts = new Map<string, number>();
  readonly active = new Map<string, Set<TaskKey>>();
  readonly standby = new Map<string, Set<TaskKey>>();
  readonly tasks = new Set<TaskKey>();
  #total = 0;

  constructor(processId: string) {
    this.processId = processId;
  }

  addMember(memberId: string): void {
    this.counts.set(memberId, 0);
    this.active.set(memberId, new Set());
    this.standby.set(memberId, new Set());
  }

  get load(): number {
    return this.#total / this.counts.size;
  }

  addTask(memberId: string, task: TaskKey, active: boolean): number {
    (active ? this.active : this.standby).get(memberId)!.add(task);
    this.tasks.add(task);
    this.#total++;
    const n = this.counts.get(memberId)! + 1;
    this.counts.set(memberId, n);
    return n;
  }

  leastLoadedMember(): string {
    let best: string | undefined;
    for (const [id, n] of this.counts) {
      if (best === undefined || n < this.counts.get(best)!) best = id;
    }
    return best!;
  }
}

/** A binary heap that breaks ties as Java's PriorityQueue does (the earlier element stays up). */
class Heap<T> {
  readonly #items: T[] = [];
  readonly #less: (a: T, b: T) => number;
  constructor(less: (a: T, b: T) => number, items: Iterable<T>) {
    this.#less = less;
    for (const x of items) this.push(x);
  }
  get size(): number {
    return this.#items.length;
  }
  push(x: T): void {
    const q = this.#items;
    let k = q.length;
    q.push(x);
    while (k > 0) {
      const parent = (k - 1) >>> 1;
      if (this.#less(x, q[parent]) >= 0) break;
      q[k] = q[parent];
      k = parent;
    }
    q[k] = x;
  }
  pop(): T | undefined {
    const q = this.#items;
    if (q.length === 0) return undefined;
    const top = q[0];
    const last = q.pop()!;
    if (q.length > 0) {
      let k = 0;
      const half = q.length >>> 1;
      while (k < half) {
        let child = 2 * k + 1;
        const right = child + 1;
        if (right < q.length && this.#less(q[child], q[right]) > 0) child = right;
        if (this.#less(last, q[child]) <= 0) break;
        q[k] = q[child];
        k = child;
      }
      q[k] = last;
    }
    return top;
  }
}

const byLoad = (a: Process, b: Process) => Math.sign(a.load - b.load);

const perMember = (tasks: number, members: number) => members <= 0 ? 0 : Math.ceil(tasks / members);

/**
 * Assigns a group's tasks to its members.
 *
 * @example
 * ```ts
 * const out = assignTasks(
 *   [{ memberId: "m1", processId: "p1", active: new Set(), standby: new Set() }],
 *   [{ subtopologyId: "0", tasks: 2, stateful: false }],
 * );
 * out.get("m1")!.active.size; // 2
 * ```
 */
export function assignTasks(
  members: readonly AssignorMember[],
  subtopologies: readonly AssignorSubtopology[],
  options: { numStandbyReplicas?: number } = {},
): Map<string, MemberTasks> {
  const standbys = options.numStandbyReplicas ?? 0;
  const stateful: TaskKey[] = [];
  const stateless: TaskKey[] = [];
  let totalTasks = 0;
  for (const s of subtopologies) {
    for (let p = 0; p < s.tasks; p++) {
      (s.stateful ? stateful : stateless).push(taskKey(s.subtopologyId, p));
    }
    totalTasks += s.tasks * (s.stateful ? 1 + standbys : 1);
  }
  const processes = new Map<string, Process>();
  for (const pid of hashSetOrder([...new Set(members.map((m) => m.processId))])) {
    processes.set(pid, new Process(pid));
  }
  const prevActive = new Map<TaskKey, AssignorMember>();
  const prevStandby = new Map<TaskKey, AssignorMember[]>();
  for (const m of members) {
    processes.get(m.processId)!.addMember(m.memberId);
    for (const t of m.active) prevActive.set(t, m);
    for (const t of m.standby) {
      const list = prevStandby.get(t) ?? [];
      list.push(m);
      prevStandby.set(t, list);
    }
  }
  const quota = {
    active: { tasks: stateful.length + stateless.length, members: members.length, per: 0 },
    total: { tasks: totalTasks, members: members.length, per: 0 },
  };
  for (const q of Object.values(quota)) q.per = perMember(q.tasks, q.members);
  const fill = (q: { tasks: number; members: number; per: number }, n: number) => {
    if (n !== q.per) return;
    q.members--;
    q.tasks -= n;
    q.per = perMember(q.tasks, q.members);
  };

  // Kafka 4.4's sticky assignor places stateful and stateless active tasks in one pass.
  const assignActive = (tasks: TaskKey[]) => {
    const room = (p: Process, m: AssignorMember) => p.counts.get(m.memberId)! < quota.active.per;
    const add = (p: Process, memberId: string, t: TaskKey) => {
      const n = p.addTask(memberId, t, true);
      fill(quota.active, n);
      fill(quota.total, n);
    };
    tasks.sort(byPartitionThenSubtopology);
    const rest: TaskKey[] = [];
    for (const t of tasks) {
      const prev = prevActive.get(t);
      const p = prev && processes.get(prev.processId)!;
      if (prev && p && room(p, prev)) add(p, prev.memberId, t);
      else rest.push(t);
    }
    const left: TaskKey[] = [];
    for (const t of rest) {
      const prev = leastLoadedPrevious(prevStandby.get(t), processes, null);
      const p = prev && processes.get(prev.processId)!;
      if (prev && p && room(p, prev)) add(p, prev.memberId, t);
      else left.push(t);
    }
    left.sort(bySubtopologyThenPartition);
    const heap = new Heap(byLoad, processes.values());
    for (const t of left) {
      const p = heap.pop()!;
      add(p, p.leastLoadedMember(), t);
      heap.push(p);
    }
  };

  if (members.length > 0) {
    assignActive([...stateful, ...stateless]);
    if (standbys > 0) {
      const toLeastLoaded: { task: TaskKey; remaining: number }[] = [];
      const tasks = [...stateful].sort(byPartitionThenSubtopology).reverse();
      for (const t of tasks) {
        let remaining = standbys;
        for (const prev of prevStandby.get(t) ?? []) {
          if (remaining === 0) break;
          const p = processes.get(prev.processId)!;
          if (p.tasks.has(t) || p.counts.get(prev.memberId)! >= quota.total.per) continue;
          fill(quota.total, p.addTask(prev.memberId, t, false));
          remaining--;
        }
        if (remaining > 0) toLeastLoaded.push({ task: t, remaining });
      }
      toLeastLoaded.sort((a, b) => bySubtopologyThenPartition(a.task, b.task)).reverse();
      const heap = new Heap(
        (a: Process, b: Process) => Math.sign(a.load - b.load),
        processes.values(),
      );
      for (const { task, remaining } of toLeastLoaded) {
        for (let i = 0; i < remaining; i++) {
          if (!standbyToLeastLoaded(heap, task, (n) => fill(quota.total, n))) break;
        }
      }
    }
  }
  const out = new Map<string, MemberTasks>();
  for (const p of processes.values()) {
    for (const id of p.counts.keys()) {
      out.set(id, { active: p.active.get(id)!, standby: p.standby.get(id)! });
    }
  }
  return out;
}

function standbyToLeastLoaded(
  heap: Heap<Process>,
  task: TaskKey,
  filled: (n: number) => void,
): boolean {
  const p = heap.pop();
  if (!p) return false;
  let found = false;
  if (!p.tasks.has(task)) {
    filled(p.addTask(p.leastLoadedMember(), task, false));
    found = true;
  } else if (heap.size > 0) {
    found = standbyToLeastLoaded(heap, task, filled);
  }
  heap.push(p);
  return found;
}

function leastLoadedPrevious(
  members: AssignorMember[] | undefined,
  processes: Map<string, Process>,
  task: TaskKey | null,
): AssignorMember | undefined {
  let best: AssignorMember | undefined;
  let bestProcessLoad = Infinity, bestMemberLoad = Infinity;
  for (const m of members ?? []) {
    const p = processes.get(m.processId)!;
    if (task !== null && p.tasks.has(task)) continue;
    const processLoad = p.load, memberLoad = p.counts.get(m.memberId)!;
    if (!best || (processLoad < bestProcessLoad && memberLoad < bestMemberLoad)) {
      best = m;
      bestProcessLoad = processLoad;
      bestMemberLoad = memberLoad;
    }
  }
  return best;
}

function byPartitionThenSubtopology(a: TaskKey, b: TaskKey): number {
  const [sa, pa] = splitTask(a), [sb, pb] = splitTask(b);
  return pa - pb || (sa < sb ? -1 : sa > sb ? 1 : 0);
}

function bySubtopologyThenPartition(a: TaskKey, b: TaskKey): number {
  const [sa, pa] = splitTask(a), [sb, pb] = splitTask(b);
  return (sa < sb ? -1 : sa > sb ? 1 : 0) || pa - pb;
}
