import { afterEach, describe, expect, it } from 'vitest';
import { StreamsBuilder } from '../../src/dsl/streams-builder.ts';
import { EmitStrategy } from '../../src/dsl/windows/emit-strategy.ts';
import { SessionWindows } from '../../src/dsl/windows/session-windows.ts';
import { Suppressed } from '../../src/dsl/windows/suppressed.ts';
import { TimeWindows } from '../../src/dsl/windows/time-windows.ts';
import { Serdes } from '../../src/serdes/serdes.ts';
import { sessionWindowedSerdeFrom, timeWindowedSerdeFrom } from '../../src/serdes/windowed-serdes.ts';
import type { KeyValueStore } from '../../src/state/key-value-store.ts';
import type { TopologyTestDriver } from '../../src/testing/topology-test-driver.ts';
import { str, stringDriver } from './support/run-topology.ts';
import { readWindowed } from './support/windowed-output.ts';

let driver: TopologyTestDriver | undefined;
afterEach(async () => {
  await driver?.close();
  driver = undefined;
});

const long = Serdes.long();
const windowKey = timeWindowedSerdeFrom(str, 10);

/** Records for two keys; stream time passes the close (end + grace 5) of [0,10) only at the last record. */
function pipeTumbling(d: TopologyTestDriver): void {
  const input = d.createInputTopic('clicks', str, str);
  input.pipeInput('a', 'x', 1);
  input.pipeInput('b', 'x', 2);
  input.pipeInput('a', 'x', 12);
  input.pipeInput('a', 'x', 8); // out of order, within grace
  input.pipeInput('b', 'x', 14);
  input.pipeInput('a', 'x', 15); // closes [0,10)
  input.pipeInput('a', 'x', 3); // late
  input.pipeInput('b', 'x', 30); // closes [10,20)
}

