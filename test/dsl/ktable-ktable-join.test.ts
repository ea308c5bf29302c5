import { afterEach, describe, expect, it } from 'vitest';
import { StreamsBuilder } from '../../src/dsl/streams-builder.ts';
import type { KTable } from '../../src/dsl/types.ts';
import type { TopologyTestDriver } from '../../src/testing/topology-test-driver.ts';
import { str, stringDriver } from './support/run-topology.ts';

let driver: TopologyTestDriver | undefined;
afterEach(async () => {
  await driver?.close();
  driver = undefined;
});

const joined = (left: string | null, right: string | null) => `${left}+${right}`;

/** Builds `left <kind> right` over two string tables, writes the result's changes to `out`, and starts a driver. */
function run(build: (left: KTable<string, string>, right: KTable<string, string>) => KTable<string, string>) {
  const builder = new StreamsBuilder();
  const left = builder.table('left', { keySerde: str, valueSerde: str });
  const right = builder.table('right', { keySerde: str, valueSerde: str });
  build(left, right).toStream().to('out');
  const topology = builder.build();
  driver = stringDriver(topology);
  return {
    topology,
    left: driver.createInputTopic<string, string | null>('left', str, str),
    right: driver.createInputTopic<string, string | null>('right', str, str),
    out: driver.createOutputTopic('out', str, str),
  };
}

