import { describe, expect, it } from 'vitest';
import { type BatchOutcome, FetchedBatches, partitionKey } from '../../../src/kafka/kafkajs/fetched-batches.ts';
import type { ConsumedRecord } from '../../../src/kafka/types.ts';

const records = (partition: number, from: number, count: number): ConsumedRecord[] =>
  Array.from({ length: count }, (_, i) => ({
    topic: 't',
    partition,
    offset: from + i,
    key: null,
    value: null,
    headers: [],
    timestamp: 0,
  }));
const notPaused = () => false;

async function settled(outcome: Promise<BatchOutcome>): Promise<BatchOutcome | 'pending'> {
  return Promise.race([outcome, new Promise<'pending'>((resolve) => setImmediate(() => resolve('pending')))]);
}

describe('FetchedBatches', () => {
  it('hands out at most maxRecords, oldest batch first', () => {
    const batches = new FetchedBatches();
    batches.add('t', 0, records(0, 0, 3));
    batches.add('t', 1, records(1, 10, 3));
    expect(batches.take(4, notPaused, 1).map((r) => r.offset)).toEqual([0, 1, 2, 10]);
    expect(batches.take(4, notPaused, 2).map((r) => r.offset)).toEqual([11, 12]);
  });

  it('lets kafkajs go on only at the poll after the one that emptied a batch', async () => {
    const batches = new FetchedBatches();
    const { outcome } = batches.add('t', 0, records(0, 0, 2));
    batches.take(10, notPaused, 1);
    batches.completeEmptied(1);
    expect(await settled(outcome)).toBe('pending');
    batches.completeEmptied(2);
    expect(await settled(outcome)).toEqual({ kind: 'consumed' });
  });

  it('holds the records of a paused partition and releases kafkajs', async () => {
    const batches = new FetchedBatches();
    const paused = new Set([partitionKey({ topic: 't', partition: 0 })]);
    const isPaused = (key: string) => paused.has(key);
    const { outcome } = batches.add('t', 0, records(0, 0, 2));
    batches.hold(isPaused);
    expect(await settled(outcome)).toEqual({ kind: 'held' });
    expect(batches.take(10, isPaused, 1)).toEqual([]);
    paused.clear();
    expect(batches.take(10, isPaused, 2).map((r) => r.offset)).toEqual([0, 1]);
  });

  it('drops the batches of one partition and tells their eachBatch calls why', async () => {
    const batches = new FetchedBatches();
    const zero = batches.add('t', 0, records(0, 0, 2));
    const one = batches.add('t', 1, records(1, 0, 2));
    batches.drop((b) => b.partition === 0, { kind: 'dropped' });
    expect(await settled(zero.outcome)).toEqual({ kind: 'dropped' });
    expect(await settled(one.outcome)).toBe('pending');
    expect(batches.take(10, notPaused, 1).map((r) => r.partition)).toEqual([1, 1]);
  });

  it('wakes a waiting poll when a batch arrives', async () => {
    const batches = new FetchedBatches();
    const started = Date.now();
    const waiting = batches.changed(5_000);
    batches.add('t', 0, records(0, 0, 1));
    await waiting;
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});
