import { afterEach, describe, expect, it } from 'vitest';
import { TopologyTestDriver } from '../../src/index.ts';
import type { Order } from '../../topologies/estate/events.ts';
import { estateSerdes } from '../../topologies/estate/serdes.ts';
import { topics } from '../../topologies/estate/topics.ts';
import pricing, { demandWindowMs } from '../../topologies/pricing.ts';

// The start of a demand window, so offsets below stay inside or cross windows as intended.
const t0 = 28_333_334 * demandWindowMs;
let orderCount = 0;
const order = (product: string, quantity: number, state: Order['state'] = 'REQUESTED'): Order => {
  orderCount += 1;
  return {
    id: `o-${orderCount}`,
    customerId: 'c-1',
    product,
    quantity,
    price: 5.5,
    state,
    reason: null,
    requestedAt: t0,
    channel: 'web',
  };
};

let driver: TopologyTestDriver;
afterEach(async () => driver?.close());

function setUp() {
  driver = new TopologyTestDriver(pricing.topology(), { applicationId: pricing.applicationId });
  const orders = driver.createInputTopic(topics.orders, estateSerdes.key, estateSerdes.order);
  return {
    stock: driver.createInputTopic(topics.warehouseInventory, estateSerdes.key, estateSerdes.stock),
    order: (o: Order, timestamp: number) => orders.pipeInput(o.id, o, timestamp),
    changes: driver.createOutputTopic(topics.priceChanges, estateSerdes.key, estateSerdes.priceChange),
  };
}

describe('pricing service', () => {
  it('raises the price once when demand in a window crosses half the stock', () => {
    const io = setUp();
    io.stock.pipeInput('UNDERPANTS', { product: 'UNDERPANTS', quantity: 100 }, t0);
    io.order(order('UNDERPANTS', 30), t0 + 1_000);
    io.order(order('UNDERPANTS', 20), t0 + 2_000);
    expect(io.changes.isEmpty()).toBe(true);
    io.order(order('UNDERPANTS', 1), t0 + 3_000);
    io.order(order('UNDERPANTS', 30), t0 + 4_000);
    expect(io.changes.readKeyValuesToList()).toEqual([
      {
        key: 'UNDERPANTS',
        value: { product: 'UNDERPANTS', price: 6.05, reason: 'high demand: 51 requested against 100 in stock' },
      },
    ]);
  });

  it('lowers the price when a window closes with demand under 5% of the stock', () => {
    const io = setUp();
    io.stock.pipeInput('JUMPERS', { product: 'JUMPERS', quantity: 1_000 }, t0);
    io.order(order('JUMPERS', 10), t0 + 1_000);
    io.order(order('JUMPERS', 10), t0 + 2_000);
    expect(io.changes.isEmpty()).toBe(true);
    // Stream time passing the window's end closes it, even without another order for the product.
    io.stock.pipeInput('SOCKS', { product: 'SOCKS', quantity: 5 }, t0 + 2 * demandWindowMs);
    expect(io.changes.readValuesToList()).toEqual([
      { product: 'JUMPERS', price: 5.23, reason: 'low demand: 20 requested against 1000 in stock' },
    ]);
  });

  it('stays quiet while demand stays between the thresholds', () => {
    const io = setUp();
    io.stock.pipeInput('HATS', { product: 'HATS', quantity: 100 }, t0);
    io.order(order('HATS', 10), t0 + 1_000);
    io.order(order('HATS', 40), t0 + demandWindowMs + 1_000);
    io.order(order('HATS', 10), t0 + 2 * demandWindowMs + 1_000);
    io.stock.pipeInput('HATS', { product: 'HATS', quantity: 100 }, t0 + 5 * demandWindowMs);
    expect(io.changes.isEmpty()).toBe(true);
  });

  it('counts only requested orders, and waits until the product has a stock level', () => {
    const io = setUp();
    io.order(order('SCARVES', 80), t0);
    io.stock.pipeInput('SCARVES', { product: 'SCARVES', quantity: 100 }, t0 + 1);
    io.order(order('SCARVES', 80, 'VALIDATED'), t0 + 2);
    io.order(order('SCARVES', 80, 'CONFIRMED'), t0 + 3);
    expect(io.changes.isEmpty()).toBe(true);
    io.order(order('SCARVES', 1), t0 + 4);
    expect(io.changes.readValuesToList().map((change) => change?.price)).toEqual([6.05]);
  });
});
