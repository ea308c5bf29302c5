import { afterEach, describe, expect, it } from 'vitest';
import { TopologyTestDriver } from '../../src/index.ts';
import type { Order, Payment } from '../../topologies/estate/events.ts';
import { estateSerdes } from '../../topologies/estate/serdes.ts';
import { topics } from '../../topologies/estate/topics.ts';
import payments, { paymentGraceMs, paymentResultsStore, paymentWindowMs } from '../../topologies/payments.ts';

const t0 = 1_700_000_000_000;
const order = (id: string, state: Order['state'] = 'VALIDATED'): Order => ({
  id,
  customerId: 'c-1',
  product: 'UNDERPANTS',
  quantity: 3,
  price: 5.5,
  state,
  reason: null,
  requestedAt: t0,
  channel: 'web',
});
const payment = (orderId: string, amount: number, id = `p-${orderId}`): Payment => ({
  id,
  orderId,
  amount,
  ccy: 'EUR',
});

let driver: TopologyTestDriver;
afterEach(async () => driver?.close());

function setUp() {
  driver = new TopologyTestDriver(payments.topology(), { applicationId: payments.applicationId });
  return {
    orders: driver.createInputTopic(topics.orders, estateSerdes.key, estateSerdes.order),
    payments: driver.createInputTopic(topics.payments, estateSerdes.key, estateSerdes.payment),
    results: driver.createOutputTopic(topics.paymentResults, estateSerdes.key, estateSerdes.paymentResult),
  };
}

describe('payments service', () => {
  it('processes a payment of exactly quantity * price', () => {
    const io = setUp();
    io.orders.pipeInput('o-1', order('o-1'), t0);
    io.payments.pipeInput('o-1', payment('o-1', 16.5), t0 + 1_000);
    expect(io.results.readKeyValuesToList()).toEqual([
      { key: 'o-1', value: { orderId: 'o-1', paymentId: 'p-o-1', status: 'PROCESSED', reason: null } },
    ]);
  });

  it('joins a payment that arrives before the order is validated', () => {
    const io = setUp();
    io.payments.pipeInput('o-1', payment('o-1', 16.5), t0);
    io.orders.pipeInput('o-1', order('o-1', 'REQUESTED'), t0);
    expect(io.results.isEmpty()).toBe(true);
    io.orders.pipeInput('o-1', order('o-1'), t0 + 2_000);
    expect(io.results.readValuesToList().map((r) => r?.status)).toEqual(['PROCESSED']);
  });

  it('fails a payment of the wrong amount, saying what was due', () => {
    const io = setUp();
    io.orders.pipeInput('o-2', order('o-2'), t0);
    io.payments.pipeInput('o-2', payment('o-2', 10), t0 + 1_000);
    const [result] = io.results.readValuesToList();
    expect(result).toMatchObject({ orderId: 'o-2', paymentId: 'p-o-2', status: 'FAILED' });
    expect(result?.reason).toContain('16.50');
  });

  it('fails an order whose payment never comes, only once the join window has closed', () => {
    const io = setUp();
    io.orders.pipeInput('o-3', order('o-3'), t0);
    // Another order's records move stream time; o-3 stays open until its window plus grace has passed.
    io.orders.pipeInput('o-4', order('o-4'), t0 + paymentWindowMs);
    expect(io.results.isEmpty()).toBe(true);
    io.orders.pipeInput('o-5', order('o-5'), t0 + paymentWindowMs + paymentGraceMs + 1);
    expect(io.results.readKeyValuesToList()).toEqual([
      {
        key: 'o-3',
        value: { orderId: 'o-3', paymentId: null, status: 'FAILED', reason: 'no payment within 5 minutes' },
      },
    ]);
  });

  it('writes one result when the same payment is delivered twice', () => {
    const io = setUp();
    io.orders.pipeInput('o-6', order('o-6'), t0);
    io.payments.pipeInput('o-6', payment('o-6', 16.5), t0 + 1_000);
    io.payments.pipeInput('o-6', payment('o-6', 16.5), t0 + 2_000);
    io.payments.pipeInput('o-6', payment('o-6', 1, 'p-other'), t0 + 3_000);
    io.orders.pipeInput('o-7', order('o-7'), t0 + paymentWindowMs + paymentGraceMs + 10_000);
    expect(io.results.readKeyValuesToList().filter((r) => r.key === 'o-6')).toEqual([
      { key: 'o-6', value: { orderId: 'o-6', paymentId: 'p-o-6', status: 'PROCESSED', reason: null } },
    ]);
    expect(driver.getKeyValueStore<string, string>(paymentResultsStore).get('o-6')).toBe('PROCESSED');
  });

  it('ignores orders that are not validated', () => {
    const io = setUp();
    io.orders.pipeInput('o-8', order('o-8', 'REQUESTED'), t0);
    io.orders.pipeInput('o-8', order('o-8', 'REJECTED'), t0 + 1);
    io.payments.pipeInput('o-8', payment('o-8', 16.5), t0 + 2);
    io.orders.pipeInput('o-9', order('o-9', 'REQUESTED'), t0 + paymentWindowMs * 3);
    expect(io.results.isEmpty()).toBe(true);
  });
});
