import { afterEach, describe, expect, it } from 'vitest';
import { JoinWindows } from '../../src/dsl/join-windows.ts';
import type { StreamJoined } from '../../src/dsl/options.ts';
import { StreamsBuilder } from '../../src/dsl/streams-builder.ts';
import type { KStream } from '../../src/dsl/types.ts';
import type { TopologyTestDriver } from '../../src/testing/topology-test-driver.ts';
import { str, stringDriver } from './support/run-topology.ts';

type JoinKind = 'join' | 'leftJoin' | 'outerJoin';

let driver: TopologyTestDriver | undefined;
afterEach(async () => {
  await driver?.close();
  driver = undefined;
});

/** left.<kind>(right) over topics `left` and `right`, joined values written `l+r` (`-` for a missing side) to `out`. */
function joinDriver(kind: JoinKind, windows: JoinWindows, streamJoined?: StreamJoined<string, string, string>) {
  const builder = new StreamsBuilder();
  const left = builder.stream<string, string>('left');
  const right = builder.stream<string, string>('right');
  const joiner = (l: string | null, r: string | null) => `${l ?? '-'}+${r ?? '-'}`;
  const joined: KStream<string, string> =
    kind === 'join'
      ? left.join(right, joiner, windows, streamJoined)
      : kind === 'leftJoin'
        ? left.leftJoin(right, joiner, windows, streamJoined)
        : left.outerJoin(right, joiner, windows, streamJoined);
  joined.to('out');
  driver = stringDriver(builder.build());
  return {
    driver,
    left: driver.createInputTopic('left', str, str),
    right: driver.createInputTopic('right', str, str),
    output: () =>
      driver!
        .createOutputTopic('out', str, str)
        .readRecordsToList()
        .map((r) => [r.key, r.value, r.timestamp]),
  };
}

describe('KStream-KStream inner join', () => {
  it('joins records of the same key within the window, both ways, with the later timestamp', () => {
    const { left, right, output } = joinDriver('join', JoinWindows.ofTimeDifferenceWithNoGrace(100));
    left.pipeInput('a', 'L1', 1000);
    right.pipeInput('a', 'R1', 1050);
    right.pipeInput('b', 'R2', 1060);
    left.pipeInput('a', 'L2', 1100);
    right.pipeInput('a', 'R3', 1300);
    expect(output()).toEqual([
      ['a', 'L1+R1', 1050],
      ['a', 'L2+R1', 1100],
    ]);
  });

  it('joins every duplicate: several records per key and timestamp on both sides', () => {
    const { left, right, output } = joinDriver('join', JoinWindows.ofTimeDifferenceWithNoGrace(10));
    left.pipeInput('k', 'L1', 100);
    left.pipeInput('k', 'L2', 100);
    right.pipeInput('k', 'R1', 100);
    right.pipeInput('k', 'R2', 100);
    expect(output().map(([, value]) => value)).toEqual(['L1+R1', 'L2+R1', 'L1+R2', 'L2+R2']);
  });

  it('joins out-of-order records within grace and drops records later than window end + grace', () => {
    const { driver, left, right, output } = joinDriver('join', JoinWindows.ofTimeDifferenceAndGrace(10, 20));
    left.pipeInput('k', 'L1', 100);
    right.pipeInput('x', 'X', 125); // stream time 125: L1's window [90, 110] closes at 110 + 20 = 130
    right.pipeInput('k', 'R1', 105); // out of order, within grace
    right.pipeInput('x', 'X', 200);
    right.pipeInput('k', 'R2', 105); // 105 + 10 + 20 < 200: late
    left.pipeInput('k', 'L2', 100); // late as well
    expect(output()).toEqual([['k', 'L1+R1', 105]]);
    expect(driver.droppedRecords().late).toBe(2);
  });

  it('honours asymmetric windows: before() and after() bound how far back and ahead the other side may be', () => {
    const windows = JoinWindows.ofTimeDifferenceWithNoGrace(0).before(50).after(10);
    const { left, right, output } = joinDriver('join', windows);
    left.pipeInput('k', 'L', 1000);
    right.pipeInput('k', 'early-ok', 950);
    right.pipeInput('k', 'early-too-far', 949);
    right.pipeInput('k', 'late-ok', 1010);
    right.pipeInput('k', 'late-too-far', 1011);
    expect(output().map(([, value]) => value)).toEqual(['L+early-ok', 'L+late-ok']);
  });

  it('drops records with a null key or value, counting them', () => {
    const { driver, left, right, output } = joinDriver('join', JoinWindows.ofTimeDifferenceWithNoGrace(10));
    left.pipeInput(null as unknown as string, 'L', 100);
    left.pipeInput('k', null as unknown as string, 100);
    right.pipeInput('k', 'R', 100);
    expect(output()).toEqual([]);
    expect(driver.droppedRecords().nullKey).toBe(2);
  });
});

