import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdapterName, AssignedConsumer, ConsumedRecord } from '../../src/kafka/index.ts';
import { KafkaStreams } from '../../src/runtime/kafka-streams.ts';
import { Serdes } from '../../src/serdes/serdes.ts';
import { testBrokers } from '../setup/kafka-env.ts';
import { type ChildApp, spawnChildApp } from './support/child-app.ts';
import { Cluster, eventually, text, uniqueName, waitForState } from './support/cluster.ts';
import {
  type JoinWindowTopics,
  joinWindowStores,
  joinWindowTopology,
  orderWindowKeySerde,
  orderWindowSizeMs,
} from './support/join-window-topology.ts';
import { testStreamsConfig } from './support/test-streams-config.ts';

const adapters: AdapterName[] = ['platformatic', 'kafkajs'];
const long = Serdes.long();
const partitions = 6;
const customerCount = 60;
// Orders also go to c60..c65, which have no customer: the left join marks them unknown.
const customerKeys = 66;
const total = 3_000;
const chunks = 40;
// Recent record times, a multiple of the window size. Not older than a day: the broker deletes window
// changelog records older than the store's retention + 1 day by their timestamp (event time), and a task
// that moves would then restore nothing.
const BASE = Math.floor(Date.now() / 60_000) * 60_000 - 3_600_000;

const customerOf = (i: number) => `c${(i * 7) % customerKeys}`;
const nameOf = (customer: string) => `name-${customer}`;
// About 60 s of orders (seven windows), some out of order by up to 1.8 s: inside the 5 s grace, so the
// count keeps every one of them whatever the processing order.
const timestampOf = (i: number) => BASE + i * 20 - (i % 7) * 300;

/** The join output as a set of `key|value` lines, and the count of every `key@windowStart`. */
interface Outputs {
  readonly enriched: Set<string>;
  readonly counts: Map<string, number>;
}

/** What the topology must compute from the input, worked out without Kafka. */
function expectedOutputs(): Outputs {
  const enriched = new Set<string>();
  const counts = new Map<string, number>();
  for (let i = 0; i < total; i++) {
    const customer = customerOf(i);
    const known = Number(customer.slice(1)) < customerCount;
    enriched.add(`${customer}|order-${i}@${known ? nameOf(customer) : 'unknown'}`);
    const start = Math.floor((timestampOf(i) - BASE) / orderWindowSizeMs) * orderWindowSizeMs;
    const window = `${customer}@${start}`;
    counts.set(window, (counts.get(window) ?? 0) + 1);
  }
  return { enriched, counts };
}

const sortedSet = (set: ReadonlySet<string>) => [...set].sort();
const sortedMap = (map: ReadonlyMap<string, number>) =>
  Object.fromEntries([...map].sort(([a], [b]) => a.localeCompare(b)));

interface Instance {
  readonly name: string;
  readonly stateDir: string;
  app: ChildApp;
  tasks: string[];
}

