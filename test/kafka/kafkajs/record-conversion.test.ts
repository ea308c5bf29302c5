import { describe, expect, it } from 'vitest';
import { fromKafkaJsHeaders, toKafkaJsHeaders } from '../../../src/kafka/kafkajs/record-conversion.ts';

describe('kafkajs header conversion', () => {
  it('turns kafkajs header objects into a header list: single values, strings, repeated keys in order', () => {
    expect(fromKafkaJsHeaders(undefined)).toEqual([]);
    expect(fromKafkaJsHeaders({})).toEqual([]);
    expect(
      fromKafkaJsHeaders({
        one: Buffer.from('1'),
        text: 'plain',
        many: [Buffer.from('a'), 'b', Buffer.from('c')],
        missing: undefined,
      }),
    ).toEqual([
      { key: 'one', value: Buffer.from('1') },
      { key: 'text', value: Buffer.from('plain') },
      { key: 'many', value: Buffer.from('a') },
      { key: 'many', value: Buffer.from('b') },
      { key: 'many', value: Buffer.from('c') },
    ]);
  });

  it('ignores inherited properties and round-trips what toKafkaJsHeaders wrote', () => {
    const inherited = Object.create({ leaked: Buffer.from('x') }) as Record<string, Buffer>;
    inherited.own = Buffer.from('y');
    expect(fromKafkaJsHeaders(inherited)).toEqual([{ key: 'own', value: Buffer.from('y') }]);
    const headers = [
      { key: 'kstreams.source', value: Buffer.from([1, 2, 3]) },
      { key: 'trace', value: Buffer.from('t1') },
      { key: 'trace', value: Buffer.from('t2') },
    ];
    expect(fromKafkaJsHeaders(toKafkaJsHeaders(headers))).toEqual(headers);
  });
});
