import type { ICustomPartitioner, Message } from 'kafkajs';
import { partitionForKey } from '../murmur2.ts';

/**
 * Java's default partitioning as a kafkajs partitioner: an explicit partition wins, a key goes to
 * murmur2(key) % partitionCount (so keys land where Java, Go and Python producers put them), and keyless
 * records are spread round-robin over the topic's partitions. Each choice is written to `chosen`, so the
 * producer can report every record's partition, and a record keeps its partition if kafkajs retries.
 */
export function javaCompatiblePartitioner(chosen: WeakMap<Message, number>): ICustomPartitioner {
  return () => {
    const nextKeyless = new Map<string, number>();
    return ({ topic, partitionMetadata, message }) => {
      const previous = chosen.get(message);
      if (previous !== undefined) return previous;
      const partition = choosePartition(topic, partitionMetadata.length, message, nextKeyless);
      chosen.set(message, partition);
      return partition;
    };
  };
}

function choosePartition(
  topic: string,
  partitionCount: number,
  message: Message,
  nextKeyless: Map<string, number>,
): number {
  if (message.partition !== undefined && message.partition !== null) return message.partition;
  const key = message.key;
  if (key !== undefined && key !== null) {
    return partitionForKey(typeof key === 'string' ? Buffer.from(key) : key, partitionCount);
  }
  const next = nextKeyless.get(topic) ?? Math.floor(Math.random() * partitionCount);
  nextKeyless.set(topic, (next + 1) % partitionCount);
  return next % partitionCount;
}
