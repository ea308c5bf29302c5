import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { StreamsBuilder } from '../../src/dsl/streams-builder.ts';
import { isKStreamsError } from '../../src/errors.ts';
import type { AdapterName } from '../../src/kafka/index.ts';
import { KafkaStreams } from '../../src/runtime/kafka-streams.ts';
import type { Logger } from '../../src/runtime/logger.ts';
import { Serdes } from '../../src/serdes/serdes.ts';
import type { KeyValueStore } from '../../src/state/key-value-store.ts';
import { testBrokers } from '../setup/kafka-env.ts';
import { Cluster, eventually, text, uniqueName, waitForState } from './support/cluster.ts';

const adapters: AdapterName[] = ['platformatic', 'kafkajs'];
const str = Serdes.string();
const long = Serdes.long();
const keys = ['alpha', 'beta', 'gamma', 'delta', 'epsilon'];

/** Keeps the fields of the "Restored state stores." lines, to tell a tail restore from a full one. */
function restoreLog(): { logger: Logger; restores: Array<Record<string, unknown>> } {
  const restores: Array<Record<string, unknown>> = [];
  const ignore = () => undefined;
  return {
    restores,
    logger: {
      debug: ignore,
      warn: ignore,
      error: ignore,
      info: (message, fields) => {
        if (message === 'Restored state stores.') restores.push({ ...fields });
      },
    },
  };
}

describe.each(adapters)('a count-by-key app with a persistent, logged store on a real broker (%s)', (adapter) => {
  let cluster: Cluster;
  let stateDir: string;
  let input: string;
  let output: string;
  let applicationId: string;
  let app: KafkaStreams | undefined;
  const expected = new Map<string, number>();

  beforeAll(async () => {
    cluster = new Cluster();
    stateDir = mkdtempSync(join(tmpdir(), 'kstreams-restore-'));
    input = await cluster.createTopic(`${adapter}-clicks`, 2);
    output = await cluster.createTopic(`${adapter}-click-counts`, 2);
    applicationId = uniqueName(`${adapter}-click-count`);
    cluster.forget([`${applicationId}-counts-changelog`]);
  });

  afterEach(async () => {
    await app?.close({ timeoutMs: 10_000 });
    app = undefined;
  });

  afterAll(async () => {
    await cluster.close();
    rmSync(stateDir, { recursive: true, force: true });
  });

  function startApp(logger: Logger): KafkaStreams {
    const builder = new StreamsBuilder();
    builder
      .stream(input, { keySerde: str, valueSerde: str })
      .groupByKey()
      .count({ storeName: 'counts' })
      .toStream()
      .to(output, { valueSerde: long });
    app = new KafkaStreams(builder.build(), {
      applicationId,
      bootstrapServers: testBrokers(),
      clientAdapter: adapter,
      commitIntervalMs: 100,
      stateDir,
      logger,
    });
    return app;
  }

  async function produceClicks(count: number): Promise<void> {
    const records = Array.from({ length: count }, (_, i) => {
      const key = keys[(i * 7 + count) % keys.length]!;
      expected.set(key, (expected.get(key) ?? 0) + 1);
      return { topic: input, key: Buffer.from(key), value: Buffer.from('click') };
    });
    await cluster.produce(records);
  }

  /** Reads the output until every key's latest count is the expected one. */
  async function awaitOutputCounts(): Promise<Map<string, number>> {
    const latest = new Map<string, number>();
    let seen = 0;
    await cluster.readUntil(output, (records) => {
      for (const record of records.slice(seen)) {
        latest.set(text(record.key), Number(long.deserialize(output, record.value)));
      }
      seen = records.length;
      return [...expected].every(([key, count]) => latest.get(key) === count);
    });
    return latest;
  }

  /** Every entry of the app's `counts` stores, over all its tasks. */
  function storeContents(running: KafkaStreams): Record<string, number> {
    const entries: Array<[string, number]> = [];
    for (const store of running.localStores('counts').values()) {
      for (const { key, value } of (store as KeyValueStore<string, number>).all()) entries.push([key, value]);
    }
    return Object.fromEntries(entries.sort(([a], [b]) => a.localeCompare(b)));
  }

  const expectedContents = () => Object.fromEntries([...expected].sort(([a], [b]) => a.localeCompare(b)));

  it('creates a compacted changelog with one partition per input partition', async () => {
    const running = startApp(restoreLog().logger);
    await running.start();
    await waitForState(running, 'RUNNING');
    await produceClicks(40);
    expect(Object.fromEntries(await awaitOutputCounts())).toEqual(expectedContents());

    const changelog = `${applicationId}-counts-changelog`;
    const [description] = await cluster.admin.describeTopics([changelog]);
    expect(description!.partitions).toBe(2);
    expect((await cluster.admin.describeTopicConfig(changelog))['cleanup.policy']).toBe('compact');
    expect(await running.close()).toBe(true);
  });

  it('continues counting after a restart with the same state dir, restoring nothing and counting nothing twice', async () => {
    const { logger, restores } = restoreLog();
    const running = startApp(logger);
    await running.start();
    await waitForState(running, 'RUNNING');
    await produceClicks(30);
    expect(Object.fromEntries(await awaitOutputCounts())).toEqual(expectedContents());
    // Only the new input was processed: the old counts came from LMDB, not from reprocessing.
    expect(running.counters().recordsProcessed).toBe(30);
    // A clean close persisted every store up to its changelog's end: nothing to restore.
    expect(restores.every((fields) => fields.restored === 0)).toBe(true);
    expect(await eventually(() => JSON.stringify(storeContents(running)) === JSON.stringify(expectedContents()))).toBe(
      true,
    );
    expect(await running.close()).toBe(true);
  });

  it('restores identical contents from the changelog after the state dir is deleted', async () => {
    rmSync(stateDir, { recursive: true, force: true });
    const { logger, restores } = restoreLog();
    const running = startApp(logger);
    await running.start();
    await waitForState(running, 'RUNNING');
    expect(await eventually(() => JSON.stringify(storeContents(running)) === JSON.stringify(expectedContents()))).toBe(
      true,
    );
    expect(storeContents(running)).toEqual(expectedContents());
    const restored = restores.reduce((sum, fields) => sum + Number(fields.restored), 0);
    expect(restored).toBeGreaterThanOrEqual(keys.length);
    expect(running.counters().recordsProcessed).toBe(0);

    // Counting goes on from the restored state.
    await produceClicks(10);
    expect(Object.fromEntries(await awaitOutputCounts())).toEqual(expectedContents());
    expect(await running.close()).toBe(true);
  });

  it('refuses a second instance on the same state dir in this process', async () => {
    const first = startApp(restoreLog().logger);
    await first.start();
    const builder = new StreamsBuilder();
    builder.stream(input, { keySerde: str, valueSerde: str }).groupByKey().count({ storeName: 'counts' });
    const rival = new KafkaStreams(builder.build(), {
      applicationId,
      bootstrapServers: testBrokers(),
      clientAdapter: adapter,
      stateDir,
      logger: restoreLog().logger,
    });
    const error = await rival.start().catch((e: unknown) => e);
    expect(isKStreamsError(error, 'STATE_DIR_LOCKED')).toBe(true);
    expect(rival.state).toBe('ERROR');
    expect(await first.close()).toBe(true);
  });
});
