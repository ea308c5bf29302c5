import { afterEach, describe, expect, it } from 'vitest';
import { createHttpServer, type HttpServer } from '../../src/http/index.ts';
import { TopologyTestDriver } from '../../src/index.ts';
import type { Producer, ProducerRecord, RecordMetadata } from '../../src/kafka/types.ts';
import type { TestInputTopic, TestOutputTopic } from '../../src/testing/index.ts';
import type { CheckType, Order, OrderValidation, PaymentResult, Shipment } from '../../topologies/estate/events.ts';
import { estateSerdes } from '../../topologies/estate/serdes.ts';
import { topics } from '../../topologies/estate/topics.ts';
import ordersService, { ordersTopology, ordersWaitConditions, registerOrderRoutes } from '../../topologies/orders.ts';
import { FakeStoreQueries } from '../http/support/fake-store-queries.ts';

const key = estateSerdes.key;

function requested(id: string, overrides: Partial<Order> = {}): Order {
  return {
    id,
    customerId: 'c-1',
    product: 'JUMPERS',
    quantity: 2,
    price: 10,
    state: 'REQUESTED',
    reason: null,
    requestedAt: 1_000,
    channel: 'web',
    ...overrides,
  };
}

function check(orderId: string, checkType: CheckType, result: 'PASS' | 'FAIL', reason: string | null = null) {
  return { orderId, checkType, result, reason } satisfies OrderValidation;
}

interface Estate {
  readonly driver: TopologyTestDriver;
  readonly orders: TestInputTopic<string, Order>;
  readonly validations: TestInputTopic<string, OrderValidation>;
  readonly payments: TestInputTopic<string, PaymentResult>;
  readonly shipments: TestInputTopic<string, Shipment>;
  readonly written: TestOutputTopic<string, Order>;
  stateOf(id: string): Order | undefined;
  passAll(id: string): void;
  pay(id: string, status: 'PROCESSED' | 'FAILED', reason?: string | null): void;
}

const drivers: TopologyTestDriver[] = [];

afterEach(async () => {
  await Promise.all(drivers.splice(0).map((driver) => driver.close()));
});

function estate(): Estate {
  const driver = new TopologyTestDriver(ordersTopology(), { applicationId: 'estate-orders' });
  drivers.push(driver);
  const validations = driver.createInputTopic(topics.orderValidations, key, estateSerdes.orderValidation);
  const payments = driver.createInputTopic(topics.paymentResults, key, estateSerdes.paymentResult);
  return {
    driver,
    orders: driver.createInputTopic(topics.orders, key, estateSerdes.order),
    validations,
    payments,
    shipments: driver.createInputTopic(topics.shipments, key, estateSerdes.shipment),
    written: driver.createOutputTopic(topics.orders, key, estateSerdes.order),
    stateOf: (id) => driver.getKeyValueStore<string, Order>('orders').get(id),
    passAll(id) {
      for (const type of ['INVENTORY', 'FRAUD', 'ORDER_DETAILS'] as const) {
        validations.pipeInput(id, check(id, type, 'PASS'), 2_000);
      }
    },
    pay(id, status, reason = null) {
      payments.pipeInput(id, { orderId: id, paymentId: `p-${id}`, status, reason }, 3_000);
    },
  };
}

/** The states written to `orders` for one id, in order (the piped REQUESTED included). */
function statesWritten(written: TestOutputTopic<string, Order>, id: string): string[] {
  return written
    .readKeyValuesToList()
    .filter((record) => record.key === id)
    .map((record) => record.value?.state ?? 'deleted');
}

