import { describe, expect, it } from 'vitest';
import { isKStreamsError } from '../../src/errors.ts';
import type { Serde } from '../../src/serdes/index.ts';
import { Serdes } from '../../src/serdes/index.ts';
import java from './fixtures/java-serde-vectors.json' with { type: 'json' };
import { thrown } from './support/thrown.ts';

// The fixture holds the bytes Kafka's own Java serializers write (fixtures/JavaSerdeVectors.java).
const hex = (buffer: Buffer | null) => buffer?.toString('hex');
const bytes = (text: string) => Buffer.from(text, 'hex');

interface Case<T> {
  readonly name: string;
  readonly serde: Serde<T>;
  readonly vectors: readonly { value: string; hex: string }[];
  readonly parse: (value: string) => T;
  readonly sizeError: string;
}

const safeLongs = java.long.filter(
  ({ value }) => Number.isSafeInteger(Number(value)) && BigInt(Number(value)) === BigInt(value),
);

const cases: readonly Case<unknown>[] = [
  { name: 'int16', serde: Serdes.int16(), vectors: java.short, parse: Number, sizeError: java.sizeErrors.short },
  { name: 'int32', serde: Serdes.int32(), vectors: java.integer, parse: Number, sizeError: java.sizeErrors.integer },
  { name: 'int64', serde: Serdes.int64(), vectors: java.long, parse: BigInt, sizeError: java.sizeErrors.long },
  { name: 'long', serde: Serdes.long(), vectors: safeLongs, parse: Number, sizeError: java.sizeErrors.long },
  // Java's Float/DoubleDeserializer say "received by Deserializer"; ours name the class like the others do.
  {
    name: 'float',
    serde: Serdes.float(),
    vectors: java.float,
    parse: Number,
    sizeError: java.sizeErrors.float.replace('by Deserializer', 'by FloatDeserializer'),
  },
  {
    name: 'double',
    serde: Serdes.double(),
    vectors: java.double,
    parse: Number,
    sizeError: java.sizeErrors.double.replace('by Deserializer', 'by DoubleDeserializer'),
  },
  {
    name: 'boolean',
    serde: Serdes.boolean(),
    vectors: java.boolean,
    parse: (value: string) => value === 'true',
    sizeError: java.sizeErrors.boolean,
  },
];

describe.each(cases)('Serdes.$name()', ({ serde, vectors, parse, sizeError }) => {
  it.each(vectors)('writes $value as Java does ($hex)', ({ value, hex: expected }) => {
    expect(hex(serde.serialize('topic', parse(value)))).toBe(expected);
  });

  it.each(vectors)('reads Java’s bytes $hex as $value', ({ value, hex: written }) => {
    expect(serde.deserialize('topic', bytes(written))).toStrictEqual(parse(value));
  });

  it('keeps null as null both ways (tombstones)', () => {
    expect(serde.serialize('topic', null)).toBeNull();
    expect(serde.serialize('topic', undefined)).toBeNull();
    expect(serde.deserialize('topic', null)).toBeNull();
  });

  it('rejects data of the wrong size with Java’s message and the topic', () => {
    const error = thrown(() => serde.deserialize('payments', Buffer.alloc(3)));
    expect(isKStreamsError(error, 'SERDE_DESERIALIZATION_FAILED')).toBe(true);
    expect(error.message).toContain(sizeError);
    expect(error.message).toContain('"payments"');
    expect(error.message).toContain('got 3 bytes');
  });
});

describe('fixed-width serialization errors', () => {
  it.each([
    ['int16', () => Serdes.int16().serialize('t', 32768)],
    ['int32', () => Serdes.int32().serialize('t', 2 ** 31)],
    ['int32 fractions', () => Serdes.int32().serialize('t', 1.5)],
    ['int64 beyond 64 bits', () => Serdes.int64().serialize('t', 2n ** 63n)],
    ['int64 given a number', () => Serdes.int64().serialize('t', 1 as unknown as bigint)],
    ['long beyond 2^53', () => Serdes.long().serialize('t', 2 ** 53)],
    ['double given a string', () => Serdes.double().serialize('t', '1' as unknown as number)],
    ['boolean given a number', () => Serdes.boolean().serialize('t', 1 as unknown as boolean)],
  ])('rejects an out-of-range value (%s) instead of writing wrong bytes', (_name, action) => {
    const error = thrown(action);
    expect(isKStreamsError(error, 'SERDE_SERIALIZATION_FAILED')).toBe(true);
    expect(error.message).toContain('"t"');
  });

  it('fails loudly when a Java long does not fit a number, pointing to Serdes.int64()', () => {
    const beyond = java.long.filter(({ value }) => !safeLongs.some((safe) => safe.value === value));
    expect(beyond.length).toBeGreaterThan(0);
    for (const { value, hex: written } of beyond) {
      const error = thrown(() => Serdes.long().deserialize('t', bytes(written)));
      expect(isKStreamsError(error, 'SERDE_DESERIALIZATION_FAILED')).toBe(true);
      expect(error.message).toContain(value);
      expect(error.hint).toContain('Serdes.int64()');
    }
  });

  it('rejects a boolean byte other than 0 or 1 as Java does', () => {
    const error = thrown(() => Serdes.boolean().deserialize('t', Buffer.from([2])));
    expect(isKStreamsError(error, 'SERDE_DESERIALIZATION_FAILED')).toBe(true);
    expect(error.message).toContain(java.unexpectedBoolean);
  });
});
