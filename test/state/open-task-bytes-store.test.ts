import { describe, expect, it } from 'vitest';
import { Serdes } from '../../src/serdes/serdes.ts';
import type { BytesStore } from '../../src/state/bytes-store.ts';
import { InMemoryBytesStore } from '../../src/state/memory/in-memory-bytes-store.ts';
import { openTaskBytesStore } from '../../src/state/open-task-bytes-store.ts';
import { Stores } from '../../src/state/stores.ts';
import { closeWithin, useTaskLocation } from './lmdb/support/temporary-state-dir.ts';
import { committedEntries, storeContextFixture } from './support/store-context-fixture.ts';

describe('openTaskBytesStore', () => {
  const location = useTaskLocation('app', '0_1');

  it('opens in-memory stores in memory', async () => {
    const store = openTaskBytesStore(location(), 'cache', false);
    expect(store).toBeInstanceOf(InMemoryBytesStore);
    await store.close();
  });

  it('gives a layered, cached, logged store on LMDB that persists only at persist and survives a reopen', async () => {
    let opened: BytesStore | undefined;
    const fixture = storeContextFixture({
      openBytesStore: (name, persistent) => {
        opened = openTaskBytesStore(location(), name, persistent);
        return opened;
      },
    });
    const builder = Stores.keyValueStoreBuilder(
      Stores.persistentKeyValueStore('counts'),
      Serdes.string(),
      Serdes.long(),
    ).withCachingEnabled();
    const store = builder.build(fixture.context);
    expect(store.persistent).toBe(true);
    store.put('a', 1);
    store.put('b', 2);
    store.put('a', 3);
    store.flush();
    expect(fixture.changelog.map((r) => r.key)).toEqual(['a', 'b']);
    expect(committedEntries(opened!)).toEqual([]);
    expect(store.changelogOffset()).toBeUndefined();

    await store.persist(2);
    store.put('unpersisted', 9);
    store.flush();
    expect(opened!.get(Buffer.from('a'))?.readBigInt64BE(0)).toBe(3n);
    expect(opened!.get(Buffer.from('unpersisted'))).toBeUndefined();
    await closeWithin(opened!);

    const reopened = builder.build(fixture.context);
    expect([...reopened.all()]).toEqual([
      { key: 'a', value: 3 },
      { key: 'b', value: 2 },
    ]);
    expect(reopened.changelogOffset()).toBe(2);

    await reopened.restore([{ key: Buffer.from('c'), value: Buffer.from([0, 0, 0, 0, 0, 0, 0, 7]) }], 10);
    expect(reopened.get('c')).toBe(7);
    expect(reopened.changelogOffset()).toBe(10);
    await closeWithin(opened!);
  });
});