describe('final results of windowed aggregations', () => {
  it('emitStrategy(onWindowClose) forwards each window once, after it closes', () => {
    const builder = new StreamsBuilder();
    builder
      .stream('clicks', { keySerde: str, valueSerde: str })
      .groupByKey()
      .windowedBy(TimeWindows.ofSizeAndGrace(10, 5))
      .emitStrategy(EmitStrategy.onWindowClose())
      .count({ storeName: 'counts', retentionMs: 100 })
      .toStream()
      .to('out', { keySerde: windowKey, valueSerde: long });
    driver = stringDriver(builder.build());
    pipeTumbling(driver);
    expect(readWindowed(driver, 'out', windowKey, long)).toEqual([
      'a@[0,10]=2',
      'b@[0,10]=1',
      'a@[10,20]=2',
      'b@[10,20]=1',
    ]);
    expect(driver.droppedRecords().late).toBe(1);
  });

  it('suppress(untilWindowCloses) forwards each window once, after it closes', () => {
    const builder = new StreamsBuilder();
    builder
      .stream('clicks', { keySerde: str, valueSerde: str })
      .groupByKey()
      .windowedBy(TimeWindows.ofSizeAndGrace(10, 5))
      .count()
      .suppress(Suppressed.untilWindowCloses())
      .toStream()
      .to('out', { keySerde: windowKey, valueSerde: long });
    const topology = builder.build();
    driver = stringDriver(topology);
    pipeTumbling(driver);
    expect(readWindowed(driver, 'out', windowKey, long)).toEqual([
      'a@[0,10]=2',
      'b@[0,10]=1',
      'a@[10,20]=2',
      'b@[10,20]=1',
    ]);
    // The buffer is logged: each buffered update and each emission (a tombstone) is in its changelog.
    const changelog = driver.recordsOf('dsl-test-KTABLE-SUPPRESS-STATE-STORE-0000000004-changelog');
    expect(changelog.filter((r) => r.value === null)).toHaveLength(4);
    expect([...driver.getKeyValueStore('KTABLE-SUPPRESS-STATE-STORE-0000000004').all()]).toHaveLength(1);
  });

  it('suppress keeps only the latest session and skips sessions merged away', () => {
    const sessionKey = sessionWindowedSerdeFrom(str);
    const builder = new StreamsBuilder();
    builder
      .stream('clicks', { keySerde: str, valueSerde: str })
      .groupByKey()
      .windowedBy(SessionWindows.ofInactivityGapWithNoGrace(10))
      .count()
      .suppress(Suppressed.untilWindowCloses({}, 'final'))
      .toStream()
      .to('out', { keySerde: sessionKey, valueSerde: long });
    driver = stringDriver(builder.build());
    const input = driver.createInputTopic('clicks', str, str);
    input.pipeInput('a', 'x', 0);
    input.pipeInput('a', 'x', 8);
    input.pipeInput('a', 'x', 17); // session [0,17]
    input.pipeInput('a', 'x', 26); // session [0,26]: closes at 26 + 10
    input.pipeInput('b', 'x', 35);
    expect(readWindowed(driver, 'out', sessionKey, long)).toEqual([]);
    input.pipeInput('b', 'x', 36);
    expect(readWindowed(driver, 'out', sessionKey, long)).toEqual(['a@[0,26]=4']);
    expect(driver.getKeyValueStore<unknown, unknown>('final-store')).toBeDefined();
  });

  it('emitStrategy(onWindowClose) works for sessions too', () => {
    const sessionKey = sessionWindowedSerdeFrom(str);
    const builder = new StreamsBuilder();
    builder
      .stream('clicks', { keySerde: str, valueSerde: str })
      .groupByKey()
      .windowedBy(SessionWindows.ofInactivityGapWithNoGrace(10))
      .emitStrategy(EmitStrategy.onWindowClose())
      .count({ storeName: 's', retentionMs: 1_000 })
      .toStream()
      .to('out', { keySerde: sessionKey, valueSerde: long });
    driver = stringDriver(builder.build());
    const input = driver.createInputTopic('clicks', str, str);
    input.pipeInput('a', 'x', 0);
    input.pipeInput('a', 'x', 8);
    input.pipeInput('a', 'x', 18); // stream time 18: [0,8] ends exactly at the close time, still open
    expect(readWindowed(driver, 'out', sessionKey, long)).toEqual([]);
    input.pipeInput('a', 'x', 30); // [0,8] closed: 8 < 30 - 10
    expect(readWindowed(driver, 'out', sessionKey, long)).toEqual(['a@[0,18]=3']);
    input.pipeInput('b', 'x', 25);
    input.pipeInput('b', 'x', 60);
    expect(readWindowed(driver, 'out', sessionKey, long)).toEqual(['a@[30,30]=1', 'b@[25,25]=1']);
  });

  it('suppress without logging writes no changelog, and refuses a bad maxRecords', () => {
    expect(() => Suppressed.untilWindowCloses({ maxRecords: 0 })).toThrow(/maxRecords must be a positive integer/);
    const builder = new StreamsBuilder();
    builder
      .stream('clicks', { keySerde: str, valueSerde: str })
      .groupByKey()
      .windowedBy(TimeWindows.ofSizeWithNoGrace(10))
      .count()
      .suppress(Suppressed.untilWindowCloses({ logging: false }, 'quiet'))
      .toStream()
      .to('out', { keySerde: windowKey, valueSerde: long });
    driver = stringDriver(builder.build());
    const input = driver.createInputTopic('clicks', str, str);
    input.pipeInput('a', 'x', 1);
    input.pipeInput('a', 'x', 10);
    expect(readWindowed(driver, 'out', windowKey, long)).toEqual(['a@[0,10]=1']);
    expect(driver.recordsOf('dsl-test-quiet-store-changelog')).toEqual([]);
  });

  it('suppress refuses a table that is not windowed', () => {
    const builder = new StreamsBuilder();
    const table = builder.stream('in', { keySerde: str, valueSerde: str }).groupByKey().count();
    expect(() => table.suppress(Suppressed.untilWindowCloses())).toThrow(/not windowed/);
  });

  it('suppress fails the task when its buffer is full', () => {
    const builder = new StreamsBuilder();
    builder
      .stream('clicks', { keySerde: str, valueSerde: str })
      .groupByKey()
      .windowedBy(TimeWindows.ofSizeWithNoGrace(10))
      .count()
      .suppress(Suppressed.untilWindowCloses({ maxRecords: 1 }))
      .toStream()
      .to('out', { keySerde: windowKey, valueSerde: long });
    driver = stringDriver(builder.build());
    const input = driver.createInputTopic('clicks', str, str);
    input.pipeInput('a', 'x', 1);
    expect(() => input.pipeInput('b', 'x', 2)).toThrow(/buffer .* is full/);
  });
});

describe('the suppression buffer store', () => {
  it('holds the pending windows under their windowed keys', () => {
    const builder = new StreamsBuilder();
    builder
      .stream('clicks', { keySerde: str, valueSerde: str })
      .groupByKey()
      .windowedBy(TimeWindows.ofSizeWithNoGrace(10))
      .count()
      .suppress(Suppressed.untilWindowCloses({}, 'final'))
      .toStream()
      .to('out', { keySerde: windowKey, valueSerde: long });
    driver = stringDriver(builder.build());
    driver.createInputTopic('clicks', str, str).pipeInput('a', 'x', 4);
    const store = driver.getKeyValueStore<{ key: string; window: { start: number; end: number } }, unknown>(
      'final-store',
    ) as KeyValueStore<{ key: string; window: { start: number; end: number } }, { bufferTime: number }>;
    expect([...store.all()].map((e) => `${e.key.key}@${e.key.window.start}:${e.value.bufferTime}`)).toEqual(['a@0:10']);
  });
});
