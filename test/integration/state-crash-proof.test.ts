import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdapterName, AssignedConsumer } from '../../src/kafka/index.ts';
import { KafkaStreams } from '../../src/runtime/kafka-streams.ts';
import { silentLogger } from '../../src/runtime/logger.ts';
import { Serdes } from '../../src/serdes/serdes.ts';
import type { KeyValueStore } from '../../src/state/key-value-store.ts';
import { testBrokers } from '../setup/kafka-env.ts';
import { type ChildApp, spawnChildApp } from './support/child-app.ts';
import { Cluster, eventually, text, uniqueName, waitForState } from './support/cluster.ts';
import { keyTotalsTopology } from './support/key-totals-topology.ts';

const adapters: AdapterName[] = ['platformatic', 'kafkajs'];
const long = Serdes.long();
const total = 20_000;
const keyCount = 200;
const chunks = 40;
const kills = 3;

const keyOf = (i: number) => `key-${(i * 31) % keyCount}`;
const amountOf = (i: number) => (i % 97) + 1;

/** Every key's count and sum over the whole input. */
function expectedTotals(): { counts: Record<string, number>; sums: Record<string, number> } {
  const counts: Record<string, number> = {};
  const sums: Record<string, number> = {};
  for (let i = 0; i < total; i++) {
    const key = keyOf(i);
    counts[key] = (counts[key] ?? 0) + 1;
    sums[key] = (sums[key] ?? 0) + amountOf(i);
  }
  return { counts, sums };
}

const sorted = (entries: Iterable<[string, number]>) =>
  Object.fromEntries([...entries].sort(([a], [b]) => a.localeCompare(b)));

