import { KStreamsError } from '../../errors.ts';

// LMDB errors that mean the file's pages are not what its trees say: the data cannot be trusted.
const corruptionMarkers = ['MDB_CORRUPTED', 'MDB_PAGE_NOTFOUND', 'MDB_INVALID', 'MDB_VERSION_MISMATCH', 'MDB_BAD_TXN'];

/** True when an lmdb-js error says the environment's file is damaged. */
export function isLmdbCorruption(error: unknown): boolean {
  const message = error instanceof Error ? error.message : String(error);
  return corruptionMarkers.some((marker) => message.includes(marker));
}

export function corruptStoreError(path: string, reason: string, cause?: unknown): KStreamsError {
  return new KStreamsError('STATE_STORE_CORRUPT', `The LMDB state at ${path} is corrupt: ${reason}.`, {
    hint: 'Wipe the task directory (wipeTaskDirectory or onCorrupt: "wipe") and restore it from the changelog.',
    cause,
  });
}

/** Wraps an lmdb-js error: corruption as STATE_STORE_CORRUPT, anything else as STATE_STORE_FAILED. */
export function lmdbError(path: string, action: string, error: unknown): KStreamsError {
  if (error instanceof KStreamsError) return error;
  const message = error instanceof Error ? error.message : String(error);
  if (isLmdbCorruption(error)) return corruptStoreError(path, `${action} failed with ${message}`, error);
  return new KStreamsError('STATE_STORE_FAILED', `LMDB could not ${action} at ${path}: ${message}.`, {
    hint: 'Check the disk (free space, permissions) under the stateDir.',
    cause: error,
  });
}
