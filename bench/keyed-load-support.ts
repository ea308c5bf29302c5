import { randomBytes } from 'node:crypto';
import type { KafkaClient, ProducerRecord, TopicPartitionOffset } from '../src/kafka/index.ts';
import { type BenchTopics, failCheck } from './bench-topics-support.ts';
import { keyBytes, valueBytes } from './pipe-load-support.ts';

const valueTemplate = randomBytes(valueBytes);

/** The key of input record `sequence`: `k` + `sequence % distinctKeys`, zero-padded to keyBytes. */
export function keyedKey(sequence: number, distinctKeys: number): string {
  return `k${String(sequence % distinctKeys).padStart(keyBytes - 1, '0')}`;
}

/** How many of the input records 0 .. records-1 carry the key of `index` (0 .. distinctKeys-1). */
export function expectedCount(index: number, records: number, distinctKeys: number): number {
  return index < records ? Math.floor((records - 1 - index) / distinctKeys) + 1 : 0;
}

/**
 * The pipe's input shape (20-byte keys, 200-byte values with the sequence number in the first 4 bytes,
 * the benchmark's partitions) but with only `distinctKeys` keys, for the aggregations. Resolves with the
 * input's end offsets once its count is checked.
 */
export async function loadKeyedInput(
  topics: BenchTopics,
  topic: string,
  records: number,
  distinctKeys: number,
  client: KafkaClient,
  log: (message: string) => void,
): Promise<readonly TopicPartitionOffset[]> {
  await topics.create(topic);
  log(`loading ${records} records over ${distinctKeys} keys into ${topic}`);
  const started = performance.now();
  const producer = client.producer({ lingerMs: 0 });
  try {
    const pending: Promise<unknown>[] = [];
    for (let start = 0; start < records; start += 5_000) {
      const batch: ProducerRecord[] = [];
      for (let sequence = start; sequence < Math.min(records, start + 5_000); sequence++) {
        const value = Buffer.allocUnsafe(valueBytes);
        valueTemplate.copy(value);
        value.writeUInt32BE(sequence, 0);
        batch.push({ topic, key: Buffer.from(keyedKey(sequence, distinctKeys)), value });
      }
      pending.push(producer.send(batch));
      // Several sends in flight, as the pipe's loader; the first failure fails the load.
      if (pending.length >= 6) await pending.shift();
    }
    await Promise.all(pending);
  } finally {
    await producer.close();
  }
  log(`loaded in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  const count = await topics.count(topic);
  if (count !== records) throw failCheck(`the input ${topic} holds ${count} records, expected ${records}.`);
  return topics.endOffsets(topic);
}
