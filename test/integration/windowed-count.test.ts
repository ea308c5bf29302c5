import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { StreamsBuilder } from '../../src/dsl/streams-builder.ts';
import { EmitStrategy } from '../../src/dsl/windows/emit-strategy.ts';
import { Suppressed } from '../../src/dsl/windows/suppressed.ts';
import { TimeWindows } from '../../src/dsl/windows/time-windows.ts';
import type { AdapterName } from '../../src/kafka/index.ts';
import { KafkaStreams } from '../../src/runtime/kafka-streams.ts';
import { Serdes } from '../../src/serdes/serdes.ts';
import { timeWindowedSerdeFrom } from '../../src/serdes/windowed-serdes.ts';
import type { WindowStore } from '../../src/state/window/window-store.ts';
import { Cluster, eventually, uniqueName, waitForState } from './support/cluster.ts';
import { testStreamsConfig } from './support/test-streams-config.ts';

const adapters: AdapterName[] = ['platformatic', 'kafkajs'];
const str = Serdes.string();
const long = Serdes.long();
const SIZE = 1_000;
const windowKey = timeWindowedSerdeFrom(str, SIZE);
// Record times near now, rounded to a minute so windows are [BASE + n * SIZE, BASE + (n + 1) * SIZE).
// Not a fixed date in the past: window changelogs are compact,delete and the broker applies their
// retention to record timestamps, so old-stamped changelog records would be deleted within seconds.
const BASE = Math.floor((Date.now() - 3_600_000) / 60_000) * 60_000;

describe.each(adapters)('a windowed count with a persistent window store on a real broker (%s)', (adapter) => {
  let cluster: Cluster;
  let stateDir: string;
  let input: string;
  let updates: string;
  let finals: string;
  let closed: string;
  let applicationId: string;
  let app: KafkaStreams | undefined;

  beforeAll(async () => {
    cluster = new Cluster();
    stateDir = mkdtempSync(join(tmpdir(), 'kstreams-windowed-'));
    input = await cluster.createTopic(`${adapter}-clicks`, 1);
    updates = await cluster.createTopic(`${adapter}-window-updates`, 1);
    finals = await cluster.createTopic(`${adapter}-window-finals`, 1);
    closed = await cluster.createTopic(`${adapter}-window-closed`, 1);
    applicationId = uniqueName(`${adapter}-windowed-count`);
    cluster.forget([
      `${applicationId}-window-counts-changelog`,
      `${applicationId}-final-store-changelog`,
      `${applicationId}-closed-counts-changelog`,
      `${applicationId}-closed-counts-emit-progress-changelog`,
    ]);
  });

  afterEach(async () => {
    await app?.close({ timeoutMs: 10_000 });
    app = undefined;
  });

  afterAll(async () => {
    await cluster.close();
    rmSync(stateDir, { recursive: true, force: true });
  });

  function startApp(): KafkaStreams {
    const builder = new StreamsBuilder();
    const grouped = builder.stream(input, { keySerde: str, valueSerde: str }).groupByKey();
    const counts = grouped
      .windowedBy(TimeWindows.ofSizeAndGrace(SIZE, 500))
      .count({ storeName: 'window-counts', retentionMs: 3_600_000 });
    counts.toStream().to(updates, { keySerde: windowKey, valueSerde: long });
    counts
      .suppress(Suppressed.untilWindowCloses({}, 'final'))
      .toStream()
      .to(finals, { keySerde: windowKey, valueSerde: long });
    grouped
      .windowedBy(TimeWindows.ofSizeAndGrace(SIZE, 500))
      .emitStrategy(EmitStrategy.onWindowClose())
      .count({ storeName: 'closed-counts', retentionMs: 3_600_000 })
      .toStream()
      .to(closed, { keySerde: windowKey, valueSerde: long });
    app = new KafkaStreams(builder.build(), testStreamsConfig(adapter, applicationId, { stateDir }));
    return app;
  }

  async function produce(records: ReadonlyArray<readonly [string, number]>): Promise<void> {
    await cluster.produce(
      records.map(([key, offset]) => ({
        topic: input,
        key: Buffer.from(key),
        value: Buffer.from('click'),
        timestamp: BASE + offset,
      })),
    );
  }

  /** `key@start=count` of every record read from `topic` once `expected` lines are there (or at the timeout). */
  async function readLines(topic: string, expected: number, timeoutMs?: number): Promise<string[]> {
    const lines = (records: ReadonlyArray<{ key: Buffer | null; value: Buffer | null }>) =>
      records.map((record) => {
        const windowed = windowKey.deserialize(topic, record.key);
        return `${windowed?.key}@${(windowed?.window.start ?? 0) - BASE}=${long.deserialize(topic, record.value)}`;
      });
    return lines(await cluster.readUntil(topic, (records) => records.length >= expected, timeoutMs));
  }

  function storeContents(running: KafkaStreams): string[] {
    const entries: string[] = [];
    for (const store of running.localStores('window-counts').values()) {
      for (const entry of (store as WindowStore<string, number>).all()) {
        entries.push(`${entry.key}@${entry.window.start - BASE}=${entry.value}`);
      }
    }
    return entries.sort();
  }

  it('counts per window, and after a restart restores the window stores, the buffer and the emit progress', async () => {
    const first = startApp();
    await first.start();
    await waitForState(first, 'RUNNING');
    await produce([
      ['a', 100],
      ['b', 200],
      ['a', 1_100],
      ['a', 900], // out of order, within grace: window 0
      ['b', 1_600], // stream time 1600 closes window 0 (end 1000 + grace 500)
    ]);
    const before = ['a@0=2', 'a@1000=1', 'b@0=1', 'b@1000=1'];
    expect(await eventually(() => JSON.stringify(storeContents(first)) === JSON.stringify(before))).toBe(true);
    expect((await readLines(finals, 2)).sort()).toEqual(['a@0=2', 'b@0=1']);
    expect((await readLines(closed, 2)).sort()).toEqual(['a@0=2', 'b@0=1']);
    expect(await first.close()).toBe(true);
    app = undefined;

    // A lost state dir: every store comes back from its changelog.
    rmSync(stateDir, { recursive: true, force: true });
    const second = startApp();
    await second.start();
    await waitForState(second, 'RUNNING');
    expect(await eventually(() => JSON.stringify(storeContents(second)) === JSON.stringify(before))).toBe(true);
    expect(second.counters().recordsProcessed).toBe(0);

    await produce([
      ['a', 1_200], // window 1000 goes on from the restored count
      ['c', 2_600], // closes window 1000
    ]);
    expect(await eventually(() => storeContents(second).includes('c@2000=1'))).toBe(true);
    expect(storeContents(second)).toEqual(['a@0=2', 'a@1000=2', 'b@0=1', 'b@1000=1', 'c@2000=1']);
    expect(await second.close()).toBe(true);
    app = undefined;
    // Each window's final result exactly once, across the restart: b@1000 waited in the restored buffer.
    const everything = ['a@0=2', 'a@1000=2', 'b@0=1', 'b@1000=1'];
    expect((await readLines(finals, Number.POSITIVE_INFINITY, 3_000)).sort()).toEqual(everything);
    expect((await readLines(closed, Number.POSITIVE_INFINITY, 3_000)).sort()).toEqual(everything);
  });
});