describe('the orders state machine', () => {
  it('confirms an order whose checks all pass and that is paid', () => {
    const { orders, written, stateOf, passAll, pay } = estate();
    orders.pipeInput('o-1', requested('o-1'), 1_000);
    passAll('o-1');
    expect(stateOf('o-1')?.state).toBe('VALIDATED');
    pay('o-1', 'PROCESSED');
    expect(stateOf('o-1')).toEqual({ ...requested('o-1'), state: 'CONFIRMED', reason: null });
    expect(statesWritten(written, 'o-1')).toEqual(['REQUESTED', 'VALIDATED', 'CONFIRMED']);
  });

  it('rejects an order when any check fails, naming the check and its reason', () => {
    const { orders, validations, written, stateOf } = estate();
    orders.pipeInput('o-2', requested('o-2'), 1_000);
    validations.pipeInput('o-2', check('o-2', 'INVENTORY', 'PASS'), 2_000);
    validations.pipeInput('o-2', check('o-2', 'FRAUD', 'FAIL', 'over the limit'), 2_000);
    expect(stateOf('o-2')?.state).toBe('REJECTED');
    expect(stateOf('o-2')?.reason).toBe('FRAUD check failed: over the limit');
    validations.pipeInput('o-2', check('o-2', 'ORDER_DETAILS', 'PASS'), 2_000);
    expect(statesWritten(written, 'o-2')).toEqual(['REQUESTED', 'REJECTED']);
  });

  it('counts one verdict per check: a duplicated PASS does not stand in for a missing check', () => {
    const { orders, validations, written, stateOf } = estate();
    orders.pipeInput('o-3', requested('o-3'), 1_000);
    validations.pipeInput('o-3', check('o-3', 'INVENTORY', 'PASS'), 2_000);
    validations.pipeInput('o-3', check('o-3', 'INVENTORY', 'PASS'), 2_000);
    validations.pipeInput('o-3', check('o-3', 'FRAUD', 'PASS'), 2_000);
    expect(stateOf('o-3')?.state).toBe('REQUESTED');
    validations.pipeInput('o-3', check('o-3', 'ORDER_DETAILS', 'PASS'), 2_000);
    expect(stateOf('o-3')?.state).toBe('VALIDATED');
    expect(statesWritten(written, 'o-3')).toEqual(['REQUESTED', 'VALIDATED']);
  });

  it('remembers a payment that arrives before validation and confirms once validated', () => {
    const { orders, written, stateOf, passAll, pay } = estate();
    orders.pipeInput('o-4', requested('o-4'), 1_000);
    pay('o-4', 'PROCESSED');
    expect(stateOf('o-4')?.state).toBe('REQUESTED');
    passAll('o-4');
    expect(stateOf('o-4')?.state).toBe('CONFIRMED');
    expect(statesWritten(written, 'o-4')).toEqual(['REQUESTED', 'VALIDATED', 'CONFIRMED']);
  });

  it('handles checks that arrive before the order itself', () => {
    const { orders, written, stateOf, passAll } = estate();
    passAll('o-5');
    expect(stateOf('o-5')).toBeUndefined();
    orders.pipeInput('o-5', requested('o-5'), 1_000);
    expect(stateOf('o-5')?.state).toBe('VALIDATED');
    expect(statesWritten(written, 'o-5')).toEqual(['REQUESTED', 'VALIDATED']);
  });

  it('rejects a validated order whose payment failed', () => {
    const { orders, stateOf, passAll, pay } = estate();
    orders.pipeInput('o-6', requested('o-6'), 1_000);
    passAll('o-6');
    pay('o-6', 'FAILED', 'card declined');
    expect(stateOf('o-6')?.state).toBe('REJECTED');
    expect(stateOf('o-6')?.reason).toBe('payment failed: card declined');
  });

  it('ships a confirmed order, and only a confirmed one', () => {
    const { orders, shipments, written, stateOf, passAll, pay } = estate();
    orders.pipeInput('o-7', requested('o-7'), 1_000);
    orders.pipeInput('o-8', requested('o-8'), 1_000);
    passAll('o-7');
    pay('o-7', 'PROCESSED');
    shipments.pipeInput('o-7', { orderId: 'o-7', shippedAt: 5_000 }, 5_000);
    shipments.pipeInput('o-8', { orderId: 'o-8', shippedAt: 5_000 }, 5_000);
    expect(stateOf('o-7')?.state).toBe('SHIPPED');
    expect(stateOf('o-8')?.state).toBe('REQUESTED');
    expect(statesWritten(written, 'o-7')).toEqual(['REQUESTED', 'VALIDATED', 'CONFIRMED', 'SHIPPED']);
  });

  it('changes nothing after a terminal state: late checks, payments and shipments are ignored', () => {
    const { orders, validations, shipments, written, stateOf, passAll, pay } = estate();
    orders.pipeInput('o-9', requested('o-9'), 1_000);
    validations.pipeInput('o-9', check('o-9', 'ORDER_DETAILS', 'FAIL', 'quantity too large'), 2_000);
    passAll('o-9');
    pay('o-9', 'PROCESSED');
    shipments.pipeInput('o-9', { orderId: 'o-9', shippedAt: 5_000 }, 5_000);
    expect(stateOf('o-9')?.state).toBe('REJECTED');
    expect(stateOf('o-9')?.reason).toBe('ORDER_DETAILS check failed: quantity too large');
    expect(statesWritten(written, 'o-9')).toEqual(['REQUESTED', 'REJECTED']);
  });

  it('puts the order back when a second REQUESTED reuses a known id', () => {
    const { orders, written, stateOf, passAll, pay } = estate();
    orders.pipeInput('o-10', requested('o-10'), 1_000);
    passAll('o-10');
    pay('o-10', 'PROCESSED');
    orders.pipeInput('o-10', requested('o-10', { quantity: 99 }), 6_000);
    expect(stateOf('o-10')).toEqual({ ...requested('o-10'), state: 'CONFIRMED', reason: null });
    expect(statesWritten(written, 'o-10')).toEqual(['REQUESTED', 'VALIDATED', 'CONFIRMED', 'REQUESTED', 'CONFIRMED']);
  });

  it('keeps its progress in the named, logged store order-progress', () => {
    const { driver, orders } = estate();
    orders.pipeInput('o-11', requested('o-11'), 1_000);
    expect(driver.recordsOf('estate-orders-order-progress-changelog')).toHaveLength(1);
    expect(driver.recordsOf('estate-orders-orders-changelog')).toHaveLength(1);
  });
});

