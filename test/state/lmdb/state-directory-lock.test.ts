import type { ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isKStreamsError } from '../../../src/errors.ts';
import {
  isLockedByThisProcess,
  liveLockOwner,
  lockStateDirectory,
} from '../../../src/state/lmdb/state-directory-lock.ts';
import { deadPid, killAndWait, startLockHolder } from './support/lock-holder-process.ts';
import { temporaryStateDir } from './support/temporary-state-dir.ts';

describe('lockStateDirectory', () => {
  let directory: ReturnType<typeof temporaryStateDir>;
  let children: ChildProcess[];
  const app = () => ({ stateDir: directory.stateDir, applicationId: 'orders-app' });
  const lockFile = () => join(directory.stateDir, 'orders-app', '.lock');
  const writeLockFile = (owner: Record<string, unknown>) => writeFileSync(lockFile(), JSON.stringify(owner));
  const lockOwnerPid = () => (JSON.parse(readFileSync(lockFile(), 'utf8')) as { pid: number }).pid;

  beforeEach(() => {
    directory = temporaryStateDir();
    children = [];
  });

  afterEach(async () => {
    for (const child of children) await killAndWait(child, 'SIGKILL');
    directory.remove();
  });

  function expectLockedError(thrown: () => unknown, ...mentions: string[]): void {
    let error: unknown;
    try {
      thrown();
    } catch (caught) {
      error = caught;
    }
    expect(isKStreamsError(error, 'STATE_DIR_LOCKED')).toBe(true);
    const message = (error as Error).message;
    for (const mention of ['another instance', 'own stateDir', join(directory.stateDir, 'orders-app'), ...mentions]) {
      expect(message).toContain(mention);
    }
  }

  it('refuses a second instance in the same process until the first releases', () => {
    const lock = lockStateDirectory(app());
    expect(isLockedByThisProcess(app())).toBe(true);
    expectLockedError(() => lockStateDirectory(app()), `this process (pid ${process.pid})`);
    lock.release();
    lock.release();
    expect(existsSync(lockFile())).toBe(false);
    lockStateDirectory(app()).release();
  });

  it('locks each application directory separately', () => {
    const first = lockStateDirectory(app());
    const second = lockStateDirectory({ stateDir: directory.stateDir, applicationId: 'billing-app' });
    first.release();
    second.release();
  });

  it('refuses while another live process holds the lock, naming its pid', async () => {
    const holder = await startLockHolder(directory.stateDir, 'orders-app');
    children.push(holder);
    expectLockedError(() => lockStateDirectory(app()), `process ${holder.pid} on host ${hostname()}`);
    expect(liveLockOwner(app())).toEqual({ pid: holder.pid, hostname: hostname() });
    await killAndWait(holder, 'SIGTERM');
    expect(existsSync(lockFile())).toBe(false);
    lockStateDirectory(app()).release();
  });

  it('takes over the lock of a process killed with SIGKILL', async () => {
    const holder = await startLockHolder(directory.stateDir, 'orders-app');
    children.push(holder);
    await killAndWait(holder, 'SIGKILL');
    expect(lockOwnerPid()).toBe(holder.pid);
    expect(liveLockOwner(app())).toBeUndefined();
    const lock = lockStateDirectory(app());
    expect(lockOwnerPid()).toBe(process.pid);
    lock.release();
  });

  it('takes over a lock naming a dead pid, an unreadable lock, or this pid from an earlier run', async () => {
    lockStateDirectory(app()).release();
    for (const stale of [
      { pid: await deadPid(), hostname: hostname(), token: 'dead' },
      { garbage: true },
      { pid: process.pid, hostname: hostname(), token: 'an earlier process with our pid' },
      { pid: process.ppid, hostname: 'another-container', token: 'other host' },
    ]) {
      writeLockFile(stale);
      const lock = lockStateDirectory(app());
      expect(lockOwnerPid()).toBe(process.pid);
      lock.release();
    }
    writeFileSync(lockFile(), 'not json at all');
    lockStateDirectory(app()).release();
  });

  it('tells a live process from a reused pid by its start time (Linux)', () => {
    lockStateDirectory(app()).release();
    writeLockFile({ pid: process.ppid, hostname: hostname(), token: 'parent' });
    expectLockedError(() => lockStateDirectory(app()), `process ${process.ppid}`);
    writeLockFile({ pid: process.ppid, hostname: hostname(), startTime: 1, token: 'reused pid' });
    const procExists = existsSync(`/proc/${process.ppid}/stat`);
    if (procExists) {
      const lock = lockStateDirectory(app());
      expect(lockOwnerPid()).toBe(process.pid);
      lock.release();
    } else {
      expectLockedError(() => lockStateDirectory(app()), `process ${process.ppid}`);
    }
  });
});
