import { describe, expect, it } from 'vitest';
import { isPacked, PackedWritesBuilder, packWrites, restoreWritesOf } from '../../src/state/packed-writes.ts';

describe('PackedWrites (restoration batches in one transferable buffer)', () => {
  it('lays out each write as key length, value length (-1: delete), a spare byte, key, value', () => {
    const packed = packWrites([
      { key: Buffer.from('ab'), value: Buffer.from('xyz') },
      { key: Buffer.from('c'), value: null },
      { key: Buffer.alloc(100, 7), value: Buffer.alloc(70_000, 9) },
    ]);
    expect(packed.count).toBe(3);
    expect(packed.longestKey).toBe(100);
    const data = Buffer.from(packed.data);
    expect(data.readUInt32LE(0)).toBe(2);
    expect(data.readInt32LE(4)).toBe(3);
    expect(data.subarray(9, 14)).toEqual(Buffer.from('abxyz'));
    expect(data.readUInt32LE(14)).toBe(1);
    expect(data.readInt32LE(18)).toBe(-1);
    expect(data.subarray(23, 24)).toEqual(Buffer.from('c'));
    expect(data.readUInt32LE(24)).toBe(100);
    expect(data.readInt32LE(28)).toBe(70_000);
    expect(data.subarray(33, 133)).toEqual(Buffer.alloc(100, 7));
    expect(data.subarray(133, 70_133)).toEqual(Buffer.alloc(70_000, 9));
  });

  it('packs ranges of larger byte arrays, and reads back as the writes it was given', () => {
    const builder = new PackedWritesBuilder();
    const fetched = Buffer.from('..key-1..value-1..key-2..');
    builder.add(fetched, 2, 5, fetched, 9, 7);
    builder.add(fetched, 18, 5, fetched, 0, -1);
    expect(builder.count).toBe(2);
    const packed = builder.finish();
    expect(builder.count).toBe(0);
    expect(isPacked(packed)).toBe(true);
    expect(restoreWritesOf(packed).map((w) => [w.key.toString(), w.value?.toString() ?? null])).toEqual([
      ['key-1', 'value-1'],
      ['key-2', null],
    ]);
  });

  it('grows past its first buffer without losing what it holds', () => {
    const builder = new PackedWritesBuilder();
    const value = Buffer.alloc(1000, 1);
    for (let i = 0; i < 500; i++) builder.add(Buffer.from(`k${i}`), 0, `k${i}`.length, value, 0, value.length);
    const writes = restoreWritesOf(builder.finish());
    expect(writes).toHaveLength(500);
    expect(writes[499]?.key.toString()).toBe('k499');
    expect(writes.every((w) => w.value?.equals(value))).toBe(true);
  });

  it('passes writes given as objects through', () => {
    const writes = [{ key: Buffer.from('a'), value: null }];
    expect(isPacked(writes)).toBe(false);
    expect(restoreWritesOf(writes)).toBe(writes);
  });
});
