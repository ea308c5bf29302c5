import { describe, expect, it } from 'vitest';
import type { BytesStore } from '../../../src/state/bytes-store.ts';
import { ByteBudget } from '../../../src/state/key-value/byte-budget.ts';
import { CachingLayer } from '../../../src/state/key-value/caching-layer.ts';
import { WriteBufferLayer } from '../../../src/state/key-value/write-buffer-layer.ts';
import { InMemoryBytesStore } from '../../../src/state/memory/in-memory-bytes-store.ts';

const b = (text: string) => Buffer.from(text);
const record = { timestamp: 1 };

/** A cache over a write buffer over an in-memory store that counts reads reaching the store. */
async function cacheOver(entries: Record<string, string>) {
  const bytes = new InMemoryBytesStore('s');
  await bytes.commit(Object.entries(entries).map(([key, value]) => ({ key: b(key), value: b(value) })));
  let storeReads = 0;
  const counting: BytesStore = Object.assign(Object.create(bytes) as BytesStore, {
    get: (key: Buffer) => {
      storeReads++;
      return bytes.get(key);
    },
  });
  const cache = new CachingLayer(new WriteBufferLayer(counting), new ByteBudget(1_000_000, () => undefined));
  const flushed: string[] = [];
  cache.setFlushListener((key, newValue, oldValue) => {
    flushed.push(`${key}: ${oldValue?.toString() ?? null} -> ${newValue?.toString() ?? null}`);
  });
  return { cache, flushed, reads: () => storeReads };
}

describe('CachingLayer', () => {
  it('takes the old value of an update from the read just before it, reading the store once per key', async () => {
    const { cache, flushed, reads } = await cacheOver({ a: '1' });
    // An update as count() makes it: read, then write the same key (the same Buffer, as the typed layer passes).
    const key = b('a');
    expect(cache.get(key)?.toString()).toBe('1');
    cache.put(key, b('2'), record);
    cache.put(b('a'), b('3'), record);
    expect(reads()).toBe(1);
    cache.flush();
    expect(reads()).toBe(1);
    expect(flushed).toEqual(['a: 1 -> 3']);
  });

  it('reads the old value at flush when the write was not preceded by a read of its key', async () => {
    const { cache, flushed, reads } = await cacheOver({ a: '1', b: '7' });
    cache.get(b('b'));
    cache.put(b('a'), b('2'), record);
    cache.flush();
    expect(reads()).toBe(2);
    expect(flushed).toEqual(['a: 1 -> 2']);
  });

  it('does not reuse a read made before a flush changed the value below', async () => {
    const { cache, flushed } = await cacheOver({ a: '1' });
    expect(cache.get(b('a'))?.toString()).toBe('1');
    cache.put(b('a'), b('2'), record);
    cache.flush();
    // Written again without a read: the read before the flush saw "1", which is no longer the value below.
    cache.put(b('a'), b('3'), record);
    cache.flush();
    expect(flushed).toEqual(['a: 1 -> 2', 'a: 2 -> 3']);
  });
});
