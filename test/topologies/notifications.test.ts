import { afterEach, describe, expect, it } from 'vitest';
import { TopologyTestDriver } from '../../src/index.ts';
import type { Order } from '../../topologies/estate/events.ts';
import { estateSerdes } from '../../topologies/estate/serdes.ts';
import { topics } from '../../topologies/estate/topics.ts';
import notifications from '../../topologies/notifications.ts';

const t0 = 1_700_000_000_000;
const order = (id: string, customerId: string, state: Order['state'], reason: string | null = null): Order => ({
  id,
  customerId,
  product: 'UNDERPANTS',
  quantity: 3,
  price: 5.5,
  state,
  reason,
  requestedAt: t0,
  channel: 'web',
});

let driver: TopologyTestDriver;
afterEach(async () => driver?.close());

function setUp() {
  driver = new TopologyTestDriver(notifications.topology(), { applicationId: notifications.applicationId });
  const customers = driver.createInputTopic(topics.customers, estateSerdes.key, estateSerdes.customer);
  customers.pipeInput('c-1', { id: 'c-1', name: 'Ann', email: 'ann@example.com', level: 'gold' }, t0);
  customers.pipeInput('c-2', { id: 'c-2', name: 'Bob', email: 'bob@example.com', level: 'bronze' }, t0);
  return {
    payments: driver.createInputTopic(topics.paymentResults, estateSerdes.key, estateSerdes.paymentResult),
    orders: driver.createInputTopic(topics.orders, estateSerdes.key, estateSerdes.order),
    notifications: driver.createOutputTopic(topics.notifications, estateSerdes.key, estateSerdes.notification),
  };
}

describe('notifications service', () => {
  it("notifies each terminal state with the customer's email, and nothing else", () => {
    const io = setUp();
    io.orders.pipeInput('o-1', order('o-1', 'c-1', 'REQUESTED'), t0);
    io.orders.pipeInput('o-1', order('o-1', 'c-1', 'VALIDATED'), t0 + 1);
    io.orders.pipeInput('o-1', order('o-1', 'c-1', 'CONFIRMED'), t0 + 2);
    io.orders.pipeInput('o-2', order('o-2', 'c-2', 'REJECTED', 'INVENTORY FAIL'), t0 + 3);
    io.orders.pipeInput('o-1', order('o-1', 'c-1', 'SHIPPED'), t0 + 4);
    expect(io.notifications.readKeyValuesToList()).toEqual([
      {
        key: 'o-1',
        value: {
          orderId: 'o-1',
          customerId: 'c-1',
          email: 'ann@example.com',
          message: 'Your order o-1 of 3 UNDERPANTS is confirmed.',
        },
      },
      {
        key: 'o-2',
        value: {
          orderId: 'o-2',
          customerId: 'c-2',
          email: 'bob@example.com',
          message: 'Your order o-2 of 3 UNDERPANTS was rejected: INVENTORY FAIL.',
        },
      },
      {
        key: 'o-1',
        value: {
          orderId: 'o-1',
          customerId: 'c-1',
          email: 'ann@example.com',
          message: 'Your order o-1 of 3 UNDERPANTS has shipped.',
        },
      },
    ]);
  });

  it("uses the customer's current email", () => {
    const io = setUp();
    driver
      .createInputTopic(topics.customers, estateSerdes.key, estateSerdes.customer)
      .pipeInput('c-1', { id: 'c-1', name: 'Ann', email: 'ann@new.example', level: 'gold' }, t0 + 1);
    io.orders.pipeInput('o-3', order('o-3', 'c-1', 'CONFIRMED'), t0 + 2);
    expect(io.notifications.readValuesToList().map((n) => n?.email)).toEqual(['ann@new.example']);
  });

  it('still notifies an order of an unknown customer, without an email', () => {
    const io = setUp();
    io.orders.pipeInput('o-4', order('o-4', 'c-unknown', 'REJECTED'), t0);
    expect(io.notifications.readValuesToList()).toEqual([
      {
        orderId: 'o-4',
        customerId: 'c-unknown',
        email: null,
        message: 'Your order o-4 of 3 UNDERPANTS was rejected.',
      },
    ]);
  });
});

describe('notifications with payments', () => {
  it('tells a confirmed order its payment, joined locally by order id', () => {
    const io = setUp();
    io.payments.pipeInput('o-7', { orderId: 'o-7', paymentId: 'p-7', status: 'PROCESSED', reason: null }, t0);
    io.orders.pipeInput('o-7', order('o-7', 'c-1', 'CONFIRMED'), t0 + 1);
    io.orders.pipeInput('o-8', order('o-8', 'c-2', 'CONFIRMED'), t0 + 2);
    expect(io.notifications.readValuesToList().map((n) => n?.message)).toEqual([
      'Your order o-7 of 3 UNDERPANTS is confirmed. Payment p-7 received.',
      'Your order o-8 of 3 UNDERPANTS is confirmed.',
    ]);
  });
});
