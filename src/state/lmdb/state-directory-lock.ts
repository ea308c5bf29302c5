import { randomUUID } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { KStreamsError } from '../../errors.ts';
import { type ApplicationStateLocation, applicationDirectory } from './state-directory-layout.ts';

/** A held lock on `<stateDir>/<applicationId>/`; `release()` is idempotent. */
export interface StateDirectoryLock {
  readonly directory: string;
  release(): void;
}

/** What the lock file records about its owner: enough to tell a live owner from a dead one. */
interface LockOwner {
  readonly pid: number;
  readonly hostname: string;
  /** Linux process start time (clock ticks since boot): tells a reused pid from the original owner. */
  readonly startTime?: number;
  readonly token: string;
}

const lockFileName = '.lock';
// Directories locked by this process: a second lock from the same process is a second instance.
const heldByThisProcess = new Map<string, string>();

/**
 * Locks an application's state directory against a second running instance, in this process or another
 * one. The lock is a file holding the owner's pid, host and start time; a lock whose owner is gone (killed,
 * crashed, or a pid now reused by another program) is taken over, so a crash never causes a restart loop.
 * Hosts are not compared for liveness: a lock from another host name is taken over, since LMDB does not
 * support sharing a directory over a network file system anyway and container restarts change host names.
 */
export function lockStateDirectory(location: ApplicationStateLocation): StateDirectoryLock {
  const directory = applicationDirectory(location);
  if (heldByThisProcess.has(directory)) throw lockedError(directory, ownerOf(directory), true);
  mkdirSync(directory, { recursive: true });
  const path = join(directory, lockFileName);
  const me: LockOwner = {
    pid: process.pid,
    hostname: hostname(),
    startTime: processStartTime(process.pid),
    token: randomUUID(),
  };
  for (let attempt = 0; attempt < 5; attempt++) {
    if (createLockFile(path, me)) {
      heldByThisProcess.set(directory, me.token);
      return { directory, release: () => releaseLock(directory, me.token) };
    }
    const text = readOrUndefined(path);
    if (text === undefined) continue;
    const owner = parseOwner(text);
    if (owner !== undefined && isAlive(owner)) throw lockedError(directory, owner, false);
    takeOverStaleLock(path, text);
  }
  throw new KStreamsError('STATE_DIR_LOCKED', `Could not lock the state directory ${directory}: it keeps changing.`, {
    hint: 'Another instance is starting with the same stateDir; give each instance its own stateDir.',
    retriable: true,
  });
}

/** The live owner of an application's state directory lock, if any (for cleanup and diagnostics). */
export function liveLockOwner(location: ApplicationStateLocation): { pid: number; hostname: string } | undefined {
  const directory = applicationDirectory(location);
  const owner = ownerOf(directory);
  if (owner === undefined || !isAlive(owner)) return undefined;
  return { pid: owner.pid, hostname: owner.hostname };
}

export function isLockedByThisProcess(location: ApplicationStateLocation): boolean {
  return heldByThisProcess.has(applicationDirectory(location));
}

// Writes the lock atomically with its content (a hard link fails if the name exists), so a reader never
// sees an empty lock file from an owner that is still writing it.
function createLockFile(path: string, owner: LockOwner): boolean {
  const temporary = `${path}.${owner.token}`;
  writeFileSync(temporary, JSON.stringify(owner));
  try {
    linkSync(temporary, path);
    return true;
  } catch (error) {
    if (errorCode(error) === 'EEXIST') return false;
    // File systems without hard links: fall back to an exclusive create.
    try {
      writeFileSync(path, JSON.stringify(owner), { flag: 'wx' });
      return true;
    } catch (fallbackError) {
      if (errorCode(fallbackError) === 'EEXIST') return false;
      throw fallbackError;
    }
  } finally {
    rmSync(temporary, { force: true });
  }
}

// Moves the stale lock aside; if what was moved turns out to be a fresh lock another process created
// in the meantime, puts it back so that owner keeps it.
function takeOverStaleLock(path: string, staleText: string): void {
  const aside = `${path}.stale-${randomUUID()}`;
  try {
    renameSync(path, aside);
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return;
    throw error;
  }
  if (readOrUndefined(aside) !== staleText) {
    try {
      linkSync(aside, path);
    } catch {
      // Someone else created a lock meanwhile; the next attempt reads it.
    }
  }
  rmSync(aside, { force: true });
}

function releaseLock(directory: string, token: string): void {
  if (heldByThisProcess.get(directory) !== token) return;
  heldByThisProcess.delete(directory);
  const path = join(directory, lockFileName);
  if (parseOwner(readOrUndefined(path) ?? '')?.token === token) {
    try {
      unlinkSync(path);
    } catch (error) {
      if (errorCode(error) !== 'ENOENT') throw error;
    }
  }
}

function ownerOf(directory: string): LockOwner | undefined {
  return parseOwner(readOrUndefined(join(directory, lockFileName)) ?? '');
}

function isAlive(owner: LockOwner): boolean {
  if (owner.hostname !== hostname()) return false;
  if (owner.pid === process.pid) {
    // Only a lock this process holds right now is alive; an earlier process with our pid is gone.
    return [...heldByThisProcess.values()].includes(owner.token);
  }
  try {
    process.kill(owner.pid, 0);
  } catch (error) {
    if (errorCode(error) !== 'EPERM') return false;
  }
  const status = linuxProcessStatus(owner.pid);
  if (status === undefined) return true;
  if (status.state === 'Z' || status.state === 'X') return false;
  return owner.startTime === undefined || owner.startTime === status.startTime;
}

function processStartTime(pid: number): number | undefined {
  return linuxProcessStatus(pid)?.startTime;
}

/** State and start time from /proc/<pid>/stat; undefined where /proc does not exist. */
function linuxProcessStatus(pid: number): { state: string; startTime: number } | undefined {
  const stat = readOrUndefined(`/proc/${pid}/stat`);
  if (stat === undefined) return undefined;
  // The command name (field 2) may contain spaces and parentheses: count fields after its last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const startTime = Number(fields[19]);
  return Number.isFinite(startTime) ? { state: fields[0] ?? '', startTime } : undefined;
}

function parseOwner(text: string): LockOwner | undefined {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null) return undefined;
    const { pid, hostname: host, startTime, token } = value as Record<string, unknown>;
    if (typeof pid !== 'number' || typeof host !== 'string' || typeof token !== 'string') return undefined;
    return { pid, hostname: host, token, ...(typeof startTime === 'number' ? { startTime } : {}) };
  } catch {
    return undefined;
  }
}

function lockedError(directory: string, owner: LockOwner | undefined, sameProcess: boolean): KStreamsError {
  const who = sameProcess
    ? `this process (pid ${process.pid})`
    : `process ${owner?.pid ?? 'unknown'} on host ${owner?.hostname ?? 'unknown'}`;
  return new KStreamsError(
    'STATE_DIR_LOCKED',
    `The state directory ${directory} is locked by ${who}: another instance of this application is running with the same stateDir.`,
    { hint: 'Stop the other instance, or give each instance its own stateDir.' },
  );
}

function readOrUndefined(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

function errorCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : undefined;
}
