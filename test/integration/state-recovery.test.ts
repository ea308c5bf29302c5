import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AdapterName, ConsumedRecord } from '../../src/kafka/index.ts';
import { KafkaStreams } from '../../src/runtime/kafka-streams.ts';
import type { Logger } from '../../src/runtime/logger.ts';
import { Serdes } from '../../src/serdes/serdes.ts';
import type { KeyValueStore } from '../../src/state/key-value-store.ts';
import { testBrokers } from '../setup/kafka-env.ts';
import { Cluster, eventually, text, uniqueName, waitForState } from './support/cluster.ts';
import { type KeyTotalsTopics, keyTotalsTopology } from './support/key-totals-topology.ts';

const adapters: AdapterName[] = ['platformatic', 'kafkajs'];
const long = Serdes.long();
const keys = ['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta'];
const partitions = 2;

/** Keeps the restore and wipe log lines, dropping the rest. */
function recordingLogger(): { logger: Logger; restored: () => number; wipes: Array<Record<string, unknown>> } {
  const restores: Array<Record<string, unknown>> = [];
  const wipes: Array<Record<string, unknown>> = [];
  const ignore = () => undefined;
  return {
    wipes,
    restored: () => restores.reduce((sum, fields) => sum + Number(fields.restored), 0),
    logger: {
      debug: ignore,
      error: ignore,
      info: (message, fields) => {
        if (message === 'Restored state stores.') restores.push({ ...fields });
      },
      warn: (message, fields) => {
        if (message.includes('wiping')) wipes.push({ ...fields });
      },
    },
  };
}

const sorted = (entries: Iterable<[string, number]>) =>
  Object.fromEntries([...entries].sort(([a], [b]) => a.localeCompare(b)));

