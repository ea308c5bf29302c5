import { describe, expect, it } from 'vitest';
import { isKStreamsError } from '../../../src/errors.ts';
import { avroSchemaInfo, InMemorySchemaStore, singleObjectEncoding } from '../../../src/serdes/index.ts';
import { thrown } from '../support/thrown.ts';

describe('singleObjectEncoding', () => {
  it('writes C3 01 and the fingerprint little-endian, and registers the writer schema', () => {
    const store = new InMemorySchemaStore();
    const framing = singleObjectEncoding(store);
    const writer = avroSchemaInfo('int');
    // 8247732601305521295 = 0x7275d51a3f395c8f, so its little-endian bytes are 8f 5c 39 3f 1a d5 75 72.
    expect(framing.headerFor(writer).toString('hex')).toBe('c3018f5c393f1ad57572');
    expect(store.schemaFor(writer.fingerprint)).toBe('int');
    expect(framing.writerId('t', Buffer.from('c3018f5c393f1ad5757202', 'hex'))).toBe(8247732601305521295n);
  });

  it.each([
    ['a Confluent-framed record', '000000000102'],
    ['JSON', '7b226964223a317d'],
  ])('rejects %s as not single-object encoded, naming the bytes and the fix', (_name, hex) => {
    const error = thrown(() =>
      singleObjectEncoding(new InMemorySchemaStore()).writerId('orders', Buffer.from(hex, 'hex')),
    );
    expect(isKStreamsError(error, 'SERDE_DESERIALIZATION_FAILED')).toBe(true);
    expect(error.message).toContain('topic "orders"');
    expect(error.message).toMatch(/c301|header/);
    expect(error.hint).toContain('Confluent');
  });

  it('rejects an unknown fingerprint with the fingerprint and how to register the writer schema', () => {
    const error = thrown(() => singleObjectEncoding(new InMemorySchemaStore()).writerSchema('orders', 42n));
    expect(isKStreamsError(error, 'SERDE_DESERIALIZATION_FAILED')).toBe(true);
    expect(error.message).toContain('2a00000000000000 (42)');
    expect(error.hint).toContain('Register the writer schema');
  });
});
