/**
 * Fault plans: a list of faults and node events with the time they start, as JSON files give them to
 * the broker CLI's `--faults` option.
 *
 * @module
 */

import { type FaultSpec, FaultSpecError, resolveApiKey, resolveErrorCode } from "./faults.ts";

/** When a planned step starts: `atMs` milliseconds after the plan is loaded. Default 0 (at once). */
export interface PlanTiming {
  /** Milliseconds after the plan is loaded; default 0. */
  atMs?: number;
}

/** One step of a fault plan. */
export type FaultPlanStep =
  | FaultSpec & PlanTiming
  /** Stop a node; restart it `forMs` later when given. */
  | { kind: "stopNode"; nodeId: number; forMs?: number } & PlanTiming
  /** Restart a stopped node. */
  | { kind: "restartNode"; nodeId: number } & PlanTiming
  /** Move a partition's leadership to another replica. */
  | { kind: "moveLeader"; topic: string; partition: number; nodeId: number } & PlanTiming;

/** A fault plan: `{ "faults": [ ...steps ] }`, or just the array of steps. */
export type FaultPlan = { faults: FaultPlanStep[] } | FaultPlanStep[];

const KINDS = ["error", "latency", "drop", "close", "stopNode", "restartNode", "moveLeader"];
const SCOPE_KEYS = ["apiKey", "nodeId", "topic", "partition", "clientId", "count", "skip", "atMs"];
const KEYS: Record<string, string[]> = {
  error: [...SCOPE_KEYS, "errorCode"],
  latency: [...SCOPE_KEYS, "ms", "jitterMs"],
  drop: [...SCOPE_KEYS, "closeAfterMs"],
  close: [...SCOPE_KEYS, "when"],
  stopNode: ["nodeId", "forMs", "atMs"],
  restartNode: ["nodeId", "atMs"],
  moveLeader: ["topic", "partition", "nodeId", "atMs"],
};

/**
 * Checks a parsed fault plan and returns its steps; throws a {@linkcode FaultSpecError} naming the
 * first step that is wrong.
 *
 * @example
 * ```ts
 * import { parseFaultPlan } from "@brook/kafka/broker";
 * const steps = parseFaultPlan({
 *   faults: [{ kind: "error", apiKey: "Produce", errorCode: "NOT_LEADER_OR_FOLLOWER", count: 2 }],
 * });
 * ```
 */
export function parseFaultPlan(plan: unknown): FaultPlanStep[] {
  const steps = Array.isArray(plan) ? plan : (plan as { faults?: unknown } | null)?.faults;
  if (!Array.isArray(steps)) {
    throw new FaultSpecError('A fault plan is an array of steps or { "faults": [...] }');
  }
  steps.forEach((step, i) => checkStep(step, i));
  return steps as FaultPlanStep[];
}

function checkStep(step: unknown, i: number): void {
  const fail = (why: string) => {
    throw new FaultSpecError(`Fault step ${i}: ${why}`);
  };
  if (typeof step !== "object" || step === null) fail("not an object");
  const s = step as Record<string, unknown>;
  if (typeof s.kind !== "string" || !KINDS.includes(s.kind)) {
    fail(`kind must be one of ${KINDS.join(", ")}`);
  }
  const kind = s.kind as string;
  for (const key of Object.keys(s)) {
    if (key !== "kind" && !KEYS[kind].includes(key)) fail(`unknown field '${key}' for ${kind}`);
  }
  const number = (key: string, required: boolean, min = 0) => {
    const v = s[key];
    if (v === undefined && !required) return;
    if (typeof v !== "number" || !Number.isFinite(v) || v < min) {
      fail(`${key} must be a number >= ${min}`);
    }
  };
  number("atMs", false);
  try {
    if (s.apiKey !== undefined) resolveApiKey(s.apiKey as number);
    if (kind === "error") {
      if (s.errorCode === undefined) fail("errorCode is required");
      resolveErrorCode(s.errorCode as number);
    }
  } catch (e) {
    fail((e as Error).message);
  }
  if (kind === "latency") {
    number("ms", true);
    number("jitterMs", false);
  }
  if (kind === "drop") number("closeAfterMs", false);
  if (s.count !== undefined && s.count !== "unlimited") number("count", true, 1);
  number("skip", false);
  number("partition", false);
  if (s.topic !== undefined && typeof s.topic !== "string") fail("topic must be a string");
  if (s.when !== undefined && s.when !== "before" && s.when !== "after") {
    fail('when must be "before" or "after"');
  }
  if (kind === "stopNode" || kind === "restartNode" || kind === "moveLeader") {
    number("nodeId", true, 1);
  }
  if (kind === "stopNode") number("forMs", false);
  if (kind === "moveLeader") {
    if (typeof s.topic !== "string") fail("topic is required");
    number("partition", true);
  }
}
