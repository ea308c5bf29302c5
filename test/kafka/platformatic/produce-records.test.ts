import { describe, expect, it } from 'vitest';
import { partitionForKey } from '../../../src/kafka/murmur2.ts';
import {
  choosePartition,
  RoundRobinPartitions,
  recordMetadata,
  toMessage,
} from '../../../src/kafka/platformatic/produce-records.ts';

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
});

describe('recordMetadata', () => {
  it('gives each record its own offset from the base offset of its partition', () => {
    const records = [
      { topic: 't', key: null, value: null },
      { topic: 't', key: null, value: null },
      { topic: 't', key: null, value: null },
    ];
    const metadata = recordMetadata(
      [0, 1, 0],
      records,
      new Map([
        ['t:0', 10],
        ['t:1', 3],
      ]),
    );
    expect(metadata).toEqual([
      { topic: 't', partition: 0, offset: 10 },
      { topic: 't', partition: 1, offset: 3 },
      { topic: 't', partition: 0, offset: 11 },
    ]);
  });
});