describe.each(adapters)(
  'a stream-table join and a windowed count with three instances through a SIGKILL (%s)',
  (adapter) => {
    let cluster: Cluster;
    let single: KafkaStreams | undefined;
    const stateDirs: string[] = [];
    const instances: Instance[] = [];
    const watchers: AssignedConsumer[] = [];

    beforeAll(() => {
      cluster = new Cluster();
    });

    afterAll(async () => {
      for (const { app } of instances) {
        if (app.child.exitCode === null && app.child.signalCode === null) app.child.kill('SIGKILL');
      }
      await single?.close({ timeoutMs: 10_000 });
      for (const watcher of watchers) await watcher.close();
      await cluster.close();
      for (const dir of stateDirs) rmSync(dir, { recursive: true, force: true });
    });

    it('ends with the outputs of a single instance, which are the expected ones', { timeout: 150_000 }, async () => {
      const customers = await cluster.createTopic(`${adapter}-jw-customers`, partitions);
      const orders = await cluster.createTopic(`${adapter}-jw-orders`, partitions);
      const outputsOf = async (run: string): Promise<JoinWindowTopics> => ({
        customers,
        orders,
        enriched: await cluster.createTopic(`${adapter}-jw-${run}-enriched`, partitions),
        windowCounts: await cluster.createTopic(`${adapter}-jw-${run}-window-counts`, partitions),
      });
      const multiTopics = await outputsOf('multi');
      const singleTopics = await outputsOf('single');
      const multiId = uniqueName(`${adapter}-jw-multi`);
      const singleId = uniqueName(`${adapter}-jw-single`);
      for (const id of [multiId, singleId]) cluster.forget(joinWindowStores.map((store) => `${id}-${store}-changelog`));

      /** Follows a run's two output topics from the start; each call reads what came since the last. */
      const follow = async (topics: JoinWindowTopics) => {
        const outputs: Outputs = { enriched: new Set(), counts: new Map() };
        const watch = async (topic: string, apply: (record: ConsumedRecord) => void) => {
          const watcher = cluster.client.assignedConsumer();
          watchers.push(watcher);
          await watcher.assign(Array.from({ length: partitions }, (_, partition) => ({ topic, partition, offset: 0 })));
          return async () => {
            for (const record of await watcher.poll({ maxRecords: 10_000, timeoutMs: 50 })) apply(record);
          };
        };
        const readEnriched = await watch(topics.enriched, (record) =>
          outputs.enriched.add(`${text(record.key)}|${text(record.value)}`),
        );
        // Later updates of a window replace earlier ones: its partition keeps them in order.
        const readCounts = await watch(topics.windowCounts, (record) => {
          const windowed = orderWindowKeySerde.deserialize(topics.windowCounts, record.key);
          const count = Number(long.deserialize(topics.windowCounts, record.value));
          outputs.counts.set(`${windowed?.key}@${(windowed?.window.start ?? 0) - BASE}`, count);
        });
        return async () => {
          await readEnriched();
          await readCounts();
          return outputs;
        };
      };
      const readMulti = await follow(multiTopics);
      const readSingle = await follow(singleTopics);

      const singleStateDir = mkdtempSync(join(tmpdir(), 'kstreams-jw-single-'));
      stateDirs.push(singleStateDir);
      single = new KafkaStreams(
        joinWindowTopology(singleTopics),
        testStreamsConfig(adapter, singleId, { stateDir: singleStateDir, commitIntervalMs: 200 }),
      );
      const singleRunning = waitForState(single, 'RUNNING', 40_000);
      await single.start();

      const launch = async (instance: Instance) => {
        const app = spawnChildApp('test/integration/support/join-window-app.ts', {
          KAFKA_BROKERS: testBrokers().join(','),
          APPLICATION_ID: multiId,
          CLIENT_ADAPTER: adapter,
          STATE_DIR: instance.stateDir,
          CUSTOMERS_TOPIC: customers,
          ORDERS_TOPIC: orders,
          ENRICHED_TOPIC: multiTopics.enriched,
          WINDOW_COUNTS_TOPIC: multiTopics.windowCounts,
        });
        instance.app = app;
        instance.tasks = [];
        let pending = '';
        app.child.stdout!.on('data', (chunk: Buffer) => {
          pending += chunk.toString();
          const lines = pending.split('\n');
          pending = lines.pop()!;
          for (const line of lines) {
            const report = JSON.parse(line) as { state: string; tasks?: string[] };
            if (report.state === 'RUNNING') instance.tasks = [...(report.tasks ?? [])].sort();
          }
        });
        const running = await app.running;
        if (!running) process.stderr.write(app.log.join(''));
        expect(running).toBe(true);
      };
      const start = async (name: string) => {
        const stateDir = mkdtempSync(join(tmpdir(), `kstreams-jw-${name}-`));
        stateDirs.push(stateDir);
        const instance: Instance = { name, stateDir, app: undefined as unknown as ChildApp, tasks: [] };
        instances.push(instance);
        await launch(instance);
        return instance;
      };
      const live = () => instances.filter(({ app }) => app.child.exitCode === null && app.child.signalCode === null);
      /** Every live instance runs `perInstance` tasks and together they run all six. */
      const balanced = (perInstance: number) =>
        eventually(() => {
          const running = live();
          const all = running.flatMap((i) => i.tasks);
          return running.every((i) => i.tasks.length === perInstance) && new Set(all).size === partitions;
        }, 40_000);

      await start('a');
      await start('b');
      const c = await start('c');
      expect(await balanced(2)).toBe(true);
      expect(await singleRunning).toBe('RUNNING');

      // The customers go in first, stamped before every order; orders go in only once both runs' tables
      // hold every customer (their changelogs show it), so the join output is exact.
      await cluster.produce(
        Array.from({ length: customerCount }, (_, k) => ({
          topic: customers,
          key: Buffer.from(`c${k}`),
          value: Buffer.from(nameOf(`c${k}`)),
          timestamp: BASE - 60_000,
        })),
      );
      for (const id of [multiId, singleId]) {
        const loaded = await cluster.readUntil(`${id}-customers-store-changelog`, (r) => r.length >= customerCount);
        expect(new Set(loaded.map((record) => text(record.key))).size).toBe(customerCount);
      }

      let produced = 0;
      const producing = (async () => {
        const size = total / chunks;
        for (let chunk = 0; chunk < chunks; chunk++) {
          await cluster.produce(
            Array.from({ length: size }, (_, j) => {
              const i = chunk * size + j;
              return {
                topic: orders,
                key: Buffer.from(customerOf(i)),
                value: Buffer.from(`order-${i}`),
                timestamp: timestampOf(i),
              };
            }),
          );
          produced += size;
          await new Promise((resolve) => setTimeout(resolve, 500));
        }
      })();

      // c dies once a third of the orders went through, while the rest are still being produced.
      expect(await eventually(async () => (await readMulti()).enriched.size >= total / 3, 30_000)).toBe(true);
      c.app.child.kill('SIGKILL');
      await once(c.app.child, 'exit');
      expect(produced).toBeLessThan(total);
      // The survivors take over c's tasks once its session expires, restoring their stores.
      expect(await balanced(3)).toBe(true);

      await launch(c);
      expect(await balanced(2)).toBe(true);
      await producing;

      const expected = expectedOutputs();
      const matches = (outputs: Outputs) =>
        JSON.stringify(sortedSet(outputs.enriched)) === JSON.stringify(sortedSet(expected.enriched)) &&
        JSON.stringify(sortedMap(outputs.counts)) === JSON.stringify(sortedMap(expected.counts));
      const complete = await eventually(async () => matches(await readMulti()) && matches(await readSingle()), 45_000);
      if (!complete) for (const instance of instances) process.stderr.write(instance.app.log.join(''));

      const multi = await readMulti();
      const reference = await readSingle();
      // No join output is wrong: each is one the input calls for (duplicates collapse in the set).
      expect([...multi.enriched].filter((line) => !expected.enriched.has(line))).toEqual([]);
      expect(sortedSet(reference.enriched)).toEqual(sortedSet(expected.enriched));
      expect(sortedSet(multi.enriched)).toEqual(sortedSet(reference.enriched));
      expect(sortedMap(reference.counts)).toEqual(sortedMap(expected.counts));
      expect(sortedMap(multi.counts)).toEqual(sortedMap(reference.counts));

      for (const { app } of instances) app.child.kill('SIGTERM');
      for (const { app } of instances) {
        const [code] = app.child.exitCode === null ? await once(app.child, 'exit') : [app.child.exitCode];
        expect(code).toBe(0);
      }
      expect(await single.close()).toBe(true);
      single = undefined;
      const ends = await cluster.endOffsets(orders);
      expect(await cluster.committed(multiId, orders)).toEqual(ends);
      expect(await cluster.committed(singleId, orders)).toEqual(ends);
    });
  },
);