describe.each(adapters)('state recovery paths on a real broker (%s)', (adapter) => {
  let cluster: Cluster;
  let stateDir: string;
  let topics: KeyTotalsTopics;
  let applicationId: string;
  let app: KafkaStreams | undefined;
  const expected = { counts: new Map<string, number>(), sums: new Map<string, number>() };

  beforeAll(async () => {
    cluster = new Cluster();
    stateDir = mkdtempSync(join(tmpdir(), 'kstreams-recovery-'));
    topics = {
      input: await cluster.createTopic(`${adapter}-recovery-amounts`, partitions),
      countOutput: await cluster.createTopic(`${adapter}-recovery-counts`, partitions),
      sumOutput: await cluster.createTopic(`${adapter}-recovery-sums`, partitions),
    };
    applicationId = uniqueName(`${adapter}-recovery`);
    cluster.forget([`${applicationId}-counts-changelog`, `${applicationId}-sums-changelog`]);
  });

  afterEach(async () => {
    await app?.close({ timeoutMs: 10_000 });
    app = undefined;
  });

  afterAll(async () => {
    await cluster.close();
    rmSync(stateDir, { recursive: true, force: true });
  });

  async function startApp(logger: Logger): Promise<KafkaStreams> {
    app = new KafkaStreams(keyTotalsTopology(topics), {
      applicationId,
      bootstrapServers: testBrokers(),
      clientAdapter: adapter,
      commitIntervalMs: 100,
      stateDir,
      logger,
    });
    await app.start();
    await waitForState(app, 'RUNNING');
    return app;
  }

  /** Produces `count` records and waits until both output tables show the totals they imply. */
  async function produceAndAwait(count: number, round: number): Promise<void> {
    const records = Array.from({ length: count }, (_, i) => {
      const key = keys[(i + round) % keys.length]!;
      const amount = (i * 13 + round) % 50;
      expected.counts.set(key, (expected.counts.get(key) ?? 0) + 1);
      expected.sums.set(key, (expected.sums.get(key) ?? 0) + amount);
      return { topic: topics.input, key: Buffer.from(key), value: Buffer.from(String(amount)) };
    });
    await cluster.produce(records);
    for (const [topic, table] of [
      [topics.countOutput, expected.counts],
      [topics.sumOutput, expected.sums],
    ] as const) {
      const latest = new Map<string, number>();
      let seen = 0;
      await cluster.readUntil(topic, (read) => {
        for (const record of read.slice(seen))
          latest.set(text(record.key), Number(long.deserialize(topic, record.value)));
        seen = read.length;
        return [...table].every(([key, value]) => latest.get(key) === value);
      });
      expect(sorted(latest)).toEqual(sorted(table));
    }
  }

  function storeContents(running: KafkaStreams, name: string): Record<string, number> {
    const entries: Array<[string, number]> = [];
    for (const store of running.localStores(name).values()) {
      for (const { key, value } of (store as KeyValueStore<string, number>).all()) entries.push([key, value]);
    }
    return sorted(entries);
  }

  /** Every task's LMDB data file under the application's state dir. */
  function dataFiles(): string[] {
    const appDir = join(stateDir, applicationId);
    return readdirSync(appDir)
      .map((task) => join(appDir, task, 'lmdb', 'data.mdb'))
      .filter((file) => existsSync(file));
  }

  it('wipes a corrupt LMDB file and restores identical contents from the changelog', { timeout: 60_000 }, async () => {
    const first = await startApp(recordingLogger().logger);
    // Several rounds, so each changelog partition holds several updates per key.
    for (let round = 0; round < 3; round++) await produceAndAwait(60, round);
    expect(
      await eventually(
        () => JSON.stringify(storeContents(first, 'counts')) === JSON.stringify(sorted(expected.counts)),
      ),
    ).toBe(true);
    expect(await first.close()).toBe(true);
    app = undefined;

    const files = dataFiles();
    expect(files).toHaveLength(partitions);
    for (const file of files) writeFileSync(file, randomBytes(Math.max(statSync(file).size, 16_384)));

    const { logger, restored } = recordingLogger();
    const second = await startApp(logger);
    expect(second.state).toBe('RUNNING');
    expect(storeContents(second, 'counts')).toEqual(sorted(expected.counts));
    expect(storeContents(second, 'sums')).toEqual(sorted(expected.sums));
    // Restored from the changelogs, not by processing the input again.
    expect(restored()).toBeGreaterThanOrEqual(2 * keys.length);
    expect(second.counters().recordsProcessed).toBe(0);

    await produceAndAwait(24, 3);
    expect(storeContents(second, 'sums')).toEqual(sorted(expected.sums));
    expect(await second.close()).toBe(true);
    app = undefined;
  });

  it('wipes a store whose stored offset lies beyond a recreated changelog and restores what the changelog holds', {
    timeout: 60_000,
  }, async () => {
    // Deterministic out-of-range: the counts changelog is deleted and recreated holding only the latest
    // record of some keys (with their original source headers), far fewer records than the store's stored
    // offset, so that offset is beyond the new end on every partition.
    const changelog = `${applicationId}-counts-changelog`;
    const ends = await cluster.endOffsets(changelog);
    const total = [...ends.values()].reduce((a, b) => a + b, 0);
    const original = await cluster.readUntil(changelog, (read) => read.length >= total);
    const latest = new Map<string, ConsumedRecord>();
    for (const record of original) latest.set(text(record.key), record);
    const kept = [...latest.values()].filter((record) => ['alpha', 'gamma', 'epsilon'].includes(text(record.key)));
    const perPartition = (partition: number) => kept.filter((r) => r.partition === partition).length;
    for (const [partition, end] of ends) expect(end).toBeGreaterThan(perPartition(partition));

    const configs = await cluster.admin.describeTopicConfig(changelog);
    await cluster.admin.deleteTopics([changelog]);
    const recreated = await eventually(async () => {
      try {
        await cluster.admin.createTopics([
          {
            name: changelog,
            partitions,
            replicationFactor: 1,
            configs: { 'cleanup.policy': configs['cleanup.policy']! },
          },
        ]);
        return true;
      } catch {
        return false;
      }
    }, 20_000);
    expect(recreated).toBe(true);
    await cluster.produce(
      kept.map((r) => ({ topic: changelog, partition: r.partition, key: r.key, value: r.value, headers: r.headers })),
    );
    const held = sorted(kept.map((r) => [text(r.key), Number(long.deserialize(changelog, r.value))]));

    const { logger, wipes } = recordingLogger();
    const running = await startApp(logger);
    expect(wipes.map((fields) => fields.store)).toEqual(['counts', 'counts']);
    expect(storeContents(running, 'counts')).toEqual(held);
    // The sums store kept its own state.
    expect(storeContents(running, 'sums')).toEqual(sorted(expected.sums));
    expect(running.counters().recordsProcessed).toBe(0);

    // The app goes on, counting from what the changelog held.
    expected.counts = new Map(Object.entries(held));
    await produceAndAwait(30, 4);
    expect(storeContents(running, 'counts')).toEqual(sorted(expected.counts));
    expect(await running.close()).toBe(true);
    app = undefined;
  });
});