class RecordingProducer implements Producer {
  readonly sent: ProducerRecord[] = [];

  async send(records: readonly ProducerRecord[]): Promise<readonly RecordMetadata[]> {
    this.sent.push(...records);
    return records.map((record, offset) => ({ topic: record.topic, partition: 0, offset }));
  }

  beginTransaction(): never {
    throw new Error('not transactional');
  }

  async close(): Promise<void> {}
}

const servers: HttpServer[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

function api() {
  const queries = new FakeStoreQueries();
  const producer = new RecordingProducer();
  const server = createHttpServer(queries, 'estate-orders', {
    port: 0,
    waitConditions: ordersWaitConditions,
    routes: (fastify) => registerOrderRoutes(fastify, producer),
  });
  servers.push(server);
  return { queries, producer, fastify: server.fastify };
}

const validBody = { customerId: 'c-1', product: 'JUMPERS', quantity: 2, price: 9.5 };

describe('POST /orders', () => {
  it.each([
    [{ ...validBody, customerId: '' }, 'customerId'],
    [{ product: 'JUMPERS', quantity: 2, price: 9.5 }, 'customerId'],
    [{ ...validBody, product: 7 }, 'product'],
    [{ ...validBody, quantity: 0 }, 'quantity'],
    [{ ...validBody, quantity: 1.5 }, 'quantity'],
    [{ ...validBody, quantity: '2' }, 'quantity'],
    [{ ...validBody, price: -1 }, 'price'],
    [{ ...validBody, price: 0 }, 'price'],
    [{ ...validBody, price: 'free' }, 'price'],
    [{ ...validBody, id: '' }, 'id'],
    [{ ...validBody, colour: 'red' }, 'colour'],
  ])('answers 400 naming the bad field for %j', async (body, field) => {
    const { fastify, producer } = api();
    const answer = await fastify.inject({ method: 'POST', url: '/orders', payload: body });
    expect(answer.statusCode).toBe(400);
    expect(answer.json().message).toContain(`"${field}"`);
    expect(producer.sent).toHaveLength(0);
  });

  it('answers 400 for a body that is not an object', async () => {
    const { fastify } = api();
    const answer = await fastify.inject({ method: 'POST', url: '/orders', payload: [1, 2] });
    expect(answer.statusCode).toBe(400);
  });

  it('raises a REQUESTED order keyed by its generated id and answers 201 with its Location', async () => {
    const { fastify, producer } = api();
    const before = Date.now();
    const answer = await fastify.inject({ method: 'POST', url: '/orders', payload: validBody });
    expect(answer.statusCode).toBe(201);
    const order = answer.json() as Order;
    expect(order.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(answer.headers.location).toBe(`/orders/${order.id}`);
    expect(order).toMatchObject({ ...validBody, state: 'REQUESTED', reason: null, channel: 'web' });
    expect(order.requestedAt).toBeGreaterThanOrEqual(before);
    expect(producer.sent).toHaveLength(1);
    const [record] = producer.sent;
    expect(record?.topic).toBe('orders');
    expect(key.deserialize('orders', record?.key)).toBe(order.id);
    expect(estateSerdes.order.deserialize('orders', record?.value)).toEqual(order);
  });

  it('keeps a given id, and answers 409 when an order with that id exists', async () => {
    const { fastify, producer, queries } = api();
    const created = await fastify.inject({ method: 'POST', url: '/orders', payload: { ...validBody, id: 'o 1/x' } });
    expect(created.statusCode).toBe(201);
    expect(created.headers.location).toBe('/orders/o%201%2Fx');
    queries.put('o 1/x', created.json());
    const duplicate = await fastify.inject({ method: 'POST', url: '/orders', payload: { ...validBody, id: 'o 1/x' } });
    expect(duplicate.statusCode).toBe(409);
    expect(duplicate.json().message).toContain('o 1/x');
    expect(producer.sent).toHaveLength(1);
  });

  it('answers 503 with Retry-After when the orders view cannot tell whether the id exists', async () => {
    const { fastify, producer, queries } = api();
    queries.restoring = true;
    const answer = await fastify.inject({ method: 'POST', url: '/orders', payload: { ...validBody, id: 'o-1' } });
    expect(answer.statusCode).toBe(503);
    expect(answer.headers['retry-after']).toBe('1');
    expect(producer.sent).toHaveLength(0);
  });
});

describe('GET /orders/:id', () => {
  it('answers the order, or 404 when there is none', async () => {
    const { fastify, queries } = api();
    queries.put('o-1', requested('o-1'));
    const found = await fastify.inject('/orders/o-1');
    expect(found.statusCode).toBe(200);
    expect(found.json()).toEqual(requested('o-1'));
    expect((await fastify.inject('/orders/o-2')).statusCode).toBe(404);
  });

  it('long-polls with until=confirmed until the order reaches a terminal state', async () => {
    const { fastify, queries } = api();
    queries.put('o-1', requested('o-1'));
    const pending = fastify.inject('/orders/o-1?wait=2000&until=confirmed');
    await new Promise((resolve) => setImmediate(resolve));
    queries.put('o-1', { ...requested('o-1'), state: 'VALIDATED' });
    queries.put('o-1', { ...requested('o-1'), state: 'REJECTED', reason: 'FRAUD check failed' });
    const answer = await pending;
    expect(answer.statusCode).toBe(200);
    expect(answer.json()).toMatchObject({ id: 'o-1', state: 'REJECTED' });
  });

  it('answers 504 when the wait runs out', async () => {
    const { fastify, queries } = api();
    queries.put('o-1', requested('o-1'));
    const answer = await fastify.inject('/orders/o-1?wait=20&until=confirmed');
    expect(answer.statusCode).toBe(504);
  });
});

describe('the service definition', () => {
  it('declares its application id, topics and the confirmed wait condition', () => {
    expect(ordersService.applicationId).toBe('estate-orders');
    expect(ordersService.topics?.map((topic) => topic.name).sort()).toEqual(
      ['order-validations', 'orders', 'payment-results', 'shipments'].sort(),
    );
    expect(ordersWaitConditions.confirmed?.({ state: 'SHIPPED' })).toBe(true);
    expect(ordersWaitConditions.confirmed?.({ state: 'VALIDATED' })).toBe(false);
  });
});
