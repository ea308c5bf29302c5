import { randomBytes } from 'node:crypto';
import { readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isKStreamsError } from '../../../src/errors.ts';
import { checkLmdbDataFile } from '../../../src/state/lmdb/lmdb-file-check.ts';
import { openLmdbStore } from '../../../src/state/lmdb/open-lmdb-store.ts';
import { wipeTaskDirectory } from '../../../src/state/lmdb/state-directory-cleanup.ts';
import { closeWithin, temporaryStateDir } from './support/temporary-state-dir.ts';

// Each case was seen to kill an unguarded process with SIGSEGV or SIGBUS inside lmdb-js 3.5.6.
const damages: Record<string, (file: string) => void> = {
  'garbage over the whole file': (file) => writeFileSync(file, randomBytes(statSync(file).size)),
  'zeros over the whole file': (file) => writeFileSync(file, Buffer.alloc(statSync(file).size)),
  'garbage over the first meta page': (file) => {
    const content = readFileSync(file);
    randomBytes(4096).copy(content, 0);
    writeFileSync(file, content);
  },
  'a file truncated to 100 bytes': (file) => truncateSync(file, 100),
  'a file truncated to half its size': (file) => truncateSync(file, Math.floor(statSync(file).size / 2 / 4096) * 4096),
  'a file truncated to its meta pages': (file) => truncateSync(file, 3 * 4096),
};

describe('corrupt LMDB state', () => {
  let directory: ReturnType<typeof temporaryStateDir>;
  const task = () => ({ stateDir: directory.stateDir, applicationId: 'app', taskId: '0_1' });
  const dataFile = () => join(directory.stateDir, 'app', '0_1', 'lmdb', 'data.mdb');

  beforeEach(async () => {
    directory = temporaryStateDir();
    const store = openLmdbStore({ ...task(), storeName: 'counts' });
    for (let batch = 0; batch < 5; batch++) {
      await store.commit(
        Array.from({ length: 2000 }, (_, i) => ({ key: Buffer.from(`k${batch}-${i}`), value: Buffer.alloc(200, i) })),
        batch,
      );
    }
    await closeWithin(store);
  });

  afterEach(() => {
    directory.remove();
  });

  it('accepts the intact file', () => {
    expect(checkLmdbDataFile(dataFile())).toBeUndefined();
  });

  for (const [damage, apply] of Object.entries(damages)) {
    describe(`with ${damage}`, () => {
      beforeEach(() => apply(dataFile()));

      it('throws STATE_STORE_CORRUPT naming the path, without crashing the process', () => {
        let error: unknown;
        try {
          openLmdbStore({ ...task(), storeName: 'counts' });
        } catch (caught) {
          error = caught;
        }
        expect(isKStreamsError(error, 'STATE_STORE_CORRUPT')).toBe(true);
        expect((error as Error).message).toContain(join(directory.stateDir, 'app', '0_1', 'lmdb'));
        expect((error as Error).message).toContain('wipeTaskDirectory');
      });

      it('opens empty after wipeTaskDirectory, ready for a restore', async () => {
        expect(() => openLmdbStore({ ...task(), storeName: 'counts' })).toThrow();
        wipeTaskDirectory(task());
        const store = openLmdbStore({ ...task(), storeName: 'counts' });
        expect(store.approximateCount()).toBe(0);
        expect(store.changelogOffset()).toBeUndefined();
        await store.commit([{ key: Buffer.from('restored'), value: Buffer.from('1') }], 1);
        expect(store.get(Buffer.from('restored'))?.toString()).toBe('1');
        await closeWithin(store);
      });

      it("opens empty with onCorrupt: 'wipe'", async () => {
        const store = openLmdbStore({ ...task(), storeName: 'counts', onCorrupt: 'wipe' });
        expect(store.approximateCount()).toBe(0);
        expect(store.changelogOffset()).toBeUndefined();
        await closeWithin(store);
      });
    });
  }

  // Zeroed data pages are detected by LMDB (MDB_CORRUPTED). Random garbage in data pages is not always:
  // lmdb-js may then crash the process, which no in-process check can prevent (see the report).
  describe('with zeroed data pages behind intact meta pages', () => {
    beforeEach(() => {
      const content = readFileSync(dataFile());
      content.fill(0, 2 * 4096);
      writeFileSync(dataFile(), content);
    });

    it('reports STATE_STORE_CORRUPT when LMDB finds it, and wipes with onCorrupt: wipe', async () => {
      expect(checkLmdbDataFile(dataFile())).toBeUndefined();
      expect(() => openLmdbStore({ ...task(), storeName: 'counts' })).toThrow(
        expect.objectContaining({ code: 'STATE_STORE_CORRUPT' }),
      );
      const store = openLmdbStore({ ...task(), storeName: 'counts', onCorrupt: 'wipe' });
      expect(store.approximateCount()).toBe(0);
      await closeWithin(store);
    });
  });

  it('tolerates a damaged lock.mdb: LMDB rebuilds its reader table', async () => {
    const lockFile = join(directory.stateDir, 'app', '0_1', 'lmdb', 'lock.mdb');
    writeFileSync(lockFile, randomBytes(statSync(lockFile).size));
    const store = openLmdbStore({ ...task(), storeName: 'counts' });
    expect(store.approximateCount()).toBe(10_000);
    expect(store.changelogOffset()).toBe(4);
    await closeWithin(store);
  });

  it('refuses to wipe a task whose stores are open', async () => {
    const store = openLmdbStore({ ...task(), storeName: 'counts' });
    expect(() => wipeTaskDirectory(task())).toThrow(expect.objectContaining({ code: 'ILLEGAL_STATE' }));
    await closeWithin(store);
    wipeTaskDirectory(task());
  });
});
