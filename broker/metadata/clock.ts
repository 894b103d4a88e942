/**
 * The time the coordinators read, as Kafka's coordinators take a Time: the wall clock by default,
 * a clock that a test moves in its place.
 *
 * @module
 */

/**
 * A source of the current time, in ms since the epoch.
 *
 * @example
 * ```ts
 * import type { Clock } from "./clock.ts";
 * let now = 0;
 * const manual: Clock = { now: () => now };
 * now += 1000;
 * console.log(manual.now()); // 1000
 * ```
 */
export interface Clock {
  /** The current time, in ms since the epoch. */
  now(): number;
}

/**
 * The wall clock (Date.now).
 *
 * @example
 * ```ts
 * import { SYSTEM_CLOCK } from "./clock.ts";
 * console.log(SYSTEM_CLOCK.now() > 0); // true
 * ```
 */
export const SYSTEM_CLOCK: Clock = { now: () => Date.now() };
