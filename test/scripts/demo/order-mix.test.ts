import { describe, expect, it } from 'vitest';
import { catalogue } from '../../../scripts/demo/estate-catalogue.ts';
import { OrderMix, type PlannedOrder } from '../../../scripts/demo/order-mix.ts';
import { defaultFraudLimit } from '../../../topologies/fraud.ts';
import { knownProducts, maxQuantity } from '../../../topologies/order-details.ts';

const value = (order: PlannedOrder) => order.body.quantity * order.body.price;

function seededRandom(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

describe('OrderMix', () => {
  const mix = new OrderMix('run1', seededRandom(7));
  const initialCustomers = mix.takeNewCustomers();
  const orders = Array.from({ length: 2000 }, () => mix.next());
  const ofKind = (kind: PlannedOrder['kind']) => orders.filter((order) => order.kind === kind);

  it('plans one order of each failing kind in every twenty', () => {
    for (let start = 0; start < orders.length; start += 20) {
      const kinds = new Set(orders.slice(start, start + 20).map((order) => order.kind));
      expect(kinds).toEqual(
        new Set(['normal', 'unknown-product', 'bad-quantity', 'big-spender', 'no-stock', 'wrong-payment']),
      );
    }
  });

  it('designs each failing kind to fail its own check only', () => {
    for (const order of ofKind('unknown-product')) expect(knownProducts).not.toContain(order.body.product);
    for (const order of ofKind('bad-quantity')) expect(order.body.quantity).toBeGreaterThan(maxQuantity);
    for (const order of ofKind('big-spender')) expect(value(order)).toBeGreaterThan(defaultFraudLimit);
    for (const order of ofKind('no-stock')) expect(catalogue[order.body.product as 'SOCKS'].stock).toBe(0);
    for (const order of ofKind('wrong-payment')) expect(order.paymentAmount).not.toBeCloseTo(value(order), 2);
  });

  it('pays normal orders exactly, for stocked products and valid quantities', () => {
    for (const order of ofKind('normal')) {
      expect(order.paymentAmount).toBeCloseTo(value(order), 6);
      expect(knownProducts).toContain(order.body.product);
      expect(order.body.quantity).toBeLessThanOrEqual(maxQuantity);
      expect(catalogue[order.body.product as 'UNDERPANTS'].stock).toBeGreaterThan(0);
    }
  });

  it('keeps every other customer well below the fraud limit, adding customers as needed', () => {
    const spent = new Map<string, number>();
    for (const order of orders.filter((order) => order.kind !== 'big-spender')) {
      spent.set(order.body.customerId, (spent.get(order.body.customerId) ?? 0) + value(order));
    }
    expect(Math.max(...spent.values())).toBeLessThan(defaultFraudLimit * 0.8);
    const published = new Set([...initialCustomers, ...mix.takeNewCustomers()].map((customer) => customer.id));
    for (const id of spent.keys()) expect(published).toContain(id);
    expect(initialCustomers.length).toBeGreaterThanOrEqual(24);
    for (const id of published) expect(id).toContain('run1');
  });
});
