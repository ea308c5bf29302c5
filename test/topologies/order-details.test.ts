import { afterEach, describe, expect, it } from 'vitest';
import { TopologyTestDriver } from '../../src/index.ts';
import type { Order } from '../../topologies/estate/events.ts';
import { estateSerdes } from '../../topologies/estate/serdes.ts';
import { topics } from '../../topologies/estate/topics.ts';
import orderDetails from '../../topologies/order-details.ts';

const t0 = 1_700_000_000_000;
const order = (id: string, changes: Partial<Order> = {}): Order => ({
  id,
  customerId: 'c-1',
  product: 'UNDERPANTS',
  quantity: 3,
  price: 5.5,
  state: 'REQUESTED',
  reason: null,
  requestedAt: t0,
  channel: 'web',
  ...changes,
});

let driver: TopologyTestDriver;
afterEach(async () => driver?.close());

function setUp() {
  driver = new TopologyTestDriver(orderDetails.topology(), { applicationId: orderDetails.applicationId });
  return {
    orders: driver.createInputTopic(topics.orders, estateSerdes.key, estateSerdes.order),
    validations: driver.createOutputTopic(topics.orderValidations, estateSerdes.key, estateSerdes.orderValidation),
  };
}

function validate(changes: Partial<Order>) {
  const io = setUp();
  io.orders.pipeInput('o-1', order('o-1', changes), t0);
  return io.validations.readKeyValuesToList();
}

describe('order-details service', () => {
  it('passes a well-formed order, keyed by its order id', () => {
    expect(validate({})).toEqual([
      { key: 'o-1', value: { orderId: 'o-1', checkType: 'ORDER_DETAILS', result: 'PASS', reason: null } },
    ]);
  });

  it('accepts the quantity bounds 1 and 100 and every known product', () => {
    for (const product of ['UNDERPANTS', 'JUMPERS', 'STOCKINGS', 'SOCKS']) {
      for (const quantity of [1, 100]) {
        expect(validate({ product, quantity }).map((kv) => kv.value?.result)).toEqual(['PASS']);
      }
    }
  });

  it.each([
    ['a quantity of 0', { quantity: 0 }, /quantity 0 is not a whole number from 1 to 100/],
    ['a quantity above 100', { quantity: 101 }, /quantity 101/],
    ['a price of 0', { price: 0 }, /price 0 is not above 0/],
    ['a negative price', { price: -2 }, /price -2 is not above 0/],
    ['an unknown product', { product: 'HATS' }, /product "HATS" is not one of UNDERPANTS, JUMPERS, STOCKINGS, SOCKS/],
    ['an empty customer id', { customerId: '' }, /customerId is empty/],
    ['a blank customer id', { customerId: '  ' }, /customerId is empty/],
  ])('fails %s, naming the field in the reason', (_case, changes, reason) => {
    const [validation] = validate(changes);
    expect(validation?.key).toBe('o-1');
    expect(validation?.value?.checkType).toBe('ORDER_DETAILS');
    expect(validation?.value?.result).toBe('FAIL');
    expect(validation?.value?.reason).toMatch(reason);
  });

  it('names every problem of an order with several', () => {
    const [validation] = validate({ quantity: 0, price: 0, product: 'HATS' });
    expect(validation?.value?.reason).toBe(
      'product "HATS" is not one of UNDERPANTS, JUMPERS, STOCKINGS, SOCKS; ' +
        'quantity 0 is not a whole number from 1 to 100; price 0 is not above 0',
    );
  });

  it('validates only requested orders, once per REQUESTED record', () => {
    const io = setUp();
    for (const state of ['VALIDATED', 'CONFIRMED', 'REJECTED', 'SHIPPED'] as const) {
      io.orders.pipeInput('o-1', order('o-1', { state, quantity: 0 }), t0);
    }
    expect(io.validations.isEmpty()).toBe(true);
    io.orders.pipeInput('o-2', order('o-2'), t0);
    expect(io.validations.readKeyValuesToList().map((kv) => kv.key)).toEqual(['o-2']);
  });

  it('builds with every internal resource named', () => {
    expect(orderDetails.applicationId).toBe('estate-order-details');
    expect(orderDetails.topology().describe().toString()).toContain('order-validations-sink');
  });
});
