import { describe, expect, it } from 'vitest';
import { GlobalPositionsBytesStore } from '../../src/runtime/global-positions-bytes-store.ts';
import { InMemoryBytesStore } from '../../src/state/memory/in-memory-bytes-store.ts';

const b = (s: string) => Buffer.from(s);
const keys = (entries: Iterable<{ key: Buffer }>) => [...entries].map((e) => e.key.toString());

describe('GlobalPositionsBytesStore', () => {
  it('commits the staged positions with the data and reads them back per partition', async () => {
    const inner = new InMemoryBytesStore('customers');
    const store = new GlobalPositionsBytesStore(inner);
    store.stagePositions([
      { topic: 'customers', partition: 0, offset: 12 },
      { topic: 'customers', partition: 2, offset: 7 },
    ]);
    await store.commit([{ key: b('c1'), value: b('Ada') }], 19);
    expect(store.positions()).toEqual([
      { topic: 'customers', partition: 0, offset: 12 },
      { topic: 'customers', partition: 2, offset: 7 },
    ]);
    expect(store.changelogOffset()).toBe(19);
    expect(new GlobalPositionsBytesStore(inner).positions()).toHaveLength(2);
  });

  it('hides the positions from reads, scans and the count', async () => {
    const store = new GlobalPositionsBytesStore(new InMemoryBytesStore('customers'));
    store.stagePositions([{ topic: 'customers', partition: 0, offset: 3 }]);
    await store.commit([
      { key: b('a'), value: b('1') },
      { key: b('b'), value: b('2') },
      { key: Buffer.alloc(0), value: b('empty key') },
    ]);
    expect(store.get(b('a'))?.toString()).toBe('1');
    expect(keys(store.range())).toEqual(['', 'a', 'b']);
    expect(keys(store.range({ from: b('a'), to: b('b') }))).toEqual(['a']);
    expect(keys(store.range({ reverse: true, limit: 2 }))).toEqual(['b', 'a']);
    expect(keys(store.prefixScan(b('b')))).toEqual(['b']);
    expect(store.approximateCount()).toBe(3);
  });

  it('deletes data and positions on clear', async () => {
    const store = new GlobalPositionsBytesStore(new InMemoryBytesStore('customers'));
    store.stagePositions([{ topic: 'customers', partition: 1, offset: 5 }]);
    await store.commit([{ key: b('a'), value: b('1') }], 5);
    await store.clear();
    expect(store.positions()).toEqual([]);
    expect(store.get(b('a'))).toBeUndefined();
    expect(store.approximateCount()).toBe(0);
  });
});
