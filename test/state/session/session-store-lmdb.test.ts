import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Serdes } from '../../../src/serdes/serdes.ts';
import { openTaskBytesStore } from '../../../src/state/open-task-bytes-store.ts';
import { Stores } from '../../../src/state/stores.ts';
import { temporaryStateDir } from '../lmdb/support/temporary-state-dir.ts';
import { closeWithin } from '../support/close-within.ts';
import { storeContextFixture } from '../support/store-context-fixture.ts';

describe('persistent session store on LMDB', () => {
  let directory: ReturnType<typeof temporaryStateDir>;
  const open = () => {
    const fixture = storeContextFixture({
      openBytesStore: (name, persistent) =>
        openTaskBytesStore({ stateDir: directory.stateDir, applicationId: 'app', taskId: '0_2' }, name, persistent),
    });
    return Stores.sessionStoreBuilder(
      Stores.persistentSessionStore('sessions', { retentionMs: 100 }),
      Serdes.string(),
      Serdes.long(),
    ).build(fixture.context);
  };

  beforeEach(() => {
    directory = temporaryStateDir();
  });

  afterEach(() => {
    directory.remove();
  });

  it('keeps persisted sessions, the changelog offset and stream time across close and reopen', async () => {
    const first = open();
    expect(first.persistent).toBe(true);
    first.put({ key: 'a', start: 0, end: 40 }, 1);
    first.put({ key: 'a', start: 50, end: 60 }, 2);
    first.put({ key: 'b', start: 100, end: 150 }, 3); // stream time 150: ends at or before 50 have expired
    first.flush();
    await first.persist(9);
    first.put({ key: 'c', start: 1, end: 140 }, 4); // not flushed: lost at close
    await closeWithin(first);

    const second = open();
    expect(second.changelogOffset()).toBe(9);
    expect(
      [...second.all()].map(({ session, value }) => `${session.key}[${session.start},${session.end}]=${value}`),
    ).toEqual(['a[50,60]=2', 'b[100,150]=3']);
    second.put({ key: 'a', start: 0, end: 50 }, 5); // expired before the restart: still dropped
    expect(second.fetchSession('a', 0, 50)).toBeUndefined();
    expect([...second.findSessions('a', 0, 200)].map((entry) => entry.value)).toEqual([2]);
    await closeWithin(second);
  });
});
