/**
 * Exponential backoff with jitter, as Kafka's clients use between retries and reconnects.
 *
 * @module
 */

/** Backoff settings. */
export interface BackoffOptions {
  /** The first wait. */
  initialMs: number;
  /** The longest wait. */
  maxMs: number;
  /** Random spread, as a fraction of the wait (Kafka uses 0.2). Default 0.2. */
  jitter?: number;
}

/**
 * The wait before attempt `attempt` (0-based): initial * 2^attempt, capped at max, +/- jitter.
 *
 * @example
 * ```ts
 * import { backoffMs } from "./backoff.ts";
 * backoffMs(3, { initialMs: 100, maxMs: 1000 }); // about 800 ms
 * ```
 */
export function backoffMs(attempt: number, options: BackoffOptions): number {
  const base = Math.min(options.maxMs, options.initialMs * 2 ** Math.min(attempt, 30));
  const jitter = options.jitter ?? 0.2;
  const spread = base * jitter * (Math.random() * 2 - 1);
  return Math.max(0, Math.round(base + spread));
}

/** Resolves after `ms`, or rejects with the signal's reason when it aborts first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
