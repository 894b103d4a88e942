/**
 * Control API routes for faults: inject, list with their hit counts, cancel, clear, fault plans,
 * stopping and restarting nodes, moving a partition's leader.
 *
 * @module
 */

import { clusterOf, nodesOf } from "../broker_internals.ts";
import type { FaultSpec } from "../faults/faults.ts";
import { FaultSpecError } from "../faults/faults.ts";
import { parseFaultPlan } from "../faults/faults_plan.ts";
import { checkFields, checkQuery, HttpError, integerParam, json, readJson } from "./http.ts";
import type { ControlState, RegisteredFault, Route } from "./routes.ts";
import { partitionView } from "./topic_routes.ts";

const FAULT_KINDS = ["error", "latency", "drop", "close"];

function faultView(f: RegisteredFault) {
  const remaining = f.handle.remaining;
  return {
    id: f.id,
    ...f.spec,
    hits: f.handle.hits,
    remaining: remaining === Infinity ? "unlimited" : remaining,
    active: remaining > 0,
    createdAt: f.createdAt,
  };
}

/** Checks a fault as the plan parser does, with the extra type checks a JSON body needs. */
function checkFault(body: unknown, nodes: number): FaultSpec {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new HttpError(400, "The body must be a JSON object");
  }
  const b = body as Record<string, unknown>;
  if (typeof b.kind !== "string" || !FAULT_KINDS.includes(b.kind)) {
    throw new HttpError(400, `Field 'kind' must be one of ${FAULT_KINDS.join(", ")}`);
  }
  if ("atMs" in b) throw new HttpError(400, "Unknown field 'atMs' (use POST /fault-plans)");
  checkStep(b, undefined);
  if (typeof b.nodeId === "number" && b.nodeId > nodes) {
    throw new HttpError(404, `No node ${b.nodeId}: node ids are 1..${nodes}`);
  }
  return b as unknown as FaultSpec;
}

/** A plan step's checks, with the messages made one line about the body. */
function checkStep(step: Record<string, unknown>, index: number | undefined): void {
  for (const [key, type] of [["clientId", "string"], ["errorCode", "string|number"]]) {
    const v = step[key];
    if (v !== undefined && !type.split("|").includes(typeof v)) {
      throw new HttpError(400, `Field '${key}' must be a ${type.replace("|", " or ")}`);
    }
  }
  for (const key of ["nodeId", "partition", "count", "skip"]) {
    const v = step[key];
    if (v !== undefined && v !== "unlimited" && !Number.isSafeInteger(v)) {
      throw new HttpError(400, `Field '${key}' must be an integer`);
    }
  }
  if (step.partition !== undefined && step.topic === undefined) {
    const message = "Field 'partition' needs 'topic'";
    throw new HttpError(400, index === undefined ? message : `Step ${index}: ${message}`);
  }
  try {
    parseFaultPlan([step]);
  } catch (e) {
    if (!(e instanceof FaultSpecError)) throw e;
    const message = e.message.replace(/^Fault step 0: /, "");
    throw new HttpError(400, index === undefined ? message : `Step ${index}: ${message}`);
  }
}

function faultOf(state: ControlState, id: string): RegisteredFault {
  const n = integerParam("id", id, { min: 1 })!;
  const fault = state.faults.get(n);
  if (!fault) throw new HttpError(404, `No fault ${n}`);
  return fault;
}

function nodeView(state: ControlState, nodeId: number) {
  const node = nodesOf(state.broker).find((n) => n.info.nodeId === nodeId)!;
  return {
    nodeId,
    host: node.info.host,
    port: node.info.port,
    running: node.listening,
    controller: clusterOf(state.broker).controllerId === nodeId,
  };
}

function nodeParam(state: ControlState, value: string): number {
  const count = state.broker.nodes.length;
  const id = integerParam("nodeId", value, { min: 1 })!;
  if (id > count) throw new HttpError(404, `No node ${id}: node ids are 1..${count}`);
  return id;
}

