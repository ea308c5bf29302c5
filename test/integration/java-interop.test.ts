import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { brokerLibsDir } from '../../scripts/kafka/cluster-layout.ts';
import { StreamsBuilder } from '../../src/dsl/streams-builder.ts';
import type { AdapterName } from '../../src/kafka/index.ts';
import { partitionForKey } from '../../src/kafka/index.ts';
import { KafkaStreams } from '../../src/runtime/kafka-streams.ts';
import type { Logger } from '../../src/runtime/logger.ts';
import { Serdes } from '../../src/serdes/serdes.ts';
import type { KeyValueStore } from '../../src/state/key-value-store.ts';
import { testBrokers } from '../setup/kafka-env.ts';
import { Cluster, eventually, uniqueName, waitForState } from './support/cluster.ts';

const adapters: AdapterName[] = ['platformatic', 'kafkajs'];
const partitions = 3;
const writer = join(import.meta.dirname, 'support', 'java', 'JavaTableWriter.java');
const quiet: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

/** One record as the Java producer reported it after the broker acknowledged it. */
interface JavaRecord {
  readonly topic: string;
  readonly partition: number;
  readonly key: string;
  /** Java's toString of the value; "null" for a tombstone. */
  readonly value: string;
}

/** Java is a stated requirement of the test setup (the broker needs it too): fail loudly, never skip. */
function requireJava(): void {
  const probe = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (probe.error !== undefined || probe.status !== 0) {
    throw new Error(
      `The Java interop test needs a JDK (17+) \`java\` on PATH, but running \`java -version\` failed: ${
        probe.error?.message ?? probe.stderr
      }. Install a JDK (e.g. apt-get install openjdk-17-jdk-headless).`,
    );
  }
}

/** Runs JavaTableWriter.java (Java's serializers and default partitioner) and parses what it wrote. */
function runJavaWriter(topics: { long: string; int: string; double: string }): JavaRecord[] {
  const result = spawnSync(
    'java',
    ['-cp', `${brokerLibsDir()}/*`, writer, testBrokers().join(','), topics.long, topics.int, topics.double],
    { encoding: 'utf8', timeout: 60_000 },
  );
  if (result.status !== 0) {
    throw new Error(`JavaTableWriter failed (exit ${result.status}): ${result.error?.message ?? result.stderr}`);
  }
  return result.stdout
    .split('\n')
    .filter((line) => line.startsWith('RECORD '))
    .map((line) => {
      const [, topic, partition, key, value] = line.split(' ');
      return { topic: topic!, partition: Number(partition), key: key!, value: value! };
    });
}

/** Latest value per key of one topic, tombstoned keys left out: what a KTable over it must hold. */
function latestValues(records: readonly JavaRecord[], topic: string): Record<string, number> {
  const latest = new Map<string, string>();
  for (const record of records.filter((r) => r.topic === topic)) latest.set(record.key, record.value);
  const entries = [...latest].filter(([, value]) => value !== 'null').map(([key, value]) => [key, Number(value)]);
  return Object.fromEntries(entries.sort(([a], [b]) => String(a).localeCompare(String(b))));
}