describe('KStream-KStream left join', () => {
  it('emits an unmatched left record joined with null only once its window has closed', () => {
    const { left, right, output } = joinDriver('leftJoin', JoinWindows.ofTimeDifferenceAndGrace(10, 5));
    left.pipeInput('a', 'L1', 100);
    left.pipeInput('b', 'L2', 110);
    expect(output()).toEqual([]); // a's window [90, 110] + grace 5 is open until stream time 115
    right.pipeInput('b', 'R1', 112);
    expect(output()).toEqual([['b', 'L2+R1', 112]]);
    right.pipeInput('z', 'Z', 116); // closes a's window: a is emitted at its own timestamp
    expect(output()).toEqual([['a', 'L1+-', 100]]);
  });

  it('never emits a null result for a record that found a partner later within grace', () => {
    const { left, right, output } = joinDriver('leftJoin', JoinWindows.ofTimeDifferenceAndGrace(10, 20));
    left.pipeInput('k', 'L1', 100);
    right.pipeInput('x', 'X', 125); // window of L1 ended at 110, still within grace
    right.pipeInput('k', 'R1', 108);
    right.pipeInput('x', 'X2', 1000); // closes everything
    expect(output()).toEqual([['k', 'L1+R1', 108]]);
  });

  it('holds an out-of-order record that arrives after its window ended but within grace until the grace passes', () => {
    const { left, right, output } = joinDriver('leftJoin', JoinWindows.ofTimeDifferenceAndGrace(10, 50));
    right.pipeInput('x', 'X', 200);
    left.pipeInput('k', 'L-old', 150); // window [140, 160] ended, 150 + 10 + 50 >= 200: accepted, waits
    expect(output()).toEqual([]);
    right.pipeInput('k', 'R', 145); // its partner, out of order as well
    expect(output()).toEqual([['k', 'L-old+R', 150]]);
    left.pipeInput('j', 'L-alone', 160);
    right.pipeInput('x', 'X2', 221); // 160 + 10 + 50 < 221: L-alone closes
    expect(output()).toEqual([['j', 'L-alone+-', 160]]);
  });

  it('does not emit unmatched right records', () => {
    const { left, right, output } = joinDriver('leftJoin', JoinWindows.ofTimeDifferenceWithNoGrace(10));
    right.pipeInput('k', 'R1', 100);
    left.pipeInput('z', 'Z', 500);
    expect(output()).toEqual([]);
    left.pipeInput('z', 'Z2', 1000); // Z (500) closes at 510: emitted
    expect(output()).toEqual([['z', 'Z+-', 500]]);
  });

  it('emits a null-key left record at once, joined with null (KIP-962)', () => {
    const { left, output } = joinDriver('leftJoin', JoinWindows.ofTimeDifferenceWithNoGrace(10));
    left.pipeInput(null as unknown as string, 'L', 100);
    expect(output()).toEqual([[null, 'L+-', 100]]);
  });

  it('emits duplicates of an unmatched key and timestamp once each, in time order', () => {
    const { left, output } = joinDriver('leftJoin', JoinWindows.ofTimeDifferenceWithNoGrace(10));
    left.pipeInput('b', 'L3', 105);
    left.pipeInput('a', 'L1', 100);
    left.pipeInput('a', 'L2', 100);
    left.pipeInput('c', 'L4', 200);
    expect(output()).toEqual([
      ['a', 'L1+-', 100],
      ['a', 'L2+-', 100],
      ['b', 'L3+-', 105],
    ]);
    left.pipeInput('c', 'L5', 300);
    expect(output()).toEqual([['c', 'L4+-', 200]]);
  });
});

