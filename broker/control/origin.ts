/**
 * Keeps web pages other than the console away from the control API: a browser visiting another
 * site could otherwise POST to `127.0.0.1` (reset the broker, inject faults) or reach it through a
 * DNS name rebound to the loopback address. Clients outside browsers send no `Origin` header and
 * name the address they connect to, so they are not affected.
 *
 * @module
 */

import { errorResponse } from "./http.ts";

/** Whether a listening address is a loopback one. */
export function isLoopback(hostname: string): boolean {
  return hostname === "localhost" || hostname === "::1" || hostname === "[::1]" ||
    /^127\.\d+\.\d+\.\d+$/.test(hostname);
}

/** Whether a Host header's name is an address or localhost, as no rebound DNS name is. */
function isAddressOrLocalhost(hostname: string): boolean {
  return hostname === "localhost" || hostname.startsWith("[") || /^[\d.]+$/.test(hostname);
}

/**
 * A 403 for a request from another site's page (an `Origin` other than the API's own), or, when the
 * API listens on loopback, one naming a host that is neither an address nor localhost; else
 * undefined.
 *
 * @example
 * ```ts
 * import { refuseForeign } from "./origin.ts";
 * const req = new Request("http://127.0.0.1:8080/reset", {
 *   method: "POST",
 *   headers: { origin: "https://example.com" },
 * });
 * console.log(refuseForeign(req, new URL(req.url), true)?.status); // 403
 * ```
 */
export function refuseForeign(req: Request, url: URL, loopback: boolean): Response | undefined {
  const origin = req.headers.get("origin");
  if (origin !== null && origin !== url.origin) {
    return errorResponse(403, `Requests from pages of ${origin} are refused`);
  }
  if (loopback && !isAddressOrLocalhost(url.hostname)) {
    return errorResponse(403, `Host ${url.hostname} is refused: use an address or localhost`);
  }
  return undefined;
}
