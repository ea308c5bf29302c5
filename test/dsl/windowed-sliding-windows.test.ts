import { afterEach, describe, expect, it } from 'vitest';
import { StreamsBuilder } from '../../src/dsl/streams-builder.ts';
import { EmitStrategy } from '../../src/dsl/windows/emit-strategy.ts';
import { SlidingWindows } from '../../src/dsl/windows/sliding-windows.ts';
import { Serdes } from '../../src/serdes/serdes.ts';
import { timeWindowedSerdeFrom } from '../../src/serdes/windowed-serdes.ts';
import type { WindowStore } from '../../src/state/window/window-store.ts';
import type { TopologyTestDriver } from '../../src/testing/topology-test-driver.ts';
import { str, stringDriver } from './support/run-topology.ts';
import { readWindowed } from './support/windowed-output.ts';

let driver: TopologyTestDriver | undefined;
afterEach(async () => {
  await driver?.close();
  driver = undefined;
});

const long = Serdes.long();
const D = 10;
const windowKey = timeWindowedSerdeFrom(str, D);

function slidingSum(windows: SlidingWindows, emit = EmitStrategy.onWindowUpdate()) {
  const builder = new StreamsBuilder();
  builder
    .stream('amounts', { keySerde: str, valueSerde: long })
    .groupByKey()
    .windowedBy(windows)
    .emitStrategy(emit)
    .reduce((a, b) => a + b, { storeName: 'sums', retentionMs: 100_000 })
    .toStream()
    .to('out', { keySerde: windowKey, valueSerde: long });
  driver = stringDriver(builder.build());
  return { input: driver.createInputTopic('amounts', str, long), driver };
}

/** The windows sliding windows must hold for records at `times` (value = its time), by brute force. */
function expectedWindows(times: readonly number[]): Map<number, number> {
  const sumIn = (from: number, to: number) => times.filter((t) => t >= from && t <= to).reduce((a, b) => a + b, 0);
  const windows = new Map<number, number>();
  for (const t of times) {
    const leftStart = Math.max(0, t - D);
    windows.set(leftStart, sumIn(leftStart, leftStart + D));
    if (times.some((other) => other > t && other <= t + 1 + D)) windows.set(t + 1, sumIn(t + 1, t + 1 + D));
  }
  return windows;
}

function storedWindows(d: TopologyTestDriver): Map<number, number> {
  const store = d.getStateStore<WindowStore<string, { value: number }>>('sums');
  return new Map([...store.all()].map((entry) => [entry.window.start, entry.value.value]));
}

/** A small deterministic generator (mulberry32), so a failure is reproducible from its seed. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const sortByStart = (m: Map<number, number>) => [...m].sort(([a], [b]) => a - b);

describe('sliding windows', () => {
  it('creates the left window of each record and the right window of the previous one', () => {
    const { input, driver } = slidingSum(SlidingWindows.ofTimeDifferenceWithNoGrace(D));
    input.pipeInput('k', 20, 20);
    input.pipeInput('k', 25, 25);
    expect(readWindowed(driver, 'out', windowKey, long)).toEqual([
      'k@[10,20]=20',
      'k@[21,31]=25', // the right window of 20, holding 25
      'k@[15,25]=45',
    ]);
  });

  it('records before the time difference share the window [0, d]', () => {
    const { input, driver } = slidingSum(SlidingWindows.ofTimeDifferenceWithNoGrace(D));
    input.pipeInput('k', 3, 3);
    input.pipeInput('k', 7, 7);
    expect(sortByStart(storedWindows(driver))).toEqual([
      [0, 10],
      [4, 7],
    ]);
  });

  it('drops a record whose windows have all closed, and counts each closed window it misses', () => {
    const { input, driver } = slidingSum(SlidingWindows.ofTimeDifferenceAndGrace(D, 5));
    input.pipeInput('k', 100, 100);
    input.pipeInput('k', 80, 80); // its right window ends at 91, before the close time 95
    input.pipeInput('k', 92, 92); // its left window [82,92] has closed; [90,100] is open
    expect(driver.droppedRecords().late).toBe(2);
    expect(sortByStart(storedWindows(driver))).toEqual([
      [90, 192],
      [93, 100], // the right window of 92 holds 100
    ]);
  });

  it.each([1, 2, 3, 4, 5, 6, 7, 8])(
    'matches a brute-force model for shuffled records within grace (seed %i)',
    (seed) => {
      const next = random(seed);
      const times = Array.from({ length: 25 }, () => Math.floor(next() * 80));
      const { input, driver } = slidingSum(SlidingWindows.ofTimeDifferenceAndGrace(D, 1_000));
      for (const t of times) input.pipeInput('k', t, t);
      expect(sortByStart(storedWindows(driver))).toEqual(sortByStart(expectedWindows(times)));
    },
  );

  it('count and aggregate fold into the same windows', () => {
    const builder = new StreamsBuilder();
    const windowed = builder
      .stream('in', { keySerde: str, valueSerde: str })
      .groupByKey()
      .windowedBy(SlidingWindows.ofTimeDifferenceWithNoGrace(D));
    windowed.count({ storeName: 'counts' }).toStream().to('counts-out', { keySerde: windowKey, valueSerde: long });
    windowed
      .aggregate(
        () => '',
        (_k, v, agg) => agg + v,
        { storeName: 'concat', valueSerde: str },
      )
      .toStream()
      .to('concat-out', { keySerde: windowKey, valueSerde: str });
    driver = stringDriver(builder.build());
    const input = driver.createInputTopic('in', str, str);
    input.pipeInput('k', 'a', 50);
    input.pipeInput('k', 'b', 55);
    expect(readWindowed(driver, 'counts-out', windowKey, long)).toEqual(['k@[40,50]=1', 'k@[51,61]=1', 'k@[45,55]=2']);
    expect(readWindowed(driver, 'concat-out', windowKey, str)).toEqual([
      'k@[40,50]="a"',
      'k@[51,61]="b"',
      'k@[45,55]="ab"',
    ]);
  });

  it('emits each window once after it closes with onWindowClose', () => {
    const { input, driver } = slidingSum(SlidingWindows.ofTimeDifferenceWithNoGrace(D), EmitStrategy.onWindowClose());
    input.pipeInput('k', 20, 20);
    expect(readWindowed(driver, 'out', windowKey, long)).toEqual([]);
    input.pipeInput('k', 25, 25); // stream time 25 closes [10,20]
    expect(readWindowed(driver, 'out', windowKey, long)).toEqual(['k@[10,20]=20']);
    input.pipeInput('k', 100, 100);
    expect(readWindowed(driver, 'out', windowKey, long)).toEqual(['k@[15,25]=45', 'k@[21,31]=25']);
  });

  it('refuses a retention shorter than twice the time difference plus grace', () => {
    const builder = new StreamsBuilder();
    const grouped = builder.stream('in', { keySerde: str, valueSerde: str }).groupByKey();
    expect(() =>
      grouped.windowedBy(SlidingWindows.ofTimeDifferenceAndGrace(10, 5)).count({ storeName: 's', retentionMs: 24 }),
    ).toThrow(/shorter than twice the time difference plus the grace period \(25 ms\)/);
  });
});
