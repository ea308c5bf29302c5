import { describe, expect, it } from 'vitest';
import type { BytesWrite } from '../../../src/state/bytes-store.ts';
import { WriteBufferLayer } from '../../../src/state/key-value/write-buffer-layer.ts';
import { InMemoryBytesStore } from '../../../src/state/memory/in-memory-bytes-store.ts';
import { committedEntries } from '../support/store-context-fixture.ts';

const b = (text: string): Buffer => Buffer.from(text);

/** An in-memory bytes store whose commits wait until released, or fail once when told to. */
class GatedBytesStore extends InMemoryBytesStore {
  gate: Promise<void> | undefined;
  failNext = false;
  commits: number[] = [];

  override async commit(writes: readonly BytesWrite[], changelogOffset?: number): Promise<void> {
    await this.gate;
    if (this.failNext) {
      this.failNext = false;
      throw new Error('disk full');
    }
    this.commits.push(writes.length);
    await super.commit(writes, changelogOffset);
  }
}

describe('WriteBufferLayer', () => {
  it('keeps writes made while a persist is under way for the next commit, and visible meanwhile', async () => {
    const store = new GatedBytesStore('s');
    const layer = new WriteBufferLayer(store);
    layer.put(b('a'), b('1'));
    layer.flush();
    let release = () => {};
    store.gate = new Promise((resolve) => {
      release = resolve;
    });
    const persisting = layer.persist(1);
    layer.put(b('a'), b('2'));
    layer.put(b('b'), b('2'));
    expect(layer.get(b('a'))?.toString()).toBe('2');
    release();
    await persisting;
    expect(committedEntries(store)).toEqual(['a=1']);
    expect(layer.get(b('a'))?.toString()).toBe('2');
    expect([...layer.range()].map((e) => e.key.toString())).toEqual(['a', 'b']);
    layer.flush();
    await layer.persist(2);
    expect(committedEntries(store)).toEqual(['a=2', 'b=2']);
  });

  it('keeps a failed persist flushed and writes it with the next one', async () => {
    const store = new GatedBytesStore('s');
    const layer = new WriteBufferLayer(store);
    layer.put(b('a'), b('1'));
    layer.flush();
    store.failNext = true;
    await expect(layer.persist(1)).rejects.toThrow('disk full');
    expect(layer.get(b('a'))?.toString()).toBe('1');
    await layer.persist(1);
    expect(committedEntries(store)).toEqual(['a=1']);
    expect(store.changelogOffset()).toBe(1);
  });

  it('writes each key once per commit however often it changed, and skips a commit with nothing new', async () => {
    const store = new GatedBytesStore('s');
    const layer = new WriteBufferLayer(store);
    for (let i = 0; i < 100; i++) layer.put(b('hot'), b(String(i)));
    layer.flush();
    await layer.persist(5);
    await layer.persist(5);
    await layer.persist();
    expect(store.commits).toEqual([1]);
    await layer.persist(6);
    expect(store.commits).toEqual([1, 0]);
    expect(store.changelogOffset()).toBe(6);
  });

  it('drops unpersisted writes on close, leaving the bytes store at the last persist', async () => {
    const store = new InMemoryBytesStore('s');
    const layer = new WriteBufferLayer(store);
    layer.put(b('a'), b('1'));
    layer.flush();
    await layer.persist(1);
    const spy = { committed: false };
    const original = store.commit.bind(store);
    store.commit = async (writes, offset) => {
      spy.committed = true;
      return original(writes, offset);
    };
    const close = store.close.bind(store);
    store.close = async () => {
      expect(committedEntries(store)).toEqual(['a=1']);
      return close();
    };
    layer.put(b('b'), b('2'));
    layer.flush();
    await layer.close();
    expect(spy.committed).toBe(false);
  });
});
