import { describe, expectTypeOf, it } from 'vitest';
import type { Serde, SerdeType } from '../../src/serdes/index.ts';
import { avroSerde, Serdes } from '../../src/serdes/index.ts';

interface Order {
  readonly id: string;
  readonly amount: number;
}

describe('serde types', () => {
  it('types each built-in serde by its value', () => {
    expectTypeOf(Serdes.json<Order>()).toEqualTypeOf<Serde<Order>>();
    expectTypeOf(Serdes.string()).toEqualTypeOf<Serde<string>>();
    expectTypeOf(Serdes.int32()).toEqualTypeOf<Serde<number>>();
    expectTypeOf(Serdes.int64()).toEqualTypeOf<Serde<bigint>>();
    expectTypeOf(Serdes.bytes()).toEqualTypeOf<Serde<Buffer>>();
    expectTypeOf(Serdes.void()).toEqualTypeOf<Serde<null>>();
    expectTypeOf(avroSerde<Order>('"string"')).toEqualTypeOf<Serde<Order>>();
    expectTypeOf(avroSerde({ type: 'int' })).toEqualTypeOf<Serde<unknown>>();
  });

  it('deserializes to the value or null, and serializes to bytes or null', () => {
    const serde = Serdes.json<Order>();
    expectTypeOf(serde.deserialize('t', null)).toEqualTypeOf<Order | null>();
    expectTypeOf(serde.serialize('t', { id: 'o', amount: 1 })).toEqualTypeOf<Buffer | null>();
    expectTypeOf<SerdeType<typeof serde>>().toEqualTypeOf<Order>();
    // @ts-expect-error a string serde does not take numbers
    Serdes.string().serialize('t', 1);
  });
});
