import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openLmdbStore } from '../../../src/state/lmdb/open-lmdb-store.ts';
import { destroyApplicationState } from '../../../src/state/lmdb/state-directory-cleanup.ts';
import { lockStateDirectory } from '../../../src/state/lmdb/state-directory-lock.ts';
import { killAndWait, startLockHolder } from './support/lock-holder-process.ts';
import { closeWithin, temporaryStateDir } from './support/temporary-state-dir.ts';

describe('destroyApplicationState', () => {
  let directory: ReturnType<typeof temporaryStateDir>;
  let children: ChildProcess[];
  const app = () => ({ stateDir: directory.stateDir, applicationId: 'app' });
  const appDirectory = () => join(directory.stateDir, 'app');

  beforeEach(async () => {
    directory = temporaryStateDir();
    children = [];
    const store = openLmdbStore({ ...app(), taskId: '0_0', storeName: 'counts' });
    await store.commit([{ key: Buffer.from('k'), value: Buffer.from('v') }], 1);
    await closeWithin(store);
  });

  afterEach(async () => {
    for (const child of children) await killAndWait(child, 'SIGKILL');
    directory.remove();
  });

  it("deletes the application's state directory and leaves other applications alone", async () => {
    const other = openLmdbStore({
      stateDir: directory.stateDir,
      applicationId: 'other',
      taskId: '0_0',
      storeName: 's',
    });
    await closeWithin(other);
    destroyApplicationState(app());
    expect(existsSync(appDirectory())).toBe(false);
    expect(existsSync(join(directory.stateDir, 'other', '0_0', 'lmdb'))).toBe(true);
    destroyApplicationState(app());
  });

  it('refuses while another live process holds the lock', async () => {
    const holder = await startLockHolder(directory.stateDir, 'app');
    children.push(holder);
    expect(() => destroyApplicationState(app())).toThrow(
      expect.objectContaining({ code: 'STATE_DIR_LOCKED', message: expect.stringContaining(`process ${holder.pid}`) }),
    );
    expect(existsSync(join(appDirectory(), '0_0', 'lmdb', 'data.mdb'))).toBe(true);
  });

  it('refuses while this process holds the lock or has a store open', async () => {
    const lock = lockStateDirectory(app());
    expect(() => destroyApplicationState(app())).toThrow(expect.objectContaining({ code: 'STATE_DIR_LOCKED' }));
    lock.release();
    const store = openLmdbStore({ ...app(), taskId: '0_0', storeName: 'counts' });
    expect(() => destroyApplicationState(app())).toThrow(expect.objectContaining({ code: 'ILLEGAL_STATE' }));
    await closeWithin(store);
    destroyApplicationState(app());
    expect(existsSync(appDirectory())).toBe(false);
  });

  it('takes over the lock of a killed instance and deletes', async () => {
    const holder = await startLockHolder(directory.stateDir, 'app');
    children.push(holder);
    await killAndWait(holder, 'SIGKILL');
    destroyApplicationState(app());
    expect(existsSync(appDirectory())).toBe(false);
  });
});
