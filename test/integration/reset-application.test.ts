import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { resetApplication } from '../../src/cli/reset-application.ts';
import { StreamsBuilder } from '../../src/dsl/streams-builder.ts';
import { isKStreamsError } from '../../src/errors.ts';
import type { AdapterName } from '../../src/kafka/index.ts';
import { KafkaStreams } from '../../src/runtime/kafka-streams.ts';
import type { Logger } from '../../src/runtime/logger.ts';
import { Serdes } from '../../src/serdes/serdes.ts';
import type { KeyValueStore } from '../../src/state/key-value-store.ts';
import { testBrokers } from '../setup/kafka-env.ts';
import { Cluster, eventually, uniqueName, waitForState } from './support/cluster.ts';

const adapters: AdapterName[] = ['platformatic', 'kafkajs'];
const str = Serdes.string();
const quiet: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
const words = ['red', 'green', 'blue', 'cyan'];

describe.each(adapters)('resetApplication on a real broker (%s)', (adapter) => {
  let cluster: Cluster;
  let stateDir: string;
  let input: string;
  let applicationId: string;
  let internalTopics: string[];
  let app: KafkaStreams | undefined;
  const expected = new Map<string, number>();

  beforeAll(async () => {
    cluster = new Cluster();
    stateDir = mkdtempSync(join(tmpdir(), 'kstreams-reset-'));
    input = await cluster.createTopic(`${adapter}-colors`, 2);
    applicationId = uniqueName(`${adapter}-color-count`);
    internalTopics = [`${applicationId}-counts-changelog`, `${applicationId}-counts-repartition`];
    cluster.forget(internalTopics);
    const records = Array.from({ length: 24 }, (_, i) => {
      const word = words[(i * 3) % words.length]!;
      expected.set(word, (expected.get(word) ?? 0) + 1);
      return { topic: input, key: Buffer.from(`k${i}`), value: Buffer.from(word) };
    });
    await cluster.produce(records);
  });

  afterEach(async () => {
    await app?.close({ timeoutMs: 10_000 });
    app = undefined;
  });

  afterAll(async () => {
    await cluster.close();
    rmSync(stateDir, { recursive: true, force: true });
  });

  /** Counts the input's values: a repartition topic and a persistent, logged store. */
  async function startApp(): Promise<KafkaStreams> {
    const builder = new StreamsBuilder();
    builder
      .stream(input, { keySerde: str, valueSerde: str })
      .groupBy((_key, word) => word, { keySerde: str, valueSerde: str })
      .count({ storeName: 'counts' });
    app = new KafkaStreams(builder.build(), {
      applicationId,
      bootstrapServers: testBrokers(),
      clientAdapter: adapter,
      commitIntervalMs: 100,
      stateDir,
      logger: quiet,
    });
    await app.start();
    await waitForState(app, 'RUNNING');
    return app;
  }

  function counts(running: KafkaStreams): Record<string, number> {
    const entries: Array<[string, number]> = [];
    for (const store of running.localStores('counts').values()) {
      for (const { key, value } of (store as KeyValueStore<string, number>).all()) entries.push([key, value]);
    }
    return Object.fromEntries(entries.sort(([a], [b]) => a.localeCompare(b)));
  }

  const expectedCounts = () => Object.fromEntries([...expected].sort(([a], [b]) => a.localeCompare(b)));
  const countsMatch = (running: KafkaStreams) => JSON.stringify(counts(running)) === JSON.stringify(expectedCounts());
  const reset = () => resetApplication({ applicationId, brokers: testBrokers(), adapter, stateDir });

  it('refuses while an instance is a member of the group, and deletes nothing', async () => {
    const running = await startApp();
    expect(await eventually(() => countsMatch(running))).toBe(true);
    const error = await reset().catch((e: unknown) => e);
    expect(isKStreamsError(error, 'ILLEGAL_STATE')).toBe(true);
    expect((error as Error).message).toContain('active member');
    expect((error as Error).message).toContain('Stop every instance');
    expect(await running.close()).toBe(true);
    app = undefined;
    const topics = await cluster.admin.listTopics();
    expect(internalTopics.every((topic) => topics.includes(topic))).toBe(true);
    expect(existsSync(join(stateDir, applicationId))).toBe(true);
  });

  it('deletes the internal topics, the consumer group and the local state', async () => {
    expect((await cluster.committed(applicationId, input)).size).toBeGreaterThan(0);
    const result = await reset();
    expect([...result.deletedTopics]).toEqual([...internalTopics].sort());
    expect(result.groupDeleted).toBe(true);

    expect(existsSync(join(stateDir, applicationId))).toBe(false);
    expect(
      await eventually(async () => {
        const topics = await cluster.admin.listTopics();
        return internalTopics.every((topic) => !topics.includes(topic));
      }),
    ).toBe(true);
    const [group] = await cluster.admin.describeGroups([applicationId]);
    expect(group?.state).toBe('Dead');
    expect((await cluster.committed(applicationId, input)).size).toBe(0);
    // The input is the user's: never touched.
    expect((await cluster.admin.listTopics()).includes(input)).toBe(true);
  });

  it('lets a restart reprocess the input from the beginning into fresh state', async () => {
    const running = await startApp();
    // Exactly the input's counts: neither empty (offsets kept) nor doubled (old state or changelog kept).
    expect(await eventually(() => countsMatch(running))).toBe(true);
    expect(counts(running)).toEqual(expectedCounts());
    expect(running.counters().recordsProcessed).toBeGreaterThanOrEqual(24);
  });

  it('is a no-op on an application that has nothing left', async () => {
    const other = uniqueName(`${adapter}-never-ran`);
    const result = await resetApplication({ applicationId: other, brokers: testBrokers(), adapter, stateDir });
    expect(result).toEqual({ deletedTopics: [], groupDeleted: false });
  });
});
