import { describe, expect, it } from 'vitest';
import { Serdes, serdeFrom, stringSerde } from '../../src/serdes/index.ts';

describe('Serdes', () => {
  it('names every built-in serde, and stateless ones are shared instances', () => {
    expect(Serdes.string()).toBe(stringSerde());
    expect(Serdes.int32().serialize('t', 1)).toEqual(Buffer.from([0, 0, 0, 1]));
    expect(Serdes.json<number[]>().deserialize('t', Buffer.from('[1,2]'))).toEqual([1, 2]);
  });

  it('serdeFrom pairs a serializer and a deserializer, passing headers along', () => {
    const seen: unknown[] = [];
    const upper = serdeFrom<string>(
      {
        serialize: (_topic, value, headers) => {
          seen.push(headers);
          return value ? Buffer.from(value.toUpperCase()) : null;
        },
      },
      { deserialize: (_topic, data) => (data ? data.toString().toLowerCase() : null) },
    );
    const headers = [{ key: 'trace', value: Buffer.from('1') }];
    expect(upper.serialize('t', 'abc', headers)).toEqual(Buffer.from('ABC'));
    expect(seen).toEqual([headers]);
    expect(upper.deserialize('t', Buffer.from('ABC'))).toBe('abc');
  });
});
