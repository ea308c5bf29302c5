import { describe, expectTypeOf, it } from 'vitest';
import { JoinWindows } from '../../src/dsl/join-windows.ts';
import { StreamsBuilder } from '../../src/dsl/streams-builder.ts';
import type { KStream } from '../../src/dsl/types.ts';

interface Order {
  readonly customerId: string;
  readonly total: number;
}

describe('join overloads dispatch on the other side and type the joiner', () => {
  const builder = new StreamsBuilder();
  const orders = builder.stream<string, Order>('orders');
  const payments = builder.stream<string, number>('payments');
  const customers = builder.table<string, string>('customers');
  const regions = builder.globalTable<string, { readonly region: string }>('regions');
  const windows = JoinWindows.ofTimeDifferenceWithNoGrace(60_000);

  it('a stream-stream join gives both values; left and outer joins make the missing side nullable', () => {
    expectTypeOf(orders.join(payments, (o, paid) => o.total - paid, windows)).toEqualTypeOf<KStream<string, number>>();
    orders.leftJoin(
      payments,
      (o, paid) => {
        expectTypeOf(o).toEqualTypeOf<Order>();
        expectTypeOf(paid).toEqualTypeOf<number | null>();
        return 0;
      },
      windows,
    );
    orders.outerJoin(
      payments,
      (o, paid) => {
        expectTypeOf(o).toEqualTypeOf<Order | null>();
        expectTypeOf(paid).toEqualTypeOf<number | null>();
        return 0;
      },
      windows,
    );
  });

  it('a stream-table join takes Joined, not windows', () => {
    expectTypeOf(orders.join(customers, (o, name) => `${name}:${o.total}`)).toEqualTypeOf<KStream<string, string>>();
    orders.leftJoin(customers, (_o, name) => {
      expectTypeOf(name).toEqualTypeOf<string | null>();
      return name ?? '';
    });
  });

  it('a stream-global table join takes a key selector of the global key type', () => {
    const joined = orders.join(
      regions,
      (_id, o) => o.customerId,
      (o, r) => ({ total: o.total, region: r.region }),
    );
    expectTypeOf(joined).toEqualTypeOf<KStream<string, { total: number; region: string }>>();
    // @ts-expect-error the key selector must return the global table's key type
    orders.join(
      regions,
      (_id, o) => o.total,
      (o) => o,
    );
  });
});
