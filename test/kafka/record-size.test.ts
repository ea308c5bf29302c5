import { createRecordsBatch } from '@platformatic/kafka';
import { describe, expect, it } from 'vitest';
import { toMessage } from '../../src/kafka/platformatic/produce-records.ts';
import { recordBatchOverhead, recordSizeUpperBound } from '../../src/kafka/record-size.ts';
import type { ProducerRecord } from '../../src/kafka/types.ts';

/** The bytes the library really writes for these records as one batch, plus the log entry overhead. */
function encodedBatchBytes(records: readonly ProducerRecord[]): number {
  const messages = records.map((record) => toMessage(record, 0));
  return createRecordsBatch(messages as Parameters<typeof createRecordsBatch>[0]).length + 12;
}

function batchUpperBound(records: readonly ProducerRecord[]): number {
  return recordBatchOverhead + records.reduce((sum, record) => sum + recordSizeUpperBound(record), 0);
}

describe('recordSizeUpperBound', () => {
  const now = Date.now();
  const cases: Record<string, ProducerRecord[]> = {
    'small keyed records': Array.from({ length: 50 }, (_, i) => ({
      topic: 't',
      key: Buffer.from(`key-${i}`),
      value: Buffer.alloc(200, 1),
      timestamp: now + i,
    })),
    'tombstones and keyless records': [
      { topic: 't', key: Buffer.from('k'), value: null, timestamp: now },
      { topic: 't', key: null, value: Buffer.alloc(10), timestamp: now },
    ],
    'records with headers': [
      {
        topic: 't',
        key: Buffer.from('k'),
        value: Buffer.alloc(300),
        timestamp: now,
        headers: [
          { key: 'source', value: Buffer.from('orders-3-1234') },
          { key: 'trace-é', value: Buffer.alloc(64) },
        ],
      },
    ],
    'one large record': [{ topic: 't', key: Buffer.from('k'), value: Buffer.alloc(2 * 1024 * 1024), timestamp: now }],
    'timestamps far apart': [
      { topic: 't', key: null, value: Buffer.alloc(5), timestamp: 0 },
      { topic: 't', key: null, value: Buffer.alloc(5), timestamp: now },
    ],
  };

  for (const [name, records] of Object.entries(cases)) {
    it(`is never below the encoded batch size, and close to it: ${name}`, () => {
      const actual = encodedBatchBytes(records);
      const bound = batchUpperBound(records);
      expect(bound).toBeGreaterThanOrEqual(actual);
      // Only the timestamp and offset deltas are over-counted: at most 14 bytes per record.
      expect(bound - actual).toBeLessThanOrEqual(14 * records.length);
    });
  }
});
