import { describe, expect, it } from 'vitest';
import { changelogHeaders, changelogSource, changelogSourceBytes } from '../../src/runtime/changelog-records.ts';

const header = (key: string, value: string) => ({ key, value: Buffer.from(value) });

describe('changelog records', () => {
  it('names the source topic, partition and offset in three headers, read back as they were written', () => {
    const headers = changelogHeaders({ topic: 'clicks', partition: 3, offset: 1234567 });
    expect(headers.map((h) => [h.key, h.value.toString()])).toEqual([
      ['kstreams.source.topic', 'clicks'],
      ['kstreams.source.partition', '3'],
      ['kstreams.source.offset', '1234567'],
    ]);
    expect(changelogSource(headers)).toEqual({ topic: 'clicks', partition: 3, offset: 1234567 });
    expect(changelogHeaders(undefined)).toEqual([]);
  });

  it('shares the topic and partition headers of one source partition between records', () => {
    const first = changelogHeaders({ topic: 'clicks', partition: 3, offset: 1 });
    const second = changelogHeaders({ topic: 'clicks', partition: 3, offset: 2 });
    expect(second[0]).toBe(first[0]);
    expect(second[1]).toBe(first[1]);
    expect(second[2]).not.toBe(first[2]);
    expect(changelogHeaders({ topic: 'clicks', partition: 4, offset: 1 })[1]!.value.toString()).toBe('4');
  });

  it('reads the source with its topic as bytes, and refuses malformed numbers', () => {
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
