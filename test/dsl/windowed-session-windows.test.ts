import { afterEach, describe, expect, it } from 'vitest';
import { StreamsBuilder } from '../../src/dsl/streams-builder.ts';
import { SessionWindows } from '../../src/dsl/windows/session-windows.ts';
import { Serdes } from '../../src/serdes/serdes.ts';
import { sessionWindowedSerdeFrom } from '../../src/serdes/windowed-serdes.ts';
import type { SessionStore } from '../../src/state/session/session-store.ts';
import type { TopologyTestDriver } from '../../src/testing/topology-test-driver.ts';
import { str, stringDriver } from './support/run-topology.ts';
import { readWindowed } from './support/windowed-output.ts';

let driver: TopologyTestDriver | undefined;
afterEach(async () => {
  await driver?.close();
  driver = undefined;
});

const long = Serdes.long();
const sessionKey = sessionWindowedSerdeFrom(str);

function sessionCount(windows: SessionWindows) {
  const builder = new StreamsBuilder();
  builder
    .stream('clicks', { keySerde: str, valueSerde: str })
    .groupByKey()
    .windowedBy(windows)
    .count({ storeName: 'sessions', retentionMs: 1_000 })
    .toStream()
    .to('out', { keySerde: sessionKey, valueSerde: long });
  driver = stringDriver(builder.build());
  return { input: driver.createInputTopic('clicks', str, str), driver };
}

describe('session windows', () => {
  it('extends a session within the gap and starts a new one after it', () => {
    const { input, driver } = sessionCount(SessionWindows.ofInactivityGapWithNoGrace(10));
    input.pipeInput('a', 'x', 0);
    input.pipeInput('a', 'x', 5);
    input.pipeInput('a', 'x', 30);
    expect(readWindowed(driver, 'out', sessionKey, long)).toEqual([
      'a@[0,0]=1',
      'a@[0,0]=null',
      'a@[0,5]=2',
      'a@[30,30]=1',
    ]);
    // Session results carry the session's end as their timestamp, as in Kafka Streams.
    expect(driver.recordsOf('out').map((record) => record.timestamp)).toEqual([0, 0, 5, 30]);
    const store = driver.getStateStore<SessionStore<string, number>>('sessions');
    expect([...store.fetch('a')].map((e) => `${e.session.start}-${e.session.end}=${e.value}`)).toEqual([
      '0-5=2',
      '30-30=1',
    ]);
  });

  it('merges two sessions that an out-of-order record bridges, within grace', () => {
    const { input, driver } = sessionCount(SessionWindows.ofInactivityGapAndGrace(10, 20));
    input.pipeInput('a', 'x', 0);
    input.pipeInput('a', 'x', 18);
    input.pipeInput('a', 'x', 9); // within 10 of both sessions: merges them
    expect(readWindowed(driver, 'out', sessionKey, long)).toEqual([
      'a@[0,0]=1',
      'a@[18,18]=1',
      'a@[0,0]=null',
      'a@[18,18]=null',
      'a@[0,18]=3',
    ]);
  });

  it('drops and counts a record whose session has closed', () => {
    const { input, driver } = sessionCount(SessionWindows.ofInactivityGapAndGrace(10, 5));
    input.pipeInput('a', 'x', 100);
    input.pipeInput('a', 'x', 84); // its session [84,84] closes at 84 + 10 + 5 < 100: late
    input.pipeInput('a', 'x', 85); // [85,85] ends exactly at the close time: accepted
    expect(readWindowed(driver, 'out', sessionKey, long)).toEqual(['a@[100,100]=1', 'a@[85,85]=1']);
    expect(driver.droppedRecords()).toEqual({ late: 1, expired: 0, nullKey: 0 });
  });

  it('reduces and aggregates sessions, merging with the merger', () => {
    const builder = new StreamsBuilder();
    const sessions = builder
      .stream('amounts', { keySerde: str, valueSerde: long })
      .groupByKey()
      .windowedBy(SessionWindows.ofInactivityGapAndGrace(10, 100));
    sessions
      .reduce((a, b) => a + b, { storeName: 'sum' })
      .toStream()
      .to('sum-out', { keySerde: sessionKey, valueSerde: long });
    sessions
      .aggregate(
        () => [] as number[],
        (_key, value, list) => [...list, value],
        (_key, left, right) => [...left, ...right].sort((x, y) => x - y),
        { storeName: 'lists', valueSerde: Serdes.json<number[]>() },
      )
      .toStream()
      .to('list-out', { keySerde: sessionKey, valueSerde: Serdes.json<number[]>() });
    driver = stringDriver(builder.build());
    const input = driver.createInputTopic('amounts', str, long);
    input.pipeInput('k', 1, 0);
    input.pipeInput('k', 2, 20);
    input.pipeInput('k', 4, 10);
    expect(readWindowed(driver, 'sum-out', sessionKey, long).filter((line) => !line.endsWith('null'))).toEqual([
      'k@[0,0]=1',
      'k@[20,20]=2',
      'k@[0,20]=7',
    ]);
    expect(readWindowed(driver, 'list-out', sessionKey, Serdes.json<number[]>()).at(-1)).toBe('k@[0,20]=[1,2,4]');
  });

  it('refuses a retention shorter than gap + grace', () => {
    const builder = new StreamsBuilder();
    const grouped = builder.stream('in', { keySerde: str, valueSerde: str }).groupByKey();
    expect(() =>
      grouped.windowedBy(SessionWindows.ofInactivityGapAndGrace(10, 5)).count({ storeName: 's', retentionMs: 14 }),
    ).toThrow(/shorter than the inactivity gap plus the grace period \(15 ms\)/);
  });
});