describe('KStream-KStream outer join', () => {
  it('emits unmatched records of both sides at window close, joins matched ones', () => {
    const { left, right, output } = joinDriver('outerJoin', JoinWindows.ofTimeDifferenceWithNoGrace(10));
    left.pipeInput('a', 'L1', 100);
    right.pipeInput('b', 'R1', 101);
    right.pipeInput('c', 'R2', 102);
    left.pipeInput('c', 'L2', 105);
    expect(output()).toEqual([['c', 'L2+R2', 105]]);
    left.pipeInput('z', 'Z', 200);
    expect(output()).toEqual([
      ['a', 'L1+-', 100],
      ['b', '-+R1', 101],
    ]);
  });

  it('closes each side by its own bound: a right record waits `before`, a left one `after`', () => {
    const windows = JoinWindows.ofTimeDifferenceWithNoGrace(0).before(100).after(10);
    const { left, right, output } = joinDriver('outerJoin', windows);
    left.pipeInput('l', 'L', 1000);
    right.pipeInput('r', 'R', 1000);
    right.pipeInput('x', 'X', 1011); // L closed (1000 + 10 < 1011); R open until 1100
    expect(output()).toEqual([['l', 'L+-', 1000]]);
    right.pipeInput('r', 'R2', 1050);
    left.pipeInput('r', 'L-partner', 1090); // looks back 100: joins R (1000) and R2 (1050)
    expect(output()).toEqual([
      ['r', 'L-partner+R', 1090],
      ['r', 'L-partner+R2', 1090],
    ]);
    left.pipeInput('y', 'Y', 5000); // closes X (1011 + 100); R and R2 found a partner
    expect(output()).toEqual([['x', '-+X', 1011]]);
  });
});

