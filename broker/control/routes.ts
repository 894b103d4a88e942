/**
 * The shape of the control API's routes and what they share.
 *
 * @module
 */

import type { Broker } from "../broker.ts";
import type { FaultHandle, FaultSpec } from "../faults/faults.ts";

/** A fault injected through the control API, kept to report how often it fired. */
export interface RegisteredFault {
  readonly id: number;
  readonly spec: FaultSpec;
  readonly handle: FaultHandle;
  readonly createdAt: string;
}

/** State the routes share: the broker and the faults injected through the API. */
export interface ControlState {
  readonly broker: Broker;
  readonly faults: Map<number, RegisteredFault>;
  nextFaultId: number;
}

/** One request as a route sees it. */
export interface RouteContext {
  readonly req: Request;
  readonly url: URL;
  /** The path's `{name}` parts. */
  readonly params: Record<string, string>;
  readonly state: ControlState;
}

/** A route: a method, a path with `{name}` parts, and its handler. */
export interface Route {
  readonly method: "GET" | "POST" | "PUT" | "DELETE";
  readonly path: string;
  handle(ctx: RouteContext): Response | Promise<Response>;
}
