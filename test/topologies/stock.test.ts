import { afterEach, describe, expect, it } from 'vitest';
import { TopologyTestDriver } from '../../src/index.ts';
import type { Order, Stock } from '../../topologies/estate/events.ts';
import { estateSerdes } from '../../topologies/estate/serdes.ts';
import { topics } from '../../topologies/estate/topics.ts';
import stock, {
  heldKey,
  heldReservationsStore,
  type Reservations,
  reservationsStore,
  stockStore,
  stockWriterHeader,
} from '../../topologies/stock.ts';

const t0 = 1_700_000_000_000;
const order = (id: string, product: string, quantity: number, state: Order['state'] = 'REQUESTED'): Order => ({
  id,
  customerId: 'c-1',
  product,
  quantity,
  price: 5,
  state,
  reason: null,
  requestedAt: t0,
  channel: 'web',
});

let driver: TopologyTestDriver;
afterEach(async () => driver?.close());

function setUp() {
  driver = new TopologyTestDriver(stock.topology(), { applicationId: stock.applicationId });
  const orders = driver.createInputTopic(topics.orders, estateSerdes.key, estateSerdes.order);
  const inventory = driver.createInputTopic(topics.warehouseInventory, estateSerdes.key, estateSerdes.stock);
  const validations = driver.createOutputTopic(topics.orderValidations, estateSerdes.key, estateSerdes.orderValidation);
  const levels = driver.createOutputTopic(topics.warehouseInventory, estateSerdes.key, estateSerdes.stock);
  let clock = t0;
  return {
    restock: (product: string, quantity: number) => inventory.pipeInput(product, { product, quantity }, clock++),
    /** Sends the order in `state` (keyed by order id, as the orders service writes it). */
    send: (o: Order) => orders.pipeInput(o.id, o, clock++),
    results: () => validations.readKeyValuesToList().map((kv) => `${kv.key}:${kv.value?.result}`),
    validations,
    levels,
    stockOf: (product: string) => driver.getKeyValueStore<string, Stock>(stockStore).get(product)?.quantity,
    /** The product's reserved total and the orders holding it (from the two reservation stores). */
    reservationsOf: (product: string) => {
      const total = driver.getKeyValueStore<string, Reservations>(reservationsStore).get(product);
      if (total === undefined) return undefined;
      const orders: Record<string, number> = {};
      for (const { key, value } of driver
        .getKeyValueStore<string, number>(heldReservationsStore)
        .prefixScan(heldKey(product, ''))) {
        orders[key.slice(product.length + 1)] = value;
      }
      return { reserved: total.reserved, orders };
    },
  };
}

