import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StreamsBuilder } from '../../src/dsl/streams-builder.ts';
import { KafkaStreams } from '../../src/runtime/kafka-streams.ts';
import { Serdes } from '../../src/serdes/serdes.ts';
import { Cluster, text, uniqueName, waitForState } from './support/cluster.ts';
import { testStreamsConfig } from './support/test-streams-config.ts';

const str = Serdes.string();

describe('a foreign-key join on a real broker, tables with different partition counts', () => {
  let cluster: Cluster;
  let app: KafkaStreams | undefined;
  let stateDir: string;

  beforeAll(() => {
    cluster = new Cluster();
    stateDir = mkdtempSync(join(tmpdir(), 'kstreams-fk-join-'));
  });

  afterAll(async () => {
    await app?.close({ timeoutMs: 10_000 });
    await cluster.close();
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('produces the expected final table after inserts, foreign-key moves, deletions and right-side updates', async () => {
    const orders = await cluster.createTopic('fk-orders', 3);
    const customers = await cluster.createTopic('fk-customers', 2);
    const output = await cluster.createTopic('fk-enriched', 3);
    const applicationId = uniqueName('fk-join');
    cluster.forget(
      [
        'orders-customers-subscription-registration-topic',
        'orders-customers-subscription-response-topic',
        'orders-store-changelog',
        'customers-store-changelog',
        'orders-customers-subscription-store-changelog',
      ].map((topic) => `${applicationId}-${topic}`),
    );

    const builder = new StreamsBuilder();
    const orderTable = builder.table(orders, { keySerde: str, valueSerde: str }, { storeName: 'orders-store' });
    const customerTable = builder.table(
      customers,
      { keySerde: str, valueSerde: str },
      { storeName: 'customers-store' },
    );
    orderTable
      .join(
        customerTable,
        (order) => order.split('|')[1] ?? null,
        (order, customer) => `${order.split('|')[0]} for ${customer}`,
        { name: 'orders-customers' },
      )
      .toStream()
      .to(output, { keySerde: str, valueSerde: str });
    app = new KafkaStreams(builder.build(), testStreamsConfig('platformatic', applicationId, { stateDir }));
    await app.start();
    await waitForState(app, 'RUNNING');

    const record = (topic: string, key: string, value: string | null) => ({
      topic,
      key: Buffer.from(key),
      value: value === null ? null : Buffer.from(value),
    });
    await cluster.produce(Array.from({ length: 6 }, (_, c) => record(customers, `c${c}`, `customer-${c}`)));
    await cluster.produce(Array.from({ length: 30 }, (_, o) => record(orders, `o${o}`, `item${o}|c${o % 5}`)));
    // Moves to another customer (c5 had no orders), a deletion, an unknown customer, a customer update.
    await cluster.produce([
      record(orders, 'o1', 'item1|c5'),
      record(orders, 'o2', null),
      record(orders, 'o3', 'item3|nobody'),
      record(customers, 'c4', 'customer-4-renamed'),
      record(orders, 'o10', 'item10-b|c0'),
    ]);

    const expected = new Map<string, string>();
    for (let o = 0; o < 30; o++) {
      const customer = o % 5 === 4 ? 'customer-4-renamed' : `customer-${o % 5}`;
      expected.set(`o${o}`, `item${o} for ${customer}`);
    }
    expected.set('o1', 'item1 for customer-5');
    expected.delete('o2');
    expected.delete('o3');
    expected.set('o10', 'item10-b for customer-0');

    const latest = new Map<string, string>();
    let seen = 0;
    const matches = () =>
      latest.size === expected.size && [...expected].every(([key, value]) => latest.get(key) === value);
    await cluster.readUntil(
      output,
      (records) => {
        for (const r of records.slice(seen)) {
          if (r.value === null) latest.delete(text(r.key));
          else latest.set(text(r.key), text(r.value));
        }
        seen = records.length;
        return matches();
      },
      40_000,
    );
    expect(Object.fromEntries([...latest].sort())).toEqual(Object.fromEntries([...expected].sort()));

    const [subscriptions, responses] = await cluster.admin.describeTopics([
      `${applicationId}-orders-customers-subscription-registration-topic`,
      `${applicationId}-orders-customers-subscription-response-topic`,
    ]);
    expect(subscriptions?.partitions).toBe(2);
    expect(responses?.partitions).toBe(3);
    expect(await app.close()).toBe(true);
    app = undefined;
  }, 90_000);
});
