/**
 * Options of the admin client and of each of its calls.
 *
 * @module
 */

import type { ClientOptions } from "../kafka_client.ts";

/** Options of `Admin`: the client's, and the admin's own timeout. */
export interface AdminOptions extends ClientOptions {
  /** default.api.timeout.ms: how long a call may take, retries included, when it does not say. Default 60000. */
  defaultApiTimeoutMs?: number;
}

/** Options of admin calls. */
export interface AdminCallOptions {
  /** How long the call may take, retries included (also sent as the request's timeout). Default the admin's defaultApiTimeoutMs. */
  timeoutMs?: number;
  /** Aborts the call. */
  signal?: AbortSignal;
}
