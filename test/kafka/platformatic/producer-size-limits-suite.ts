import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isKStreamsError } from '../../../src/errors.ts';
import {
  type AdapterName,
  type Admin,
  type ConsumedRecord,
  createKafkaClient,
  type KafkaClient,
  type ProducerRecord,
} from '../../../src/kafka/index.ts';
import { testBrokers } from '../../setup/kafka-env.ts';
import { pollRecords, uniqueName } from '../contract/contract-support.ts';

/**
 * Regression: sends whose records add up to more than the broker's message.max.bytes (1 MiB by default)
 * must be split into batches the broker accepts, in order; only a single record above the limit fails,
 * with an error naming the topic, partition, size and limit. Run for each adapter.
 */
export function describeProducerSizeLimits(adapter: AdapterName): void {
  describe(`producer size limits: ${adapter}`, () => {
    let client: KafkaClient;
    let admin: Admin;
    const closers: (() => Promise<void>)[] = [];

    function track<T extends { close(): Promise<void> }>(resource: T): T {
      closers.push(() => resource.close());
      return resource;
    }

    async function createTopic(prefix: string, partitions: number): Promise<string> {
      const name = uniqueName(`${adapter}-${prefix}`);
      await admin.createTopics([{ name, partitions, replicationFactor: 1 }]);
      return name;
    }

    async function readAll(topic: string, partitions: number, count: number): Promise<ConsumedRecord[]> {
      const consumer = track(client.assignedConsumer());
      await consumer.assign(Array.from({ length: partitions }, (_, partition) => ({ topic, partition, offset: 0 })));
      return pollRecords(consumer, count, 60_000);
    }

    function keyed(topic: string, count: number, valueBytes: number, first = 0): ProducerRecord[] {
      return Array.from({ length: count }, (_, i) => {
        const value = Buffer.alloc(valueBytes, 0x61);
        value.write(String(first + i).padStart(8, '0'));
        return { topic, key: Buffer.from(`key-${(first + i) % 97}`), value };
      });
    }

    const sequence = (record: ConsumedRecord) => Number(record.value!.subarray(0, 8).toString());

    beforeAll(() => {
      client = createKafkaClient({ brokers: testBrokers(), clientId: `size-limits-${adapter}` }, adapter);
      admin = track(client.admin());
    });

    afterAll(async () => {
      for (const close of closers.reverse()) await close().catch(() => undefined);
    });

    it('sends 20,000 keyed records with 200-byte values to one partition in one send, in order', async () => {
      const topic = await createTopic('one-send', 1);
      const producer = track(client.producer());
      const metadata = await producer.send(keyed(topic, 20_000, 200));
      expect(metadata.map((m) => m.offset)).toEqual(Array.from({ length: 20_000 }, (_, i) => i));
      const records = await readAll(topic, 1, 20_000);
      expect(records.map(sequence)).toEqual(Array.from({ length: 20_000 }, (_, i) => i));
    });

    it('sends 20,000 records with 2 KiB values (40 MiB) to one partition in one send, in order', async () => {
      const topic = await createTopic('large-values', 1);
      const producer = track(client.producer());
      const metadata = await producer.send(keyed(topic, 20_000, 2_048));
      expect(metadata.at(-1)?.offset).toBe(19_999);
      const records = await readAll(topic, 1, 20_000);
      expect(records.map(sequence)).toEqual(Array.from({ length: 20_000 }, (_, i) => i));
    });

    it('merges concurrent sends of more than 2 MiB under the default linger, keeping each partition in send order', async () => {
      const topic = await createTopic('linger', 3);
      const producer = track(client.producer());
      const sends = Array.from({ length: 12 }, (_, s) => producer.send(keyed(topic, 1_000, 300, s * 1_000)));
      const metadata = (await Promise.all(sends)).flat();
      expect(metadata).toHaveLength(12_000);
      const records = await readAll(topic, 3, 12_000);
      expect(records).toHaveLength(12_000);
      for (let partition = 0; partition < 3; partition += 1) {
        const inPartition = records.filter((r) => r.partition === partition).map(sequence);
        expect(inPartition).toEqual([...inPartition].sort((a, b) => a - b));
      }
      expect(new Set(records.map(sequence)).size).toBe(12_000);
    });

    it('sends records just below the broker limit between small ones, in order', async () => {
      const topic = await createTopic('near-limit', 1);
      const producer = track(client.producer());
      const sizes = [100, 1_000_000, 100, 100, 1_000_000, 1_000_000, 100];
      await producer.send(sizes.map((bytes, i) => keyed(topic, 1, bytes, i)[0]!));
      const records = await readAll(topic, 1, sizes.length);
      expect(records.map(sequence)).toEqual(sizes.map((_, i) => i));
      expect(records.map((r) => r.value!.length)).toEqual(sizes);
    });

    it('fails a record above the broker limit with an error naming topic, partition, size and limit', async () => {
      const topic = await createTopic('too-large', 1);
      const producer = track(client.producer());
      const error = await producer
        .send([{ topic, partition: 0, key: Buffer.from('big'), value: Buffer.alloc(2 * 1024 * 1024) }])
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(isKStreamsError(error, 'KAFKA_PRODUCE_FAILED')).toBe(true);
      const { message, hint } = error as { message: string; hint: string };
      expect(message).toContain(`"${topic}" partition 0`);
      expect(message).toMatch(/record of 2,?09\d,?\d{3} bytes/);
      expect(message).toMatch(/1,?048,?588 bytes/);
      expect(hint).toContain('max.message.bytes');
      // The producer stays usable.
      const [written] = await producer.send([{ topic, partition: 0, key: null, value: Buffer.from('small') }]);
      expect(written?.offset).toBeGreaterThanOrEqual(0);
    });
  });
}
