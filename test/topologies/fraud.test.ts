import { afterEach, describe, expect, it } from 'vitest';
import { TopologyTestDriver } from '../../src/index.ts';
import type { Order } from '../../topologies/estate/events.ts';
import { estateSerdes } from '../../topologies/estate/serdes.ts';
import { topics } from '../../topologies/estate/topics.ts';
import fraud, { defaultFraudLimit, fraudLimitFrom, fraudSessionGapMs, fraudTopology } from '../../topologies/fraud.ts';

const t0 = 1_700_000_000_000;
/** An order worth `value` (quantity 1 at that unit price). */
const order = (id: string, customerId: string, value: number, state: Order['state'] = 'REQUESTED'): Order => ({
  id,
  customerId,
  product: 'JUMPERS',
  quantity: 1,
  price: value,
  state,
  reason: null,
  requestedAt: t0,
  channel: 'web',
});

let driver: TopologyTestDriver;
afterEach(async () => driver?.close());

function setUp(limit = defaultFraudLimit) {
  driver = new TopologyTestDriver(fraudTopology(limit), { applicationId: fraud.applicationId });
  const orders = driver.createInputTopic(topics.orders, estateSerdes.key, estateSerdes.order);
  const validations = driver.createOutputTopic(topics.orderValidations, estateSerdes.key, estateSerdes.orderValidation);
  return {
    place: (o: Order, at: number) => orders.pipeInput(o.id, o, at),
    results: () =>
      validations.readKeyValuesToList().map((kv) => `${kv.key}:${kv.value?.checkType}:${kv.value?.result}`),
    validations,
  };
}

describe('fraud service', () => {
  it('limits each customer separately: the order crossing the limit and later ones in the session fail', () => {
    const io = setUp();
    io.place(order('a-1', 'alice', 1_000), t0);
    io.place(order('b-1', 'bob', 1_500), t0 + 1_000);
    io.place(order('a-2', 'alice', 900), t0 + 2_000);
    io.place(order('a-3', 'alice', 200), t0 + 3_000);
    io.place(order('b-2', 'bob', 500), t0 + 4_000);
    io.place(order('a-4', 'alice', 10), t0 + 5_000);
    expect(io.results()).toEqual([
      'a-1:FRAUD:PASS',
      'b-1:FRAUD:PASS',
      'a-2:FRAUD:PASS',
      'a-3:FRAUD:FAIL',
      'b-2:FRAUD:PASS',
      'a-4:FRAUD:FAIL',
    ]);
  });

  it('says which customer went over and by how much', () => {
    const io = setUp();
    io.place(order('a-1', 'alice', 2_500), t0);
    expect(io.validations.readValue()).toEqual({
      orderId: 'a-1',
      checkType: 'FRAUD',
      result: 'FAIL',
      reason: 'customer "alice" ordered 2500.00 within one session, above the limit of 2000.00',
    });
  });

  it('passes an order of exactly the limit', () => {
    const io = setUp();
    io.place(order('a-1', 'alice', 1_999.9), t0);
    io.place(order('a-2', 'alice', 0.1), t0 + 1);
    expect(io.results()).toEqual(['a-1:FRAUD:PASS', 'a-2:FRAUD:PASS']);
  });

  it('starts a new session after the inactivity gap', () => {
    const io = setUp();
    io.place(order('a-1', 'alice', 1_900), t0);
    io.place(order('a-2', 'alice', 1_900), t0 + fraudSessionGapMs + 1);
    expect(io.results()).toEqual(['a-1:FRAUD:PASS', 'a-2:FRAUD:PASS']);
  });

  it('counts a redelivered order once and validates it once', () => {
    const io = setUp();
    io.place(order('a-1', 'alice', 1_500), t0);
    io.place(order('a-1', 'alice', 1_500), t0 + 1);
    io.place(order('a-2', 'alice', 400), t0 + 2);
    expect(io.results()).toEqual(['a-1:FRAUD:PASS', 'a-2:FRAUD:PASS']);
  });

  it('validates only requested orders', () => {
    const io = setUp(10);
    for (const state of ['VALIDATED', 'CONFIRMED', 'REJECTED', 'SHIPPED'] as const) {
      io.place(order(`x-${state}`, 'alice', 100, state), t0);
    }
    expect(io.results()).toEqual([]);
    // Those orders added nothing to alice's session either.
    io.place(order('a-1', 'alice', 10), t0 + 1);
    expect(io.results()).toEqual(['a-1:FRAUD:PASS']);
  });

  it('reads its limit from FRAUD_LIMIT and refuses a bad one', () => {
    expect(fraudLimitFrom({})).toBe(2_000);
    expect(fraudLimitFrom({ FRAUD_LIMIT: '500' })).toBe(500);
    expect(() => fraudLimitFrom({ FRAUD_LIMIT: 'lots' })).toThrow(/FRAUD_LIMIT is "lots".*Hint: Set FRAUD_LIMIT/);
    expect(() => fraudLimitFrom({ FRAUD_LIMIT: '0' })).toThrow(/not a positive number/);
    const io = setUp(fraudLimitFrom({ FRAUD_LIMIT: '500' }));
    io.place(order('a-1', 'alice', 501), t0);
    expect(io.results()).toEqual(['a-1:FRAUD:FAIL']);
  });

  it('re-keys through a named repartition topic and a named session store', () => {
    const description = fraud.topology().describe().toString();
    expect(description).toContain('orders-by-customer-repartition');
    expect(description).toContain('Processor: sum-session-order-value (stores: [fraud-customer-sessions])');
  });
});