describe('KTable-KTable join', () => {
  // Kafka Streams' text (KStreamImplTest.shouldSupportTableTableJoinWithKStreamToKTable, with builder.table
  // sources) except that it lists the merge's parents in the order its describe() happened to meet them.
  it('describes itself as Kafka Streams does: JOINTHIS / JOINOTHER into MERGE, source tables materialized', () => {
    const { topology } = run((left, right) => left.join(right, joined));
    expect(topology.describe().toString()).toBe(
      'Topologies:\n' +
        '   Sub-topology: 0\n' +
        '    Source: KSTREAM-SOURCE-0000000001 (topics: [left])\n' +
        '      --> KTABLE-SOURCE-0000000002\n' +
        '    Source: KSTREAM-SOURCE-0000000004 (topics: [right])\n' +
        '      --> KTABLE-SOURCE-0000000005\n' +
        '    Processor: KTABLE-SOURCE-0000000002 (stores: [left-STATE-STORE-0000000000])\n' +
        '      --> KTABLE-JOINTHIS-0000000007\n' +
        '      <-- KSTREAM-SOURCE-0000000001\n' +
        '    Processor: KTABLE-SOURCE-0000000005 (stores: [right-STATE-STORE-0000000003])\n' +
        '      --> KTABLE-JOINOTHER-0000000008\n' +
        '      <-- KSTREAM-SOURCE-0000000004\n' +
        '    Processor: KTABLE-JOINOTHER-0000000008 (stores: [left-STATE-STORE-0000000000])\n' +
        '      --> KTABLE-MERGE-0000000006\n' +
        '      <-- KTABLE-SOURCE-0000000005\n' +
        '    Processor: KTABLE-JOINTHIS-0000000007 (stores: [right-STATE-STORE-0000000003])\n' +
        '      --> KTABLE-MERGE-0000000006\n' +
        '      <-- KTABLE-SOURCE-0000000002\n' +
        '    Processor: KTABLE-MERGE-0000000006 (stores: [])\n' +
        '      --> KTABLE-TOSTREAM-0000000009\n' +
        '      <-- KTABLE-JOINOTHER-0000000008, KTABLE-JOINTHIS-0000000007\n' +
        '    Processor: KTABLE-TOSTREAM-0000000009 (stores: [])\n' +
        '      --> KSTREAM-SINK-0000000010\n' +
        '      <-- KTABLE-MERGE-0000000006\n' +
        '    Sink: KSTREAM-SINK-0000000010 (topic: out)\n' +
        '      <-- KTABLE-TOSTREAM-0000000009\n\n',
    );
  });

  it('inner: emits once both sides have the key, updates from either side, deletes on a tombstone of either', () => {
    const { left, right, out } = run((l, r) => l.join(r, joined));
    left.pipeInput('a', 'L1');
    expect(out.isEmpty()).toBe(true);
    right.pipeInput('a', 'R1');
    left.pipeInput('a', 'L2');
    right.pipeInput('a', 'R2');
    right.pipeInput('a', null);
    right.pipeInput('a', null);
    left.pipeInput('a', 'L3');
    right.pipeInput('a', 'R3');
    left.pipeInput('a', null);
    expect(out.readKeyValuesToList()).toEqual([
      { key: 'a', value: 'L1+R1' },
      { key: 'a', value: 'L2+R1' },
      { key: 'a', value: 'L2+R2' },
      { key: 'a', value: null },
      { key: 'a', value: 'L3+R3' },
      { key: 'a', value: null },
    ]);
  });

  it('left: every left row has a result, joined with null while the right row is missing', () => {
    const { left, right, out } = run((l, r) => l.leftJoin(r, joined));
    right.pipeInput('a', 'R0');
    left.pipeInput('a', 'L1');
    right.pipeInput('a', null);
    right.pipeInput('b', 'Rb');
    right.pipeInput('a', 'R2');
    left.pipeInput('a', null);
    right.pipeInput('a', 'R3');
    expect(out.readKeyValuesToList()).toEqual([
      { key: 'a', value: 'L1+R0' },
      { key: 'a', value: 'L1+null' },
      { key: 'a', value: 'L1+R2' },
      { key: 'a', value: null },
    ]);
  });

  it('outer: a row of either side has a result; deleting both sides deletes it', () => {
    const { left, right, out } = run((l, r) => l.outerJoin(r, joined));
    right.pipeInput('a', 'R1');
    left.pipeInput('a', 'L1');
    right.pipeInput('a', null);
    left.pipeInput('a', null);
    left.pipeInput('b', null);
    expect(out.readKeyValuesToList()).toEqual([
      { key: 'a', value: 'null+R1' },
      { key: 'a', value: 'L1+R1' },
      { key: 'a', value: 'L1+null' },
      { key: 'a', value: null },
    ]);
  });

  it('joins unmaterialized filter and mapValues tables through value getters over their parents', () => {
    const { topology, left, right, out } = run((l, r) =>
      l
        .filter((_k, v) => !v.startsWith('x'))
        .join(
          r.mapValues((v) => v.toUpperCase()),
          joined,
        ),
    );
    // Neither derived table has a store: the join nodes read the source tables' stores through them.
    expect(topology.describe().toString()).toContain(
      'Processor: KTABLE-JOINTHIS-0000000009 (stores: [right-STATE-STORE-0000000003])',
    );
    expect(topology.describe().toString()).toContain(
      'Processor: KTABLE-JOINOTHER-0000000010 (stores: [left-STATE-STORE-0000000000])',
    );
    left.pipeInput('a', 'l1');
    right.pipeInput('a', 'r1');
    left.pipeInput('b', 'xfiltered');
    right.pipeInput('b', 'r2');
    left.pipeInput('a', 'xgone');
    right.pipeInput('a', 'r3');
    expect(out.readKeyValuesToList()).toEqual([
      { key: 'a', value: 'l1+R1' },
      { key: 'a', value: null },
    ]);
  });

  it('materializes the result under a name and lets it be joined again', () => {
    const builder = new StreamsBuilder();
    const a = builder.table('a', { keySerde: str, valueSerde: str });
    const b = builder.table('b', { keySerde: str, valueSerde: str });
    const c = builder.table('c', { keySerde: str, valueSerde: str });
    const ab = a.join(b, joined, { name: 'ab' }, { storeName: 'ab-store', valueSerde: str });
    expect(ab.queryableStoreName()).toBe('ab-store');
    ab.leftJoin(c, joined).toStream().to('out');
    const topology = builder.build();
    expect(topology.node('ab-join-this')).toBeDefined();
    expect(topology.node('ab-join-other')).toBeDefined();
    driver = stringDriver(topology);
    const out = driver.createOutputTopic('out', str, str);
    driver.createInputTopic('c', str, str).pipeInput('k', 'C');
    driver.createInputTopic('a', str, str).pipeInput('k', 'A');
    driver.createInputTopic('b', str, str).pipeInput('k', 'B');
    expect(driver.getKeyValueStore<string, string>('ab-store').get('k')).toBe('A+B');
    driver.createInputTopic('c', str, str).pipeInput('k', 'C2');
    expect(out.readKeyValuesToList()).toEqual([
      { key: 'k', value: 'A+B+C' },
      { key: 'k', value: 'A+B+C2' },
    ]);
  });

  it('joins an aggregation table through its store', () => {
    const builder = new StreamsBuilder();
    const counts = builder
      .stream('clicks', { keySerde: str, valueSerde: str })
      .groupByKey()
      .count({ storeName: 'click-counts' });
    const names = builder.table('names', { keySerde: str, valueSerde: str });
    names
      .join(counts, (name, count) => `${name}:${count}`)
      .toStream()
      .to('out');
    driver = stringDriver(builder.build());
    const out = driver.createOutputTopic('out', str, str);
    driver.createInputTopic('names', str, str).pipeInput('u1', 'ann');
    const clicks = driver.createInputTopic('clicks', str, str);
    clicks.pipeInput('u1', 'x');
    clicks.pipeInput('u1', 'y');
    driver.createInputTopic('names', str, str).pipeInput('u1', 'anna');
    expect(out.readValuesToList()).toEqual(['ann:1', 'ann:2', 'anna:2']);
  });

  it('joins a foreign-key join result, materializing its output store on demand', () => {
    const builder = new StreamsBuilder();
    const orders = builder.table('orders', { keySerde: str, valueSerde: str });
    const customers = builder.table('customers', { keySerde: str, valueSerde: str });
    const notes = builder.table('notes', { keySerde: str, valueSerde: str });
    const enriched = orders.join(
      customers,
      (order) => order.split('|')[1] ?? null,
      (order, customer) => `${order}@${customer}`,
    );
    enriched.join(notes, joined).toStream().to('out');
    const topology = builder.build();
    expect(topology.describe().toString()).toMatch(
      /Processor: KTABLE-FK-JOIN-OUTPUT-\d+ \(stores: \[KTABLE-FK-JOIN-OUTPUT-STATE-STORE-\d+\]\)/,
    );
    driver = stringDriver(topology);
    const out = driver.createOutputTopic('out', str, str);
    driver.createInputTopic('notes', str, str).pipeInput('o1', 'fragile');
    driver.createInputTopic('customers', str, str).pipeInput('c1', 'Ann');
    driver.createInputTopic('orders', str, str).pipeInput('o1', 'book|c1');
    driver.createInputTopic('notes', str, str).pipeInput('o1', 'urgent');
    expect(out.readValuesToList()).toEqual(['book|c1@Ann+fragile', 'book|c1@Ann+urgent']);
  });

  it('refuses a table from another builder', () => {
    const mine = new StreamsBuilder().table<string, string>('a');
    const theirs = new StreamsBuilder().table<string, string>('b');
    expect(() => mine.join(theirs, joined)).toThrow(/same StreamsBuilder/);
  });
});
