/**
 * The registered handlers, indexed by API key. `mod.ts` fills it; ApiVersions reads it, so what the
 * broker advertises is exactly what it serves.
 *
 * @module
 */

import type { Handler } from "../server/handler.ts";

/** Handlers by API key (undefined where the broker serves no such key). */
export const HANDLERS: (Handler | undefined)[] = [];

/** Registers handlers; a key registered twice is a programming error. */
export function register(...handlers: Handler[]): void {
  for (const h of handlers) {
    if (HANDLERS[h.apiKey] !== undefined) {
      throw new Error(`API key ${h.apiKey} is registered twice`);
    }
    HANDLERS[h.apiKey] = h;
  }
}
