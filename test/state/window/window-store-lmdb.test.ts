import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Serdes } from '../../../src/serdes/serdes.ts';
import { openTaskBytesStore } from '../../../src/state/open-task-bytes-store.ts';
import { Stores } from '../../../src/state/stores.ts';
import type { MeteredWindowStore } from '../../../src/state/window/metered-window-store.ts';
import { temporaryStateDir } from '../lmdb/support/temporary-state-dir.ts';
import { closeWithin } from '../support/close-within.ts';
import { storeContextFixture } from '../support/store-context-fixture.ts';

describe('persistent window store on LMDB', () => {
  let directory: ReturnType<typeof temporaryStateDir>;
  const open = <V>(retainDuplicates: boolean) => {
    const fixture = storeContextFixture({
      openBytesStore: (name, persistent) =>
        openTaskBytesStore({ stateDir: directory.stateDir, applicationId: 'app', taskId: '0_1' }, name, persistent),
    });
    const supplier = Stores.persistentWindowStore('windows', {
      retentionMs: 10_000,
      windowSizeMs: 1_000,
      retainDuplicates,
    });
    const store: MeteredWindowStore<string, V> = Stores.windowStoreBuilder(
      supplier,
      Serdes.string(),
      Serdes.json<V>(),
    ).build(fixture.context);
    return { store, fixture };
  };

  beforeEach(() => {
    directory = temporaryStateDir();
  });

  afterEach(() => {
    directory.remove();
  });

  it('keeps persisted windows, the changelog offset and stream time across close and reopen', async () => {
    const first = open<number>(false).store;
    expect(first.persistent).toBe(true);
    first.put('a', 1, 1_000);
    first.put('a', 2, 2_000);
    first.put('b', 3, 12_000); // stream time 12000: windows at or before 2000 have expired
    first.put('b', 4, 5_000);
    first.flush();
    await first.persist(3);
    first.put('c', 5, 6_000); // never flushed nor persisted: not covered by committed offsets
    await closeWithin(first);

    const second = open<number>(false).store;
    expect(second.changelogOffset()).toBe(3);
    expect([...second.all()].map((e) => `${e.key}@${e.window.start}=${e.value}`)).toEqual(['b@5000=4', 'b@12000=3']);
    // Stream time came back from disk: a window expired before the restart stays expired.
    second.put('a', 9, 2_000);
    expect(second.fetch('a', 2_000)).toBeUndefined();
    second.put('a', 10, 2_001);
    expect([...second.fetch('a', 0, 20_000)]).toEqual([{ windowStart: 2_001, value: 10 }]);
    await closeWithin(second);
  });

  it('continues duplicate sequence numbers after a reopen instead of overwriting stored duplicates', async () => {
    const first = open<string>(true).store;
    first.put('k', 'one', 1_000);
    first.put('k', 'two', 1_000);
    first.flush();
    await first.persist(2);
    await closeWithin(first);

    const { store: second, fixture } = open<string>(true);
    second.put('k', 'three', 1_000);
    expect([...second.fetch('k', 1_000, 1_000)].map((w) => w.value)).toEqual(['one', 'two', 'three']);
    expect(fixture.changelogBytes[0]!.key.readUInt32BE(fixture.changelogBytes[0]!.key.length - 4)).toBe(2);
    second.flush();
    await second.persist(3);
    await closeWithin(second);

    const third = open<string>(true).store;
    expect([...third.fetch('k', 0, 5_000)].map((w) => w.value)).toEqual(['one', 'two', 'three']);
    await closeWithin(third);
  });

  it('restores into an empty LMDB store and wipes it on request', async () => {
    const source = open<number>(false);
    source.store.put('a', 1, 1_000);
    source.store.put('b', 2, 3_000);
    source.store.put('a', null, 1_000);
    source.store.flush();
    await source.store.persist(1);
    await source.store.wipe();
    expect([...source.store.all()]).toEqual([]);
    expect(source.store.changelogOffset()).toBeUndefined();
    // As restoration writes: in order rather than one transaction, the sync only on the last batch.
    const [first, ...rest] = source.fixture.changelogBytes;
    await source.store.restore([first!], 1, { atomic: false, durable: false });
    await source.store.restore(rest, 3, { atomic: false, durable: true });
    expect([...source.store.all()].map((e) => `${e.key}@${e.window.start}=${e.value}`)).toEqual(['b@3000=2']);
    await closeWithin(source.store);

    const reopened = open<number>(false).store;
    expect(reopened.changelogOffset()).toBe(3);
    expect(reopened.fetch('b', 3_000)).toBe(2);
    await closeWithin(reopened);
  });
});
