import type { OrderKind } from './order-mix.ts';

/** Where a posted order stands as far as the demo knows. */
export type TrackedOutcome = 'PENDING' | 'CONFIRMED' | 'REJECTED' | 'SHIPPED' | 'POST_FAILED' | 'UNKNOWN';

export interface StatsSnapshot {
  readonly posted: number;
  /** Orders posted per second over the last few seconds. */
  readonly postRate: number;
  readonly byOutcome: Readonly<Record<TrackedOutcome, number>>;
  /** Per designed kind: how its orders ended (kind -> outcome -> count). */
  readonly byKind: ReadonlyMap<OrderKind, ReadonlyMap<TrackedOutcome, number>>;
  /** Milliseconds from the post (REQUESTED) to a terminal state; undefined before the first. */
  readonly p50Ms: number | undefined;
  readonly p99Ms: number | undefined;
  /** The last failures seen (post errors), newest last. */
  readonly lastError: string | undefined;
}

const rateWindowMs = 5000;

/** Counts what the load generator posted and how each order ended. */
export class DemoStats {
  readonly #now: () => number;
  readonly #postTimes: number[] = [];
  readonly #latencies: number[] = [];
  readonly #outcomes = new Map<string, { kind: OrderKind; outcome: TrackedOutcome }>();
  #lastError: string | undefined;
  #posted = 0;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  posted(id: string, kind: OrderKind): void {
    this.#posted++;
    this.#postTimes.push(this.#now());
    this.#outcomes.set(id, { kind, outcome: 'PENDING' });
  }

  postFailed(id: string, kind: OrderKind, reason: string): void {
    this.#posted++;
    this.#postTimes.push(this.#now());
    this.#outcomes.set(id, { kind, outcome: 'POST_FAILED' });
    this.#lastError = reason;
  }

  ended(id: string, outcome: TrackedOutcome, latencyMs: number | undefined): void {
    const entry = this.#outcomes.get(id);
    if (entry === undefined || entry.outcome !== 'PENDING') return;
    entry.outcome = outcome;
    if (latencyMs !== undefined) this.#latencies.push(latencyMs);
  }

  /** An order that reached CONFIRMED, to show as an example the user can query. */
  anyConfirmedId(): string | undefined {
    for (const [id, { outcome }] of this.#outcomes) if (outcome === 'CONFIRMED') return id;
    return undefined;
  }

  snapshot(): StatsSnapshot {
    const now = this.#now();
    while (this.#postTimes.length > 0 && (this.#postTimes[0] as number) < now - rateWindowMs) this.#postTimes.shift();
    const byOutcome: Record<TrackedOutcome, number> = {
      PENDING: 0,
      CONFIRMED: 0,
      REJECTED: 0,
      SHIPPED: 0,
      POST_FAILED: 0,
      UNKNOWN: 0,
    };
    const byKind = new Map<OrderKind, Map<TrackedOutcome, number>>();
    for (const { kind, outcome } of this.#outcomes.values()) {
      byOutcome[outcome]++;
      const counts = byKind.get(kind) ?? new Map<TrackedOutcome, number>();
      counts.set(outcome, (counts.get(outcome) ?? 0) + 1);
      byKind.set(kind, counts);
    }
    const sorted = [...this.#latencies].sort((a, b) => a - b);
    return {
      posted: this.#posted,
      postRate: this.#postTimes.length / (rateWindowMs / 1000),
      byOutcome,
      byKind,
      p50Ms: percentile(sorted, 0.5),
      p99Ms: percentile(sorted, 0.99),
      lastError: this.#lastError,
    };
  }
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: readonly number[], fraction: number): number | undefined {
  if (sorted.length === 0) return undefined;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(fraction * sorted.length)));
  return sorted[rank - 1];
}