describe('stock service', () => {
  it('passes 3 UNDERPANTS and 1 JUMPERS, then fails the second JUMPERS (stock 75 and 1)', () => {
    const io = setUp();
    io.restock('UNDERPANTS', 75);
    io.restock('JUMPERS', 1);
    io.send(order('o-1', 'UNDERPANTS', 3));
    io.send(order('o-2', 'JUMPERS', 1));
    io.send(order('o-3', 'JUMPERS', 1));
    expect(io.validations.readKeyValuesToList()).toEqual([
      { key: 'o-1', value: { orderId: 'o-1', checkType: 'INVENTORY', result: 'PASS', reason: null } },
      { key: 'o-2', value: { orderId: 'o-2', checkType: 'INVENTORY', result: 'PASS', reason: null } },
      {
        key: 'o-3',
        value: {
          orderId: 'o-3',
          checkType: 'INVENTORY',
          result: 'FAIL',
          reason: 'only 0 JUMPERS available, 1 requested',
        },
      },
    ]);
    expect(io.reservationsOf('UNDERPANTS')).toEqual({ reserved: 3, orders: { 'o-1': 3 } });
    expect(io.reservationsOf('JUMPERS')).toEqual({ reserved: 1, orders: { 'o-2': 1 } });
  });

  it('fails ten orders against zero stock, and orders for a product it has never seen', () => {
    const io = setUp();
    io.restock('SOCKS', 0);
    for (let i = 0; i < 10; i++) io.send(order(`o-${i}`, 'SOCKS', 1));
    io.send(order('o-x', 'STOCKINGS', 1));
    expect(io.results()).toEqual([...Array.from({ length: 10 }, (_, i) => `o-${i}:FAIL`), 'o-x:FAIL']);
    expect(io.reservationsOf('SOCKS')).toBeUndefined();
  });

  it('never oversells: 200 orders of 1 against stock 50 pass exactly 50, and reservations match them', () => {
    const io = setUp();
    io.restock('UNDERPANTS', 50);
    for (let i = 0; i < 200; i++) io.send(order(`o-${i}`, 'UNDERPANTS', 1));
    const validations = io.validations.readValuesToList();
    expect(validations).toHaveLength(200);
    const passed = validations.filter((v) => v?.result === 'PASS').map((v) => v?.orderId);
    expect(passed).toHaveLength(50);
    const reservations = io.reservationsOf('UNDERPANTS');
    expect(reservations?.reserved).toBe(50);
    expect(Object.keys(reservations?.orders ?? {}).sort()).toEqual([...passed].sort());
  });

  it('releases a rejected order’s reservation, so a later order passes', () => {
    const io = setUp();
    io.restock('JUMPERS', 2);
    io.send(order('o-1', 'JUMPERS', 2));
    io.send(order('o-2', 'JUMPERS', 1));
    io.send(order('o-1', 'JUMPERS', 2, 'REJECTED'));
    expect(io.reservationsOf('JUMPERS')).toEqual({ reserved: 0, orders: {} });
    io.send(order('o-3', 'JUMPERS', 2));
    expect(io.results()).toEqual(['o-1:PASS', 'o-2:FAIL', 'o-3:PASS']);
    // A rejection of an order that holds nothing (it failed) releases nothing.
    io.send(order('o-2', 'JUMPERS', 1, 'REJECTED'));
    expect(io.reservationsOf('JUMPERS')).toEqual({ reserved: 2, orders: { 'o-3': 2 } });
  });

  it('consumes a shipped order’s reservation and writes the lower stock level, once', () => {
    const io = setUp();
    io.restock('SOCKS', 5);
    io.send(order('o-1', 'SOCKS', 3));
    io.send(order('o-1', 'SOCKS', 3, 'VALIDATED'));
    io.send(order('o-1', 'SOCKS', 3, 'CONFIRMED'));
    io.send(order('o-1', 'SOCKS', 3, 'SHIPPED'));
    io.send(order('o-1', 'SOCKS', 3, 'SHIPPED'));
    expect(io.stockOf('SOCKS')).toBe(2);
    expect(io.reservationsOf('SOCKS')).toEqual({ reserved: 0, orders: {} });
    const written = driver.recordsOf(topics.warehouseInventory);
    expect(written.map((r) => estateSerdes.stock.deserialize(topics.warehouseInventory, r.value))).toEqual([
      { product: 'SOCKS', quantity: 5 },
      { product: 'SOCKS', quantity: 2 },
    ]);
    expect(written[1]?.headers.map((h) => h.key)).toContain(stockWriterHeader);
    io.send(order('o-2', 'SOCKS', 3));
    io.send(order('o-3', 'SOCKS', 2));
    expect(io.results()).toEqual(['o-1:PASS', 'o-2:FAIL', 'o-3:PASS']);
  });

  it('takes the warehouse’s restocks as the new level but not its own levels read back', () => {
    const io = setUp();
    io.restock('SOCKS', 5);
    driver
      .createInputTopic(topics.warehouseInventory, estateSerdes.key, estateSerdes.stock)
      .pipeInput('SOCKS', { product: 'SOCKS', quantity: 99 }, t0, [
        { key: stockWriterHeader, value: Buffer.from('estate-stock') },
      ]);
    expect(io.stockOf('SOCKS')).toBe(5);
    io.restock('SOCKS', 7);
    expect(io.stockOf('SOCKS')).toBe(7);
  });

  it('answers a redelivered request the same without reserving twice', () => {
    const io = setUp();
    io.restock('SOCKS', 4);
    io.send(order('o-1', 'SOCKS', 3));
    io.send(order('o-1', 'SOCKS', 3));
    expect(io.results()).toEqual(['o-1:PASS', 'o-1:PASS']);
    expect(io.reservationsOf('SOCKS')).toEqual({ reserved: 3, orders: { 'o-1': 3 } });
  });

  it('validates only requested orders', () => {
    const io = setUp();
    io.restock('SOCKS', 4);
    for (const state of ['VALIDATED', 'CONFIRMED', 'REJECTED', 'SHIPPED'] as const) {
      io.send(order(`o-${state}`, 'SOCKS', 1, state));
    }
    expect(io.validations.isEmpty()).toBe(true);
    expect(io.stockOf('SOCKS')).toBe(4);
    expect(io.reservationsOf('SOCKS')).toBeUndefined();
  });

  it('re-keys by product through a named repartition topic', () => {
    const description = stock.topology().describe().toString();
    expect(description).toContain('orders-by-product-repartition');
    expect(description).toContain('Processor: reserve-stock (stores: [stock, reservations, held-reservations])');
  });
});
