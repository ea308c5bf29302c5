import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StreamsBuilder } from '../../src/dsl/streams-builder.ts';
import { isKStreamsError } from '../../src/errors.ts';
import type { AdapterName } from '../../src/kafka/index.ts';
import type { ProcessorSupplier } from '../../src/processor/processor.ts';
import { KafkaStreams } from '../../src/runtime/kafka-streams.ts';
import type { Logger } from '../../src/runtime/logger.ts';
import { Serdes } from '../../src/serdes/serdes.ts';
import type { KeyValueStore } from '../../src/state/key-value-store.ts';
import { Cluster, eventually, text, uniqueName, waitForState } from './support/cluster.ts';
import { testStreamsConfig } from './support/test-streams-config.ts';

const adapters: AdapterName[] = ['platformatic', 'kafkajs'];
const str = Serdes.string();

/** A stream-task processor that looks each order's customer up in the global store. */
const enrichWithCustomer: ProcessorSupplier<string, string, string, string> = () => {
  let customers: KeyValueStore<string, string>;
  let forward: (key: string, value: string, timestamp: number) => void;
  return {
    init: (context) => {
      customers = context.getStateStore<KeyValueStore<string, string>>('customers');
      forward = (key, value, timestamp) => context.forward({ key, value, timestamp, headers: [] });
    },
    process: (record) =>
      forward(record.key, `${record.key} by ${customers.get(record.value) ?? 'unknown'}`, record.timestamp),
  };
};

interface LogLine {
  readonly msg: string;
  readonly fields: Readonly<Record<string, unknown>>;
}

function capturingLogger(lines: LogLine[]): Logger {
  const push = (msg: string, fields: Readonly<Record<string, unknown>> = {}) => lines.push({ msg, fields });
  return { debug: () => undefined, info: push, warn: push, error: push };
}

