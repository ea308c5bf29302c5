import { afterEach, describe, expect, it } from 'vitest';
import type { ConsumedRecord } from '../../../src/kafka/types.ts';
import { sendInTransaction } from '../contract/contract-support.ts';
import { kafkaJsTestbed, uniqueName } from './kafkajs-test-support.ts';

const bed = kafkaJsTestbed();
afterEach(() => bed.closeAll());

describe('KafkaJsAssignedConsumer', () => {
  it('ends at the last stable offset and skips aborted records under read_committed', async () => {
    const topic = await bed.createTopic('restore', 1);
    const producer = bed.track(bed.client().producer({ transactionalId: uniqueName('restore-tx') }));
    await sendInTransaction(
      producer,
      [{ topic, partition: 0, key: Buffer.from('k'), value: Buffer.from('kept') }],
      'commit',
    );
    await sendInTransaction(
      producer,
      [{ topic, partition: 0, key: Buffer.from('k'), value: Buffer.from('aborted') }],
      'abort',
    );
    const open = await producer.beginTransaction();
    await open.send([{ topic, partition: 0, key: Buffer.from('k'), value: Buffer.from('pending') }]);

    const readCommitted = bed.track(bed.client().assignedConsumer({ isolationLevel: 'read_committed' }));
    const readUncommitted = bed.track(bed.client().assignedConsumer({ isolationLevel: 'read_uncommitted' }));
    const [stable] = await readCommitted.endOffsets([{ topic, partition: 0 }]);
    const [high] = await readUncommitted.endOffsets([{ topic, partition: 0 }]);
    // kept, commit marker, aborted, abort marker, then the open transaction's record.
    expect(stable?.offset).toBe(4);
    expect(high?.offset).toBe(5);

    await readCommitted.assign([{ topic, partition: 0, offset: 0 }]);
    const seen: ConsumedRecord[] = [];
    for (let i = 0; i < 5; i++) seen.push(...(await readCommitted.poll({ timeoutMs: 200 })));
    expect(seen.map((r) => r.value?.toString())).toEqual(['kept']);
    await open.abort();
  });

  /** A one-partition topic holding `count` records (v0, v1, ...) and an assigned consumer from `offset`. */
  async function assignedOver(name: string, count: number, offset: number) {
    const topic = await bed.createTopic(name, 1);
    const producer = bed.track(bed.client().producer());
    await producer.send(Array.from({ length: count }, (_, i) => ({ topic, key: null, value: Buffer.from(`v${i}`) })));
    const consumer = bed.track(bed.client().assignedConsumer());
    await consumer.assign([{ topic, partition: 0, offset }]);
    return { topic, producer, consumer };
  }

  it('returns at most maxRecords per poll and keeps the rest for the next', async () => {
    const { consumer } = await assignedOver('bounded', 50, 10);
    const first = await consumer.poll({ maxRecords: 15, timeoutMs: 2_000 });
    const second = await consumer.poll({ maxRecords: 15, timeoutMs: 2_000 });
    expect(first.map((r) => r.offset)).toEqual(Array.from({ length: 15 }, (_, i) => 10 + i));
    expect(second.map((r) => r.offset)).toEqual(Array.from({ length: 15 }, (_, i) => 25 + i));
  });

  it('reads ahead once little is buffered, and a seek meanwhile drops what that read brings', async () => {
    const { topic, producer, consumer } = await assignedOver('prefetch', 40, 0);
    const first = await consumer.poll({ maxRecords: 30, timeoutMs: 5_000 });
    expect(first.map((r) => r.offset)).toEqual([...Array(30).keys()]);
    // 10 stay buffered, fewer than 30: a read from offset 40 is in flight, answered once more arrives.
    await producer.send(Array.from({ length: 5 }, (_, i) => ({ topic, key: null, value: Buffer.from(`w${i}`) })));
    consumer.seek({ topic, partition: 0, offset: 3 });
    const offsets: number[] = [];
    while (offsets.length < 42) {
      const records = await consumer.poll({ maxRecords: 100, timeoutMs: 5_000 });
      expect(records.length).toBeGreaterThan(0);
      offsets.push(...records.map((r) => r.offset));
    }
    // From the seek on, in order, each once: nothing of the stale read (40-44) before 3-39.
    expect(offsets).toEqual(Array.from({ length: 42 }, (_, i) => i + 3));
  });
});
