import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StreamsBuilder } from '../../src/dsl/streams-builder.ts';
import type { AdapterName } from '../../src/kafka/index.ts';
import { KafkaStreams } from '../../src/runtime/kafka-streams.ts';
import { Serdes } from '../../src/serdes/serdes.ts';
import { Cluster, text, uniqueName, waitForState } from './support/cluster.ts';
import { testStreamsConfig } from './support/test-streams-config.ts';

const adapters: AdapterName[] = ['platformatic', 'kafkajs'];

describe.each(adapters)('a co-partitioned stream-table join on a real broker (%s)', (adapter) => {
  let cluster: Cluster;
  let app: KafkaStreams | undefined;
  let stateDir: string;

  beforeAll(() => {
    cluster = new Cluster();
    stateDir = mkdtempSync(join(tmpdir(), 'kstreams-stream-table-join-'));
  });

  afterAll(async () => {
    await app?.close({ timeoutMs: 10_000 });
    await cluster.close();
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('enriches every order with its customer as of the order, leaving unknown customers null', async () => {
    const orders = await cluster.createTopic(`${adapter}-orders`, 3);
    const customers = await cluster.createTopic(`${adapter}-customers`, 3);
    const output = await cluster.createTopic(`${adapter}-enriched`, 3);
    const applicationId = uniqueName(`${adapter}-stream-table-join`);
    const changelog = `${applicationId}-customers-store-changelog`;
    cluster.forget([changelog]);
    const str = Serdes.string();
    const builder = new StreamsBuilder();
    const customerTable = builder.table(
      customers,
      { keySerde: str, valueSerde: str },
      { storeName: 'customers-store' },
    );
    builder
      .stream(orders, { keySerde: str, valueSerde: str })
      .leftJoin(customerTable, (order, customer) => `${order}@${customer ?? 'unknown'}`)
      .to(output, { keySerde: str, valueSerde: str });
    app = new KafkaStreams(builder.build(), testStreamsConfig(adapter, applicationId, { stateDir }));
    await app.start();
    await waitForState(app, 'RUNNING');

    const customerCount = 20;
    await cluster.produce(
      Array.from({ length: customerCount }, (_, i) => ({
        topic: customers,
        key: Buffer.from(`c${i}`),
        value: Buffer.from(`name${i}`),
      })),
    );
    // Orders go in only once the table holds every customer (its changelog shows it), so the output is exact.
    await cluster.readUntil(changelog, (records) => records.length >= customerCount);
    const orderCount = 60;
    await cluster.produce(
      Array.from({ length: orderCount }, (_, i) => ({
        topic: orders,
        key: Buffer.from(`c${i % 25}`),
        value: Buffer.from(`o${i}`),
      })),
    );

    const expected = new Map(
      Array.from({ length: orderCount }, (_, i) => {
        const customer = i % 25;
        return [`o${i}`, `c${customer}:o${i}@${customer < customerCount ? `name${customer}` : 'unknown'}`];
      }),
    );
    const seen = new Map<string, string>();
    await cluster.readUntil(output, (records) => {
      for (const record of records) {
        const value = text(record.value);
        seen.set(value.split('@')[0]!, `${text(record.key)}:${value}`);
      }
      return seen.size >= orderCount;
    });
    expect(Object.fromEntries(seen)).toEqual(Object.fromEntries(expected));
    expect(await app.close()).toBe(true);
  });
});
