import { describe, expect, it } from 'vitest';
import { isKStreamsError } from '../../src/errors.ts';
import { jsonSerde } from '../../src/serdes/index.ts';
import { thrown } from './support/thrown.ts';

interface Order {
  readonly id: string;
  readonly amount: number;
  readonly lines: readonly { sku: string; quantity: number }[];
  readonly note: string | null;
}

describe('jsonSerde', () => {
  const serde = jsonSerde<Order>();
  const order: Order = { id: 'o-1', amount: 12.5, lines: [{ sku: 'ünï-1', quantity: 2 }], note: null };

  it('round-trips a value through UTF-8 JSON', () => {
    const data = serde.serialize('orders', order);
    expect(data?.toString('utf8')).toBe(
      '{"id":"o-1","amount":12.5,"lines":[{"sku":"ünï-1","quantity":2}],"note":null}',
    );
    expect(serde.deserialize('orders', data)).toEqual(order);
  });

  it('keeps null as null both ways (tombstones)', () => {
    expect(serde.serialize('orders', null)).toBeNull();
    expect(serde.serialize('orders', undefined)).toBeNull();
    expect(serde.deserialize('orders', null)).toBeNull();
  });

  it.each([
    ['truncated JSON', '{"id":"o-1",'],
    ['plain text', 'not json'],
    ['empty bytes', ''],
  ])('turns %s into SERDE_DESERIALIZATION_FAILED naming the topic, the cause and a hint', (_name, text) => {
    const error = thrown(() => serde.deserialize('orders', Buffer.from(text, 'utf8')));
    expect(isKStreamsError(error, 'SERDE_DESERIALIZATION_FAILED')).toBe(true);
    expect(error.message).toContain('topic "orders"');
    expect(error.message).toContain('not valid JSON');
    expect(error.hint).toContain('UTF-8 JSON');
    expect(error.cause).toBeInstanceOf(SyntaxError);
  });

  it('turns values JSON cannot hold into SERDE_SERIALIZATION_FAILED', () => {
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    const bigints = jsonSerde<{ n: bigint }>();
    for (const action of [
      () => jsonSerde<unknown>().serialize('t', circular),
      () => bigints.serialize('t', { n: 1n }),
      () => jsonSerde<() => void>().serialize('t', () => {}),
    ]) {
      const error = thrown(action);
      expect(isKStreamsError(error, 'SERDE_SERIALIZATION_FAILED')).toBe(true);
      expect(error.message).toContain('topic "t"');
    }
  });

  it('applies a reviver, e.g. to restore dates', () => {
    const dated = jsonSerde<{ at: Date }>({
      reviver: (key, value) => (key === 'at' && typeof value === 'string' ? new Date(value) : value),
    });
    const at = new Date('2024-05-01T10:00:00.000Z');
    expect(dated.deserialize('t', dated.serialize('t', { at }))).toEqual({ at });
  });
});
