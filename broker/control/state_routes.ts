/**
 * Control API routes for the broker as a whole: the cluster's nodes, waiting for conditions,
 * resetting to the starting state, metrics, the metrics clients pushed (KIP-714), and the API's own
 * OpenAPI description.
 *
 * @module
 */

import { clusterOf, nodesOf } from "../broker_internals.ts";
import { type WaitCondition, WaitTimeoutError } from "./wait.ts";
import { checkFields, checkQuery, type FieldRule, HttpError, json, readJson } from "./http.ts";
import type { Route } from "./routes.ts";
import { clusterMetrics } from "./cluster_metrics.ts";
import openapi from "./openapi.json" with { type: "json" };

/** The longest wait one request may ask for. */
const MAX_WAIT_MS = 600_000;

const TIMEOUT: FieldRule = { type: "integer", min: 0, max: MAX_WAIT_MS };

/** Each condition's fields. */
const CONDITIONS: Record<WaitCondition["kind"], Record<string, FieldRule>> = {
  group: {
    groupId: { type: "string", required: true },
    state: {
      type: "string",
      oneOf: [
        "Empty",
        "PreparingRebalance",
        "CompletingRebalance",
        "Assigning",
        "Reconciling",
        "Stable",
      ],
    },
    members: { type: "integer" },
  },
  offset: {
    topic: { type: "string", required: true },
    partition: { type: "integer", required: true },
    offset: { type: "integer", required: true },
  },
  transaction: {
    transactionalId: { type: "string", required: true },
    outcome: { type: "string", oneOf: ["commit", "abort", "any"] },
  },
  client: {
    clientId: { type: "string" },
    count: { type: "integer", min: 1 },
  },
};

/**
 * The state routes.
 *
 * @example
 * ```ts
 * import { STATE_ROUTES } from "./state_routes.ts";
 * console.log(STATE_ROUTES.map((r) => `${r.method} ${r.path}`));
 * ```
 */
export const STATE_ROUTES: Route[] = [
  {
    method: "GET",
    path: "/openapi.json",
    handle: () => json(openapi),
  },
  {
    method: "GET",
    path: "/cluster",
    handle: ({ url, state }) => {
      checkQuery(url, []);
      const { broker } = state;
      return json({
        clusterId: clusterOf(broker).clusterId,
        bootstrapServers: broker.bootstrapServers,
        controllerId: clusterOf(broker).controllerId,
        nodes: nodesOf(broker).map((n) => ({
          nodeId: n.info.nodeId,
          host: n.info.host,
          port: n.info.port,
          running: n.listening,
        })),
      });
    },
  },
  {
    method: "POST",
    path: "/wait",
    handle: async ({ req, state }) => {
      const body = await readJson(req);
      const kind = (body as { kind?: unknown } | null)?.kind;
      if (typeof kind !== "string" || !(kind in CONDITIONS)) {
        throw new HttpError(
          400,
          `Field 'kind' must be one of ${Object.keys(CONDITIONS).join(", ")}`,
        );
      }
      const fields = checkFields(body, {
        kind: { type: "string" },
        timeoutMs: TIMEOUT,
        ...CONDITIONS[kind as WaitCondition["kind"]],
      });
      const { timeoutMs, ...condition } = fields;
      const started = performance.now();
      try {
        const seen = await state.broker.waitFor(condition as unknown as WaitCondition, {
          timeoutMs: (timeoutMs as number | undefined) ?? 30_000,
        });
        return json({ ...seen, waitedMs: Math.round(performance.now() - started) });
      } catch (e) {
        if (!(e instanceof WaitTimeoutError)) throw e;
        throw new HttpError(408, e.message, { met: false, observed: e.observed });
      }
    },
  },
  {
    method: "POST",
    path: "/reset",
    handle: async ({ state }) => {
      const started = performance.now();
      await state.broker.reset();
      state.faults.clear();
      return json({ resetMs: Math.round((performance.now() - started) * 100) / 100 });
    },
  },
  {
    method: "GET",
    path: "/metrics",
    handle: ({ url, state }) => {
      checkQuery(url, ["format"]);
      const format = url.searchParams.get("format") ?? "json";
      if (format === "prometheus") {
        return new Response(state.broker.prometheusMetrics(), {
          headers: { "content-type": "text/plain; version=0.0.4; charset=utf-8" },
        });
      }
      if (format !== "json") {
        throw new HttpError(400, "Parameter 'format' must be json or prometheus");
      }
      return json({ ...state.broker.metrics(), ...clusterMetrics(clusterOf(state.broker)) });
    },
  },
  {
    method: "GET",
    path: "/telemetry",
    handle: ({ url, state }) => {
      checkQuery(url, []);
      return json({
        enabled: clusterOf(state.broker).telemetry.enabled,
        clients: state.broker.clientTelemetry(),
      });
    },
  },
];
