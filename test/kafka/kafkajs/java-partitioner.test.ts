import type { Message, PartitionMetadata } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { javaCompatiblePartitioner } from '../../../src/kafka/kafkajs/java-partitioner.ts';
import { partitionForKey } from '../../../src/kafka/murmur2.ts';

const metadata = (count: number): PartitionMetadata[] =>
  Array.from({ length: count }, (_, partitionId) => ({
    partitionErrorCode: 0,
    partitionId,
    leader: 1,
    replicas: [1],
    isr: [1],
    offlineReplicas: [],
  }));

function partitioner(chosen = new WeakMap<Message, number>()) {
  const partition = javaCompatiblePartitioner(chosen)();
  return (message: Message, count = 6) => partition({ topic: 't', partitionMetadata: metadata(count), message });
}

describe('javaCompatiblePartitioner', () => {
  it('puts a keyed record where Java’s murmur2 partitioner does', () => {
    const choose = partitioner();
    for (const key of ['a', 'order-17', 'ü-key']) {
      expect(choose({ key: Buffer.from(key), value: null })).toBe(partitionForKey(Buffer.from(key), 6));
    }
  });

  it('keeps an explicit partition', () => {
    expect(partitioner()({ key: Buffer.from('a'), value: null, partition: 5 })).toBe(5);
  });

  it('spreads keyless records over every partition', () => {
    const choose = partitioner();
    const chosen = Array.from({ length: 6 }, () => choose({ key: null, value: Buffer.from('x') }));
    expect([...chosen].sort()).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('records each choice and repeats it when kafkajs partitions the same record again', () => {
    const chosen = new WeakMap<Message, number>();
    const choose = partitioner(chosen);
    const message: Message = { key: null, value: Buffer.from('x') };
    const first = choose(message);
    expect(chosen.get(message)).toBe(first);
    expect(choose(message)).toBe(first);
  });
});
