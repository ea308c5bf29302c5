import type { fetchV17 } from '@platformatic/kafka';
import { describe, expect, it } from 'vitest';
import { decodeFetchedPartition } from '../../../src/kafka/platformatic/fetched-records.ts';

type Batch = NonNullable<fetchV17.FetchResponsePartition['records']>[number];

function batch(firstOffset: number, count: number, options: { producerId?: bigint; attributes?: number } = {}): Batch {
  return {
    firstOffset: BigInt(firstOffset),
    length: 0,
    partitionLeaderEpoch: 0,
    magic: 2,
    crc: 0,
    attributes: options.attributes ?? 0,
    lastOffsetDelta: count - 1,
    firstTimestamp: 1000n,
    maxTimestamp: 1000n + BigInt(count),
    producerId: options.producerId ?? -1n,
    producerEpoch: 0,
    firstSequence: 0,
    records: Array.from({ length: count }, (_, i) => ({
      length: 0,
      attributes: 0,
      timestampDelta: BigInt(i),
      offsetDelta: i,
      key: null,
      value: Buffer.from(`v${firstOffset + i}`),
      headers: [[Buffer.from('h'), Buffer.from('x')] as [Buffer, Buffer]],
    })),
  };
}

function abortMarker(offset: number, producerId: bigint): Batch {
  const marker = batch(offset, 1, { producerId, attributes: (1 << 4) | (1 << 5) });
  marker.records[0]!.key = Buffer.from([0, 0, 0, 0]);
  return marker;
}

function response(records: Batch[], aborted: { producerId: bigint; firstOffset: bigint }[] = []) {
  return {
    partitionIndex: 0,
    errorCode: 0,
    highWatermark: 0n,
    lastStableOffset: 0n,
    logStartOffset: 0n,
    abortedTransactions: aborted,
    preferredReadReplica: -1,
    records,
  };
}

describe('decodeFetchedPartition', () => {
  it('decodes each header key right when keys alternate, repeat, share a prefix or are empty', () => {
    const keys = ['a', 'ab', 'ab', 'a', '', 'héllo', 'héllo', 'b'];
    const fetched = batch(0, keys.length);
    fetched.records.forEach((record, i) => {
      record.headers = [[Buffer.from(keys[i]!), Buffer.from(`${i}`)] as [Buffer, Buffer]];
    });
    // A key buffer reused by the caller after decoding must not change what was decoded.
    const reused = Buffer.from('zz');
    fetched.records.push({ ...fetched.records[0]!, offsetDelta: keys.length, headers: [[reused, Buffer.from('x')]] });
    const decoded = decodeFetchedPartition('t', 0, response([fetched]), 0, false);
    reused.write('yy');
    expect(decoded.records.map((r) => r.headers[0]?.key)).toEqual([...keys, 'zz']);
    // The next record's key equals the reused buffer's new bytes: it is decoded, not taken for 'zz'.
    const yy = batch(0, 1);
    yy.records[0]!.headers = [[Buffer.from('yy'), Buffer.from('1')] as [Buffer, Buffer]];
    expect(decodeFetchedPartition('t', 0, response([yy]), 0, false).records[0]?.headers[0]?.key).toBe('yy');
  });

  it('returns records from the requested offset with timestamps and headers', () => {
    const decoded = decodeFetchedPartition('t', 0, response([batch(0, 4)]), 2, false);
    expect(decoded.records.map((r) => [r.offset, r.value?.toString(), r.timestamp])).toEqual([
      [2, 'v2', 1002],
      [3, 'v3', 1003],
    ]);
    expect(decoded.records[0]?.headers).toEqual([{ key: 'h', value: Buffer.from('x') }]);
    expect(decoded.nextFetchOffset).toBe(4);
  });

  it('drops aborted transactional batches under read_committed, even without their marker', () => {
    const transactional = 1 << 4;
    const data = [batch(0, 2, { producerId: 7n, attributes: transactional }), batch(2, 1), abortMarker(3, 7n)];
    const committed = decodeFetchedPartition('t', 0, response(data, [{ producerId: 7n, firstOffset: 0n }]), 0, true);
    expect(committed.records.map((r) => r.offset)).toEqual([2]);
    expect(committed.nextFetchOffset).toBe(4);

    const cut = decodeFetchedPartition(
      't',
      0,
      response(data.slice(0, 1), [{ producerId: 7n, firstOffset: 0n }]),
      0,
      true,
    );
    expect(cut.records).toEqual([]);

    const uncommitted = decodeFetchedPartition('t', 0, response(data), 0, false);
    expect(uncommitted.records.map((r) => r.offset)).toEqual([0, 1, 2]);
  });
});