describe('KStream-KStream join topology', () => {
  it('describes the join as Kafka Streams does (TopologyTest.streamStreamJoinTopologyWithDefaultStoresNames)', () => {
    const builder = new StreamsBuilder();
    const left = builder.stream<string, string>('input-topic1');
    const right = builder.stream<string, string>('input-topic2');
    left.join(right, (l, r) => l + r, JoinWindows.ofTimeDifferenceWithNoGrace(100)).to('out-topic');
    expect(builder.build().describe().toString()).toBe(
      'Topologies:\n' +
        '   Sub-topology: 0\n' +
        '    Source: KSTREAM-SOURCE-0000000000 (topics: [input-topic1])\n' +
        '      --> KSTREAM-WINDOWED-0000000002\n' +
        '    Source: KSTREAM-SOURCE-0000000001 (topics: [input-topic2])\n' +
        '      --> KSTREAM-WINDOWED-0000000003\n' +
        '    Processor: KSTREAM-WINDOWED-0000000002 (stores: [KSTREAM-JOINTHIS-0000000004-store])\n' +
        '      --> KSTREAM-JOINTHIS-0000000004\n' +
        '      <-- KSTREAM-SOURCE-0000000000\n' +
        '    Processor: KSTREAM-WINDOWED-0000000003 (stores: [KSTREAM-JOINOTHER-0000000005-store])\n' +
        '      --> KSTREAM-JOINOTHER-0000000005\n' +
        '      <-- KSTREAM-SOURCE-0000000001\n' +
        '    Processor: KSTREAM-JOINOTHER-0000000005 (stores: [KSTREAM-JOINTHIS-0000000004-store])\n' +
        '      --> KSTREAM-MERGE-0000000006\n' +
        '      <-- KSTREAM-WINDOWED-0000000003\n' +
        '    Processor: KSTREAM-JOINTHIS-0000000004 (stores: [KSTREAM-JOINOTHER-0000000005-store])\n' +
        '      --> KSTREAM-MERGE-0000000006\n' +
        '      <-- KSTREAM-WINDOWED-0000000002\n' +
        '    Processor: KSTREAM-MERGE-0000000006 (stores: [])\n' +
        '      --> KSTREAM-SINK-0000000007\n' +
        // Kafka Streams prints these two parents in insertion order (JOINTHIS first): our describe() sorts them.
        '      <-- KSTREAM-JOINOTHER-0000000005, KSTREAM-JOINTHIS-0000000004\n' +
        '    Sink: KSTREAM-SINK-0000000007 (topic: out-topic)\n' +
        '      <-- KSTREAM-MERGE-0000000006\n\n',
    );
  });

  it('names stores and nodes after StreamJoined and adds the shared store of a left join', () => {
    const builder = new StreamsBuilder();
    const left = builder.stream<string, string>('l');
    const right = builder.stream<string, string>('r');
    left.leftJoin(right, (l, r) => `${l}${r}`, JoinWindows.ofTimeDifferenceWithNoGrace(100), {
      name: 'orders',
      storeName: 'order-buffer',
    });
    const topology = builder.build();
    expect(topology.storeBuilders().map((b) => b.name)).toEqual([
      'order-buffer-this-join-store',
      'order-buffer-outer-other-join-store',
      'order-buffer-left-shared-join-store',
    ]);
    expect(topology.nodes().map((n) => n.name)).toEqual([
      'KSTREAM-SOURCE-0000000000',
      'KSTREAM-SOURCE-0000000001',
      'orders-this-windowed',
      'orders-other-windowed',
      'orders-this-join',
      'orders-outer-other-join',
      'orders-merge',
    ]);
  });

  it('builds the buffers as StreamJoined asks: in memory, unlogged, retaining duplicates', () => {
    const builder = new StreamsBuilder();
    builder
      .stream<string, string>('l')
      .outerJoin(
        builder.stream<string, string>('r'),
        (l, r) => `${l}${r}`,
        JoinWindows.ofTimeDifferenceWithNoGrace(5),
        {
          storeName: 'pairs',
          storeType: 'in-memory',
          logging: false,
        },
      );
    const stores = builder.build().storeBuilders();
    expect(stores.map((b) => [b.name, b.persistent, b.loggingEnabled])).toEqual([
      ['pairs-outer-this-join-store', false, false],
      ['pairs-outer-other-join-store', false, false],
      ['pairs-outer-shared-join-store', false, false],
    ]);
    expect(stores.slice(0, 2).map((b) => (b as unknown as { retainDuplicates: boolean }).retainDuplicates)).toEqual([
      true,
      true,
    ]);
  });

  it('with requireNames, refuses a join whose stores would get generated names', () => {
    const build = (storeName?: string) => {
      const builder = new StreamsBuilder();
      builder
        .stream<string, string>('l')
        .join(
          builder.stream<string, string>('r'),
          (l, r) => `${l}${r}`,
          JoinWindows.ofTimeDifferenceWithNoGrace(5),
          storeName === undefined ? undefined : { storeName },
        );
      return builder.build({ requireNames: true });
    };
    expect(() => build()).toThrow(/KSTREAM-JOINTHIS-0000000004-store/);
    expect(() => build('pairs')).not.toThrow();
  });

  it('names the shared store of a generated outer join KSTREAM-OUTERSHARED- after the this-side index', () => {
    const builder = new StreamsBuilder();
    builder
      .stream<string, string>('l')
      .outerJoin(builder.stream<string, string>('r'), (l, r) => `${l}${r}`, JoinWindows.ofTimeDifferenceWithNoGrace(1));
    expect(
      builder
        .build()
        .storeBuilders()
        .map((b) => b.name),
    ).toEqual([
      'KSTREAM-OUTERTHIS-0000000004-store',
      'KSTREAM-OUTEROTHER-0000000005-store',
      'KSTREAM-OUTERSHARED-0000000004-store',
    ]);
  });

  it('repartitions a side whose key was changed, so both sides are co-partitioned', () => {
    const builder = new StreamsBuilder();
    const left = builder.stream<string, string>('l').selectKey((_k, v) => v);
    const right = builder.stream<string, string>('r');
    left.join(right, (l, r) => `${l}${r}`, JoinWindows.ofTimeDifferenceWithNoGrace(10)).to('out');
    const topology = builder.build();
    expect(topology.internalTopics().map((t) => t.name)).toEqual(['KSTREAM-KEY-SELECT-0000000001-repartition']);
    const run = stringDriver(topology);
    driver = run;
    run.createInputTopic('l', str, str).pipeInput('ignored', 'k', 100);
    run.createInputTopic('r', str, str).pipeInput('k', 'R', 100);
    expect(run.createOutputTopic('out', str, str).readKeyValuesToList()).toEqual([{ key: 'k', value: 'kR' }]);
  });
});
