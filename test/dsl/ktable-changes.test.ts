import { describe, expect, it } from 'vitest';
import { ktableFilter } from '../../src/dsl/operators/ktable-filter.ts';
import { ktableMapValues } from '../../src/dsl/operators/ktable-map-values.ts';
import { ktableSource } from '../../src/dsl/operators/ktable-source.ts';
import type { Change } from '../../src/dsl/types.ts';
import { Serdes } from '../../src/serdes/serdes.ts';
import { InMemoryKeyValueStore } from '../../src/state/memory/in-memory-key-value-store.ts';
import { fakeContext, record } from './support/fake-context.ts';

describe('KTable nodes forward Change { newValue, oldValue }', () => {
  it('a materialized table source pairs each value with the one it replaces', () => {
    const store = new InMemoryKeyValueStore<string, string>('s', Serdes.string());
    const { context, forwarded } = fakeContext<string, Change<string>>({ s: store });
    const source = ktableSource<string, string>('s')();
    source.init?.(context);
    source.process(record('k', 'a'));
    source.process(record('k', 'b'));
    source.process(record('k', null));
    source.process(record(null as unknown as string, 'dropped'));
    expect(forwarded.map((r) => r.value)).toEqual([
      { newValue: 'a', oldValue: null },
      { newValue: 'b', oldValue: 'a' },
      { newValue: null, oldValue: 'b' },
    ]);
    expect(store.get('k')).toBeUndefined();
  });

  it('a table source without a store forwards oldValue null', () => {
    const { context, forwarded } = fakeContext<string, Change<string>>();
    const source = ktableSource<string, string>(undefined)();
    source.init?.(context);
    source.process(record('k', 'a'));
    source.process(record('k', 'b'));
    expect(forwarded.map((r) => r.value)).toEqual([
      { newValue: 'a', oldValue: null },
      { newValue: 'b', oldValue: null },
    ]);
  });

  it('filter and mapValues apply to both sides of the change', () => {
    const filtered = fakeContext<string, Change<number>>();
    const filter = ktableFilter<string, number>((_k, v) => v > 1, false, undefined)();
    filter.init?.(filtered.context);
    filter.process(record('k', { newValue: 5, oldValue: 1 }));
    expect(filtered.forwarded[0]!.value).toEqual({ newValue: 5, oldValue: null });

    const mapped = fakeContext<string, Change<string>>();
    const map = ktableMapValues<string, number, string>((v) => `#${v}`, undefined)();
    map.init?.(mapped.context);
    map.process(record('k', { newValue: null, oldValue: 2 }));
    expect(mapped.forwarded[0]!.value).toEqual({ newValue: null, oldValue: '#2' });
  });
});
