import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdapterName, AssignedConsumer } from '../../src/kafka/index.ts';
import type { StreamsMetadata } from '../../src/runtime/streams-metadata.ts';
import { Serdes } from '../../src/serdes/serdes.ts';
import { testBrokers } from '../setup/kafka-env.ts';
import { type ChildApp, spawnChildApp } from './support/child-app.ts';
import { Cluster, eventually, text, uniqueName } from './support/cluster.ts';

const adapters: AdapterName[] = ['platformatic', 'kafkajs'];
const long = Serdes.long();
const partitions = 6;
const total = 6_000;
const keyCount = 120;
const chunks = 30;

const keyOf = (i: number) => `key-${(i * 7) % keyCount}`;
const amountOf = (i: number) => (i % 13) + 1;

/** What one instance alone computes from the input: every key's count and sum. */
function singleInstanceTotals(): { counts: Record<string, number>; sums: Record<string, number> } {
  const counts: Record<string, number> = {};
  const sums: Record<string, number> = {};
  for (let i = 0; i < total; i++) {
    counts[keyOf(i)] = (counts[keyOf(i)] ?? 0) + 1;
    sums[keyOf(i)] = (sums[keyOf(i)] ?? 0) + amountOf(i);
  }
  return { counts, sums };
}

const sorted = (entries: Iterable<[string, number]>) =>
  Object.fromEntries([...entries].sort(([a], [b]) => a.localeCompare(b)));

/** One instance as the test sees it: its process and what it printed at its last RUNNING. */
interface Instance {
  readonly name: string;
  readonly endpoint: string;
  readonly stateDir: string;
  app: ChildApp;
  tasks: string[];
  metadata: StreamsMetadata[];
}

