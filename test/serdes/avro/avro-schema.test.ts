import { describe, expect, it } from 'vitest';
import { isKStreamsError } from '../../../src/errors.ts';
import { avroSchemaInfo, avroSerde } from '../../../src/serdes/index.ts';
import { thrown } from '../support/thrown.ts';
import java from './fixtures/java-avro-vectors.json' with { type: 'json' };

describe('avroSchemaInfo', () => {
  it.each(java.fingerprints)('gives Java’s Parsing Canonical Form and fingerprint for $schema', (vector) => {
    const parsed = avroSchemaInfo(JSON.parse(vector.schema));
    expect(parsed.canonicalForm).toBe(vector.canonical);
    expect(parsed.fingerprint).toBe(BigInt(vector.fingerprint));
  });

  it('rejects an invalid schema with CONFIG_INVALID', () => {
    const error = thrown(() =>
      avroSchemaInfo({ type: 'record', name: 'Order', fields: [{ name: 'id', type: 'uuid-string' }] }),
    );
    expect(isKStreamsError(error, 'CONFIG_INVALID')).toBe(true);
    expect(error.message).toContain('not a valid Avro schema');
  });
});

describe('avroSerde schema sources', () => {
  const file = new URL('./fixtures/order-v1.avsc', import.meta.url).pathname;

  it('reads a schema from an .avsc file, from JSON text or from a type name', () => {
    const fromFile = avroSerde(file);
    const order = { id: 'o', amount: 1, quantity: 2, note: null };
    expect(fromFile.deserialize('t', fromFile.serialize('t', order))).toEqual(order);
    const fromText = avroSerde<number>('{"type": "long"}');
    expect(fromText.deserialize('t', fromText.serialize('t', 5))).toBe(5);
    const fromName = avroSerde<string>('string');
    expect(fromName.deserialize('t', fromName.serialize('t', 'x'))).toBe('x');
  });

  it('names a missing .avsc file in a CONFIG_INVALID error', () => {
    const error = thrown(() => avroSerde('/nonexistent/order.avsc'));
    expect(isKStreamsError(error, 'CONFIG_INVALID')).toBe(true);
    expect(error.message).toContain('/nonexistent/order.avsc');
  });
});
