import { describe, expect, it } from 'vitest';
import { partitionForKey } from '../../../src/kafka/murmur2.ts';
import { choosePartition, RoundRobinPartitions, toMessage } from '../../../src/kafka/platformatic/produce-records.ts';

describe('choosePartition', () => {
  it('keeps an explicit partition, hashes keys like Java and spreads keyless records', () => {
    const roundRobin = new RoundRobinPartitions();
    const key = Buffer.from('order-42');
    expect(choosePartition({ topic: 't', partition: 2, key, value: null }, 6, roundRobin)).toBe(2);
    expect(choosePartition({ topic: 't', key, value: null }, 6, roundRobin)).toBe(partitionForKey(key, 6));
    const keyless = Array.from({ length: 6 }, () =>
      choosePartition({ topic: 't', key: null, value: null }, 6, roundRobin),
    );
    expect([...keyless].sort()).toEqual([0, 1, 2, 3, 4, 5]);
  });
});

describe('toMessage', () => {
  it('keeps repeated header names in order and writes null values as tombstones', () => {
    const message = toMessage(
      {
        topic: 't',
        key: null,
        value: null,
        timestamp: 5,
        headers: [
          { key: 'a', value: Buffer.from('1') },
          { key: 'a', value: Buffer.from('2') },
        ],
      },
      0,
    );
    expect(message.value).toBeUndefined();
    expect(message.timestamp).toBe(5n);
    const headers = [...(message.headers as Map<Buffer, Buffer>)].map(([k, v]) => [k.toString(), v.toString()]);
    expect(headers).toEqual([
      ['a', '1'],
      ['a', '2'],
    ]);
  });

  it('shares the bytes of a header name between records, so a queued record costs no copy of it', () => {
    const headers = [{ key: 'kstreams.source', value: Buffer.from('x') }];
    const first = toMessage({ topic: 't', key: null, value: null, headers }, 0);
    const second = toMessage({ topic: 't', key: null, value: null, headers }, 1);
    const [firstName] = (first.headers as Map<Buffer, Buffer>).keys();
    const [secondName] = (second.headers as Map<Buffer, Buffer>).keys();
    expect(firstName?.toString()).toBe('kstreams.source');
    expect(secondName).toBe(firstName);
  });
});