describe.each(adapters)('a GlobalKTable on a real broker (%s)', (adapter) => {
  let cluster: Cluster;
  let stateDir: string;
  let app: KafkaStreams | undefined;
  let customersTopic: string;
  let ordersTopic: string;
  let enrichedTopic: string;
  const applicationId = uniqueName(`${adapter}-global`);

  const customer = (id: number, name: string) => ({
    topic: customersTopic,
    key: Buffer.from(`c${id}`),
    value: Buffer.from(name),
  });
  const order = (id: string, customerId: string) => ({
    topic: ordersTopic,
    key: Buffer.from(id),
    value: Buffer.from(customerId),
  });

  function startApp(logs: LogLine[]): KafkaStreams {
    const builder = new StreamsBuilder();
    builder.globalTable<string, string>(customersTopic, { keySerde: str, valueSerde: str }, { storeName: 'customers' });
    builder
      .stream<string, string>(ordersTopic, { keySerde: str, valueSerde: str })
      .process(enrichWithCustomer)
      .to(enrichedTopic, { keySerde: str, valueSerde: str });
    return new KafkaStreams(
      builder.build(),
      testStreamsConfig(adapter, applicationId, { stateDir, logger: capturingLogger(logs) }),
    );
  }

  const globalStore = (streams: KafkaStreams) =>
    streams.localStores('customers').get('global') as KeyValueStore<string, string> | undefined;

  beforeAll(async () => {
    cluster = new Cluster();
    stateDir = mkdtempSync(join(tmpdir(), 'kstreams-global-'));
    customersTopic = await cluster.createTopic(`${adapter}-customers`, 3);
    ordersTopic = await cluster.createTopic(`${adapter}-orders`, 2);
    enrichedTopic = await cluster.createTopic(`${adapter}-enriched`, 2);
  });

  afterAll(async () => {
    await app?.close({ timeoutMs: 10_000 });
    await cluster.close();
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('loads every partition before RUNNING, stays current, and serves lookups from stream tasks', async () => {
    await cluster.produce(Array.from({ length: 300 }, (_, i) => customer(i, `name-${i}`)));
    const logs: LogLine[] = [];
    app = startApp(logs);
    const streams = app;
    let entriesWhenRunning: number | undefined;
    streams.onStateChange((state) => {
      if (state === 'RUNNING' && entriesWhenRunning === undefined) {
        entriesWhenRunning = [...(globalStore(streams)?.all() ?? [])].length;
      }
    });
    await streams.start();
    await waitForState(streams, 'RUNNING');
    expect(entriesWhenRunning).toBe(300);
    const bootstrap = logs.find((l) => l.msg === 'Bootstrapping global stores.');
    expect(bootstrap?.fields).toMatchObject({ records: 300, resumedPartitions: 0 });

    await cluster.produce([customer(5, 'Ada'), customer(1000, 'Grace')]);
    expect(await eventually(() => globalStore(streams)?.get('c1000') === 'Grace')).toBe(true);
    expect(globalStore(streams)?.get('c5')).toBe('Ada');

    await cluster.produce([order('o1', 'c5'), order('o2', 'c250'), order('o3', 'c1000'), order('o4', 'nobody')]);
    const expected = ['o1 by Ada', 'o2 by name-250', 'o3 by Grace', 'o4 by unknown'];
    const output = await cluster.readUntil(enrichedTopic, (records) => records.length >= expected.length);
    expect(output.map((r) => text(r.value)).sort()).toEqual(expected);
    expect(await streams.close()).toBe(true);
  });

  it('resumes from the offsets stored with the data after a restart, reading only what is new', async () => {
    await app?.close({ timeoutMs: 10_000 });
    await cluster.produce([customer(2000, 'Linus'), customer(2001, 'Barbara')]);
    const logs: LogLine[] = [];
    app = startApp(logs);
    await app.start();
    await waitForState(app, 'RUNNING');
    const bootstrap = logs.find((l) => l.msg === 'Bootstrapping global stores.');
    expect(bootstrap?.fields).toMatchObject({ records: 2, resumedPartitions: 3 });
    // Only the two new records went through the global store's processor.
    expect(app.counters().recordsProcessed).toBe(2);
    const store = globalStore(app);
    expect(store?.get('c2000')).toBe('Linus');
    expect(store?.get('c5')).toBe('Ada');
    expect([...(store?.all() ?? [])].length).toBe(303);
    expect(await app.close()).toBe(true);
    const globalDirectory = join(stateDir, applicationId, 'global');
    expect(existsSync(globalDirectory)).toBe(true);
    app.cleanUp();
    expect(existsSync(globalDirectory)).toBe(false);
  });

  it('stops the application when a global record cannot be read under the fail policy', async () => {
    const ratesTopic = await cluster.createTopic(`${adapter}-rates`, 1);
    const strict = {
      serialize: (_topic: string, value: number | null | undefined) =>
        value == null ? null : Buffer.from(String(value)),
      deserialize: (_topic: string, data: Buffer | null | undefined) => {
        if (data == null) return null;
        const rate = Number(data.toString());
        if (Number.isNaN(rate)) throw new Error(`not a rate: ${data.toString()}`);
        return rate;
      },
    };
    const builder = new StreamsBuilder();
    builder.globalTable<string, number>(ratesTopic, { keySerde: str, valueSerde: strict }, { storeName: 'rates' });
    builder.stream<string, string>(ordersTopic, { keySerde: str, valueSerde: str }).to(enrichedTopic);
    const errors: unknown[] = [];
    app = new KafkaStreams(
      builder.build(),
      testStreamsConfig(adapter, uniqueName(`${adapter}-global-fail`), { stateDir }),
    );
    app.onUncaughtError((error) => errors.push(error));
    await app.start();
    await waitForState(app, 'RUNNING');
    await cluster.produce([{ topic: ratesTopic, key: Buffer.from('eur'), value: Buffer.from('oops') }]);
    await waitForState(app, 'ERROR');
    expect(isKStreamsError(errors[0], 'SERDE_DESERIALIZATION_FAILED')).toBe(true);
  });
});
