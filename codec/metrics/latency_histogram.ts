/**
 * A latency histogram with fixed buckets, shared by Brook's broker (per-API request phases) and
 * Brook's client (per-API request latency), so that both report the same buckets. Recording costs a
 * few comparisons and additions and allocates nothing.
 *
 * @module
 */

/** Upper bounds of the latency histogram buckets, in milliseconds (the last bucket is +Inf). */
export const LATENCY_BUCKETS_MS: readonly number[] = [
  0.05,
  0.1,
  0.25,
  0.5,
  1,
  2.5,
  5,
  10,
  25,
  50,
  100,
  250,
  500,
  1000,
  2500,
  5000,
  10000,
];

/** A latency histogram as {@linkcode LatencyHistogram.snapshot} returns it. */
export interface HistogramSnapshot {
  /** How many latencies were observed. */
  count: number;
  /** Their sum in milliseconds. */
  sumMs: number;
  /** The greatest in milliseconds. */
  maxMs: number;
  /** Cumulative counts: `count` observations were at most `leMs` (the last bound is Infinity). */
  buckets: { leMs: number; count: number }[];
  /** Estimates of the median and 99th percentile: the upper bound of the bucket they fall in. */
  p50Ms: number;
  /** Estimate of the 99th percentile (the upper bound of its bucket). */
  p99Ms: number;
}

/**
 * Counts of observed latencies per bucket of {@linkcode LATENCY_BUCKETS_MS}.
 *
 * @example
 * ```ts
 * import { LatencyHistogram } from "@brook/kafka/codec";
 * const h = new LatencyHistogram();
 * h.observe(3.2);
 * console.log(h.snapshot().p50Ms); // 5
 * ```
 */
export class LatencyHistogram {
  /** Observations per bucket (not cumulative); the last counts those above every bound. */
  readonly counts: Float64Array = new Float64Array(LATENCY_BUCKETS_MS.length + 1);
  /** How many latencies were observed. */
  count = 0;
  /** Their sum in milliseconds. */
  sum = 0;
  /** The greatest in milliseconds. */
  max = 0;

  /** Records one latency in milliseconds. */
  observe(ms: number): void {
    let i = 0;
    const n = LATENCY_BUCKETS_MS.length;
    while (i < n && ms > LATENCY_BUCKETS_MS[i]) i++;
    this.counts[i]++;
    this.count++;
    this.sum += ms;
    if (ms > this.max) this.max = ms;
  }

  #quantile(q: number): number {
    if (this.count === 0) return 0;
    const rank = q * this.count;
    let seen = 0;
    for (let i = 0; i < this.counts.length; i++) {
      seen += this.counts[i];
      if (seen >= rank) return i < LATENCY_BUCKETS_MS.length ? LATENCY_BUCKETS_MS[i] : this.max;
    }
    return this.max;
  }

  /** The histogram as a plain object. */
  snapshot(): HistogramSnapshot {
    let cumulative = 0;
    const buckets = [];
    for (let i = 0; i < this.counts.length; i++) {
      cumulative += this.counts[i];
      buckets.push({ leMs: LATENCY_BUCKETS_MS[i] ?? Infinity, count: cumulative });
    }
    return {
      count: this.count,
      sumMs: this.sum,
      maxMs: this.max,
      buckets,
      p50Ms: this.#quantile(0.5),
      p99Ms: this.#quantile(0.99),
    };
  }

  /**
   * Prometheus exposition lines of the histogram (`_bucket`, `_sum`, `_count`) in seconds, with
   * `labels` (e.g. `api="Produce"`) on every line.
   */
  prometheusLines(name: string, labels: string): string[] {
    const lines: string[] = [];
    const sep = labels === "" ? "" : ",";
    let cumulative = 0;
    for (let i = 0; i < this.counts.length; i++) {
      cumulative += this.counts[i];
      const le = i < LATENCY_BUCKETS_MS.length ? String(LATENCY_BUCKETS_MS[i] / 1000) : "+Inf";
      lines.push(`${name}_bucket{${labels}${sep}le="${le}"} ${cumulative}`);
    }
    const braces = labels === "" ? "" : `{${labels}}`;
    lines.push(`${name}_sum${braces} ${this.sum / 1000}`, `${name}_count${braces} ${this.count}`);
    return lines;
  }
}
