import { afterEach, describe, expect, it } from 'vitest';
import { StreamsBuilder } from '../../src/dsl/streams-builder.ts';
import { Serdes } from '../../src/serdes/serdes.ts';
import type { TopologyTestDriver } from '../../src/testing/topology-test-driver.ts';
import { str, stringDriver } from './support/run-topology.ts';

let driver: TopologyTestDriver | undefined;
afterEach(async () => {
  await driver?.close();
  driver = undefined;
});

const long = Serdes.long();

describe('KGroupedStream aggregations', () => {
  it('counts words through an automatic repartition topic (word count)', () => {
    const builder = new StreamsBuilder();
    builder
      .stream('lines', { keySerde: str, valueSerde: str })
      .flatMapValues((line) =>
        line
          .toLowerCase()
          .split(/\W+/)
          .filter((w) => w.length > 0),
      )
      .groupBy((_key, word) => word, { keySerde: str })
      .count({ storeName: 'counts' })
      .toStream()
      .to('word-counts', { valueSerde: long });
    const topology = builder.build();
    expect(topology.internalTopics()).toEqual([
      { name: 'counts-repartition', kind: 'repartition', partitions: undefined },
    ]);
    expect(topology.describe().subtopologies).toHaveLength(2);

    driver = stringDriver(topology);
    const lines = driver.createInputTopic('lines', str, str);
    lines.pipeInput('1', 'to be or', 10);
    lines.pipeInput('2', 'not to be', 20);
    expect(driver.createOutputTopic('word-counts', str, long).readKeyValuesToList()).toEqual([
      { key: 'to', value: 1 },
      { key: 'be', value: 1 },
      { key: 'or', value: 1 },
      { key: 'not', value: 1 },
      { key: 'to', value: 2 },
      { key: 'be', value: 2 },
    ]);
    expect(driver.getKeyValueStore<string, number>('counts').get('be')).toBe(2);
  });

  it('groupByKey without a key change aggregates in the same sub-topology', () => {
    const builder = new StreamsBuilder();
    builder
      .stream('orders', { keySerde: str, valueSerde: long })
      .groupByKey()
      .aggregate(
        () => ({ count: 0, total: 0 }),
        (_key, amount, agg) => ({ count: agg.count + 1, total: agg.total + amount }),
        { storeName: 'totals', valueSerde: Serdes.json<{ count: number; total: number }>() },
      )
      .toStream()
      .to('totals-out', { valueSerde: Serdes.json<{ count: number; total: number }>() });
    const topology = builder.build();
    expect(topology.internalTopics()).toEqual([]);
    driver = stringDriver(topology);
    driver.createInputTopic('orders', str, long).pipeKeyValueList([
      { key: 'alice', value: 5 },
      { key: 'bob', value: 7 },
      { key: 'alice', value: 10 },
    ]);
    expect(driver.createOutputTopic('totals-out', str, Serdes.json()).readKeyValuesToList()).toEqual([
      { key: 'alice', value: { count: 1, total: 5 } },
      { key: 'bob', value: { count: 1, total: 7 } },
      { key: 'alice', value: { count: 2, total: 15 } },
    ]);
  });

  it('reduce combines values per key; the first value is the first aggregate', () => {
    const builder = new StreamsBuilder();
    builder
      .stream('in', { keySerde: str, valueSerde: str })
      .groupByKey()
      .reduce((agg, v) => `${agg}+${v}`, { storeName: 'joined' })
      .toStream()
      .to('out');
    driver = stringDriver(builder.build());
    driver.createInputTopic('in', str, str).pipeKeyValueList([
      { key: 'k', value: 'a' },
      { key: 'k', value: 'b' },
      { key: 'j', value: 'x' },
    ]);
    expect(driver.createOutputTopic('out', str, str).readKeyValuesToList()).toEqual([
      { key: 'k', value: 'a' },
      { key: 'k', value: 'a+b' },
      { key: 'j', value: 'x' },
    ]);
  });

  it('selectKey then groupByKey repartitions; records with a null key are dropped', () => {
    const builder = new StreamsBuilder();
    builder
      .stream('in', { keySerde: str, valueSerde: str })
      .selectKey((_k, v) => (v === 'skip' ? (null as unknown as string) : v))
      .groupByKey({ name: 'by-value', keySerde: str })
      .count()
      .toStream()
      .to('out', { valueSerde: long });
    const topology = builder.build();
    expect(topology.internalTopics().map((t) => t.name)).toEqual(['by-value-repartition']);
    driver = stringDriver(topology);
    driver.createInputTopic('in', str, str).pipeKeyValueList([
      { key: '1', value: 'a' },
      { key: '2', value: 'skip' },
      { key: '3', value: 'a' },
    ]);
    expect(driver.createOutputTopic('out', str, long).readKeyValuesToList()).toEqual([
      { key: 'a', value: 1 },
      { key: 'a', value: 2 },
    ]);
    expect(driver.recordsOf('by-value-repartition')).toHaveLength(2);
  });
});

