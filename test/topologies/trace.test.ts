import { EMPTY } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import type { Serde, StoreQueries } from '../../src/index.ts';
import { createHttpServer, KStreamsError, TopologyTestDriver } from '../../src/index.ts';
import type { Order } from '../../topologies/estate/events.ts';
import { estateSerdes } from '../../topologies/estate/serdes.ts';
import { topics } from '../../topologies/estate/topics.ts';
import trace, { appendTraceEntry, registerTraceRoute, type TraceEntry, traceStore } from '../../topologies/trace.ts';

const t0 = 1_700_000_000_000;
const order = (state: Order['state'], reason: string | null = null): Order => ({
  id: 'o-1',
  customerId: 'c-1',
  product: 'JUMPERS',
  quantity: 2,
  price: 10,
  state,
  reason,
  requestedAt: t0,
  channel: 'web',
});

let driver: TopologyTestDriver | undefined;
afterEach(async () => {
  await driver?.close();
  driver = undefined;
});

describe('trace service', () => {
  it('journals every event about an order across the estate topics, in time order', () => {
    driver = new TopologyTestDriver(trace.topology(), { applicationId: trace.applicationId });
    const d = driver;
    const input = <V>(topic: string, serde: Serde<V>) => d.createInputTopic(topic, estateSerdes.key, serde);
    const orders = input(topics.orders, estateSerdes.order);
    const validations = input(topics.orderValidations, estateSerdes.orderValidation);
    const payments = input(topics.payments, estateSerdes.payment);
    const results = input(topics.paymentResults, estateSerdes.paymentResult);
    const shipments = input(topics.shipments, estateSerdes.shipment);
    const notifications = input(topics.notifications, estateSerdes.notification);

    orders.pipeInput('o-1', order('REQUESTED'), t0);
    // A payment recorded late in the log but early in time still lands in its place.
    validations.pipeInput('o-1', { orderId: 'o-1', checkType: 'FRAUD', result: 'PASS', reason: null }, t0 + 20);
    payments.pipeInput('o-1', { id: 'p-1', orderId: 'o-1', amount: 20, ccy: 'EUR' }, t0 + 10);
    validations.pipeInput('o-1', { orderId: 'o-1', checkType: 'INVENTORY', result: 'PASS', reason: null }, t0 + 20);
    orders.pipeInput('o-1', order('VALIDATED'), t0 + 30);
    results.pipeInput('o-1', { orderId: 'o-1', paymentId: 'p-1', status: 'PROCESSED', reason: null }, t0 + 40);
    orders.pipeInput('o-1', order('CONFIRMED'), t0 + 50);
    notifications.pipeInput(
      'o-1',
      { orderId: 'o-1', customerId: 'c-1', email: 'a@b.c', message: 'Order o-1 is confirmed.' },
      t0 + 60,
    );
    shipments.pipeInput('o-1', { orderId: 'o-1', shippedAt: t0 + 70 }, t0 + 70);
    orders.pipeInput('o-2', order('REQUESTED'), t0 + 5);

    const journal = driver.getKeyValueStore<string, readonly TraceEntry[]>(traceStore).get('o-1');
    expect(journal?.map((e) => [e.topic, e.timestamp - t0, e.summary])).toEqual([
      ['orders', 0, 'REQUESTED'],
      ['payments', 10, 'payment p-1 of 20 EUR'],
      ['order-validations', 20, 'FRAUD PASS'],
      ['order-validations', 20, 'INVENTORY PASS'],
      ['orders', 30, 'VALIDATED'],
      ['payment-results', 40, 'payment PROCESSED'],
      ['orders', 50, 'CONFIRMED'],
      ['notifications', 60, 'notified a@b.c (Order o-1 is confirmed.)'],
      ['shipments', 70, 'SHIPPED'],
    ]);
    expect(journal?.every((e) => e.partition === 0 && Number.isInteger(e.offset))).toBe(true);
    expect(journal?.filter((e) => e.topic === 'order-validations').map((e) => e.offset)).toEqual([0, 1]);
  });

  it('does not duplicate a record re-delivered at the same topic, partition and offset', () => {
    const entry = (topic: string, offset: number, timestamp: number): TraceEntry => ({
      topic,
      partition: 1,
      offset,
      timestamp,
      summary: `${topic}@${offset}`,
    });
    let journal: readonly TraceEntry[] = [];
    for (const e of [
      entry('orders', 7, 100),
      entry('payments', 3, 50),
      entry('orders', 7, 100),
      entry('payments', 3, 50),
    ]) {
      journal = appendTraceEntry(journal, e);
    }
    expect(journal.map((e) => e.summary)).toEqual(['payments@3', 'orders@7']);
    // Same offset on another partition is another record.
    journal = appendTraceEntry(journal, { ...entry('orders', 7, 100), partition: 2 });
    expect(journal).toHaveLength(3);
  });

  it('keeps records with the same content at different offsets: each is its own log entry', () => {
    driver = new TopologyTestDriver(trace.topology(), { applicationId: trace.applicationId });
    const orders = driver.createInputTopic(topics.orders, estateSerdes.key, estateSerdes.order);
    orders.pipeInput('o-1', order('REQUESTED'), t0);
    orders.pipeInput('o-1', order('REQUESTED'), t0);
    // The driver gives each piped record a new offset, so these are two records (a producer retry).
    expect(driver.getKeyValueStore<string, readonly TraceEntry[]>(traceStore).get('o-1')).toHaveLength(2);
  });
});

