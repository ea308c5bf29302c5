import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { KStreamsError } from '../../src/errors.ts';
import {
  type CompressionCodec,
  inflateRecordBatches,
  nextOffsetAfter,
  RecordBatchCursor,
} from '../../src/kafka/record-batches.ts';
import type { AbortedTransaction } from '../../src/kafka/types.ts';
import { encodeRecordBatch, sealRecordBatch } from './support/record-batch-encoder.ts';

const gunzip = (codec: CompressionCodec, data: Buffer) => {
  if (codec !== 'gzip') throw new Error(`unexpected codec ${codec}`);
  return gunzipSync(data);
};

function readAll(
  bytes: Buffer,
  from = 0,
  readCommitted = false,
  abortedTransactions: readonly AbortedTransaction[] = [],
) {
  const cursor = new RecordBatchCursor({ bytes, from, readCommitted, abortedTransactions, decompress: gunzip });
  const out: { offset: number; key: string | null; value: string | null; source: string | null }[] = [];
  const sourceKey = Buffer.from('source');
  while (cursor.next()) {
    const text = (start: number, length: number) =>
      length < 0 ? null : cursor.bytes.toString('utf8', start, start + length);
    out.push({
      offset: cursor.offset,
      key: text(cursor.keyStart, cursor.keyLength),
      value: text(cursor.valueStart, cursor.valueLength),
      source: cursor.findHeader(sourceKey) ? text(cursor.headerValueStart, cursor.headerValueLength) : null,
    });
  }
  return out;
}

describe('RecordBatchCursor', () => {
  it('reads keys, values, tombstones and headers in place across batches', () => {
    const bytes = Buffer.concat([
      encodeRecordBatch({
        baseOffset: 10,
        records: [
          {
            offsetDelta: 0,
            key: 'a',
            value: '1',
            headers: [
              ['other', 'x'],
              ['source', 'in-0@5'],
            ],
          },
          { offsetDelta: 1, key: 'b', value: null },
        ],
      }),
      encodeRecordBatch({ baseOffset: 12, records: [{ offsetDelta: 0, key: null, value: 'v'.repeat(300) }] }),
    ]);
    expect(readAll(bytes)).toEqual([
      { offset: 10, key: 'a', value: '1', source: 'in-0@5' },
      { offset: 11, key: 'b', value: null, source: null },
      { offset: 12, key: null, value: 'v'.repeat(300), source: null },
    ]);
  });

  it('skips records before the fetch offset and ignores a batch cut off at the end', () => {
    const whole = encodeRecordBatch({
      baseOffset: 0,
      records: [
        { offsetDelta: 0, key: 'a', value: '1' },
        { offsetDelta: 1, key: 'b', value: '2' },
      ],
    });
    const cut = encodeRecordBatch({ baseOffset: 2, records: [{ offsetDelta: 0, key: 'c', value: '3' }] });
    const bytes = Buffer.concat([whole, cut.subarray(0, cut.length - 3)]);
    expect(readAll(bytes, 1).map((r) => r.offset)).toEqual([1]);
    expect(nextOffsetAfter(bytes, 0)).toBe(2);
    expect(nextOffsetAfter(Buffer.alloc(0), 7)).toBe(7);
  });

  it('inflates compressed batches with the given codec', () => {
    const bytes = encodeRecordBatch({
      baseOffset: 100,
      gzip: true,
      records: [
        { offsetDelta: 0, key: 'k1', value: 'v1' },
        { offsetDelta: 1, key: 'k2', value: 'v2' },
      ],
    });
    expect(readAll(bytes)).toEqual([
      { offset: 100, key: 'k1', value: 'v1', source: null },
      { offset: 101, key: 'k2', value: 'v2', source: null },
    ]);
  });

  it('counts a compacted-away tail and control batches in the next fetch offset, and skips control records', () => {
    const bytes = Buffer.concat([
      encodeRecordBatch({ baseOffset: 0, lastOffsetDelta: 4, records: [{ offsetDelta: 0, key: 'a', value: '1' }] }),
      encodeRecordBatch({ baseOffset: 5, records: [], control: 'commit', producerId: 7n }),
    ]);
    expect(readAll(bytes).map((r) => r.key)).toEqual(['a']);
    expect(nextOffsetAfter(bytes, 0)).toBe(6);
  });

  it('drops the batches of aborted transactions under read_committed only', () => {
    const bytes = Buffer.concat([
      encodeRecordBatch({
        baseOffset: 0,
        transactional: true,
        producerId: 1n,
        records: [{ offsetDelta: 0, key: 'aborted', value: '1' }],
      }),
      encodeRecordBatch({
        baseOffset: 1,
        transactional: true,
        producerId: 2n,
        records: [{ offsetDelta: 0, key: 'committed', value: '2' }],
      }),
      encodeRecordBatch({ baseOffset: 2, records: [], control: 'abort', producerId: 1n }),
      encodeRecordBatch({ baseOffset: 3, records: [], control: 'commit', producerId: 2n }),
      // Producer 1's next transaction is not in the aborted list: kept.
      encodeRecordBatch({
        baseOffset: 4,
        transactional: true,
        producerId: 1n,
        records: [{ offsetDelta: 0, key: 'later', value: '3' }],
      }),
    ]);
    const aborted = [{ producerId: 1n, firstOffset: 0 }];
    expect(readAll(bytes, 0, true, aborted).map((r) => r.key)).toEqual(['committed', 'later']);
    expect(readAll(bytes, 0, false, aborted).map((r) => r.key)).toEqual(['aborted', 'committed', 'later']);
  });

  it('materializes headers for the records the in-place reads do not cover', () => {
    const bytes = encodeRecordBatch({
      baseOffset: 0,
      records: [
        {
          offsetDelta: 0,
          key: 'a',
          value: '1',
          headers: [
            ['h1', 'x'],
            ['h2', null],
          ],
        },
      ],
    });
    const cursor = new RecordBatchCursor({
      bytes,
      from: 0,
      readCommitted: false,
      abortedTransactions: [],
      decompress: gunzip,
    });
    expect(cursor.next()).toBe(true);
    expect(cursor.headers().map((h) => [h.key, h.value.toString()])).toEqual([
      ['h1', 'x'],
      ['h2', ''],
    ]);
  });

  it('fails with a clear error on a corrupt record or an old message format', () => {
    const good = encodeRecordBatch({ baseOffset: 0, records: [{ offsetDelta: 0, key: 'a', value: '1' }] });
    const lying = Buffer.from(good);
    // The record's length varint (first byte of the records) says 63 bytes, under a matching CRC.
    lying[61] = 126;
    sealRecordBatch(lying);
    expect(() => readAll(lying)).toThrow(KStreamsError);
    expect(() => readAll(lying)).toThrow(/record of 63 bytes runs past its batch/);
    const old = Buffer.from(good);
    old[16] = 1;
    expect(() => readAll(old)).toThrow(/only format 2/);
  });

  it('fails on a batch whose bytes do not match its CRC, naming its offset', () => {
    const good = encodeRecordBatch({ baseOffset: 40, records: [{ offsetDelta: 0, key: 'a', value: 'value' }] });
    expect(readAll(good).map((r) => r.value)).toEqual(['value']);
    const damaged = Buffer.from(good);
    damaged.writeUInt8(damaged.readUInt8(damaged.length - 2) ^ 0x01, damaged.length - 2);
    expect(() => readAll(damaged)).toThrow(/batch at offset 40 fails its CRC-32C check/);
  });

  it('checks a compressed batch before inflating it and seals the inflated one again', async () => {
    const zipped = encodeRecordBatch({
      baseOffset: 0,
      gzip: true,
      records: [{ offsetDelta: 0, key: 'a', value: '1' }],
    });
    const damaged = Buffer.from(zipped);
    damaged.writeUInt8(damaged.readUInt8(damaged.length - 5) ^ 0x01, damaged.length - 5);
    const inflate = async (_: CompressionCodec, data: Buffer) => gunzipSync(data);
    await expect(inflateRecordBatches(damaged, inflate)).rejects.toThrow(/CRC-32C/);
    expect(readAll(await inflateRecordBatches(zipped, inflate)).map((r) => r.key)).toEqual(['a']);
  });
});

