import { beforeAll, describe, expect, it } from 'vitest';
import { checkMetricsText, ensurePromtool } from '../../scripts/tools/promtool.ts';
import type { MetricsSnapshot, MetricsTotals } from '../../src/metrics/index.ts';
import { StreamsMetrics } from '../../src/metrics/index.ts';

const states = ['CREATED', 'REBALANCING', 'RUNNING', 'ERROR'] as const;

function totals(overrides: Partial<MetricsTotals> = {}): MetricsTotals {
  return {
    recordsConsumed: 0,
    recordsProcessed: 0,
    recordsSkipped: 0,
    recordsDeadLettered: 0,
    recordsProduced: 0,
    recordsProduceFailed: 0,
    recordsDroppedLate: 0,
    recordsDroppedExpired: 0,
    recordsDroppedNullKey: 0,
    punctuations: 0,
    ...overrides,
  };
}

/** The value of the one sample whose name and labels match, from the exposition text. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || !line.startsWith(name)) continue;
    const match = /^([a-z_:]+)(?:\{([^}]*)\})? (\S+)$/.exec(line);
    if (match?.[1] !== name) continue;
    const found = Object.fromEntries(
      (match[2] ?? '')
        .split(',')
        .filter(Boolean)
        .map((pair) => {
          const [key, value] = pair.split('=') as [string, string];
          return [key, JSON.parse(value) as string];
        }),
    );
    if (Object.entries(labels).every(([key, value]) => found[key] === value)) return Number(match[3]);
  }
  return undefined;
}

describe('StreamsMetrics', () => {
  let snapshot: MetricsSnapshot;
  const metrics = new StreamsMetrics({ applicationId: 'orders-app', appStates: states });
  metrics.bindSnapshot(() => snapshot);

  it('exports the runtime totals as counters that grow by what the runtime counted', async () => {
    snapshot = {
      state: 'RUNNING',
      totals: totals({ recordsConsumed: 120, recordsProcessed: 100, recordsDroppedLate: 3 }),
      tasks: { active: 4, standby: 1, restoring: 2 },
      lag: [{ topic: 'orders', partition: 1, lag: 42 }],
    };
    let text = await metrics.text();
    expect(sample(text, 'kstreams_records_processed_total', { application_id: 'orders-app' })).toBe(100);
    expect(sample(text, 'kstreams_records_consumed_total')).toBe(120);
    expect(sample(text, 'kstreams_records_dropped_total', { reason: 'late' })).toBe(3);
    expect(sample(text, 'kstreams_records_dropped_total', { reason: 'null-key' })).toBe(0);

    snapshot = {
      ...snapshot,
      totals: totals({ recordsConsumed: 130, recordsProcessed: 125, recordsDroppedLate: 3 }),
      taskProcessed: [
        { task: '0_1', processed: 70 },
        { task: '1_1', processed: 55 },
      ],
    };
    text = await metrics.text();
    expect(sample(text, 'kstreams_records_processed_total')).toBe(125);
    expect(sample(text, 'kstreams_records_consumed_total')).toBe(130);
    expect(sample(text, 'kstreams_records_dropped_total', { reason: 'late' })).toBe(3);
    expect(sample(text, 'kstreams_task_records_processed_total', { task: '0_1' })).toBe(70);
    snapshot = { ...snapshot, taskProcessed: [{ task: '0_1', processed: 80 }] };
    text = await metrics.text();
    expect(sample(text, 'kstreams_task_records_processed_total', { task: '0_1' })).toBe(80);
    expect(sample(text, 'kstreams_task_records_processed_total', { task: '1_1' })).toBe(55);
  });

  it('reports the app state, task gauges and lag of the partitions owned now', async () => {
    snapshot = {
      state: 'REBALANCING',
      totals: totals(),
      tasks: { active: 2, standby: 0, restoring: 1 },
      lag: [{ topic: 'payments', partition: 0, lag: 7 }],
    };
    const text = await metrics.text();
    expect(sample(text, 'kstreams_app_state', { state: 'REBALANCING' })).toBe(1);
    expect(sample(text, 'kstreams_app_state', { state: 'RUNNING' })).toBe(0);
    expect(sample(text, 'kstreams_tasks', { kind: 'restoring' })).toBe(1);
    expect(sample(text, 'kstreams_consumer_lag_records', { topic: 'payments', partition: '0' })).toBe(7);
    // The partition reported by the previous scrape moved away: it is no longer exported here.
    expect(sample(text, 'kstreams_consumer_lag_records', { topic: 'orders', partition: '1' })).toBeUndefined();
  });

  it('records store operations, cache hit ratio and restoration progress', async () => {
    metrics.recordOperation('counts', 'get', 2_000);
    metrics.recordCacheLookup('counts', true);
    metrics.recordCacheLookup('counts', true);
    metrics.recordCacheLookup('counts', true);
    metrics.recordCacheLookup('counts', false);
    metrics.restoreProgress('counts', 3, 5_000, 10_000, 0.5);
    const text = await metrics.text();
    expect(sample(text, 'kstreams_store_operation_duration_seconds_count', { store: 'counts', operation: 'get' })).toBe(
      1,
    );
    expect(sample(text, 'kstreams_store_cache_hit_ratio', { store: 'counts' })).toBe(0.75);
    expect(sample(text, 'kstreams_store_cache_lookups_total', { store: 'counts', result: 'miss' })).toBe(1);
    expect(sample(text, 'kstreams_restore_remaining_records', { store: 'counts', partition: '3' })).toBe(5_000);
    expect(sample(text, 'kstreams_restored_records_total', { store: 'counts' })).toBe(10_000);
    expect(sample(text, 'kstreams_restore_rate_records_per_second', { store: 'counts' })).toBe(20_000);
  });

  it('keeps one registry per app, each with its own Node default metrics', async () => {
    const other = new StreamsMetrics({ applicationId: 'stock-app', appStates: states });
    const text = await other.text();
    expect(sample(text, 'process_cpu_seconds_total', { application_id: 'stock-app' })).toBeGreaterThanOrEqual(0);
    expect(sample(text, 'kstreams_records_processed_total', { application_id: 'orders-app' })).toBeUndefined();
  });

  describe('promtool check metrics', () => {
    let promtool: string;
    beforeAll(async () => {
      promtool = await ensurePromtool();
    }, 120_000);

    it('accepts the exposition text', async () => {
      metrics.observePoll(0.004);
      metrics.observeCommit(0.02);
      metrics.observeProcess(0.000_03);
      metrics.observeEndToEnd(0.2);
      metrics.rebalanced();
      const result = await checkMetricsText(promtool, await metrics.text());
      expect(result.output).toBe('');
      expect(result.code).toBe(0);
    });

    it('fails on a badly named metric, so the check is real', async () => {
      const result = await checkMetricsText(
        promtool,
        '# HELP bad_counter x\n# TYPE bad_counter counter\nbad_counter 1\n',
      );
      expect(result.code).not.toBe(0);
      expect(result.output).toContain('_total');
    });
  });
});