describe('GET /orders/:id/trace', () => {
  const journal: readonly TraceEntry[] = [
    { topic: 'orders', partition: 0, offset: 0, timestamp: t0, summary: 'REQUESTED' },
  ];

  function serverWith(
    store: Map<string, readonly TraceEntry[]>,
    readLocal: (id: string) => readonly TraceEntry[] | undefined,
  ) {
    const queries: StoreQueries = {
      stores: () => [{ name: traceStore, kind: 'key-value', keyFormat: 'string' }],
      ownerOf: () => ({ kind: 'local', partition: 0 }),
      peers: () => [],
      get: (_name, key) => {
        const value = store.get(String(key));
        return value === undefined ? { found: false } : { found: true, value };
      },
      range: () => [],
      windows: () => [],
      changes: () => EMPTY,
      ownershipChanges$: EMPTY,
      live: () => true,
      ready: () => true,
      topology: () => ({ text: '', mermaid: '' }),
      metrics: async () => ({ contentType: 'text/plain', text: '' }),
    };
    return createHttpServer(queries, 'trace', { routes: (server) => registerTraceRoute(server, readLocal) });
  }

  it('answers from the local store', async () => {
    const server = serverWith(new Map(), () => journal);
    const answer = await server.fastify.inject({ method: 'GET', url: '/orders/o-1/trace' });
    expect(answer.statusCode).toBe(200);
    expect(answer.json()).toEqual({ orderId: 'o-1', events: journal });
    await server.close();
  });

  it('goes through the interactive-query route when the local store cannot answer', async () => {
    const notHere = () => {
      throw new KStreamsError('STORE_NOT_QUERYABLE', 'task 0_1 does not run on this instance.', {
        hint: 'Ask the owner.',
        retriable: true,
      });
    };
    const server = serverWith(new Map([['o-1', journal]]), notHere);
    const found = await server.fastify.inject({ method: 'GET', url: '/orders/o-1/trace' });
    expect(found.statusCode).toBe(200);
    expect(found.json()).toEqual({ orderId: 'o-1', events: journal });
    const missing = await server.fastify.inject({ method: 'GET', url: '/orders/o-9/trace' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ error: 'ORDER_NOT_FOUND' });
    await server.close();
  });

  it('answers 404 for an order it never saw', async () => {
    const server = serverWith(new Map(), () => undefined);
    const answer = await server.fastify.inject({ method: 'GET', url: '/orders/nope/trace' });
    expect(answer.statusCode).toBe(404);
    await server.close();
  });
});

describe('journal order at equal timestamps', () => {
  it('tells the story in causal order when effects carry their cause’s timestamp', () => {
    const at = (topic: string, timestamp: number, offset: number, summary: string) => ({
      topic,
      timestamp,
      partition: 0,
      offset,
      summary,
    });
    let journal = appendTraceEntry([], at(topics.orders, 1000, 0, 'REQUESTED'));
    journal = appendTraceEntry(journal, at(topics.orderValidations, 1000, 0, 'FRAUD PASS'));
    journal = appendTraceEntry(journal, at(topics.orders, 1000, 1, 'VALIDATED'));
    journal = appendTraceEntry(journal, at(topics.paymentResults, 2000, 0, 'payment PROCESSED'));
    journal = appendTraceEntry(journal, at(topics.orders, 2000, 2, 'CONFIRMED'));
    journal = appendTraceEntry(journal, at(topics.payments, 2000, 0, 'payment p-1 of 3 EUR'));
    expect(journal.map((entry) => entry.summary)).toEqual([
      'REQUESTED',
      'FRAUD PASS',
      'VALIDATED',
      'payment p-1 of 3 EUR',
      'payment PROCESSED',
      'CONFIRMED',
    ]);
  });
});