/**
 * The fault routes.
 *
 * @example
 * ```ts
 * import { FAULT_ROUTES } from "./fault_routes.ts";
 * console.log(FAULT_ROUTES.map((r) => `${r.method} ${r.path}`));
 * ```
 */
export const FAULT_ROUTES: Route[] = [
  {
    method: "GET",
    path: "/faults",
    handle: ({ url, state }) => {
      checkQuery(url, []);
      return json({ faults: [...state.faults.values()].map(faultView) });
    },
  },
  {
    method: "POST",
    path: "/faults",
    handle: async ({ req, state }) => {
      const spec = checkFault(await readJson(req), state.broker.nodes.length);
      const handle = state.broker.inject(structuredClone(spec));
      const fault = {
        id: state.nextFaultId++,
        spec,
        handle,
        createdAt: new Date().toISOString(),
      };
      state.faults.set(fault.id, fault);
      return json(faultView(fault), 201);
    },
  },
  {
    method: "DELETE",
    path: "/faults",
    handle: ({ state }) => {
      state.broker.clearFaults();
      const cleared = state.faults.size;
      state.faults.clear();
      return json({ cleared });
    },
  },
  {
    method: "GET",
    path: "/faults/{id}",
    handle: ({ params, state }) => json(faultView(faultOf(state, params.id))),
  },
  {
    method: "DELETE",
    path: "/faults/{id}",
    handle: ({ params, state }) => {
      const fault = faultOf(state, params.id);
      fault.handle.cancel();
      return json(faultView(fault));
    },
  },
  {
    method: "POST",
    path: "/fault-plans",
    handle: async ({ req, state }) => {
      const body = await readJson(req);
      const steps = Array.isArray(body) ? body : (body as { faults?: unknown } | null)?.faults;
      if (!Array.isArray(steps)) {
        throw new HttpError(400, 'A fault plan is an array of steps or {"faults": [...]}');
      }
      if (!Array.isArray(body) && Object.keys(body as object).length !== 1) {
        throw new HttpError(400, "A fault plan object has only the field 'faults'");
      }
      steps.forEach((step, i) => {
        if (typeof step !== "object" || step === null || Array.isArray(step)) {
          throw new HttpError(400, `Step ${i}: not an object`);
        }
        checkStep(step, i);
        const nodeId = (step as { nodeId?: number }).nodeId;
        if (nodeId !== undefined && nodeId > state.broker.nodes.length) {
          throw new HttpError(404, `Step ${i}: no node ${nodeId}`);
        }
      });
      // Steps run unattended; their failures go to the broker's log.
      state.broker.runFaultPlan(steps);
      return json({ steps: steps.length }, 202);
    },
  },
  {
    method: "GET",
    path: "/nodes",
    handle: ({ state }) =>
      json({ nodes: nodesOf(state.broker).map((n) => nodeView(state, n.info.nodeId)) }),
  },
  {
    method: "POST",
    path: "/nodes/{nodeId}/stop",
    handle: async ({ params, state }) => {
      const id = nodeParam(state, params.nodeId);
      if (state.broker.isRunning(id)) await state.broker.stopNode(id);
      return json(nodeView(state, id));
    },
  },
  {
    method: "POST",
    path: "/nodes/{nodeId}/restart",
    handle: async ({ params, state }) => {
      const id = nodeParam(state, params.nodeId);
      if (!state.broker.isRunning(id)) await state.broker.restartNode(id);
      return json(nodeView(state, id));
    },
  },
  {
    method: "POST",
    path: "/topics/{topic}/partitions/{partition}/leader",
    handle: async ({ req, params, state }) => {
      const body = checkFields(await readJson(req), {
        nodeId: { type: "integer", required: true, min: 1 },
      });
      const index = integerParam("partition", params.partition)!;
      const p = clusterOf(state.broker).partition(params.topic, index);
      if (!p) throw new HttpError(404, `Unknown partition ${params.topic}-${index}`);
      try {
        state.broker.moveLeader(params.topic, index, body.nodeId as number);
      } catch (e) {
        throw new HttpError(409, (e as Error).message);
      }
      return json(partitionView(p));
    },
  },
];
