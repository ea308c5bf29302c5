import { describe, expect, it } from 'vitest';
import { DemoStats, percentile } from '../../../scripts/demo/demo-stats.ts';

describe('DemoStats', () => {
  it('counts orders by outcome and by designed kind, and times REQUESTED to a terminal state', () => {
    let now = 10_000;
    const stats = new DemoStats(() => now);
    stats.posted('a', 'normal');
    stats.posted('b', 'no-stock');
    stats.posted('c', 'normal');
    stats.postFailed('d', 'normal', 'POST /orders answered 503');
    now += 1000;
    stats.ended('a', 'CONFIRMED', 40);
    stats.ended('b', 'REJECTED', 60);
    // A second ending of the same order does not count twice.
    stats.ended('b', 'CONFIRMED', 5);
    const snapshot = stats.snapshot();
    expect(snapshot.posted).toBe(4);
    expect(snapshot.byOutcome).toMatchObject({ PENDING: 1, CONFIRMED: 1, REJECTED: 1, POST_FAILED: 1 });
    expect(Object.fromEntries(snapshot.byKind.get('normal') ?? [])).toEqual({
      CONFIRMED: 1,
      PENDING: 1,
      POST_FAILED: 1,
    });
    expect(Object.fromEntries(snapshot.byKind.get('no-stock') ?? [])).toEqual({ REJECTED: 1 });
    expect([snapshot.p50Ms, snapshot.p99Ms]).toEqual([40, 60]);
    expect(snapshot.lastError).toBe('POST /orders answered 503');
    expect(stats.anyConfirmedId()).toBe('a');
  });

  it('reports the post rate over the last five seconds', () => {
    let now = 0;
    const stats = new DemoStats(() => now);
    for (let i = 0; i < 10; i++) stats.posted(`early-${i}`, 'normal');
    now = 6000;
    for (let i = 0; i < 5; i++) stats.posted(`late-${i}`, 'normal');
    expect(stats.snapshot().postRate).toBe(1);
  });
});

describe('percentile', () => {
  it('takes the nearest rank of sorted values', () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(values, 0.5)).toBe(50);
    expect(percentile(values, 0.99)).toBe(99);
    expect(percentile([7], 0.99)).toBe(7);
    expect(percentile([], 0.5)).toBeUndefined();
  });
});
