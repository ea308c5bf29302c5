import { describe, expect, it } from 'vitest';
import { sumSamples } from '../../../scripts/demo/service-lag.ts';

describe('sumSamples', () => {
  it('adds the samples of every label set of the metric and ignores metrics sharing its prefix', () => {
    const text = [
      '# HELP kstreams_consumer_lag_records Records behind.',
      '# TYPE kstreams_consumer_lag_records gauge',
      'kstreams_consumer_lag_records{topic="orders",partition="0"} 3',
      'kstreams_consumer_lag_records{topic="orders",partition="1"} 4.5',
      'kstreams_consumer_lag_records_max 100',
      'other_metric 7',
    ].join('\n');
    expect(sumSamples(text, 'kstreams_consumer_lag_records')).toBe(7.5);
  });

  it('is 0 for a declared metric without samples and undefined for a missing one', () => {
    expect(sumSamples('# TYPE kstreams_consumer_lag_records gauge\n', 'kstreams_consumer_lag_records')).toBe(0);
    expect(sumSamples('other_metric 7\n', 'kstreams_consumer_lag_records')).toBeUndefined();
  });
});
