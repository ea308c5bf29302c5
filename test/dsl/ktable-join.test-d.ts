import { describe, expectTypeOf, it } from 'vitest';
import { StreamsBuilder } from '../../src/dsl/streams-builder.ts';
import type { KTable } from '../../src/dsl/types.ts';

interface Order {
  readonly customerId: string;
  readonly total: number;
}
interface Customer {
  readonly name: string;
}

describe('KTable join overloads', () => {
  const builder = new StreamsBuilder();
  const orders = builder.table<string, Order>('orders');
  const customers = builder.table<string, Customer>('customers');
  const limits = builder.table<string, number>('limits');

  it('a joiner after the other table is a table-table join; the missing side is nullable in left and outer joins', () => {
    expectTypeOf(orders.join(limits, (order, limit) => order.total <= limit)).toEqualTypeOf<KTable<string, boolean>>();
    orders.leftJoin(limits, (_order, limit) => expectTypeOf(limit).toEqualTypeOf<number | null>());
    orders.outerJoin(limits, (order, limit) => {
      expectTypeOf(order).toEqualTypeOf<Order | null>();
      expectTypeOf(limit).toEqualTypeOf<number | null>();
    });
  });

  it('an extractor then a joiner is a foreign-key join, even though a function is also a Named', () => {
    const enriched = orders.join(
      customers,
      (order) => order.customerId,
      (order, customer) => `${customer.name}: ${order.total}`,
    );
    expectTypeOf(enriched).toEqualTypeOf<KTable<string, string>>();
    orders.leftJoin(
      customers,
      (order) => order.customerId,
      (_order, customer) => expectTypeOf(customer).toEqualTypeOf<Customer | null>(),
    );
  });

  it('a table-table join needs the same key type', () => {
    const byNumber = builder.table<number, string>('by-number');
    // @ts-expect-error keys differ: only a foreign-key join may join tables keyed differently
    orders.join(byNumber, (order: Order, value: string) => `${order.total}${value}`);
  });
});