describe.each(adapters)('a KTable over topics written by Java with Java serializers (%s)', (adapter) => {
  let cluster: Cluster;
  let stateDir: string;
  let app: KafkaStreams | undefined;
  let topics: { long: string; int: string; double: string };
  let written: JavaRecord[];

  beforeAll(async () => {
    requireJava();
    cluster = new Cluster();
    stateDir = mkdtempSync(join(tmpdir(), 'kstreams-interop-'));
    topics = {
      long: await cluster.createTopic(`${adapter}-java-longs`, partitions),
      int: await cluster.createTopic(`${adapter}-java-ints`, partitions),
      double: await cluster.createTopic(`${adapter}-java-doubles`, partitions),
    };
    written = runJavaWriter(topics);
  });

  afterEach(async () => {
    await app?.close({ timeoutMs: 10_000 });
    app = undefined;
  });

  afterAll(async () => {
    await cluster?.close();
    if (stateDir !== undefined) rmSync(stateDir, { recursive: true, force: true });
  });

  /** Every entry of store `name` over all tasks, with the input partition of the task holding it. */
  function storeEntries(running: KafkaStreams, name: string): Array<{ key: string; value: number; partition: number }> {
    const entries: Array<{ key: string; value: number; partition: number }> = [];
    for (const [taskId, store] of running.localStores(name)) {
      const partition = Number(taskId.split('_')[1]);
      for (const { key, value } of (store as KeyValueStore<string, number>).all()) {
        entries.push({ key, value, partition });
      }
    }
    return entries;
  }

  function contents(running: KafkaStreams, name: string): Record<string, number> {
    const entries = storeEntries(running, name).map(({ key, value }) => [key, value] as const);
    return Object.fromEntries(entries.sort(([a], [b]) => a.localeCompare(b)));
  }

  it('Java put every key in the partition that kstreams murmur2 expects', () => {
    expect(written.length).toBe(3 * 16);
    for (const record of written) {
      expect({ key: record.key, partition: partitionForKey(Buffer.from(record.key, 'utf8'), partitions) }).toEqual({
        key: record.key,
        partition: record.partition,
      });
    }
  });

  it('holds the latest value per key, without the tombstoned keys, in the partition Java chose', async () => {
    const applicationId = uniqueName(`${adapter}-java-interop`);
    cluster.forget(['longs', 'ints', 'doubles'].map((store) => `${applicationId}-${store}-changelog`));
    const builder = new StreamsBuilder();
    builder.table(topics.long, { keySerde: Serdes.string(), valueSerde: Serdes.long() }, { storeName: 'longs' });
    builder.table(topics.int, { keySerde: Serdes.string(), valueSerde: Serdes.int32() }, { storeName: 'ints' });
    builder.table(topics.double, { keySerde: Serdes.string(), valueSerde: Serdes.double() }, { storeName: 'doubles' });
    app = new KafkaStreams(builder.build(), {
      applicationId,
      bootstrapServers: testBrokers(),
      clientAdapter: adapter,
      commitIntervalMs: 100,
      stateDir,
      logger: quiet,
    });
    const running = app;
    await running.start();
    await waitForState(running, 'RUNNING');

    const expected = {
      longs: latestValues(written, topics.long),
      ints: latestValues(written, topics.int),
      doubles: latestValues(written, topics.double),
    };
    // 12 keys written, 2 tombstoned: a guard against an empty expectation passing trivially.
    expect(Object.keys(expected.longs)).toHaveLength(10);
    expect(expected.longs.beta).toBe(123_456_789_012);
    expect(expected.ints.delta).toBe(-2_147_483_648);
    expect(expected.doubles['customer-42']).toBe(1e300);
    expect(expected.doubles).not.toHaveProperty('gamma');

    const matches = () =>
      (['longs', 'ints', 'doubles'] as const).every(
        (store) => JSON.stringify(contents(running, store)) === JSON.stringify(expected[store]),
      );
    expect(await eventually(matches)).toBe(true);
    expect(contents(running, 'longs')).toEqual(expected.longs);
    expect(contents(running, 'ints')).toEqual(expected.ints);
    expect(contents(running, 'doubles')).toEqual(expected.doubles);

    const javaPartition = new Map(written.map((record) => [`${record.topic}/${record.key}`, record.partition]));
    for (const [store, topic] of [
      ['longs', topics.long],
      ['ints', topics.int],
      ['doubles', topics.double],
    ] as const) {
      for (const { key, partition } of storeEntries(running, store)) {
        expect({ store, key, partition }).toEqual({ store, key, partition: javaPartition.get(`${topic}/${key}`) });
      }
    }
  });
});
