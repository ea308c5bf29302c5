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

// Header names as bytes, made once per name: the same few names (e.g. a changelog's source header) recur
// on every record. Bounded, so records with ever-new header names cannot grow it without limit.
const headerNames = new Map<string, Buffer>();
const maxCachedHeaderNames = 1024;

function headerNameBytes(name: string): Buffer {
  let bytes = headerNames.get(name);
  if (bytes === undefined) {
    bytes = Buffer.from(name, 'utf8');
    if (headerNames.size < maxCachedHeaderNames) headerNames.set(name, bytes);
  }
  return bytes;
}

/**
 * The library message for one record, headers kept in order and with repeated keys. Made only when its
 * request goes out (producer.ts), so queued records cost no second copy; the library never mutates the
 * header keys, which lets records share them.
 */
export function toMessage(record: ProducerRecord, partition: number): MessageToProduce<Buffer, Buffer, Buffer, Buffer> {
  const message: MessageToProduce<Buffer, Buffer, Buffer, Buffer> = {
    topic: record.topic,
    partition,
    // The library writes an undefined key or value as a null (length -1) field: a tombstone.
    key: record.key ?? undefined,
    value: record.value ?? undefined,
    timestamp: BigInt(record.timestamp ?? Date.now()),
  };
  const recordHeaders = record.headers;
  if (recordHeaders && recordHeaders.length > 0) {
    const headers = new Map<Buffer, Buffer>();
    for (const header of recordHeaders) {
      const name = headerNameBytes(header.key);
      // Map keys are compared by identity: a repeated name needs its own Buffer to be kept.
      headers.set(headers.has(name) ? Buffer.from(header.key, 'utf8') : name, header.value);
    }
    message.headers = headers;
  }
  return message;
}
