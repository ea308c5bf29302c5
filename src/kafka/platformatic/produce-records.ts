import type { MessageToProduce } from '@platformatic/kafka';
import { partitionForKey } from '../murmur2.ts';
import type { ProducerRecord } from '../types.ts';

/** Keyless records rotate over the partitions of each topic. */
export class RoundRobinPartitions {
  readonly #next = new Map<string, number>();

  next(topic: string, partitionCount: number): number {
    const current = this.#next.get(topic) ?? Math.floor(Math.random() * partitionCount);
    this.#next.set(topic, (current + 1) % partitionCount);
    return current % partitionCount;
  }
}

/**
 * The partition of each record, decided here rather than by the library's partitioner (not
 * Java-compatible): an explicit partition wins, a keyed record goes where Java's producer puts it,
 * a keyless one is spread round-robin.
 */
export function choosePartition(
  record: ProducerRecord,
  partitionCount: number,
  roundRobin: RoundRobinPartitions,
): number {
  if (record.partition !== undefined) return record.partition;
  if (record.key !== null) return partitionForKey(record.key, partitionCount);
  return roundRobin.next(record.topic, partitionCount);
}

/** The library message for one record, headers kept in order and with repeated keys. */
export function toMessage(record: ProducerRecord, partition: number): MessageToProduce<Buffer, Buffer, Buffer, Buffer> {
  const message: MessageToProduce<Buffer, Buffer, Buffer, Buffer> = {
    topic: record.topic,
    partition,
    // The library writes an undefined key or value as a null (length -1) field: a tombstone.
    key: record.key ?? undefined,
    value: record.value ?? undefined,
    timestamp: BigInt(record.timestamp ?? Date.now()),
  };
  if (record.headers && record.headers.length > 0) {
    // Buffer keys are distinct objects, so a Map keeps repeated header names.
    message.headers = new Map(record.headers.map((h) => [Buffer.from(h.key, 'utf8'), h.value]));
  }
  return message;
}
