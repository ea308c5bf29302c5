import { afterEach, describe, expect, it } from 'vitest';
import { StreamsBuilder } from '../../src/dsl/streams-builder.ts';
import { TimeWindows } from '../../src/dsl/windows/time-windows.ts';
import { Serdes } from '../../src/serdes/serdes.ts';
import { timeWindowedSerdeFrom } from '../../src/serdes/windowed-serdes.ts';
import type { WindowStore } from '../../src/state/window/window-store.ts';
import type { TopologyTestDriver } from '../../src/testing/topology-test-driver.ts';
import * as driverModule from '../../src/testing/topology-test-driver.ts';
import { str, stringDriver } from './support/run-topology.ts';
import { readWindowed } from './support/windowed-output.ts';

let driver: TopologyTestDriver | undefined;
afterEach(async () => {
  await driver?.close();
  driver = undefined;
});

const long = Serdes.long();

function countTopology(windows: TimeWindows, sizeMs: number) {
  const builder = new StreamsBuilder();
  builder
    .stream('clicks', { keySerde: str, valueSerde: str })
    .groupByKey()
    .windowedBy(windows)
    .count({ storeName: 'counts', retentionMs: 1_000 })
    .toStream()
    .to('out', { keySerde: timeWindowedSerdeFrom(str, sizeMs), valueSerde: long });
  driver = stringDriver(builder.build());
  return { input: driver.createInputTopic('clicks', str, str), driver };
}

describe('tumbling windows', () => {
  it('counts records per key and window, each update forwarded', () => {
    const { input, driver } = countTopology(TimeWindows.ofSizeWithNoGrace(10), 10);
    input.pipeInput('a', 'x', 1);
    input.pipeInput('a', 'x', 9);
    input.pipeInput('b', 'x', 5);
    input.pipeInput('a', 'x', 10);
    expect(readWindowed(driver, 'out', timeWindowedSerdeFrom(str, 10), long)).toEqual([
      'a@[0,10]=1',
      'a@[0,10]=2',
      'b@[0,10]=1',
      'a@[10,20]=1',
    ]);
    const store = driver.getStateStore<WindowStore<string, number>>('counts');
    expect(store.fetch('a', 0)).toBe(2);
    expect(store.fetch('a', 10)).toBe(1);
  });

  it('updates the right window for an out-of-order record within grace, drops and counts one beyond it', () => {
    const { input, driver } = countTopology(TimeWindows.ofSizeAndGrace(10, 5), 10);
    input.pipeInput('a', 'x', 3);
    input.pipeInput('a', 'x', 14); // stream time 14: window [0,10) closes at 10 + 5 = 15
    input.pipeInput('a', 'x', 7); // within grace: updates [0,10)
    input.pipeInput('a', 'x', 15); // stream time 15: [0,10) is closed now
    input.pipeInput('a', 'x', 8); // late: dropped
    expect(readWindowed(driver, 'out', timeWindowedSerdeFrom(str, 10), long)).toEqual([
      'a@[0,10]=1',
      'a@[10,20]=1',
      'a@[0,10]=2',
      'a@[10,20]=2',
    ]);
    expect(driver.droppedRecords()).toEqual({ late: 1, expired: 0, nullKey: 0 });
  });

  it('drops and counts records with a null key', () => {
    const { driver } = countTopology(TimeWindows.ofSizeWithNoGrace(10), 10);
    driver.createInputTopic('clicks', Serdes.void(), str).pipeInput(null, 'x', 1);
    expect(driver.droppedRecords().nullKey).toBe(1);
    expect(driver.createOutputTopic('out', str, long).isEmpty()).toBe(true);
  });

  it('reduces and aggregates per window', () => {
    const builder = new StreamsBuilder();
    const windowed = builder
      .stream('amounts', { keySerde: str, valueSerde: long })
      .groupByKey()
      .windowedBy(TimeWindows.ofSizeWithNoGrace(100));
    const windowSerde = timeWindowedSerdeFrom(str, 100);
    windowed
      .reduce((a, b) => Math.max(a, b), { storeName: 'max' })
      .toStream()
      .to('max-out', { keySerde: windowSerde, valueSerde: long });
    windowed
      .aggregate(
        () => '',
        (_key, value, agg) => `${agg}+${value}`,
        { storeName: 'concat', valueSerde: str },
      )
      .toStream()
      .to('concat-out', { keySerde: windowSerde, valueSerde: str });
    driver = stringDriver(builder.build());
    const input = driver.createInputTopic('amounts', str, long);
    input.pipeInput('k', 5, 10);
    input.pipeInput('k', 3, 20);
    input.pipeInput('k', 8, 150);
    expect(readWindowed(driver, 'max-out', windowSerde, long)).toEqual(['k@[0,100]=5', 'k@[0,100]=5', 'k@[100,200]=8']);
    expect(readWindowed(driver, 'concat-out', windowSerde, str)).toEqual([
      'k@[0,100]="+5"',
      'k@[0,100]="+5+3"',
      'k@[100,200]="+8"',
    ]);
  });

  it('deduplicates updates in the store cache until commit', () => {
    const builder = new StreamsBuilder();
    builder
      .stream('clicks', { keySerde: str, valueSerde: str })
      .groupByKey()
      .windowedBy(TimeWindows.ofSizeWithNoGrace(10))
      .count()
      .toStream()
      .to('out', { keySerde: timeWindowedSerdeFrom(str, 10), valueSerde: long });
    const { TopologyTestDriver } = driverModule;
    driver = new TopologyTestDriver(builder.build(), { commitEveryRecord: false });
    const input = driver.createInputTopic('clicks', str, str);
    input.pipeInput('a', 'x', 1);
    input.pipeInput('a', 'x', 2);
    input.pipeInput('a', 'x', 12);
    expect(driver.createOutputTopic('out', str, long).isEmpty()).toBe(true);
    driver.commit();
    expect(readWindowed(driver, 'out', timeWindowedSerdeFrom(str, 10), long)).toEqual(['a@[0,10]=2', 'a@[10,20]=1']);
  });
});