describe.each(adapters)('state crash proof: count and sum by key survive repeated SIGKILLs (%s)', (adapter) => {
  let cluster: Cluster;
  let stateDir: string;
  const children: ChildProcess[] = [];
  const watchers: AssignedConsumer[] = [];

  beforeAll(() => {
    cluster = new Cluster();
    stateDir = mkdtempSync(join(tmpdir(), 'kstreams-crash-proof-'));
  });

  afterAll(async () => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    for (const watcher of watchers) await watcher.close();
    await cluster.close();
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('ends with every key counted and summed exactly once, in the output and in the stores', {
    timeout: 90_000,
  }, async () => {
    const topics = {
      input: await cluster.createTopic(`${adapter}-amounts`, 4),
      countOutput: await cluster.createTopic(`${adapter}-amount-counts`, 4),
      sumOutput: await cluster.createTopic(`${adapter}-amount-sums`, 4),
    };
    const applicationId = uniqueName(`${adapter}-key-totals`);
    cluster.forget([`${applicationId}-counts-changelog`, `${applicationId}-sums-changelog`]);
    const env = {
      KAFKA_BROKERS: testBrokers().join(','),
      APPLICATION_ID: applicationId,
      CLIENT_ADAPTER: adapter,
      STATE_DIR: stateDir,
      INPUT_TOPIC: topics.input,
      COUNT_OUTPUT_TOPIC: topics.countOutput,
      SUM_OUTPUT_TOPIC: topics.sumOutput,
    };

    /** The output topics read as tables: the last value of each key, and how many records arrived. */
    const tables = { counts: new Map<string, number>(), sums: new Map<string, number>() };
    let outputs = 0;
    const watch = async (topic: string, table: Map<string, number>) => {
      const watcher = cluster.client.assignedConsumer();
      watchers.push(watcher);
      await watcher.assign([0, 1, 2, 3].map((partition) => ({ topic, partition, offset: 0 })));
      return async () => {
        for (const record of await watcher.poll({ maxRecords: 10_000, timeoutMs: 50 })) {
          table.set(text(record.key), Number(long.deserialize(topic, record.value)));
          outputs++;
        }
      };
    };
    const readCounts = await watch(topics.countOutput, tables.counts);
    const readSums = await watch(topics.sumOutput, tables.sums);
    const readOutputs = async () => {
      await readCounts();
      await readSums();
      return outputs;
    };

    const start = async (): Promise<ChildApp> => {
      const app = spawnChildApp('test/integration/support/key-totals-app.ts', env);
      children.push(app.child);
      const running = await app.running;
      if (!running) process.stderr.write(app.log.join(''));
      expect(running).toBe(true);
      return app;
    };

    let current = await start();
    let produced = 0;
    const producing = (async () => {
      const size = total / chunks;
      for (let chunk = 0; chunk < chunks; chunk++) {
        await cluster.produce(
          Array.from({ length: size }, (_, j) => {
            const i = chunk * size + j;
            return { topic: topics.input, key: Buffer.from(keyOf(i)), value: Buffer.from(String(amountOf(i))) };
          }),
        );
        produced += size;
        await new Promise((resolve) => setTimeout(resolve, 300));
      }
    })();

    // Each kill comes at a random moment after the current process has made visible progress.
    const killedAt: number[] = [];
    for (let kill = 0; kill < kills; kill++) {
      const before = await readOutputs();
      expect(await eventually(async () => (await readOutputs()) > before, 30_000)).toBe(true);
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 400));
      current.child.kill('SIGKILL');
      await once(current.child, 'exit');
      killedAt.push(produced);
      current = await start();
    }
    await producing;
    // At least the first kill came while input was still arriving.
    expect(killedAt[0]).toBeLessThan(total);

    const expected = expectedTotals();
    const complete = await eventually(async () => {
      await readOutputs();
      return (
        JSON.stringify(sorted(tables.counts)) === JSON.stringify(sorted(Object.entries(expected.counts))) &&
        JSON.stringify(sorted(tables.sums)) === JSON.stringify(sorted(Object.entries(expected.sums)))
      );
    }, 40_000);
    if (!complete) process.stderr.write(current.log.join(''));
    expect(sorted(tables.counts)).toEqual(sorted(Object.entries(expected.counts)));
    expect(sorted(tables.sums)).toEqual(sorted(Object.entries(expected.sums)));

    // Right outputs can come from a replay of input the killed process had already processed, before the
    // restarted one commits it: stop only once its commits have caught up with the input.
    const endOffsets = await cluster.endOffsets(topics.input);
    const committedAll = await eventually(
      async () =>
        JSON.stringify([...(await cluster.committed(applicationId, topics.input))].sort()) ===
        JSON.stringify([...endOffsets].sort()),
      30_000,
    );
    if (!committedAll) process.stderr.write(current.log.join(''));
    current.child.kill('SIGTERM');
    const [code] = await once(current.child, 'exit');
    expect(code).toBe(0);
    expect(await cluster.committed(applicationId, topics.input)).toEqual(await cluster.endOffsets(topics.input));

    // A last clean run on the same state dir: the stores hold exactly the totals, with nothing to process.
    const app = new KafkaStreams(keyTotalsTopology(topics), {
      applicationId,
      bootstrapServers: testBrokers(),
      clientAdapter: adapter,
      stateDir,
      commitIntervalMs: 200,
      logger: silentLogger,
    });
    try {
      await app.start();
      await waitForState(app, 'RUNNING');
      const contents = (name: string) => {
        const entries: Array<[string, number]> = [];
        for (const store of app.localStores(name).values()) {
          for (const { key, value } of (store as KeyValueStore<string, number>).all()) entries.push([key, value]);
        }
        return sorted(entries);
      };
      expect(await eventually(() => app.localStores('counts').size === 4)).toBe(true);
      expect(contents('counts')).toEqual(sorted(Object.entries(expected.counts)));
      expect(contents('sums')).toEqual(sorted(Object.entries(expected.sums)));
      expect(app.counters().recordsProcessed).toBe(0);
    } finally {
      await app.close({ timeoutMs: 10_000 });
    }
  });
});