describe.each(adapters)('three instances share the tasks, sticky and balanced, through a SIGKILL (%s)', (adapter) => {
  let cluster: Cluster;
  const instances: Instance[] = [];
  const watchers: AssignedConsumer[] = [];

  beforeAll(() => {
    cluster = new Cluster();
  });

  afterAll(async () => {
    for (const { app } of instances) {
      if (app.child.exitCode === null && app.child.signalCode === null) app.child.kill('SIGKILL');
    }
    for (const watcher of watchers) await watcher.close();
    await cluster.close();
    for (const { stateDir } of instances) rmSync(stateDir, { recursive: true, force: true });
  });

  it('ends with single-instance totals; the restarted member gets its tasks back', { timeout: 120_000 }, async () => {
    const topics = {
      input: await cluster.createTopic(`${adapter}-mi-amounts`, partitions),
      countOutput: await cluster.createTopic(`${adapter}-mi-counts`, partitions),
      sumOutput: await cluster.createTopic(`${adapter}-mi-sums`, partitions),
    };
    const applicationId = uniqueName(`${adapter}-multi-instance`);
    cluster.forget([`${applicationId}-counts-changelog`, `${applicationId}-sums-changelog`]);

    const tables = { counts: new Map<string, number>(), sums: new Map<string, number>() };
    let outputs = 0;
    const watch = async (topic: string, table: Map<string, number>) => {
      const watcher = cluster.client.assignedConsumer();
      watchers.push(watcher);
      await watcher.assign(Array.from({ length: partitions }, (_, partition) => ({ topic, partition, offset: 0 })));
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

    const launch = async (instance: Instance) => {
      const app = spawnChildApp('test/integration/support/multi-instance-app.ts', {
        KAFKA_BROKERS: testBrokers().join(','),
        APPLICATION_ID: applicationId,
        CLIENT_ADAPTER: adapter,
        STATE_DIR: instance.stateDir,
        APPLICATION_SERVER: instance.endpoint,
        INPUT_TOPIC: topics.input,
        COUNT_OUTPUT_TOPIC: topics.countOutput,
        SUM_OUTPUT_TOPIC: topics.sumOutput,
      });
      instance.app = app;
      instance.tasks = [];
      let pending = '';
      app.child.stdout!.on('data', (chunk: Buffer) => {
        pending += chunk.toString();
        const lines = pending.split('\n');
        pending = lines.pop()!;
        for (const line of lines) {
          const report = JSON.parse(line) as { state: string; tasks?: string[]; metadata?: StreamsMetadata[] };
          if (report.state !== 'RUNNING') continue;
          instance.tasks = [...(report.tasks ?? [])].sort();
          instance.metadata = report.metadata ?? [];
        }
      });
      const running = await app.running;
      if (!running) process.stderr.write(app.log.join(''));
      expect(running).toBe(true);
    };
    const start = async (name: string, port: number) => {
      const instance: Instance = {
        name,
        endpoint: `127.0.0.1:${port}`,
        stateDir: mkdtempSync(join(tmpdir(), `kstreams-mi-${name}-`)),
        app: undefined as unknown as ChildApp,
        tasks: [],
        metadata: [],
      };
      instances.push(instance);
      await launch(instance);
      return instance;
    };
    const live = () => instances.filter(({ app }) => app.child.exitCode === null && app.child.signalCode === null);
    /** Every live instance runs `perInstance` tasks and together they run all of them. */
    const balanced = (perInstance: number) =>
      eventually(() => {
        const running = live();
        const all = running.flatMap((i) => i.tasks);
        return running.every((i) => i.tasks.length === perInstance) && new Set(all).size === partitions;
      }, 40_000);

    const a = await start('a', 7001);
    const b = await start('b', 7002);
    const c = await start('c', 7003);
    expect(await balanced(2)).toBe(true);

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

    expect(await eventually(async () => (await readOutputs()) > 0, 30_000)).toBe(true);
    const tasksOfC = c.tasks;
    c.app.child.kill('SIGKILL');
    await once(c.app.child, 'exit');
    const killedAt = produced;
    // The survivors take over c's tasks once its session expires: three each.
    expect(await balanced(3)).toBe(true);
    expect(killedAt).toBeLessThan(total);

    await launch(c);
    expect(await balanced(2)).toBe(true);
    // Sticky: the restarted member gets the tasks whose state it kept; the others keep theirs.
    expect(c.tasks).toEqual(tasksOfC);
    await producing;

    const expected = singleInstanceTotals();
    const complete = await eventually(async () => {
      await readOutputs();
      return (
        JSON.stringify(sorted(tables.counts)) === JSON.stringify(sorted(Object.entries(expected.counts))) &&
        JSON.stringify(sorted(tables.sums)) === JSON.stringify(sorted(Object.entries(expected.sums)))
      );
    }, 40_000);
    if (!complete) for (const instance of instances) process.stderr.write(instance.app.log.join(''));
    expect(sorted(tables.counts)).toEqual(sorted(Object.entries(expected.counts)));
    expect(sorted(tables.sums)).toEqual(sorted(Object.entries(expected.sums)));

    // Every instance learnt the same endpoint map, and it matches what each one runs.
    const map = [a, b, c].map((i) => ({ host: '127.0.0.1', port: Number(i.endpoint.split(':')[1]), taskIds: i.tasks }));
    for (const instance of [a, b, c]) {
      expect(
        instance.metadata.map(({ host, port, taskIds }) => ({ host, port, taskIds: [...taskIds].sort() })),
      ).toEqual(map);
      expect(instance.metadata.every((m) => m.storeNames.join() === 'counts,sums')).toBe(true);
    }

    for (const { app } of [a, b, c]) app.child.kill('SIGTERM');
    for (const { app } of [a, b, c]) {
      const [code] = app.child.exitCode === null ? await once(app.child, 'exit') : [app.child.exitCode];
      expect(code).toBe(0);
    }
    expect(await cluster.committed(applicationId, topics.input)).toEqual(await cluster.endOffsets(topics.input));
  });
});