describe('inflateRecordBatches', () => {
  it('inflates compressed batches with an asynchronous codec, leaving the others and the offsets as they were', async () => {
    const plain = encodeRecordBatch({ baseOffset: 0, records: [{ offsetDelta: 0, key: 'a', value: '1' }] });
    const zipped = encodeRecordBatch({
      baseOffset: 1,
      gzip: true,
      records: [
        { offsetDelta: 0, key: 'b', value: '2' },
        { offsetDelta: 1, key: 'c', value: null },
      ],
    });
    const codecs: CompressionCodec[] = [];
    const inflated = await inflateRecordBatches(Buffer.concat([plain, zipped]), async (codec, data) => {
      codecs.push(codec);
      return gunzipSync(data);
    });
    expect(codecs).toEqual(['gzip']);
    const neverInflate = () => {
      throw new Error('nothing is compressed any more');
    };
    const cursor = new RecordBatchCursor({
      bytes: inflated,
      from: 0,
      readCommitted: false,
      abortedTransactions: [],
      decompress: neverInflate,
    });
    const keys: string[] = [];
    while (cursor.next())
      keys.push(
        `${cursor.offset}:${cursor.bytes.toString('utf8', cursor.keyStart, cursor.keyStart + cursor.keyLength)}`,
      );
    expect(keys).toEqual(['0:a', '1:b', '2:c']);
    expect(nextOffsetAfter(inflated, 0)).toBe(3);
  });

  it('answers the same bytes when nothing is compressed', async () => {
    const plain = encodeRecordBatch({ baseOffset: 0, records: [{ offsetDelta: 0, key: 'a', value: '1' }] });
    expect(await inflateRecordBatches(plain, async () => Buffer.alloc(0))).toBe(plain);
  });
});
