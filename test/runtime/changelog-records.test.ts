import { describe, expect, it } from 'vitest';
import {
  changelogHeaders,
  changelogSource,
  changelogSourceBytes,
  readChangelogSource,
  type SourcePosition,
} from '../../src/runtime/changelog-records.ts';

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

  describe('readChangelogSource (restoration, per record)', () => {
    const topics = [Buffer.from('orders'), Buffer.from('clicks')];
    const fresh = (): SourcePosition => ({ topicIndex: -1, partition: -1, offset: -1 });

    it('reads the binary header in place and names the matching topic by index', () => {
      const into = fresh();
      const read = readChangelogSource(
        changelogHeaders({ topic: 'clicks', partition: 4, offset: 2 ** 33 + 7 }),
        topics,
        into,
      );
      expect(read).toBe(true);
      expect(into).toEqual({ topicIndex: 1, partition: 4, offset: 2 ** 33 + 7 });
    });

    it('is false for a topic not given, including one whose name only starts the same', () => {
      expect(
        readChangelogSource(changelogHeaders({ topic: 'clicks-v2', partition: 0, offset: 1 }), topics, fresh()),
      ).toBe(false);
      expect(readChangelogSource(changelogHeaders({ topic: 'click', partition: 0, offset: 1 }), topics, fresh())).toBe(
        false,
      );
    });

    it('is false for no source, another version or a cut header, and reads the old three-header form', () => {
      expect(readChangelogSource([], topics, fresh())).toBe(false);
      const written = changelogHeaders({ topic: 'orders', partition: 1, offset: 9 })[0]!;
      const otherVersion = Buffer.from(written.value);
      otherVersion[0] = 2;
      expect(readChangelogSource([{ key: 'kstreams.source', value: otherVersion }], topics, fresh())).toBe(false);
      expect(
        readChangelogSource([{ key: 'kstreams.source', value: written.value.subarray(0, 12) }], topics, fresh()),
      ).toBe(false);
      const into = fresh();
      const old = [
        header('kstreams.source.topic', 'orders'),
        header('kstreams.source.partition', '5'),
        header('kstreams.source.offset', '42'),
      ];
      expect(readChangelogSource(old, topics, into)).toBe(true);
      expect(into).toEqual({ topicIndex: 0, partition: 5, offset: 42 });
    });

    it('leaves the topic uncompared when the caller says the position alone decides', () => {
      const asked: [number, number][] = [];
      const below10 = (partition: number, offset: number) => {
        asked.push([partition, offset]);
        return offset >= 10;
      };
      const into = fresh();
      // An unknown topic at offset 3: kept whatever its topic, so it is read without its topic.
      expect(
        readChangelogSource(changelogHeaders({ topic: 'other', partition: 2, offset: 3 }), topics, into, below10),
      ).toBe(true);
      expect(into).toEqual({ topicIndex: -1, partition: 2, offset: 3 });
      // At offset 12 the topic matters: it is compared, and an unknown one is not a source of `topics`.
      expect(
        readChangelogSource(changelogHeaders({ topic: 'other', partition: 2, offset: 12 }), topics, into, below10),
      ).toBe(false);
      expect(
        readChangelogSource(changelogHeaders({ topic: 'clicks', partition: 2, offset: 12 }), topics, into, below10),
      ).toBe(true);
      expect(into).toEqual({ topicIndex: 1, partition: 2, offset: 12 });
      expect(asked).toEqual([
        [2, 3],
        [2, 12],
        [2, 12],
      ]);
    });
  });
});