describe('KTable', () => {
  it('table() keeps the latest value per key in its named store and forwards updates', () => {
    const builder = new StreamsBuilder();
    builder.table('users', { keySerde: str, valueSerde: str }, { storeName: 'users-store' }).toStream().to('out');
    driver = stringDriver(builder.build());
    const users = driver.createInputTopic('users', str, str);
    users.pipeInput('1', 'ann');
    users.pipeInput('1', 'anne');
    users.pipeInput('2', 'bob');
    users.pipeInput('2', null as unknown as string);
    expect(driver.createOutputTopic('out', str, str).readKeyValuesToList()).toEqual([
      { key: '1', value: 'ann' },
      { key: '1', value: 'anne' },
      { key: '2', value: 'bob' },
      { key: '2', value: null },
    ]);
    const store = driver.getKeyValueStore<string, string>('users-store');
    expect(store.get('1')).toBe('anne');
    expect(store.get('2')).toBeUndefined();
  });

  it('filter turns rows that fail the predicate into tombstones and materializes when named', () => {
    const builder = new StreamsBuilder();
    builder
      .table('scores', { keySerde: str, valueSerde: long })
      .filter((_k, v) => v >= 10, { name: 'passing' }, { storeName: 'passing-store' })
      .toStream()
      .to('out', { valueSerde: long });
    driver = stringDriver(builder.build());
    const scores = driver.createInputTopic('scores', str, long);
    scores.pipeInput('a', 12);
    scores.pipeInput('a', 3);
    scores.pipeInput('b', 20);
    expect(driver.createOutputTopic('out', str, long).readKeyValuesToList()).toEqual([
      { key: 'a', value: 12 },
      { key: 'a', value: null },
      { key: 'b', value: 20 },
    ]);
    const store = driver.getKeyValueStore<string, number>('passing-store');
    expect([...store.all()]).toEqual([{ key: 'b', value: 20 }]);
  });

  it('filterNot keeps the rows whose predicate fails', () => {
    const builder = new StreamsBuilder();
    builder
      .table('t', { keySerde: str, valueSerde: str })
      .filterNot((k) => k === 'hidden')
      .toStream()
      .to('out');
    driver = stringDriver(builder.build());
    driver.createInputTopic('t', str, str).pipeKeyValueList([
      { key: 'hidden', value: 'x' },
      { key: 'shown', value: 'y' },
    ]);
    expect(driver.createOutputTopic('out', str, str).readKeyValuesToList()).toEqual([
      { key: 'hidden', value: null },
      { key: 'shown', value: 'y' },
    ]);
  });

  it('mapValues maps new values and keeps tombstones', () => {
    const builder = new StreamsBuilder();
    builder
      .table('t', { keySerde: str, valueSerde: str }, { storeName: 't-store' })
      .mapValues((v, k) => `${k}:${v.length}`)
      .toStream()
      .to('out');
    driver = stringDriver(builder.build());
    const t = driver.createInputTopic('t', str, str);
    t.pipeInput('k', 'abc');
    t.pipeInput('k', null as unknown as string);
    expect(driver.createOutputTopic('out', str, str).readKeyValuesToList()).toEqual([
      { key: 'k', value: 'k:3' },
      { key: 'k', value: null },
    ]);
  });

  it('count of a grouped stream is a KTable whose update stream shows each new count', () => {
    const builder = new StreamsBuilder();
    builder
      .stream('clicks', { keySerde: str, valueSerde: str })
      .groupByKey()
      .count({ storeName: 'click-counts' })
      .filter((_k, n) => n % 2 === 0)
      .toStream()
      .to('even-counts', { valueSerde: long });
    driver = stringDriver(builder.build());
    driver.createInputTopic('clicks', str, str).pipeKeyValueList([
      { key: 'p', value: '.' },
      { key: 'p', value: '.' },
      { key: 'p', value: '.' },
    ]);
    expect(driver.createOutputTopic('even-counts', str, long).readKeyValuesToList()).toEqual([
      { key: 'p', value: null },
      { key: 'p', value: 2 },
      { key: 'p', value: null },
    ]);
  });
});

describe('globalTable', () => {
  it('builds a source, a table source and a store marked global', () => {
    const builder = new StreamsBuilder();
    const rates = builder.globalTable('rates', { keySerde: str, valueSerde: str }, { storeName: 'rates-store' });
    const topology = builder.build();
    expect(rates.queryableStoreName()).toBe('rates-store');
    expect(topology.globalStoreNames()).toEqual(['rates-store']);
    expect(topology.describe().toString()).toContain('Processor: KTABLE-SOURCE-0000000001 (stores: [rates-store])');
    expect(topology.describe().toString()).toContain('Sub-topology: 0 for global store (will not generate tasks)');
    expect(topology.describe().subtopologies.map((s) => s.global)).toEqual([true]);
  });
});
