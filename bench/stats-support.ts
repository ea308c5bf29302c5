/** The value at quantile q (0..1) of ascending `sorted`, nearest-rank; NaN when empty. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank] as number;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

export function round(value: number, digits = 1): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/** End-to-end latency percentiles of a latency phase, in ms. */
export interface LatencySummary {
  readonly samples: number;
  readonly p50Ms: number;
  readonly p90Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

/** Percentiles of the latencies (sorts them in place); null when there are none. */
export function summarizeLatencies(latencies: number[]): LatencySummary | null {
  if (latencies.length === 0) return null;
  latencies.sort((a, b) => a - b);
  return {
    samples: latencies.length,
    p50Ms: round(quantile(latencies, 0.5), 2),
    p90Ms: round(quantile(latencies, 0.9), 2),
    p99Ms: round(quantile(latencies, 0.99), 2),
    maxMs: round(latencies[latencies.length - 1] as number, 2),
  };
}
