/**
 * The times kafka-consumer-groups takes: `--to-datetime` (ISO-8601 local or zoned date-time) and
 * `--by-duration` (ISO-8601 duration, PnDTnHnMnS).
 *
 * @module
 */

import { UsageError } from "../common.ts";

/**
 * Milliseconds since the epoch of `YYYY-MM-DDTHH:mm:SS[.sss][zone]`; without a zone, local time,
 * as Kafka's tool reads it.
 *
 * @example
 * ```ts
 * import { parseDateTime } from "./time.ts";
 * console.log(parseDateTime("2026-01-02T03:04:05.000Z")); // 1767323045000
 * ```
 */
export function parseDateTime(text: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,3})?(Z|[+-]\d{2}:?\d{2})?$/
    .exec(text);
  const ms = m
    ? m[8] === undefined
      ? new Date(
        Number(m[1]),
        Number(m[2]) - 1,
        Number(m[3]),
        Number(m[4]),
        Number(m[5]),
        Number(m[6]),
        Math.round(Number(m[7] ?? 0) * 1000),
      ).getTime()
      : Date.parse(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}${m[7] ?? ""}${m[8]}`)
    : NaN;
  if (!Number.isFinite(ms)) {
    throw new UsageError(`--to-datetime must read YYYY-MM-DDTHH:mm:SS.sss[zone], got '${text}'`);
  }
  return ms;
}

/**
 * Milliseconds of an ISO-8601 duration such as `PT30M`, `P1DT2H` or `PT0.5S`.
 *
 * @example
 * ```ts
 * import { parseDuration } from "./time.ts";
 * console.log(parseDuration("PT1M30S")); // 90000
 * ```
 */
export function parseDuration(text: string): number {
  const m = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/i.exec(text);
  if (!m || text.toUpperCase() === "P" || /T$/i.test(text)) {
    throw new UsageError(`--by-duration must read PnDTnHnMnS, got '${text}'`);
  }
  const [d, h, min, s] = [m[1], m[2], m[3], m[4]].map((x) => Number(x ?? 0));
  return Math.round(((d * 24 + h) * 60 + min) * 60000 + s * 1000);
}
