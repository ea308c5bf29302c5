import { describe, expect, it } from 'vitest';
import { committedRecords, type FetchedMessage } from '../../../src/kafka/kafkajs/aborted-transactions.ts';

const data = (offset: number, producerId: string, inTransaction = true): FetchedMessage => ({
  offset: String(offset),
  key: Buffer.from(`k${offset}`),
  batchContext: { producerId, inTransaction },
});
const marker = (offset: number, producerId: string, type: 'abort' | 'commit'): FetchedMessage => {
  const key = Buffer.alloc(4);
  key.writeInt16BE(type === 'abort' ? 0 : 1, 2);
  return { offset: String(offset), key, isControlRecord: true, batchContext: { producerId, inTransaction: true } };
};
const offsets = (messages: readonly FetchedMessage[]) => messages.map((m) => Number(m.offset));

describe('committedRecords', () => {
  it('drops control records and keeps committed transactions', () => {
    expect(
      offsets(committedRecords([data(0, '7'), data(1, '7'), marker(2, '7', 'commit'), data(3, '-1', false)], [])),
    ).toEqual([0, 1, 3]);
  });

  it('drops an aborted transaction from its first offset to its abort marker', () => {
    const messages = [data(0, '7'), data(1, '7'), marker(2, '7', 'abort'), data(3, '7'), marker(4, '7', 'commit')];
    expect(offsets(committedRecords(messages, [{ producerId: '7', firstOffset: '0' }]))).toEqual([3]);
  });

  it('keeps interleaved records of other producers and non-transactional writes', () => {
    const messages = [
      data(0, '7'),
      data(1, '8'),
      data(2, '-1', false),
      marker(3, '7', 'abort'),
      marker(4, '8', 'commit'),
    ];
    expect(offsets(committedRecords(messages, [{ producerId: '7', firstOffset: '0' }]))).toEqual([1, 2]);
  });

  it('only starts dropping at the aborted transaction’s first offset', () => {
    const messages = [data(0, '7'), marker(1, '7', 'commit'), data(2, '7'), marker(3, '7', 'abort')];
    expect(offsets(committedRecords(messages, [{ producerId: '7', firstOffset: '2' }]))).toEqual([0]);
  });
});
