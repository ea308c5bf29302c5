import { describe, expect, it } from 'vitest';
import { decodeRawFetchResponse } from '../../../src/kafka/kafkajs/raw-fetch.ts';

const int16 = (value: number) => {
  const b = Buffer.alloc(2);
  b.writeInt16BE(value);
  return b;
};
const int32 = (value: number) => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(value);
  return b;
};
const int64 = (value: bigint) => {
  const b = Buffer.alloc(8);
  b.writeBigInt64BE(value);
  return b;
};

function partition(
  index: number,
  errorCode: number,
  aborted: readonly [bigint, bigint][] | null,
  records: Buffer | null,
) {
  return Buffer.concat([
    int32(index),
    int16(errorCode),
    int64(100n),
    int64(90n),
    int64(0n),
    int32(aborted === null ? -1 : aborted.length),
    ...(aborted ?? []).flatMap(([producerId, firstOffset]) => [int64(producerId), int64(firstOffset)]),
    int32(-1),
    records === null ? int32(-1) : Buffer.concat([int32(records.length), records]),
  ]);
}

describe('decodeRawFetchResponse (Fetch v11, records left as bytes)', () => {
  it('reads every partition header and keeps the records as bytes', () => {
    const topic = Buffer.from('changelog');
    const payload = Buffer.concat([
      int32(0),
      int16(0),
      int32(0),
      int32(1),
      int16(topic.length),
      topic,
      int32(2),
      partition(0, 0, [[7n, 40n]], Buffer.from('batch-bytes')),
      partition(1, 1, null, null),
    ]);
    expect(decodeRawFetchResponse(payload)).toEqual([
      {
        topic: 'changelog',
        partitions: [
          {
            partition: 0,
            errorCode: 0,
            abortedTransactions: [{ producerId: 7n, firstOffset: 40 }],
            records: Buffer.from('batch-bytes'),
          },
          { partition: 1, errorCode: 1, abortedTransactions: [], records: Buffer.alloc(0) },
        ],
      },
    ]);
  });

  it('fails on a response-level error, naming the code', () => {
    const payload = Buffer.concat([int32(0), int16(58), int32(0), int32(0)]);
    expect(() => decodeRawFetchResponse(payload)).toThrow(/Kafka error code 58/);
  });
});
