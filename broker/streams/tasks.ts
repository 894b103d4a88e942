/**
 * Sets of streams tasks (a subtopology and a partition) by role, and the wire form Kafka gives them:
 * subtopologies in the order of Kafka's hash map of their ids, partitions ascending.
 *
 * @module
 */

import { hashSetOrder } from "../metadata/java_hash_set.ts";

/** A task's key: its subtopology id and partition, joined by a NUL. */
export type TaskKey = string;

/** A member's tasks by role. */
export interface Tasks {
  active: Set<TaskKey>;
  standby: Set<TaskKey>;
  warmup: Set<TaskKey>;
}

/** Tasks in the wire form of the heartbeat and describe messages. */
export interface WireTaskIds {
  subtopologyId: string;
  partitions: number[];
}

/**
 * The key of a task.
 *
 * @example
 * ```ts
 * taskKey("0", 2); // "0\u00002"
 * ```
 */
export function taskKey(subtopologyId: string, partition: number): TaskKey {
  return `${subtopologyId}\0${partition}`;
}

/**
 * A task key's subtopology id and partition.
 *
 * @example
 * ```ts
 * splitTask(taskKey("0", 2)); // ["0", 2]
 * ```
 */
export function splitTask(key: TaskKey): [string, number] {
  const at = key.lastIndexOf("\0");
  return [key.slice(0, at), Number(key.slice(at + 1))];
}

/**
 * No tasks.
 *
 * @example
 * ```ts
 * noTasks().active.size; // 0
 * ```
 */
export function noTasks(): Tasks {
  return { active: new Set(), standby: new Set(), warmup: new Set() };
}

/**
 * Tasks from the wire form (null lists read as empty).
 *
 * @example
 * ```ts
 * fromWire([{ subtopologyId: "0", partitions: [0, 1] }], [], []).active.size; // 2
 * ```
 */
export function fromWire(
  active: readonly WireTaskIds[] | null,
  standby: readonly WireTaskIds[] | null,
  warmup: readonly WireTaskIds[] | null,
): Tasks {
  const set = (ids: readonly WireTaskIds[] | null) =>
    new Set((ids ?? []).flatMap((t) => t.partitions.map((p) => taskKey(t.subtopologyId, p))));
  return { active: set(active), standby: set(standby), warmup: set(warmup) };
}

/**
 * One role's tasks in the wire form.
 *
 * @example
 * ```ts
 * toWire(new Set([taskKey("0", 1), taskKey("0", 0)])); // [{ subtopologyId: "0", partitions: [0, 1] }]
 * ```
 */
export function toWire(tasks: ReadonlySet<TaskKey>): WireTaskIds[] {
  const bySubtopology = new Map<string, number[]>();
  for (const key of tasks) {
    const [id, partition] = splitTask(key);
    const list = bySubtopology.get(id) ?? [];
    list.push(partition);
    bySubtopology.set(id, list);
  }
  return hashSetOrder([...bySubtopology.keys()]).map((subtopologyId) => ({
    subtopologyId,
    partitions: bySubtopology.get(subtopologyId)!.sort((a, b) => a - b),
  }));
}

/**
 * Whether two sets of tasks hold the same tasks in every role.
 *
 * @example
 * ```ts
 * sameTasks(noTasks(), noTasks()); // true
 * ```
 */
export function sameTasks(a: Tasks, b: Tasks): boolean {
  const same = (x: Set<TaskKey>, y: Set<TaskKey>) =>
    x.size === y.size && [...x].every((k) => y.has(k));
  return same(a.active, b.active) && same(a.standby, b.standby) && same(a.warmup, b.warmup);
}

/**
 * The tasks of `a` that `b` also holds in the same role.
 *
 * @example
 * ```ts
 * intersect(noTasks(), noTasks()).active.size; // 0
 * ```
 */
export function intersect(a: Tasks, b: Tasks): Tasks {
  const both = (x: Set<TaskKey>, y: Set<TaskKey>) => new Set([...x].filter((k) => y.has(k)));
  return {
    active: both(a.active, b.active),
    standby: both(a.standby, b.standby),
    warmup: both(a.warmup, b.warmup),
  };
}

/**
 * The tasks of `a` that `b` does not hold in the same role.
 *
 * @example
 * ```ts
 * minus(noTasks(), noTasks()).active.size; // 0
 * ```
 */
export function minus(a: Tasks, b: Tasks): Tasks {
  const rest = (x: Set<TaskKey>, y: Set<TaskKey>) => new Set([...x].filter((k) => !y.has(k)));
  return {
    active: rest(a.active, b.active),
    standby: rest(a.standby, b.standby),
    warmup: rest(a.warmup, b.warmup),
  };
}

/**
 * Whether a set of tasks is empty in every role.
 *
 * @example
 * ```ts
 * isEmpty(noTasks()); // true
 * ```
 */
export function isEmpty(t: Tasks): boolean {
  return t.active.size === 0 && t.standby.size === 0 && t.warmup.size === 0;
}

/**
 * A set of tasks in the wire form of all three roles.
 *
 * @example
 * ```ts
 * tasksToWire(noTasks()); // { activeTasks: [], standbyTasks: [], warmupTasks: [] }
 * ```
 */
export function tasksToWire(
  t: Tasks,
): { activeTasks: WireTaskIds[]; standbyTasks: WireTaskIds[]; warmupTasks: WireTaskIds[] } {
  return {
    activeTasks: toWire(t.active),
    standbyTasks: toWire(t.standby),
    warmupTasks: toWire(t.warmup),
  };
}
