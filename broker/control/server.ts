/**
 * Brook's control API: HTTP with JSON on a broker, so that tests in any language can inject
 * faults, stop nodes, manage topics, read records, wait for conditions and reset the broker
 * between tests. Described by `openapi.json` (also served at `/openapi.json`).
 *
 * @module
 */

import type { Broker } from "../broker.ts";
import { CONSOLE_ROUTES } from "../console/assets.ts";
import { BROWSE_ROUTES } from "./browse_routes.ts";
import { FAULT_ROUTES } from "./fault_routes.ts";
import { GROUP_ROUTES } from "./group_routes.ts";
import { isLoopback, refuseForeign } from "./origin.ts";
import { errorResponse, HttpError } from "./http.ts";
import type { ControlState, Route } from "./routes.ts";
import { STATE_ROUTES } from "./state_routes.ts";
import { TOPIC_ROUTES } from "./topic_routes.ts";

/** Where the control API listens. */
export interface ControlServerOptions {
  /** The address to listen on; default 127.0.0.1 (loopback only). */
  hostname?: string;
  /** The port; 0 (the default) picks a free one. */
  port?: number;
  /** Also serve the web console at `/` (the API keeps its paths). Default false. */
  console?: boolean;
}

/** A running control API. */
export interface ControlServer extends AsyncDisposable {
  /** "host:port" it listens on. */
  readonly address: string;
  /** Stops listening; resolves once open requests are answered. */
  shutdown(): Promise<void>;
}

interface CompiledRoute {
  route: Route;
  pattern: RegExp;
  names: string[];
}

function compile(route: Route): CompiledRoute {
  const names: string[] = [];
  const source = route.path.replace(/[.]/g, "\\.").replace(/\{(\w+)\}/g, (_, name) => {
    names.push(name);
    return "([^/]+)";
  });
  return { route, pattern: new RegExp(`^${source}/?$`), names };
}

const API_ROUTES = [
  ...STATE_ROUTES,
  ...TOPIC_ROUTES,
  ...BROWSE_ROUTES,
  ...GROUP_ROUTES,
  ...FAULT_ROUTES,
].map(compile);
const WITH_CONSOLE = [...API_ROUTES, ...CONSOLE_ROUTES.map(compile)];

/** One state per broker, so that a control port and a console port list the same faults. */
const STATES = new WeakMap<Broker, ControlState>();

/** Answers one request: the route's answer, or a JSON error with one line of message. */
async function answer(
  req: Request,
  state: ControlState,
  routes: CompiledRoute[],
  loopback: boolean,
): Promise<Response> {
  const url = new URL(req.url);
  const foreign = refuseForeign(req, url, loopback);
  if (foreign) return foreign;
  let allowed: string[] = [];
  for (const { route, pattern, names } of routes) {
    const m = pattern.exec(url.pathname);
    if (!m) continue;
    if (route.method !== req.method) {
      allowed.push(route.method);
      continue;
    }
    const params: Record<string, string> = {};
    try {
      names.forEach((name, i) => params[name] = decodeURIComponent(m[i + 1]));
    } catch {
      return errorResponse(400, `Malformed path ${url.pathname}`);
    }
    try {
      return await route.handle({ req, url, params, state });
    } catch (e) {
      if (e instanceof HttpError) return errorResponse(e.status, e.message, e.details);
      // A broker bug: one line for the caller, the whole error for the broker's log.
      console.error("Brook control API:", e);
      return errorResponse(500, `Internal error: ${(e as Error).message ?? e}`);
    }
  }
  if (allowed.length > 0) {
    allowed = [...new Set(allowed)];
    const res = errorResponse(405, `${req.method} is not allowed on ${url.pathname}`);
    res.headers.set("allow", allowed.join(", "));
    return res;
  }
  return errorResponse(404, `No route ${url.pathname} (see /openapi.json)`);
}

/**
 * Serves the control API of a broker with Deno.serve; resolves once it listens.
 *
 * @example
 * ```ts
 * import { Broker } from "@brook/kafka/broker";
 * import { serveControl } from "./server.ts";
 * await using broker = await Broker.start();
 * await using control = await serveControl(broker, { port: 0 });
 * const res = await fetch(`http://${control.address}/reset`, { method: "POST" });
 * console.log(res.status); // 200
 * ```
 */
export function serveControl(
  broker: Broker,
  options: ControlServerOptions = {},
): Promise<ControlServer> {
  let state = STATES.get(broker);
  if (!state) {
    state = { broker, faults: new Map(), nextFaultId: 1 };
    STATES.set(broker, state);
  }
  const routes = options.console ? WITH_CONSOLE : API_ROUTES;
  const hostname = options.hostname ?? "127.0.0.1";
  const listening = Promise.withResolvers<Deno.NetAddr>();
  let server: Deno.HttpServer<Deno.NetAddr>;
  try {
    server = Deno.serve({
      hostname,
      port: options.port ?? 0,
      onListen: (addr) => listening.resolve(addr),
      onError: (e) => errorResponse(500, `Internal error: ${(e as Error).message ?? e}`),
    }, (req) => answer(req, state, routes, isLoopback(hostname)));
  } catch (e) {
    return Promise.reject(e);
  }
  return listening.promise.then((addr) => {
    const host = addr.hostname.includes(":") ? `[${addr.hostname}]` : addr.hostname;
    const shutdown = () => server.shutdown();
    return {
      address: `${host}:${addr.port}`,
      shutdown,
      [Symbol.asyncDispose]: shutdown,
    };
  });
}
