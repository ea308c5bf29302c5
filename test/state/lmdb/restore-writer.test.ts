import { describe, expect, it } from 'vitest';
import { storeDatabase } from '../../../src/state/lmdb/lmdb-open-options.ts';
import { openLmdbStore } from '../../../src/state/lmdb/open-lmdb-store.ts';
import { RestoreWriter } from '../../../src/state/lmdb/restore-writer.ts';
import { lmdbDirectory } from '../../../src/state/lmdb/state-directory-layout.ts';
import { packWrites } from '../../../src/state/packed-writes.ts';
import { closeWithin, useTaskLocation } from './support/temporary-state-dir.ts';

// The store's thread renews its LMDB read snapshot on a timer tick; LmdbBytesStore resets it after its
// own restore writes, and a direct write here waits for that tick instead.
const freshSnapshot = () => new Promise((resolve) => setTimeout(resolve, 5));

const offset = (value: number) => {
  const encoded = Buffer.alloc(8);
  encoded.writeBigUInt64BE(BigInt(value));
  return encoded;
};

describe('RestoreWriter (the worker that writes restoration batches)', () => {
  const location = useTaskLocation('restore-app', '0_1');

  it('applies batches sent back to back in order, each answered, the last offset kept', async () => {
    const store = openLmdbStore({ ...location(), storeName: 'counts' });
    const path = lmdbDirectory(location());
    const batch = (from: number, value: string, to: number) =>
      RestoreWriter.shared().write({
        path,
        database: storeDatabase('counts'),
        writes: packWrites(
          Array.from({ length: 1_000 }, (_, i) => ({
            key: Buffer.from(`k${from + i}`),
            value: Buffer.from(value),
          })),
        ),
        offsetKey: Buffer.from('counts'),
        offset: offset(to),
        durable: false,
      });
    // Sent without waiting: the worker may group them into one transaction, but never reorders them.
    const answers = [batch(0, 'first', 1_000), batch(500, 'second', 1_500), batch(900, 'third', 1_900)];
    answers.push(
      RestoreWriter.shared().write({
        path,
        database: storeDatabase('counts'),
        writes: packWrites([{ key: Buffer.from('k0'), value: null }]),
        offsetKey: Buffer.from('counts'),
        offset: offset(2_000),
        durable: true,
      }),
    );
    await Promise.all(answers);
    await freshSnapshot();
    expect(store.get(Buffer.from('k0'))).toBeUndefined();
    expect(store.get(Buffer.from('k499'))?.toString()).toBe('first');
    expect(store.get(Buffer.from('k899'))?.toString()).toBe('second');
    expect(store.get(Buffer.from('k1899'))?.toString()).toBe('third');
    expect(store.approximateCount()).toBe(1_899);
    expect(store.changelogOffset()).toBe(2_000);
    await closeWithin(store);
  });

  it('rejects a batch LMDB refuses, applying none of it, and keeps writing afterwards', async () => {
    const store = openLmdbStore({ ...location(), storeName: 'counts' });
    const path = lmdbDirectory(location());
    const write = (key: Buffer, to: number) =>
      RestoreWriter.shared().write({
        path,
        database: storeDatabase('counts'),
        writes: packWrites([
          { key: Buffer.from('fine'), value: Buffer.from(`${to}`) },
          { key, value: Buffer.from('v') },
        ]),
        offsetKey: Buffer.from('counts'),
        offset: offset(to),
        durable: true,
      });
    // LMDB's key limit is 1978 bytes; the store checks keys before sending, the worker must not rely on it.
    await expect(write(Buffer.alloc(4_000, 1), 5)).rejects.toThrow();
    await freshSnapshot();
    expect(store.get(Buffer.from('fine'))).toBeUndefined();
    expect(store.changelogOffset()).toBeUndefined();
    await write(Buffer.from('short'), 7);
    await freshSnapshot();
    expect(store.get(Buffer.from('fine'))?.toString()).toBe('7');
    expect(store.changelogOffset()).toBe(7);
    await closeWithin(store);
  });
});
