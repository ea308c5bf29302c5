import { describe, expect, it } from 'vitest';
import { changelogHeaders, changelogSource, changelogSourceBytes } from '../../src/runtime/changelog-records.ts';

const header = (key: string, value: string) => ({ key, value: Buffer.from(value) });

describe('changelog records', () => {
  it('names the source topic, partition and offset in one binary header, read back as it was written', () => {
    const headers = changelogHeaders({ topic: 'clicks', partition: 3, offset: 1234567 });
    expect(headers.map((h) => h.key)).toEqual(['kstreams.source']);
    const value = headers[0]!.value;
    expect(value[0]).toBe(1);
    expect(value.readInt32BE(1)).toBe(3);
    expect(value.readBigInt64BE(5)).toBe(1234567n);
    expect(value.subarray(13).toString()).toBe('clicks');
    expect(changelogSource(headers)).toEqual({ topic: 'clicks', partition: 3, offset: 1234567 });
    expect(changelogHeaders(undefined)).toEqual([]);
  });

  it('round-trips offsets beyond 32 bits and non-ASCII topic names', () => {
    const source = { topic: 'commandes-été', partition: 2147483647, offset: 2 ** 40 + 5 };
    expect(changelogSource(changelogHeaders(source))).toEqual(source);
  });

  it('gives each record its own header value', () => {
    const first = changelogHeaders({ topic: 'clicks', partition: 3, offset: 1 });
    const second = changelogHeaders({ topic: 'clicks', partition: 3, offset: 2 });
    expect(changelogSource(first)?.offset).toBe(1);
    expect(changelogSource(second)?.offset).toBe(2);
  });

  it('refuses a binary header of an unknown version, too short, or with a negative offset', () => {
    const [written] = changelogHeaders({ topic: 'clicks', partition: 0, offset: 9 });
    const otherVersion = Buffer.from(written!.value);
    otherVersion[0] = 2;
    expect(changelogSourceBytes([{ key: 'kstreams.source', value: otherVersion }])).toBeUndefined();
    expect(changelogSourceBytes([{ key: 'kstreams.source', value: written!.value.subarray(0, 12) }])).toBeUndefined();
    const negativeOffset = Buffer.from(written!.value);
    negativeOffset.writeBigInt64BE(-1n, 5);
    expect(changelogSourceBytes([{ key: 'kstreams.source', value: negativeOffset }])).toBeUndefined();
  });

  it('still reads the three decimal headers of older changelogs, topic as bytes, refusing malformed numbers', () => {
    const topic = header('kstreams.source.topic', 'orders');
    const partition = header('kstreams.source.partition', '0');
    expect(changelogSourceBytes([topic, partition, header('kstreams.source.offset', '42')])).toEqual({
      topic: Buffer.from('orders'),
      partition: 0,
      offset: 42,
    });
    for (const bad of ['', '-1', '4.5', '1e3', ' 7', '12345678901234567']) {
      expect(changelogSourceBytes([topic, partition, header('kstreams.source.offset', bad)])).toBeUndefined();
    }
    expect(changelogSourceBytes([partition, header('kstreams.source.offset', '1')])).toBeUndefined();
  });
});
