import { describe, expect, it } from 'vitest';
import {
  type DeliveryReceipt,
  type PartitionBatch,
  ProduceQueue,
  type QueuedRecord,
} from '../../../src/kafka/platformatic/produce-queue.ts';
import { recordBatchOverhead } from '../../../src/kafka/record-size.ts';

interface Outcome {
  offsets: Map<number, { partition: number; offset: number }>;
  errors: unknown[];
}

function receipt(): DeliveryReceipt & Outcome {
  const outcome: Outcome = { offsets: new Map(), errors: [] };
  return {
    ...outcome,
    delivered(index, partition, offset) {
      outcome.offsets.set(index, { partition, offset });
    },
    failed(error) {
      outcome.errors.push(error);
    },
  };
}

function records(
  to: DeliveryReceipt,
  topic: string,
  partition: number,
  sizes: readonly number[],
  firstIndex = 0,
): QueuedRecord<string>[] {
  return sizes.map((bytes, i) => ({
    topic,
    partition,
    bytes,
    message: `${topic}:${partition}:${firstIndex + i}`,
    receipt: to,
    index: firstIndex + i,
  }));
}

/** A broker stand-in: records each request, and answers them when told to, with per-partition offsets. */
class FakeBroker {
  readonly requests: PartitionBatch<string>[][] = [];
  readonly #pending: { batches: readonly PartitionBatch<string>[]; answer: (error?: unknown) => void }[] = [];
  readonly #logEnd = new Map<string, number>();

  readonly send = (batches: readonly PartitionBatch<string>[]): Promise<ReadonlyMap<string, number>> => {
    this.requests.push([...batches]);
    const { promise, resolve, reject } = Promise.withResolvers<ReadonlyMap<string, number>>();
    this.#pending.push({
      batches,
      answer: (error) => {
        if (error !== undefined) return reject(error);
        const offsets = new Map<string, number>();
        for (const batch of batches) {
          const key = `${batch.topic}:${batch.partition}`;
          const base = this.#logEnd.get(key) ?? 0;
          offsets.set(key, base);
          this.#logEnd.set(key, base + batch.records.length);
        }
        resolve(offsets);
      },
    });
    return promise;
  };

  get inFlight(): number {
    return this.#pending.length;
  }

  /** Answers the oldest request and lets the queue react. */
  async answer(error?: unknown): Promise<void> {
    this.#pending.shift()?.answer(error);
    await new Promise((resolve) => setImmediate(resolve));
  }

  async answerAll(): Promise<void> {
    while (this.#pending.length > 0) await this.answer();
  }
}

const limits = { batchBytes: 1_000, requestBytes: 3_000 };

describe('ProduceQueue', () => {
  it('cuts one partition into batches under the batch size and sends them one at a time, in order', async () => {
    const broker = new FakeBroker();
    const queue = new ProduceQueue(broker.send, limits);
    const to = receipt();
    queue.enqueue(
      records(
        to,
        't',
        0,
        Array.from({ length: 40 }, () => 100),
      ),
    );
    expect(broker.inFlight).toBe(1);
    await broker.answerAll();
    const batches = broker.requests.map((request) => {
      expect(request).toHaveLength(1);
      return request[0]!;
    });
    for (const batch of batches) expect(batch.bytes).toBeLessThanOrEqual(limits.batchBytes);
    // 9 records of 100 bytes fit next to the batch header, the 10th would not.
    expect(batches.map((b) => b.records.length)).toEqual([9, 9, 9, 9, 4]);
    expect(batches.flatMap((b) => b.records.map((r) => r.message))).toEqual(
      Array.from({ length: 40 }, (_, i) => `t:0:${i}`),
    );
    expect([...to.offsets.entries()].sort(([a], [b]) => a - b).map(([, o]) => o.offset)).toEqual(
      Array.from({ length: 40 }, (_, i) => i),
    );
    await expect(queue.whenIdle()).resolves.toBeUndefined();
  });

  it('never has two requests in flight for one partition, and sends records queued meanwhile as the next batch', async () => {
    const broker = new FakeBroker();
    const queue = new ProduceQueue(broker.send, limits);
    const first = receipt();
    const second = receipt();
    queue.enqueue(records(first, 't', 0, [100, 100]));
    queue.enqueue(records(second, 't', 0, [100, 100, 100]));
    expect(broker.inFlight).toBe(1);
    await broker.answer();
    expect(broker.inFlight).toBe(1);
    expect(broker.requests[1]![0]!.records.map((r) => r.message)).toEqual(['t:0:0', 't:0:1', 't:0:2']);
    await broker.answer();
    expect([...first.offsets.values()].map((o) => o.offset)).toEqual([0, 1]);
    expect([...second.offsets.values()].map((o) => o.offset)).toEqual([2, 3, 4]);
  });

  it('packs batches of different partitions into requests up to the request size', async () => {
    const broker = new FakeBroker();
    const queue = new ProduceQueue(broker.send, limits);
    const to = receipt();
    queue.enqueue([0, 1, 2, 3, 4].flatMap((partition) => records(to, 't', partition, [800])));
    await broker.answerAll();
    const perRequest = broker.requests.map((request) => request.map((b) => b.partition));
    // Each batch is 800 bytes plus the batch header: three fit in 3,000 bytes, a fourth would not.
    expect(perRequest).toEqual([
      [0, 1, 2],
      [3, 4],
    ]);
    for (const request of broker.requests) {
      expect(request.reduce((sum, b) => sum + b.bytes, 0)).toBeLessThanOrEqual(limits.requestBytes);
    }
  });

  it('sends a record larger than the batch size alone, in its own request, keeping the partition order', async () => {
    const broker = new FakeBroker();
    const queue = new ProduceQueue(broker.send, limits);
    const to = receipt();
    queue.enqueue([...records(to, 't', 0, [100, 5_000, 100], 0), ...records(to, 't', 1, [100], 3)]);
    await broker.answerAll();
    const shapes = broker.requests.map((request) => request.map((b) => b.records.map((r) => r.message)));
    expect(shapes).toEqual([[['t:0:0'], ['t:1:3']], [['t:0:1']], [['t:0:2']]]);
    expect(broker.requests[1]![0]!.bytes).toBe(5_000 + recordBatchOverhead);
  });

  it('fails every record of a refused request and carries on with the next batches', async () => {
    const broker = new FakeBroker();
    const queue = new ProduceQueue(broker.send, limits);
    const refused = receipt();
    const later = receipt();
    queue.enqueue(records(refused, 't', 0, [400, 400]));
    queue.enqueue(records(later, 't', 0, [100], 2));
    const error = new Error('MESSAGE_TOO_LARGE');
    await broker.answer(error);
    expect(refused.errors).toEqual([error, error]);
    await broker.answer();
    expect(later.offsets.get(2)).toEqual({ partition: 0, offset: 0 });
    await expect(queue.whenIdle()).resolves.toBeUndefined();
  });

  it('whenIdle waits for queued and in-flight records', async () => {
    const broker = new FakeBroker();
    const queue = new ProduceQueue(broker.send, limits);
    queue.enqueue(records(receipt(), 't', 0, [600, 600, 600]));
    let idle = false;
    void queue.whenIdle().then(() => {
      idle = true;
    });
    await broker.answer();
    await broker.answer();
    expect(idle).toBe(false);
    await broker.answer();
    expect(idle).toBe(true);
  });
});
