import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openLmdbStore } from '../../../src/state/lmdb/open-lmdb-store.ts';
import { closeWithin, useTaskLocation } from './support/temporary-state-dir.ts';

describe('LMDB bytes store', () => {
  const location = useTaskLocation('orders-app', '1_3');

  it('keeps one LMDB environment per task under <stateDir>/<applicationId>/<taskId>/lmdb', async () => {
    const store = openLmdbStore({ ...location(), storeName: 'counts' });
    await store.commit([{ key: Buffer.from('k'), value: Buffer.from('v') }], 1);
    expect(existsSync(join(location().stateDir, 'orders-app', '1_3', 'lmdb', 'data.mdb'))).toBe(true);
    expect(store.persistent).toBe(true);
    await closeWithin(store);
  });

  it('keeps data and changelog offsets across close and reopen', async () => {
    const first = openLmdbStore({ ...location(), storeName: 'counts' });
    const second = openLmdbStore({ ...location(), storeName: 'sums' });
    await first.commit([{ key: Buffer.from('a'), value: Buffer.from('1') }], 41);
    await second.commit([{ key: Buffer.from('b'), value: Buffer.from('2') }], 7);
    await closeWithin(first);
    await closeWithin(second);

    const reopened = openLmdbStore({ ...location(), storeName: 'counts' });
    const reopenedSums = openLmdbStore({ ...location(), storeName: 'sums' });
    expect(reopened.get(Buffer.from('a'))?.toString()).toBe('1');
    expect(reopened.changelogOffset()).toBe(41);
    expect(reopenedSums.changelogOffset()).toBe(7);
    expect(reopenedSums.get(Buffer.from('a'))).toBeUndefined();
    await closeWithin(reopened);
    await closeWithin(reopenedSums);
  });

  it('applies a commit that skips the disk sync atomically, visible at once and kept after reopening', async () => {
    const store = openLmdbStore({ ...location(), storeName: 'counts' });
    await store.commit(
      [
        { key: Buffer.from('a'), value: Buffer.from('1') },
        { key: Buffer.from('b'), value: Buffer.from('2') },
      ],
      10,
      { durable: false },
    );
    expect(store.get(Buffer.from('b'))?.toString()).toBe('2');
    expect(store.changelogOffset()).toBe(10);
    await store.commit([{ key: Buffer.from('a'), value: null }], 11, { durable: false });
    await closeWithin(store);
    const reopened = openLmdbStore({ ...location(), storeName: 'counts' });
    expect([...reopened.range()].map((e) => e.key.toString())).toEqual(['b']);
    expect(reopened.changelogOffset()).toBe(11);
    await closeWithin(reopened);
  });

  it('applies a non-atomic write batch in order (puts, deletes, the same key twice) with its offset, kept after reopening', async () => {
    const store = openLmdbStore({ ...location(), storeName: 'counts' });
    const writes = Array.from({ length: 5_000 }, (_, i) => ({
      key: Buffer.from(`k${i % 1_000}`),
      value: Buffer.from(`v${i}`),
    }));
    await store.commit(writes, 5_000, { atomic: false, durable: false });
    await store.commit(
      [
        { key: Buffer.from('k1'), value: null },
        { key: Buffer.from('k2'), value: Buffer.from('last') },
        { key: Buffer.alloc(100, 0x6b), value: Buffer.alloc(5_000, 7) },
      ],
      5_002,
      { atomic: false },
    );
    await closeWithin(store);
    const reopened = openLmdbStore({ ...location(), storeName: 'counts' });
    expect(reopened.approximateCount()).toBe(1_000);
    // Keys and values past the short-copy path arrive whole.
    expect(reopened.get(Buffer.alloc(100, 0x6b))?.equals(Buffer.alloc(5_000, 7))).toBe(true);
    expect(reopened.get(Buffer.from('k1'))).toBeUndefined();
    expect(reopened.get(Buffer.from('k2'))?.toString()).toBe('last');
    // The last write of a key wins: k999 was written at i = 999, 1999, ..., 4999.
    expect(reopened.get(Buffer.from('k999'))?.toString()).toBe('v4999');
    expect(reopened.changelogOffset()).toBe(5_002);
    await closeWithin(reopened);
  });

  it.each([
    ['one transaction', {}],
    ["restoration's in-order writes", { atomic: false }],
  ] as const)('refuses a batch with an over-long key before writing any of it (%s)', async (_, options) => {
    const store = openLmdbStore({ ...location(), storeName: 'counts' });
    await expect(
      store.commit(
        [
          { key: Buffer.from('fine'), value: Buffer.from('1') },
          { key: Buffer.alloc(4_000, 1), value: Buffer.from('2') },
        ],
        5,
        options,
      ),
    ).rejects.toMatchObject({ code: 'STATE_STORE_FAILED', message: expect.stringContaining('4000 bytes') });
    expect(store.get(Buffer.from('fine'))).toBeUndefined();
    expect(store.changelogOffset()).toBeUndefined();
    await closeWithin(store);
  });

  it('finishes a commit that was not awaited before closing', async () => {
    const store = openLmdbStore({ ...location(), storeName: 'counts' });
    const pending = store.commit([{ key: Buffer.from('late'), value: Buffer.from('x') }], 3);
    await closeWithin(store);
    await pending;
    const reopened = openLmdbStore({ ...location(), storeName: 'counts' });
    expect(reopened.get(Buffer.from('late'))?.toString()).toBe('x');
    expect(reopened.changelogOffset()).toBe(3);
    await closeWithin(reopened);
  });

  it('closes promptly while an iterator is left half-read', async () => {
    const store = openLmdbStore({ ...location(), storeName: 'counts' });
    await store.commit(Array.from({ length: 10 }, (_, i) => ({ key: Buffer.from(`k${i}`), value: Buffer.from('v') })));
    const iterator = store.range();
    iterator.next();
    await closeWithin(store);
    expect(iterator.next().done).toBe(true);
  });

  it('does not see a commit before it resolves', async () => {
    const store = openLmdbStore({ ...location(), storeName: 'counts' });
    const commit = store.commit([{ key: Buffer.from('k'), value: Buffer.from('v') }], 1);
    expect(store.get(Buffer.from('k'))).toBeUndefined();
    expect(store.changelogOffset()).toBeUndefined();
    await commit;
    expect(store.get(Buffer.from('k'))?.toString()).toBe('v');
    await closeWithin(store);
  });

  it('refuses to open the same store twice', async () => {
    const store = openLmdbStore({ ...location(), storeName: 'counts' });
    expect(() => openLmdbStore({ ...location(), storeName: 'counts' })).toThrow(
      expect.objectContaining({ code: 'ILLEGAL_STATE' }),
    );
    await closeWithin(store);
  });

  it('refuses a key longer than LMDB allows, applying nothing', async () => {
    const store = openLmdbStore({ ...location(), storeName: 'counts' });
    await store.commit([{ key: Buffer.alloc(1977, 1), value: Buffer.from('longest') }]);
    expect(store.get(Buffer.alloc(1977, 1))?.toString()).toBe('longest');
    const tooLong = store.commit([
      { key: Buffer.from('a'), value: Buffer.from('1') },
      { key: Buffer.alloc(1978, 1), value: Buffer.from('x') },
    ]);
    await expect(tooLong).rejects.toMatchObject({
      code: 'STATE_STORE_FAILED',
      message: expect.stringContaining('1978 bytes'),
    });
    expect(store.get(Buffer.from('a'))).toBeUndefined();
    await closeWithin(store);
  });

  it('grows the map beyond a small initial size (200 MB into 64 KiB)', async () => {
    const store = openLmdbStore({ ...location(), storeName: 'big', initialMapSize: 64 * 1024 });
    const value = Buffer.alloc(100_000, 7);
    for (let batch = 0; batch < 20; batch++) {
      await store.commit(
        Array.from({ length: 100 }, (_, i) => ({ key: Buffer.from(`big-${batch}-${i}`), value })),
        batch,
      );
    }
    expect(store.approximateCount()).toBe(2000);
    expect(store.get(Buffer.from('big-19-99'))?.equals(value)).toBe(true);
    expect(store.changelogOffset()).toBe(19);
    await closeWithin(store, 20_000);
  });

  it('rejects a location that would escape the application directory', () => {
    expect(() => openLmdbStore({ ...location(), taskId: '..', storeName: 'x' })).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID' }),
    );
  });
});