describe('hopping windows', () => {
  it('counts each record in every window that contains it', () => {
    const { input, driver } = countTopology(TimeWindows.ofSizeWithNoGrace(10).advanceBy(5), 10);
    input.pipeInput('a', 'x', 7);
    input.pipeInput('a', 'x', 12);
    expect(readWindowed(driver, 'out', timeWindowedSerdeFrom(str, 10), long)).toEqual([
      'a@[0,10]=1',
      'a@[5,15]=1',
      'a@[5,15]=2',
      'a@[10,20]=1',
    ]);
  });

  it('drops a record only for the windows that have closed', () => {
    const { input, driver } = countTopology(TimeWindows.ofSizeAndGrace(10, 2).advanceBy(5), 10);
    input.pipeInput('a', 'x', 13);
    input.pipeInput('a', 'x', 8); // [0,10) closed (10 + 2 <= 13); [5,15) still open
    expect(readWindowed(driver, 'out', timeWindowedSerdeFrom(str, 10), long)).toEqual([
      'a@[5,15]=1',
      'a@[10,20]=1',
      'a@[5,15]=2',
    ]);
    expect(driver.droppedRecords().late).toBe(1);
  });
});

describe('TimeWindows', () => {
  it('refuses invalid sizes and advances', () => {
    expect(() => TimeWindows.ofSizeWithNoGrace(0)).toThrow(/window size/);
    expect(() => TimeWindows.ofSizeAndGrace(10, -1)).toThrow(/grace period/);
    expect(() => TimeWindows.ofSizeWithNoGrace(10).advanceBy(11)).toThrow(/larger than the window size/);
  });

  it('lists the windows of a timestamp, aligned to the epoch', () => {
    expect(TimeWindows.ofSizeWithNoGrace(10).windowStartsFor(25)).toEqual([20]);
    expect(TimeWindows.ofSizeWithNoGrace(10).advanceBy(3).windowStartsFor(25)).toEqual([18, 21, 24]);
    expect(TimeWindows.ofSizeWithNoGrace(10).advanceBy(3).windowStartsFor(2)).toEqual([0]);
  });
});

describe('windowed store retention', () => {
  it('defaults to window size + grace and refuses less', () => {
    const builder = new StreamsBuilder();
    const windowed = builder.stream('in', { keySerde: str, valueSerde: str }).groupByKey();
    expect(() =>
      windowed.windowedBy(TimeWindows.ofSizeAndGrace(100, 50)).count({ storeName: 'short', retentionMs: 149 }),
    ).toThrow(
      /retention of the windowed store "short" \(149 ms\) is shorter than the window size plus the grace period \(150 ms\)/,
    );
    windowed.windowedBy(TimeWindows.ofSizeAndGrace(100, 50)).count({ storeName: 'enough', retentionMs: 150 });
    windowed.windowedBy(TimeWindows.ofSizeAndGrace(100, 50)).count({ storeName: 'default' });
    driver = stringDriver(builder.build());
    expect(driver.getStateStore<WindowStore<string, number>>('default').retentionMs).toBe(150);
    expect(driver.getStateStore<WindowStore<string, number>>('enough').windowSizeMs).toBe(100);
  });
});

describe('dropped records', () => {
  it('logs each late record at debug, naming the processor, the reason and where it came from', async () => {
    const debug: Array<{ message: string; fields: Readonly<Record<string, unknown>> | undefined }> = [];
    const builder = new StreamsBuilder();
    builder
      .stream('clicks', { keySerde: str, valueSerde: str })
      .groupByKey()
      .windowedBy(TimeWindows.ofSizeWithNoGrace(10))
      .count({ storeName: 'counts' });
    const logging = new driverModule.TopologyTestDriver(builder.build(), {
      logger: {
        debug: (message, fields) => debug.push({ message, fields }),
        info: () => undefined,
        warn: () => undefined,
        error: () => undefined,
      },
    });
    try {
      const input = logging.createInputTopic('clicks', str, str);
      input.pipeInput('a', 'x', 25);
      input.pipeInput('a', 'x', 3);
      const drops = debug.filter((entry) => entry.message === 'A processor dropped a record.');
      expect(drops).toHaveLength(1);
      expect(drops[0]?.fields).toMatchObject({ reason: 'late', topic: 'clicks', partition: 0, offset: 1 });
      expect(String(drops[0]?.fields?.processor)).toMatch(/^KSTREAM-AGGREGATE-/);
    } finally {
      await logging.close();
    }
  });
});
