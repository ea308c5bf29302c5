import { describe, expectTypeOf, it } from 'vitest';
import { StreamsBuilder } from '../../src/dsl/streams-builder.ts';
import type { KGroupedStream, KStream, KTable } from '../../src/dsl/types.ts';
import { Serdes } from '../../src/serdes/serdes.ts';

interface Order {
  readonly id: string;
  readonly total: number;
  readonly items: readonly string[];
}

describe('types flow through the DSL', () => {
  const builder = new StreamsBuilder();
  const orders = builder.stream<string, Order>('orders');

  it('mapValues infers the new value type, with or without the key', () => {
    expectTypeOf(orders.mapValues((o) => o.total)).toEqualTypeOf<KStream<string, number>>();
    expectTypeOf(orders.mapValues((o, key) => `${key}:${o.id}`)).toEqualTypeOf<KStream<string, string>>();
  });

  it('infers key and value types from Consumed serdes', () => {
    const typed = builder.stream('orders-2', { keySerde: Serdes.string(), valueSerde: Serdes.json<Order>() });
    expectTypeOf(typed).toEqualTypeOf<KStream<string, Order>>();
  });

  it('key-changing operators change the key type', () => {
    expectTypeOf(orders.selectKey((_k, o) => o.total)).toEqualTypeOf<KStream<number, Order>>();
    expectTypeOf(orders.map((k, o) => ({ key: o.id, value: k.length }))).toEqualTypeOf<KStream<string, number>>();
    expectTypeOf(orders.flatMap((_k, o) => o.items.map((item) => ({ key: item, value: 1 })))).toEqualTypeOf<
      KStream<string, number>
    >();
    expectTypeOf(orders.flatMapValues((o) => o.items)).toEqualTypeOf<KStream<string, string>>();
  });

  it('predicates and actions see the stream types', () => {
    orders.filter((key, order) => {
      expectTypeOf(key).toEqualTypeOf<string>();
      expectTypeOf(order).toEqualTypeOf<Order>();
      return true;
    });
    // @ts-expect-error the value is an Order, not a number
    orders.filter((_k, order: number) => order > 0);
  });

  it('grouping and aggregation produce typed tables', () => {
    const grouped = orders.groupBy((_k, o) => o.items.length);
    expectTypeOf(grouped).toEqualTypeOf<KGroupedStream<number, Order>>();
    expectTypeOf(grouped.count()).toEqualTypeOf<KTable<number, number>>();
    expectTypeOf(grouped.reduce((a, b) => (a.total >= b.total ? a : b))).toEqualTypeOf<KTable<number, Order>>();
    const sums = orders.groupByKey().aggregate(
      () => 0n,
      (_k, o, sum) => sum + BigInt(o.total),
    );
    expectTypeOf(sums).toEqualTypeOf<KTable<string, bigint>>();
    expectTypeOf(sums.mapValues((v) => Number(v)).toStream()).toEqualTypeOf<KStream<string, number>>();
  });

  it('split returns a map of streams of the same types', () => {
    const branches = orders
      .split()
      .branch((_k, o) => o.total > 100)
      .defaultBranch();
    expectTypeOf(branches).toEqualTypeOf<ReadonlyMap<string, KStream<string, Order>>>();
  });

  it('Produced serdes must match the stream types', () => {
    orders.mapValues((o) => o.total).to('totals', { valueSerde: Serdes.long() });
    // @ts-expect-error a string serde cannot write number values
    orders.mapValues((o) => o.total).to('totals', { valueSerde: Serdes.string() });
  });
});
