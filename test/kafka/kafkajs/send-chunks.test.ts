import { describe, expect, it } from 'vitest';
import { sendChunks } from '../../../src/kafka/kafkajs/send-chunks.ts';
import { recordBatchOverhead, recordSizeUpperBound } from '../../../src/kafka/record-size.ts';
import type { ProducerRecord } from '../../../src/kafka/types.ts';

function record(i: number, valueBytes: number): ProducerRecord {
  return { topic: 't', key: Buffer.from(`k${i}`), value: Buffer.alloc(valueBytes), timestamp: 1 };
}

const chunkBytes = (chunk: readonly ProducerRecord[]) =>
  recordBatchOverhead + chunk.reduce((sum, r) => sum + recordSizeUpperBound(r), 0);

describe('sendChunks', () => {
  it('keeps a small send whole', () => {
    const records = Array.from({ length: 10 }, (_, i) => record(i, 100));
    expect(sendChunks(records, { records: 1_000, bytes: 1024 * 1024 })).toEqual([records]);
  });

  it('cuts by record count and by bytes, keeping the order', () => {
    const limits = { records: 1_000, bytes: 100_000 };
    const byCount = sendChunks(
      Array.from({ length: 2_500 }, (_, i) => record(i, 1)),
      limits,
    );
    expect(byCount.map((c) => c.length)).toEqual([1_000, 1_000, 500]);
    const records = Array.from({ length: 1_000 }, (_, i) => record(i, 2_048));
    const byBytes = sendChunks(records, limits);
    expect(byBytes.flat()).toEqual(records);
    for (const chunk of byBytes) expect(chunkBytes(chunk)).toBeLessThanOrEqual(limits.bytes);
    // Full chunks: one more record would pass the limit.
    for (const chunk of byBytes.slice(0, -1)) {
      expect(chunkBytes(chunk) + recordSizeUpperBound(records[0]!)).toBeGreaterThan(limits.bytes);
    }
  });

  it('puts a record larger than the limit in a chunk of its own', () => {
    const records = [record(0, 10), record(1, 200_000), record(2, 10)];
    expect(sendChunks(records, { records: 1_000, bytes: 100_000 })).toEqual([[records[0]], [records[1]], [records[2]]]);
  });
});
